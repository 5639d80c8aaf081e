#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft, broker + controller) on loopback, for
# development and the test suite. No Docker: the broker jars come from Maven
# Central through mvn and are cached under infra/kafka/.cache.
#
#   bash infra/kafka/kafka.sh start   # resolve jars once, format, start, wait until ready
#   bash infra/kafka/kafka.sh stop    # stop cleanly
#   bash infra/kafka/kafka.sh status
#
# Options (environment):
#   KAFKA_PORT        client port (default 19092; the controller uses KAFKA_PORT+1)
#   KAFKA_NODES       nodes (default 1). More make a cluster on one machine, each node a broker
#                     and a controller: node i listens on KAFKA_PORT+2(i-1) (controller +1) and
#                     keeps its files in KAFKA_RUN_DIR/node-i; `start` starts the nodes not running
#                     and prints every address, comma-separated. For durability tests, not speed.
#   KAFKA_RUN_DIR     where data, logs and the pid file live (default infra/kafka/.run)
#   KAFKA_HEAP        JVM heap (default 512m)
#   KAFKA_START_TIMEOUT seconds to wait for the broker (default 120)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base_port="${KAFKA_PORT:-19092}"
nodes="${KAFKA_NODES:-1}"
top_run_dir="${KAFKA_RUN_DIR:-$here/.run}"
heap="${KAFKA_HEAP:-512m}"
timeout="${KAFKA_START_TIMEOUT:-120}"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
libs="$here/.cache/kafka-$version/libs"

# Selects node $1: its ports, directory and pid file (one node keeps the single-node layout).
node() {
  node_id="$1"
  port="$((base_port + 2 * (node_id - 1)))"
  controller_port="$((port + 1))"
  if [ "$nodes" -eq 1 ]; then run_dir="$top_run_dir"; else run_dir="$top_run_dir/node-$node_id"; fi
  pid_file="$run_dir/kafka.pid"
  java_args=(-Xms128m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true
    -Dkafka.logs.dir="$run_dir/logs" -Dlog4j2.configurationFile="$here/log4j2.xml"
    -cp "$libs/*")
}
node 1

log() { echo "[kafka] $*" >&2; }

resolve_jars() {
  # The cache is complete for the pom it was resolved from; a changed pom resolves again.
  if [ -f "$libs/.complete" ] && cmp -s "$libs/.complete" "$here/pom.xml"; then return; fi
  command -v mvn >/dev/null || { log "mvn not found: install Maven (and Java 17+) to run the local broker"; exit 1; }
  log "resolving Apache Kafka $version jars from Maven Central (once; cached in $libs)"
  rm -rf "$libs"; mkdir -p "$libs"
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  cp "$here/pom.xml" "$libs/.complete"
}

is_running() {
  [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

voters() {
  local v="" i
  for i in $(seq 1 "$nodes"); do v="$v${v:+,}$i@127.0.0.1:$((base_port + 2 * (i - 1) + 1))"; done
  echo "$v"
}

addresses() {
  local a="" i
  for i in $(seq 1 "$nodes"); do a="$a${a:+,}127.0.0.1:$((base_port + 2 * (i - 1)))"; done
  echo "$a"
}

write_config() {
  # The internal topics' replicas: three (two in sync) on a cluster, one alone.
  local replicas=$((nodes < 3 ? nodes : 3)) min_isr=$((nodes < 2 ? 1 : 2))
  mkdir -p "$run_dir/logs"
  cat > "$run_dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$node_id
controller.quorum.voters=$(voters)
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$run_dir/data
num.partitions=1
offsets.topic.replication.factor=$replicas
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=$replicas
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$replicas
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
# Allows consumer sessions from 2 s (EARSHOT_KAFKA_SESSION_SECONDS): a killed member is replaced sooner.
group.min.session.timeout.ms=2000
auto.create.topics.enable=false
log.retention.hours=24
PROPS
}

# Writes the selected node's config and formats its store if it has none (cluster id $1).
prepare() {
  write_config
  if [ ! -f "$run_dir/data/meta.properties" ]; then
    log "formatting a fresh KRaft store in $run_dir/data"
    java "${java_args[@]}" kafka.tools.StorageTool format -t "$1" -c "$run_dir/server.properties" >/dev/null
  fi
}

# Launches the selected node, prepared; returns without waiting for it.
launch() {
  if is_running; then log "node $node_id already running (pid $(cat "$pid_file")) on 127.0.0.1:$port"; return; fi
  # A fresh log, so the readiness check below cannot match a line from an earlier run.
  [ -f "$run_dir/logs/server.log" ] && mv -f "$run_dir/logs/server.log" "$run_dir/logs/server.log.1"
  log "starting node $node_id on 127.0.0.1:$port"
  nohup java "${java_args[@]}" kafka.Kafka "$run_dir/server.properties" > "$run_dir/logs/stdout.log" 2>&1 &
  echo $! > "$pid_file"
}

# Waits until the selected node serves; waited counts on from the caller's.
await_ready() {
  until grep -q "Kafka Server started" "$run_dir/logs/server.log" 2>/dev/null && port_open; do
    if ! is_running; then log "node $node_id exited during start; last lines of its logs:"; tail -n 30 "$run_dir/logs/stdout.log" "$run_dir/logs/server.log" >&2 || true; stop; exit 1; fi
    if [ "$waited" -ge "$timeout" ]; then log "node $node_id not ready after ${timeout}s"; stop; exit 1; fi
    sleep 1; waited=$((waited + 1))
  done
}

start() {
  command -v java >/dev/null || { log "java not found: install Java 17+"; exit 1; }
  resolve_jars
  # Every node of a cluster is formatted with the same cluster id (kept with the first node's data).
  local id_file="$top_run_dir/cluster.id" cluster_id i
  mkdir -p "$top_run_dir"
  [ -f "$id_file" ] || java -cp "$libs/*" kafka.tools.StorageTool random-uuid > "$id_file"
  cluster_id="$(cat "$id_file")"
  for i in $(seq 1 "$nodes"); do
    node "$i"
    if is_running; then continue; fi
    if port_open; then log "port $port is taken by another process; set KAFKA_PORT"; exit 1; fi
    prepare "$cluster_id" &
  done
  wait
  for i in $(seq 1 "$nodes"); do node "$i"; launch; done
  waited=0
  for i in $(seq 1 "$nodes"); do node "$i"; await_ready; done
  log "ready after ${waited}s; logs in $top_run_dir"
  addresses
}

stop_node() {
  if ! is_running; then rm -f "$pid_file"; return; fi
  local pid; pid="$(cat "$pid_file")"
  log "stopping node $node_id (pid $pid)"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "still alive after 30s, killing"; kill -9 "$pid" || true; fi
  rm -f "$pid_file"
}

stop() {
  local i
  for i in $(seq 1 "$nodes"); do node "$i"; stop_node; done
}

status() {
  local i up=0
  for i in $(seq 1 "$nodes"); do
    node "$i"
    if is_running; then up=$((up + 1)); echo "running on 127.0.0.1:$port (pid $(cat "$pid_file"))"; else echo "stopped (127.0.0.1:$port)"; fi
  done
  [ "$up" -eq "$nodes" ]
}

# Apache Kafka's own perf tools on a running broker: RECORDS records of BYTES bytes produced
# (acks=all, as Earshot produces) to a fresh topic of PARTITIONS partitions, then consumed;
# prints "produce <records/s>" and "consume <records/s>".
perf() {
  local brokers="$1" records="$2" bytes="$3" partitions="${4:-6}"
  resolve_jars
  local topic="perf-$$-$RANDOM"
  java "${java_args[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$brokers" --create --topic "$topic" --partitions "$partitions" --replication-factor 1 >/dev/null
  java "${java_args[@]}" org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" --record-size "$bytes" --throughput -1 \
    --producer-props bootstrap.servers="$brokers" acks=all 2>/dev/null |
    tail -n 1 | sed -n 's/^[0-9]* records sent, \([0-9.]*\) records\/sec.*/produce \1/p'
  java "${java_args[@]}" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$brokers" --topic "$topic" --messages "$records" --timeout 60000 2>/dev/null |
    tail -n 1 | awk -F', *' '{print "consume " $6}'
}

case "${1:-}" in
  start) start ;;
  perf) shift; perf "$@" ;;
  stop) stop ;;
  status) status ;;
  reset) stop; rm -rf "$top_run_dir"; log "removed $top_run_dir" ;;
  *) echo "usage: $0 start|stop|status|reset|perf BROKERS RECORDS BYTES [PARTITIONS]" >&2; exit 2 ;;
esac
