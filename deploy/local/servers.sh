#!/usr/bin/env bash
# Runs mosquitto, influxd and rabbitmq-server as plain background processes (no systemd, no Docker),
# bound to 127.0.0.1 only, with every file (config, data, logs, pid files) in one work folder.
# The test fixture (tests/Monitoring.Testing/RealServers.cs) drives this same script, so there is
# one implementation of how the servers are run. See docs/local-servers.md.
#
#   servers.sh install
#   servers.sh start  <mosquitto|influxdb|rabbitmq|all>
#   servers.sh stop   <mosquitto|influxdb|rabbitmq|all>
#   servers.sh status
#   servers.sh rabbitmqctl <args...>     # rabbitmqctl against the node of this work folder
#   servers.sh add-vhost <name>          # add_vhost + full permissions for guest
#
# Settings (environment variables):
#   MON_WORK              work folder                              (./.local-servers)
#   MON_MQTT_PORT         mosquitto listener                       (1883)
#   MON_MQTT_AUTOSAVE     mosquitto autosave_interval, seconds     (1; see docs/local-servers.md)
#   MON_INFLUX_PORT       influxd HTTP API                         (8086)
#   MON_INFLUX_RPC_PORT   influxd backup/restore RPC               (MON_INFLUX_PORT + 2)
#   MON_AMQP_PORT         RabbitMQ AMQP listener                   (5672)
#   MON_RABBIT_DIST_PORT  Erlang distribution port of the node     (MON_AMQP_PORT + 20000)
#   MON_EPMD_PORT         Erlang port mapper                       (4369)
#   MON_RABBIT_NODENAME   node name                                (rabbit-<MON_AMQP_PORT>@localhost)
#   MON_START_TIMEOUT     seconds to wait for each server to be ready (90)
set -euo pipefail

# mosquitto lives in /usr/sbin, which is not on a non-root PATH.
export PATH="$PATH:/usr/sbin:/sbin"

readonly RABBIT_BIN=/usr/lib/rabbitmq/bin
# chromium drives the duty-console browser tests (Playwright with /usr/bin/chromium); python3-aiosmtpd
# is the loopback SMTP server the notification tests deliver mail to; fonts-wqy-microhei gives
# Chromium the Chinese glyphs of the console (without it they render as boxes).
readonly APT_PACKAGES=(mosquitto mosquitto-clients rabbitmq-server influxdb influxdb-client chromium python3-aiosmtpd fonts-wqy-microhei)

WORK=$(realpath -m -- "${MON_WORK:-./.local-servers}")
MQTT_PORT=${MON_MQTT_PORT:-1883}
INFLUX_PORT=${MON_INFLUX_PORT:-8086}
INFLUX_RPC_PORT=${MON_INFLUX_RPC_PORT:-$((INFLUX_PORT + 2))}
AMQP_PORT=${MON_AMQP_PORT:-5672}
RABBIT_DIST_PORT=${MON_RABBIT_DIST_PORT:-$((AMQP_PORT + 20000))}
EPMD_PORT=${MON_EPMD_PORT:-4369}
# Unique per AMQP port so that two runs on one machine can share an epmd without clashing.
RABBIT_NODE=${MON_RABBIT_NODENAME:-rabbit-${AMQP_PORT}@localhost}
START_TIMEOUT=${MON_START_TIMEOUT:-90}

MOSQ_DIR=$WORK/mosquitto
INFLUX_DIR=$WORK/influxdb
RABBIT_DIR=$WORK/rabbitmq

log() { printf 'servers: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# --- process helpers --------------------------------------------------------------------------

# True when the pid runs and is not a zombie (PID 1 here may never reap our orphans).
pid_alive() {
  local pid=$1 state
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z ]]
}

# True when the pid's command line contains the marker: guards against killing a recycled pid.
pid_matches() {
  local pid=$1 marker=$2
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"
}

# Prints the pid from a pid file when that process is alive and still ours.
running_pid() {
  local file=$1 marker=$2 pid
  [[ -s $file ]] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [[ -n $pid ]] && pid_alive "$pid" && pid_matches "$pid" "$marker" || return 1
  printf '%s\n' "$pid"
}

# SIGTERM, then SIGKILL after the grace period; removes the pid file.
stop_pidfile() {
  local file=$1 marker=$2 grace=$3 name=$4 pid deadline
  if pid=$(running_pid "$file" "$marker"); then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + grace))
    while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    if pid_alive "$pid"; then
      log "$name did not stop within ${grace}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 5))
      while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    fi
  fi
  rm -f -- "$file"
}

port_listening() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

log_tail() {
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    printf -- '--- last lines of %s ---\n' "$f" >&2
    tail -n 40 -- "$f" >&2
  done
}

# Waits until the probe command succeeds; fails early when the server process died.
await_ready() {
  local name=$1 pidfile=$2 marker=$3 logs=$4 stopper=$5
  shift 5
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if ! running_pid "$pidfile" "$marker" >/dev/null; then
      # shellcheck disable=SC2086 # logs is a space-separated list of paths without spaces
      log_tail $logs
      die "$name exited during start-up (see the log lines above)"
    fi
    if ((SECONDS >= deadline)); then
      # shellcheck disable=SC2086
      log_tail $logs
      # A half-started server would hold its port and data folder: leave nothing behind.
      "$stopper" || true
      die "$name not ready within ${START_TIMEOUT}s"
    fi
    sleep 0.1
  done
}

# Starts a command detached from our stdout/stderr (a caller waiting for our output must not wait
# for the server) with its output appended to a log file; records its pid.
spawn() {
  local pidfile=$1 logfile=$2
  shift 2
  printf '=== %s: started by servers.sh ===\n' "$(date -Iseconds)" >>"$logfile"
  nohup "$@" >>"$logfile" 2>&1 </dev/null &
  printf '%s\n' "$!" >"$pidfile"
}

# --- install ---------------------------------------------------------------------------------

cmd_install() {
  local missing=() bin
  for bin in mosquitto mosquitto_sub mosquitto_pub influxd influx curl epmd; do
    command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
  done
  [[ -x $RABBIT_BIN/rabbitmq-server ]] || missing+=(rabbitmq-server)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
  [[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]] || missing+=(fonts-wqy-microhei)
  if ((${#missing[@]} == 0)); then
    log "install: all servers present"
    return 0
  fi
  log "install: missing ${missing[*]}: installing ${APT_PACKAGES[*]}"
  local sudo=()
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "install: not root and no sudo; install ${APT_PACKAGES[*]} yourself"
    sudo=(sudo -n)
  fi
  local extra=()
  command -v curl >/dev/null 2>&1 || extra+=(curl)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # The package scripts try to start each service and fail without an init system: harmless,
  # the servers are started by this script.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${APT_PACKAGES[@]}" "${extra[@]}"
}

# --- settings file for a person running the service against these servers ------------------

write_env_file() {
  mkdir -p -- "$WORK"
  cat >"$WORK/servers.env" <<EOF
MQTT_HOST=127.0.0.1
MQTT_PORT=$MQTT_PORT
INFLUX_URL=http://127.0.0.1:$INFLUX_PORT/
AMQP_HOST=127.0.0.1
AMQP_PORT=$AMQP_PORT
AMQP_USER=guest
AMQP_PASSWORD=guest
EOF
}

# --- mosquitto -------------------------------------------------------------------------------

mosq_conf=$MOSQ_DIR/mosquitto.conf

start_mosquitto() {
  local pid
  if pid=$(running_pid "$MOSQ_DIR/mosquitto.pid" "$mosq_conf"); then
    log "mosquitto already running (pid $pid)"
    return 0
  fi
  mkdir -p -- "$MOSQ_DIR/data"
  local user_line=""
  # As root mosquitto drops to user "mosquitto", which cannot write a data folder under /tmp.
  [[ $(id -u) == 0 ]] && user_line="user root"
  cat >"$mosq_conf" <<EOF
# Written by deploy/local/servers.sh; see docs/local-servers.md for the trade-offs.
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
$user_line
persistence true
persistence_location $MOSQ_DIR/data/
persistence_file mosquitto.db
# Sessions survive a crash only up to the last save. Each save rewrites the whole store: 1 s (the
# tests' default) loses little, but with a large backlog the broker spends its time saving and
# delivery stalls (docs/performance.md, Soak); the load driver and production use longer intervals.
autosave_interval ${MON_MQTT_AUTOSAVE:-1}
# Default 1000 per client: a slow or offline persistent subscriber then loses QoS 1 messages
# silently. Tests must see every message; production sizes this to memory instead.
max_queued_messages 1000000
max_queued_bytes 0
# MQTT 3.1.1 clients are held to this window (default 20, which stalls under load); MQTT 5
# clients set their own with Receive Maximum.
max_inflight_messages 1000
# The service reads \$SYS/broker/store/messages/count and \$SYS/broker/publish/messages/dropped.
sys_interval 1
log_dest stderr
# "information" would add a line per autosave, every second.
log_type error
log_type warning
log_type notice
log_timestamp_format %Y-%m-%dT%H:%M:%S
EOF
  log "starting mosquitto on 127.0.0.1:$MQTT_PORT"
  spawn "$MOSQ_DIR/mosquitto.pid" "$MOSQ_DIR/mosquitto.log" mosquitto -c "$mosq_conf"
  await_ready mosquitto "$MOSQ_DIR/mosquitto.pid" "$mosq_conf" "$MOSQ_DIR/mosquitto.log" stop_mosquitto \
    mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -t '$SYS/broker/version' -C 1 -W 1
  log "mosquitto ready"
}

stop_mosquitto() {
  stop_pidfile "$MOSQ_DIR/mosquitto.pid" "$mosq_conf" 15 mosquitto
}

# --- influxdb --------------------------------------------------------------------------------

influx_conf=$INFLUX_DIR/influxdb.conf

influx_ping() {
  [[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$INFLUX_PORT/ping") == 204 ]]
}

start_influxdb() {
  local pid
  if pid=$(running_pid "$INFLUX_DIR/influxd.pid" "$influx_conf"); then
    log "influxd already running (pid $pid)"
    return 0
  fi
  mkdir -p -- "$INFLUX_DIR/meta" "$INFLUX_DIR/data" "$INFLUX_DIR/wal"
  cat >"$influx_conf" <<EOF
# Written by deploy/local/servers.sh.
reporting-disabled = true
# The backup/restore RPC binds all interfaces unless told otherwise.
bind-address = "127.0.0.1:$INFLUX_RPC_PORT"

[meta]
  dir = "$INFLUX_DIR/meta"

[data]
  dir = "$INFLUX_DIR/data"
  wal-dir = "$INFLUX_DIR/wal"
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:$INFLUX_PORT"
  # One access-log line per write request would dominate the log under load.
  log-enabled = false

[subscriber]
  enabled = false

[logging]
  level = "info"
EOF
  log "starting influxd on 127.0.0.1:$INFLUX_PORT"
  spawn "$INFLUX_DIR/influxd.pid" "$INFLUX_DIR/influxd.log" influxd -config "$influx_conf"
  await_ready influxd "$INFLUX_DIR/influxd.pid" "$influx_conf" "$INFLUX_DIR/influxd.log" stop_influxdb influx_ping
  log "influxd ready"
}

stop_influxdb() {
  stop_pidfile "$INFLUX_DIR/influxd.pid" "$influx_conf" 15 influxd
}

# --- rabbitmq --------------------------------------------------------------------------------

# Server and every CLI call must see the same environment: HOME holds the Erlang cookie.
rabbit_env() {
  export HOME=$RABBIT_DIR/home
  export RABBITMQ_NODENAME=$RABBIT_NODE
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$AMQP_PORT
  export RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT
  export ERL_EPMD_ADDRESS=127.0.0.1
  export ERL_EPMD_PORT=$EPMD_PORT
  # Without this the distribution listeners (server and CLI) bind all interfaces.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_MNESIA_BASE=$RABBIT_DIR/mnesia
  export RABBITMQ_LOG_BASE=$RABBIT_DIR/log
  export RABBITMQ_LOGS=$RABBIT_DIR/log/rabbit.log
  export RABBITMQ_CONFIG_FILE=$RABBIT_DIR/rabbitmq.conf
  export RABBITMQ_ADVANCED_CONFIG_FILE=$RABBIT_DIR/advanced.config
  export RABBITMQ_CONF_ENV_FILE=$RABBIT_DIR/rabbitmq-env.conf
  export RABBITMQ_ENABLED_PLUGINS_FILE=$RABBIT_DIR/enabled_plugins
  export RABBITMQ_PID_FILE=$RABBIT_DIR/rabbitmq.pid
}

rabbit_cli() {
  local tool=$1
  shift
  (rabbit_env && exec "$RABBIT_BIN/$tool" "$@")
}

rabbit_ready() {
  rabbit_cli rabbitmqctl -q await_startup --timeout 10 && rabbit_cli rabbitmq-diagnostics -q ping
}

start_epmd() {
  if running_pid "$RABBIT_DIR/epmd.pid" epmd >/dev/null; then
    return 0
  fi
  if port_listening "$EPMD_PORT"; then
    # Someone else's epmd (another run, or the system's): share it, never stop it.
    log "using the epmd already listening on $EPMD_PORT"
    return 0
  fi
  spawn "$RABBIT_DIR/epmd.pid" "$RABBIT_DIR/log/epmd.log" epmd -address 127.0.0.1 -port "$EPMD_PORT"
  printf '%s\n' "$EPMD_PORT" >"$RABBIT_DIR/epmd.port"
  local deadline=$((SECONDS + 10))
  until port_listening "$EPMD_PORT"; do
    running_pid "$RABBIT_DIR/epmd.pid" epmd >/dev/null || { log_tail "$RABBIT_DIR/log/epmd.log"; die "epmd exited"; }
    ((SECONDS < deadline)) || die "epmd not listening on $EPMD_PORT within 10s"
    sleep 0.1
  done
}

start_rabbitmq() {
  local pid
  if pid=$(running_pid "$RABBIT_DIR/wrapper.pid" rabbitmq-server); then
    log "rabbitmq-server already running (pid $pid)"
    return 0
  fi
  mkdir -p -- "$RABBIT_DIR/home" "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log"
  : >"$RABBIT_DIR/rabbitmq-env.conf"
  # No plugins: the management UI would add seconds to every start.
  printf '[].\n' >"$RABBIT_DIR/enabled_plugins"
  cat >"$RABBIT_DIR/rabbitmq.conf" <<EOF
# Written by deploy/local/servers.sh.
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
loopback_users.guest = true
# The default 50 MB limit blocks publishers on small CI disks; tests write little.
disk_free_limit.absolute = 20MB
log.console = false
log.file.level = info
EOF
  start_epmd
  log "starting rabbitmq-server on 127.0.0.1:$AMQP_PORT (node $RABBIT_NODE)"
  rm -f -- "$RABBIT_DIR/rabbitmq.pid"
  (rabbit_env && spawn "$RABBIT_DIR/wrapper.pid" "$RABBIT_DIR/log/stdout.log" "$RABBIT_BIN/rabbitmq-server")
  await_ready rabbitmq-server "$RABBIT_DIR/wrapper.pid" rabbitmq-server \
    "$RABBIT_DIR/log/stdout.log $RABBIT_DIR/log/rabbit.log" stop_rabbitmq rabbit_ready
  log "rabbitmq-server ready"
}

stop_rabbitmq() {
  # The beam process shuts rabbit down cleanly on SIGTERM; the wrapper script then exits.
  stop_pidfile "$RABBIT_DIR/rabbitmq.pid" "$RABBIT_DIR" 60 "rabbitmq (beam)"
  stop_pidfile "$RABBIT_DIR/wrapper.pid" rabbitmq-server 10 "rabbitmq-server wrapper"
  stop_epmd
}

stop_epmd() {
  local pid port
  pid=$(running_pid "$RABBIT_DIR/epmd.pid" epmd) || { rm -f -- "$RABBIT_DIR/epmd.pid"; return 0; }
  port=$(cat "$RABBIT_DIR/epmd.port" 2>/dev/null || printf '%s' "$EPMD_PORT")
  # Another run's node may have registered with the epmd we started: leave it to them.
  if ERL_EPMD_PORT=$port epmd -port "$port" -names 2>/dev/null | grep -q '^name '; then
    log "epmd (pid $pid) still serves other nodes: left running"
    return 0
  fi
  stop_pidfile "$RABBIT_DIR/epmd.pid" epmd 5 epmd
}

# The default work folder sits in the repository: it ignores itself, whatever the root .gitignore says.
ensure_work() {
  mkdir -p -- "$WORK"
  [[ -e $WORK/.gitignore ]] || printf '*\n' >"$WORK/.gitignore"
}

# --- commands --------------------------------------------------------------------------------

for_each() {
  local action=$1 which=${2:-}
  case $which in
    mosquitto) "${action}_mosquitto" ;;
    influxdb | influx) "${action}_influxdb" ;;
    rabbitmq | rabbit) "${action}_rabbitmq" ;;
    all)
      if [[ $action == start ]]; then
        start_mosquitto
        start_influxdb
        start_rabbitmq
      else
        stop_rabbitmq
        stop_influxdb
        stop_mosquitto
      fi
      ;;
    *) die "usage: $0 $action <mosquitto|influxdb|rabbitmq|all>" ;;
  esac
}

show_status() {
  local name=$1 pidfile=$2 marker=$3 address=$4 pid
  if pid=$(running_pid "$pidfile" "$marker"); then
    printf '%-10s running  pid %-8s %s\n' "$name" "$pid" "$address"
  else
    printf '%-10s stopped\n' "$name"
  fi
}

cmd_status() {
  printf 'work folder: %s\n' "$WORK"
  show_status mosquitto "$MOSQ_DIR/mosquitto.pid" "$mosq_conf" "127.0.0.1:$MQTT_PORT"
  show_status influxdb "$INFLUX_DIR/influxd.pid" "$influx_conf" "http://127.0.0.1:$INFLUX_PORT/"
  show_status rabbitmq "$RABBIT_DIR/wrapper.pid" rabbitmq-server "127.0.0.1:$AMQP_PORT ($RABBIT_NODE)"
}

main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
    install) cmd_install ;;
    start)
      ensure_work
      for_each start "${1:-}"
      write_env_file
      if [[ ${1:-} == all ]]; then
        printf 'Servers are up. Connection settings (%s):\n' "$WORK/servers.env"
        cat "$WORK/servers.env"
      fi
      ;;
    stop) for_each stop "${1:-}" ;;
    status) cmd_status ;;
    rabbitmqctl | rabbitmq-diagnostics | rabbitmq-plugins) rabbit_cli "$cmd" "$@" ;;
    add-vhost)
      [[ -n ${1:-} ]] || die "usage: $0 add-vhost <name>"
      rabbit_cli rabbitmqctl -q add_vhost "$1"
      rabbit_cli rabbitmqctl -q set_permissions -p "$1" guest '.*' '.*' '.*'
      ;;
    *)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

main "$@"
