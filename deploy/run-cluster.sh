#!/usr/bin/env bash
# Runs a whole PointsMall cluster on this machine, for trying it out: a throw-away PostgreSQL (grain state and the
# Orleans membership table), a Redis (shared shopper limits), three silos (SILOS), two API nodes that find the silos in
# the membership table, and nginx in front of the API nodes. Builds once, waits for everything to be ready, prints
# the URLs, and stops it all on Ctrl+C or SIGTERM (the data under ./data/cluster stays; delete it to start afresh).
#   SILOS (3, at most 9): how many silos. Each node's process id is written to DATA_DIR/silo-N.pid or api-N.pid, for
#   failover drills (the load runner's --kill-pid).
#   BASE_PORT (7000): nginx on BASE_PORT (HTTPS) and +3 (HTTP, redirects), API nodes on +1 and +2, silo health on
#   +11.., silo ports on +21.., gateways on +31.., PostgreSQL on +41, Redis on +42. CONFIGURATION (Release).
#   ADMIN_PASSWORD (cluster-admin-1). DATA_DIR (./data/cluster), ARTIFACTS_DIR (./artifacts/cluster).
#   TLS (1): nginx serves the deploy site's HTTPS with a self-signed certificate made in DATA_DIR/nginx/tls; TLS=0
#   serves plain HTTP on BASE_PORT. LOAD_TEST=1 lifts the per-client limits (the API nodes' per-member and per-IP
#   windows and nginx's limit_req: a load generator is one address) and defaults TLS to 0.
#   A node that dies (or is killed in a drill) does not stop the others; the script reports it and carries on.
# Needs Debian's postgresql, redis-server, nginx and openssl (apt-get install -y postgresql redis-server nginx openssl).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
base="${BASE_PORT:-7000}"
silos="${SILOS:-3}"
[[ "$silos" =~ ^[1-9]$ ]] || { echo "SILOS must be 1 to 9, not '$silos'" >&2; exit 1; }
configuration="${CONFIGURATION:-Release}"
# A load drill measures the engine, not TLS handshakes on the generator's cores: LOAD_TEST=1 means plain HTTP.
tls_on="${TLS:-$([ "${LOAD_TEST:-0}" = 1 ] && echo 0 || echo 1)}"
admin_password="${ADMIN_PASSWORD:-cluster-admin-1}"
data="$(mkdir -p "${DATA_DIR:-$root/data/cluster}" && cd "${DATA_DIR:-$root/data/cluster}" && pwd)"
out="${ARTIFACTS_DIR:-$root/artifacts/cluster}"
pg_bin="${POINTSMALL_PG_BIN:-/usr/lib/postgresql/15/bin}"
pg_port=$((base + 41)); redis_port=$((base + 42)); nginx_port=$base
mkdir -p "$data"

for tool in "$pg_bin/initdb" "$pg_bin/pg_ctl" /usr/bin/redis-server /usr/sbin/nginx /usr/bin/openssl; do
  [ -x "$tool" ] || { echo "Missing $tool: apt-get install -y postgresql redis-server nginx openssl" >&2; exit 1; }
done

# shellcheck source=lib/nodes.sh
. "$root/deploy/lib/nodes.sh"
build_hosts "$configuration" "$out"

# PostgreSQL refuses to run as root: as root the data folder goes to the postgres user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_data="$data/pg"
if [ ! -f "$pg_data/PG_VERSION" ]; then
  mkdir -p "$pg_data"
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$pg_data"
  as_pg "$pg_bin/initdb" -D "$pg_data" -U pm --auth=trust -E UTF8 >/dev/null
fi
as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w \
  -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
connection="Host=127.0.0.1;Port=$pg_port;Username=pm;Database=postgres;Maximum Pool Size=40"

declare -A name_of=()
stop() {
  stop_nodes
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true
}
trap stop INT TERM EXIT

/usr/bin/redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$data/redis.log" 2>&1 &
pids+=($!); name_of[$!]="redis"

# What every node shares: the database, the membership, the cluster's ids, the limits' Redis, the token keys.
shared=(
  --Storage:Provider postgresql --Storage:PostgreSql:ConnectionString "$connection"
  --Orleans:Membership adonet --Orleans:ClusterId pointsmall --Orleans:ServiceId pointsmall
)

for i in $(seq 1 "$silos"); do
  (cd "$root/src/PointsMall.Silo" && exec dotnet "$out/bin/PointsMall.Silo/$config/PointsMall.Silo.dll" "${shared[@]}" \
    --urls "http://127.0.0.1:$((base + 10 + i))" \
    --Orleans:SiloPort "$((base + 20 + i))" --Orleans:GatewayPort "$((base + 30 + i))" \
    >"$data/silo-$i.log" 2>&1) &
  pids+=($!); name_of[$!]="silo $i"; node_pid["silo $i"]=$!; node_log["silo $i"]="$data/silo-$i.log"
  echo $! >"$data/silo-$i.pid"
done
for i in $(seq 1 "$silos"); do wait_ready "silo $i" "http://127.0.0.1:$((base + 10 + i))/health/ready"; done

limits=()
[ "${LOAD_TEST:-0}" = 1 ] && limits=(--RateLimits:PerMember 0 --RateLimits:PerIp 0)
for i in 1 2; do
  (cd "$root/src/PointsMall.Api" && POINTSMALL_ADMIN_PASSWORD="$admin_password" exec dotnet "$out/bin/PointsMall.Api/$config/PointsMall.Api.dll" \
    --role api "${shared[@]}" \
    --urls "http://127.0.0.1:$((base + i))" \
    --RateLimits:Redis "127.0.0.1:$redis_port" \
    --DataProtection:KeysPath "$data/keys" \
    "${limits[@]}" \
    >"$data/api-$i.log" 2>&1) &
  pids+=($!); name_of[$!]="api $i"; node_pid["api $i"]=$!; node_log["api $i"]="$data/api-$i.log"
  echo $! >"$data/api-$i.pid"
done
for i in 1 2; do wait_ready "api $i" "http://127.0.0.1:$((base + i))/health/ready"; done

# nginx with the deploy site, its upstream pointed at the two API nodes: HTTPS on BASE_PORT with a self-signed
# certificate made here (BASE_PORT+3 redirects to it), or with TLS=0 plain HTTP on BASE_PORT.
mkdir -p "$data/nginx/logs"
tls="$data/nginx/tls"
if [ "$tls_on" = 1 ] && [ ! -f "$tls/cert.pem" ]; then
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>/dev/null
fi
if [ "$tls_on" = 1 ]; then
  site=(-e "s|listen 443 ssl http2;|listen 127.0.0.1:$nginx_port ssl http2;|"
        -e "s|ssl_certificate .*|ssl_certificate $tls/cert.pem;|; s|ssl_certificate_key .*|ssl_certificate_key $tls/key.pem;|"
        -e "s|return 301 https://\$host|return 301 https://\$host:$nginx_port|")
else
  site=(-e "s|listen 443 ssl http2;|listen 127.0.0.1:$nginx_port;|" -e "/ssl_/d; /Strict-Transport-Security/d")
fi
sed -e "s|server 127.0.0.1:5080 |server 127.0.0.1:$((base + 1)) |; s|server 127.0.0.1:5081 |server 127.0.0.1:$((base + 2)) |" \
    -e "s|listen 80;|listen 127.0.0.1:$((base + 3));|; /listen \[::\]:80;/d; /listen \[::\]:443 ssl http2;/d" \
    "${site[@]}" "$root/deploy/nginx/pointsmall.conf" >"$data/nginx/site.conf"
[ "${LOAD_TEST:-0}" = 1 ] && sed -i '/limit_req zone=/d' "$data/nginx/site.conf"
cat >"$data/nginx/nginx.conf" <<NGINX
worker_processes 1;
# A drop holds many requests open at once (more still while a lost silo is being declared dead): 1024 is too few.
worker_rlimit_nofile 16384;
pid $data/nginx/nginx.pid;
error_log $data/nginx/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $data/nginx/body;
  proxy_temp_path $data/nginx/proxy;
  include $data/nginx/site.conf;
}
NGINX
/usr/sbin/nginx -p "$data/nginx" -c "$data/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!); name_of[$!]="nginx"
if [ "$tls_on" = 1 ]; then scheme=https; trust=(--cacert "$tls/cert.pem"); else scheme=http; trust=(); fi
wait_ready "nginx" "$scheme://127.0.0.1:$nginx_port/health/ready" "${trust[@]}"

cat <<INFO

PointsMall cluster is running (logs in $data).
  Shop and admin console (nginx):  $scheme://127.0.0.1:$nginx_port/   admin password: $admin_password$([ "$tls_on" = 1 ] && echo "
                                   (self-signed certificate: $tls/cert.pem)")
  API nodes:                       http://127.0.0.1:$((base + 1))/  http://127.0.0.1:$((base + 2))/
  Silo health:                     http://127.0.0.1:$((base + 11))/health/ready (to +$((10 + silos)); process ids in $data/silo-N.pid)
  PostgreSQL:                      $connection
  Redis:                           127.0.0.1:$redis_port
Stop it all with Ctrl+C.
INFO
# Runs until Ctrl+C. A node that exits is reported; the others keep serving, as a cluster should.
while [ ${#pids[@]} -gt 0 ]; do
  gone=""
  if wait -n -p gone "${pids[@]}"; then status=0; else status=$?; fi
  [ -n "$gone" ] || break
  echo "$(date +%T) ${name_of[$gone]:-process $gone} exited (status $status); the rest keep running. Ctrl+C stops them."
  show_log "${name_of[$gone]:-}"
  remaining=()
  for pid in "${pids[@]}"; do [ "$pid" = "$gone" ] || remaining+=("$pid"); done
  pids=("${remaining[@]}")
done
