#!/usr/bin/env bash
# A throwaway Prometheus on 127.0.0.1 for the telemetry test (test/telemetry/prometheus-server.test.ts).
#
#   .ci/prometheus.sh run -- CMD...   start Prometheus, run CMD with MABEAM_PROMETHEUS_* set, stop it
#                                     on exit (whatever CMD does, even on Ctrl-C); exits with CMD's status
#   .ci/prometheus.sh start           start it and print
#                                     `MABEAM_PROMETHEUS_URL=... MABEAM_PROMETHEUS_TARGET_PORT=... MABEAM_PROMETHEUS_DIR=...`
#   .ci/prometheus.sh stop DIR        stop the one started in DIR and delete DIR
#
# Installs the Debian package `prometheus` with apt-get if no `prometheus` binary is found. Its
# config (written into a fresh mktemp directory, with its storage) scrapes mabeam's /metrics every
# second at 127.0.0.1:MABEAM_PROMETHEUS_TARGET_PORT, a free port picked here: the test serves
# mabeam's metrics there (`telemetry.prometheusPort`). Prometheus listens on 127.0.0.1 only.
set -euo pipefail

ensure_installed() {
  if command -v prometheus >/dev/null 2>&1; then return 0; fi
  echo "prometheus.sh: installing prometheus with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends prometheus >&2
  command -v prometheus >/dev/null 2>&1 || { echo "prometheus.sh: prometheus still not found after install" >&2; exit 1; }
}

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

start() {
  ensure_installed
  local dir port target
  dir=$(mktemp -d /tmp/mabeam-prometheus.XXXXXX)
  port=$(free_port)
  target=$(free_port)
  cat >"$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mabeam
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:$target"]
YAML
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --web.listen-address="127.0.0.1:$port" >"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
  # Ready when its HTTP API answers (at most ~30 s).
  for _ in $(seq 1 60); do
    if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "http://127.0.0.1:$port/-/ready" 2>/dev/null; then
      echo "MABEAM_PROMETHEUS_URL=http://127.0.0.1:$port MABEAM_PROMETHEUS_TARGET_PORT=$target MABEAM_PROMETHEUS_DIR=$dir"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then break; fi
    sleep 0.5
  done
  cat "$dir/server.log" >&2
  stop "$dir"
  exit 1
}

stop() {
  local dir=$1
  if [ -f "$dir/pid" ]; then
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$(cat "$dir/pid")" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$(cat "$dir/pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

field() { echo "$1" | sed -E "s/.*$2=([^ ]+).*/\1/"; }

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?usage: prometheus.sh stop DIR}" ;;
  run)
    shift
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || { echo "usage: prometheus.sh run -- CMD..." >&2; exit 2; }
    line=$(start)
    export MABEAM_PROMETHEUS_URL MABEAM_PROMETHEUS_TARGET_PORT MABEAM_PROMETHEUS_DIR
    MABEAM_PROMETHEUS_URL=$(field "$line" MABEAM_PROMETHEUS_URL)
    MABEAM_PROMETHEUS_TARGET_PORT=$(field "$line" MABEAM_PROMETHEUS_TARGET_PORT)
    MABEAM_PROMETHEUS_DIR=$(field "$line" MABEAM_PROMETHEUS_DIR)
    trap 'stop "$MABEAM_PROMETHEUS_DIR"' EXIT
    echo "prometheus.sh: $MABEAM_PROMETHEUS_URL scraping 127.0.0.1:$MABEAM_PROMETHEUS_TARGET_PORT" >&2
    set +e
    "$@"
    status=$?
    set -e
    exit "$status"
    ;;
  *) echo "usage: prometheus.sh run -- CMD... | start | stop DIR" >&2; exit 2 ;;
esac
