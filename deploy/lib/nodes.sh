# Shared by the run-*.sh scripts (sourced, not run): building both hosts, starting nodes, waiting for them to be
# ready and stopping what was started. The caller sets `root` (the repository) before sourcing.

pids=()

# Builds the API and silo hosts into ARTIFACTS; sets `config`, the lower-case folder name the build used.
build_hosts() { # configuration artifacts
  echo "Building ($1) ..."
  local project
  for project in PointsMall.Api PointsMall.Silo; do
    dotnet build "$root/src/$project/$project.csproj" -c "$1" --artifacts-path "$2" -v quiet -nologo
  done
  config="$(echo "$1" | tr '[:upper:]' '[:lower:]')"
}

# Polls URL until it answers 2xx (every 0.5 s, for up to 2 minutes); further arguments go to curl.
wait_ready() { # name url [curl options]
  local name="$1" url="$2"; shift 2
  for _ in $(seq 1 240); do
    if curl -fsS "$@" "$url" >/dev/null 2>&1; then echo "$name ready: $url"; return 0; fi
    sleep 0.5
  done
  echo "$name did not become ready at $url" >&2; return 1
}

# Sends SIGTERM to every started process and waits for each to exit (the hosts shut down gracefully on it).
stop_nodes() {
  trap - INT TERM EXIT
  echo; echo "Stopping ..."
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
