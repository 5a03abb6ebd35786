# What the screenshot scripts share (sourced, not run): the build's own
# target directory, free loopback ports and X displays, and waiting for what
# they start with a deadline, failing loudly rather than saving pictures of
# nothing.

target="${CARGO_TARGET_DIR:-target}"

# A loopback port nobody listens on now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# An X display number with no server (nor a stale lock) on it.
free_display() {
    local n=90
    while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
    echo "$n"
}

# Fails the script with `what` and the log file `log` unless `check`
# succeeds within 20 s.
wait_for() {
    local what=$1 log=$2
    shift 2
    for _ in $(seq 100); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "$what did not start; its log ($log):" >&2
    tail -20 "$log" >&2 || true
    exit 1
}

# Fails the script unless process `pid` (started as `what`, logging to
# `log`) still runs.
still_running() {
    local what=$1 pid=$2 log=$3
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "$what stopped; its log ($log):" >&2
        tail -20 "$log" >&2 || true
        exit 1
    fi
}
