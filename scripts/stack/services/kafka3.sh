# shellcheck shell=bash
# A three-broker Kafka cluster (KRaft) beside the single shared broker, from the same cached Kafka
# jars ($OPT/kafka-<version>, provisioned as for the core broker): nodes 1, 2 and 3, each broker and
# controller at once (a controller quorum of three voters, so one node down leaves a majority).
# Clients reach node N on 127.0.0.1:$KAFKA3_PORT+N-1 (9192, 9193, 9194); its controller listens on
# $KAFKA3_CONTROLLER_PORT+N-1 (9195, 9196, 9197). Topics are replicated three times by default
# (default.replication.factor=3, the consumer offsets and transaction state topics too) and a write
# with acks=all needs two in-sync replicas (min.insync.replicas=2), so one broker may die without
# losing an acknowledged record or refusing writes.
#
# Each node is a process of its own, kafka3-1, kafka3-2, kafka3-3 (pid and log under $RUN/kafka3-N/,
# data under $RUN/kafka3-N/data, kept across restarts), so one can be crashed and brought back:
#   npm run stack -- kill-one kafka3-2    kill -9 (stop-one kafka3-2 stops it cleanly, by SIGTERM)
#   npm run stack -- start-one kafka3-2   starts it on its data and waits until it is back in the cluster
# Settings: KAFKA3_PORT (9192), KAFKA3_CONTROLLER_PORT (9195), KAFKA3_HEAP (-Xms128m -Xmx384m per node).
# Sourced by scripts/stack.sh; see README.md beside this file.

KAFKA3_PORT=${KAFKA3_PORT:-9192}
KAFKA3_CONTROLLER_PORT=${KAFKA3_CONTROLLER_PORT:-9195}
KAFKA3_HEAP=${KAFKA3_HEAP:--Xms128m -Xmx384m}
KAFKA3_NODES=3

members_kafka3() { local n; for n in $(seq 1 "$KAFKA3_NODES"); do echo "kafka3-$n"; done; }
kafka3_node() { echo "${1#kafka3-}"; }
kafka3_port() { echo $((KAFKA3_PORT + $1 - 1)); }
kafka3_bootstrap() { local n out=(); for n in $(seq 1 "$KAFKA3_NODES"); do out+=("127.0.0.1:$(kafka3_port "$n")"); done; (IFS=,; echo "${out[*]}"); }

# The same jars as the core broker.
provision_kafka3() { provision_kafka; }

# start_member_kafka3 kafka3-N: node N (formatted on first start with the cluster's one id).
start_member_kafka3() {
  local member=$1 n port ctl dir props voters="" i id
  alive "$member" && return 0
  n=$(kafka3_node "$member"); port=$(kafka3_port "$n"); ctl=$((KAFKA3_CONTROLLER_PORT + n - 1))
  port_open "$port" && fail "start $member" "" "port $port is taken by another process (set KAFKA3_PORT)"
  port_open "$ctl" && fail "start $member" "" "port $ctl is taken by another process (set KAFKA3_CONTROLLER_PORT)"
  for i in $(seq 1 "$KAFKA3_NODES"); do voters+="${voters:+,}$i@127.0.0.1:$((KAFKA3_CONTROLLER_PORT + i - 1))"; done
  dir=$RUN/$member; props=$dir/server.properties
  mkdir -p "$dir/data" "$RUN/kafka3"
  cat >"$props" <<EOF
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctl
advertised.listeners=PLAINTEXT://127.0.0.1:$port
num.partitions=3
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
unclean.leader.election.enable=false
$(kafka_shared_props "$dir/data")
EOF
  if [ ! -f "$dir/data/meta.properties" ]; then
    # One cluster id for the three nodes, chosen once.
    if [ ! -s "$RUN/kafka3/cluster.id" ]; then
      kafka_storage "$member" random-uuid >"$RUN/kafka3/cluster.id" || fail "format $member storage" "$(logfile "$member")" "StorageTool random-uuid failed"
    fi
    id=$(cat "$RUN/kafka3/cluster.id")
    kafka_storage "$member" format -t "$id" -c "$props" --ignore-formatted >>"$(logfile "$member")" || fail "format $member storage" "$(logfile "$member")" "StorageTool format failed"
  fi
  # Where this start's lines begin in the log (start_bg appends): the health check reads from there.
  wc -c <"$(logfile "$member")" >"$dir/started.at" 2>/dev/null || echo 0 >"$dir/started.at"
  # shellcheck disable=SC2086 # KAFKA3_HEAP holds several JVM flags: split on spaces on purpose
  start_bg "$member" java $KAFKA3_HEAP -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration=file:"$KAFKA_HOME/config/log4j.properties" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$props"
}

start_kafka3() {
  local m
  # The three nodes start together: the controller quorum needs two of them to elect a leader.
  for m in $(members_kafka3); do start_member_kafka3 "$m"; done
}

health_kafka3() {
  local m why
  for m in $(members_kafka3); do why=$(health_member_kafka3 "$m") || { echo "$m: $why"; return 1; }; done
}

# health_member_kafka3 kafka3-N: node N runs, listens, and has logged "Kafka Server started" since
# its latest start: a KRaft broker logs it only once the controller quorum has unfenced it, i.e. it
# is registered and serving in the cluster's metadata. (No JVM tool: on a loaded machine one takes
# longer to start than the broker.)
health_member_kafka3() {
  local n log from
  alive "$1" || { echo "not running"; return 1; }
  n=$(kafka3_node "$1"); log=$(logfile "$1")
  port_open "$(kafka3_port "$n")" || { echo "process up but 127.0.0.1:$(kafka3_port "$n") not listening yet"; return 1; }
  from=$(cat "$RUN/$1/started.at" 2>/dev/null || echo 0)
  # (Not `tail | grep -q`: grep's early exit would fail the pipe under pipefail.)
  grep -q 'Kafka Server started' < <(tail -c +"$((from + 1))" "$log" 2>/dev/null) \
    || { echo "listening, but not unfenced by the controller quorum yet (no 'Kafka Server started' in $log since its start)"; return 1; }
}

describe_kafka3() { echo "$(kafka3_bootstrap) (3 KRaft brokers+controllers, Kafka $KAFKA_VERSION, RF 3, min.insync.replicas 2)"; }

env_kafka3() { echo "KAFKA3_BOOTSTRAP_SERVERS=$(kafka3_bootstrap)"; }
