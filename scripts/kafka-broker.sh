#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft) on 127.0.0.1 for development and tests.
#
#   scripts/kafka-broker.sh start [--port 9092] [--dir .kafka/broker-9092]
#   scripts/kafka-broker.sh stop  [--port 9092] [--dir …]
#   scripts/kafka-broker.sh status [--port 9092]
#
# The broker's jars come from Maven Central (scripts/kafka/pom.xml) into
# .kafka/lib once; later runs reuse them. Storage is formatted on first start
# (kafka.tools.StorageTool format --standalone) and kept until the folder is deleted.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}; shift || true
port=9092
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "kafka-broker.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
cache=${KAFKA_CACHE_DIR:-$root/.kafka}
dir=${dir:-$cache/broker-$port}
controller_port=$((port + 1))
lib=$cache/lib
pidfile=$dir/broker.pid

answers() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

fetch_jars() {
  [ -f "$lib/.complete" ] && return
  command -v mvn >/dev/null || { echo "Maven (mvn) is needed to fetch the Kafka broker: apt-get install maven" >&2; exit 1; }
  command -v java >/dev/null || { echo "Java 17+ is needed to run the Kafka broker: apt-get install openjdk-17-jre-headless" >&2; exit 1; }
  echo "fetching the Kafka broker from Maven Central into $lib (once)…" >&2
  mkdir -p "$lib"
  mvn -q -B -f "$root/scripts/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib" >&2
  touch "$lib/.complete"
}

write_config() {
  mkdir -p "$dir/data"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=1
PROPS
}

java_cmd() { java -Xms256m -Xmx512m -XX:+UseSerialGC -Dlog4j2.configurationFile="$root/scripts/kafka/log4j2.properties" -cp "$lib/*" "$@"; }

start() {
  # Test files start the broker concurrently: one starts it, the others wait here and find it up.
  mkdir -p "$cache"
  exec 9>"$cache/broker-$port.lock"
  flock 9
  if answers "$port"; then echo "a broker already answers on 127.0.0.1:$port" >&2; return 0; fi
  fetch_jars
  write_config
  if [ ! -f "$dir/data/meta.properties" ]; then
    java_cmd kafka.tools.StorageTool format --standalone -t "$(java_cmd kafka.tools.StorageTool random-uuid)" -c "$dir/server.properties" >"$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; exit 1; }
  fi
  nohup java -Xms256m -Xmx512m -XX:+UseSerialGC -Dlog4j2.configurationFile="$root/scripts/kafka/log4j2.properties" \
    -cp "$lib/*" kafka.Kafka "$dir/server.properties" >>"$dir/broker.log" 2>&1 9>&- &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if answers "$port"; then echo "Kafka broker up on 127.0.0.1:$port (data in $dir)" >&2; return 0; fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then tail -30 "$dir/broker.log" >&2; echo "the Kafka broker exited" >&2; exit 1; fi
    sleep 0.5
  done
  tail -30 "$dir/broker.log" >&2; echo "the Kafka broker did not answer within 60 s" >&2; exit 1
}

stop() {
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  echo "Kafka broker on 127.0.0.1:$port stopped" >&2
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) if answers "$port"; then echo "up"; else echo "down"; exit 1; fi ;;
  *) echo "usage: kafka-broker.sh start|stop|status [--port N] [--dir DIR]" >&2; exit 2 ;;
esac
