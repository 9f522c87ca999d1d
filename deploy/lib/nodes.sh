# Shared by the run-*.sh scripts (sourced, not run): building both hosts, starting nodes, waiting for them to be
# ready and stopping what was started. The caller sets `root` (the repository) before sourcing.

pids=()
# Optional, by node name: its process id and log file, so that a node which dies while it is awaited is reported at
# once with the end of its log instead of after the whole wait.
declare -A node_pid=() node_log=()

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
  local pid="${node_pid[$name]:-}"
  for _ in $(seq 1 240); do
    if curl -fsS "$@" "$url" >/dev/null 2>&1; then echo "$name ready: $url"; return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited before it was ready." >&2; show_log "$name"; return 1
    fi
    sleep 0.5
  done
  echo "$name did not become ready at $url" >&2; show_log "$name"; return 1
}

# Prints the last lines of a node's log (when the caller named one) to stderr.
show_log() { # name
  [ -n "$1" ] || return 0
  local log="${node_log[$1]:-}"
  [ -n "$log" ] && [ -f "$log" ] || return 0
  echo "--- last lines of $log ---" >&2; tail -n 40 "$log" >&2; echo "---" >&2
}

# Sends SIGTERM to every started process and waits for each to exit (the hosts shut down gracefully on it).
stop_nodes() {
  trap - INT TERM EXIT
  echo; echo "Stopping ..."
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
