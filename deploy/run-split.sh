#!/usr/bin/env bash
# Runs PointsMall split: one Orleans silo process (grains + SQLite under ./data/split) and one API process in the
# api role, an Orleans client of the silo's gateway. Builds once, waits for both to be ready, prints the URLs, and
# stops both on Ctrl+C.
#   SILO_PORT (5090, health), GATEWAY_PORT (30000), SILO_CLUSTER_PORT (11111), API_PORT (5080), CONFIGURATION (Release)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
silo_port="${SILO_PORT:-5090}"
api_port="${API_PORT:-5080}"
gateway_port="${GATEWAY_PORT:-30000}"
cluster_port="${SILO_CLUSTER_PORT:-11111}"
configuration="${CONFIGURATION:-Release}"
data="$root/data/split"
out="$root/artifacts/split"
mkdir -p "$data"

# shellcheck source=lib/nodes.sh
. "$root/deploy/lib/nodes.sh"
build_hosts "$configuration" "$out"
trap stop_nodes INT TERM EXIT

# Each process runs from its project folder, so it reads its own appsettings.json.
(cd "$root/src/PointsMall.Silo" && exec dotnet "$out/bin/PointsMall.Silo/$config/PointsMall.Silo.dll" \
  --urls "http://127.0.0.1:$silo_port" \
  --Orleans:SiloPort "$cluster_port" \
  --Orleans:GatewayPort "$gateway_port" \
  --Storage:Sqlite:Path "$data/pointsmall.db") &
pids+=($!)
wait_ready "silo" "http://127.0.0.1:$silo_port/health/ready"

(cd "$root/src/PointsMall.Api" && exec dotnet "$out/bin/PointsMall.Api/$config/PointsMall.Api.dll" \
  --role api \
  --urls "http://127.0.0.1:$api_port" \
  --Silo:Gateway "127.0.0.1:$gateway_port" \
  --DataProtection:KeysPath "$data/keys") &
pids+=($!)
wait_ready "api" "http://127.0.0.1:$api_port/health/ready"

cat <<INFO

PointsMall split mode is running.
  Shop and admin console:  http://127.0.0.1:$api_port/
  API docs:                http://127.0.0.1:$api_port/docs
  API health:              http://127.0.0.1:$api_port/health/ready
  Silo health:             http://127.0.0.1:$silo_port/health/ready
  Silo Orleans gateway:    127.0.0.1:$gateway_port
Stop both with Ctrl+C.
INFO
wait -n "${pids[@]}"
