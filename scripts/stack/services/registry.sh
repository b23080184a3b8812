# shellcheck shell=bash
# A Confluent-compatible Schema Registry for the Avro, Protobuf and JSON Schema converters:
# Apicurio Registry (its Confluent-compatible API under /apis/ccompat/v7), the Quarkus app
# distribution from Maven Central. Karapace, the first choice, is not published on PyPI.
# It keeps its schemas in topics of the shared Kafka broker (kafkasql storage), so ids stay
# stable across restarts of the registry; the broker must be up first.
#
# Settings: SCHEMA_REGISTRY_PORT (8081), SCHEMA_REGISTRY_MANAGEMENT_PORT (8091, its health
# endpoints), SCHEMA_REGISTRY_HEAP (-Xms128m -Xmx384m), SCHEMA_REGISTRY_TOPIC (_tconnect_schemas),
# REGISTRY_START_TIMEOUT (300 s: the app starts in about a minute on an idle machine).
# Apicurio Registry 3.x is built for Java 21+: the newest JDK of at least 21 on PATH or under
# /usr/lib/jvm is used.

APICURIO_VERSION=3.3.3
SCHEMA_REGISTRY_PORT=${SCHEMA_REGISTRY_PORT:-8081}
SCHEMA_REGISTRY_MANAGEMENT_PORT=${SCHEMA_REGISTRY_MANAGEMENT_PORT:-8091}
SCHEMA_REGISTRY_HEAP=${SCHEMA_REGISTRY_HEAP:--Xms128m -Xmx384m}
SCHEMA_REGISTRY_TOPIC=${SCHEMA_REGISTRY_TOPIC:-_tconnect_schemas}
: "${REGISTRY_START_TIMEOUT:=300}"
# `up` starts it once the broker serves (the other servers start beside the core four).
# shellcheck disable=SC2034 # read by scripts/stack.sh (needs_kafka)
REGISTRY_NEEDS_KAFKA=1
REGISTRY_HOME=$OPT/apicurio-registry-$APICURIO_VERSION

# The major version a java binary reports (17, 21, 25, ...), or nothing.
registry_java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }

# The java binary to run the registry with: the newest of at least 21.
registry_java() {
  local best="" best_major=0 j m
  for j in "$(command -v java 2>/dev/null)" /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    m=$(registry_java_major "$j")
    [ -n "$m" ] && [ "$m" -ge 21 ] && [ "$m" -gt "$best_major" ] && { best=$j; best_major=$m; }
  done
  [ -n "$best" ] && echo "$best"
}

provision_registry() {
  [ -f "$REGISTRY_HOME/.installed" ] && return 0
  local log=$OPT/registry-install.log dl=$OPT/downloads
  local tgz=$dl/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz
  mkdir -p "$dl"
  say "fetching Apicurio Registry $APICURIO_VERSION (app distribution) from Maven Central ..."
  mvn -B -q "$MAVEN_DEP_PLUGIN:copy" -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
    -DoutputDirectory="$dl" >"$log" 2>&1 || fail "install registry" "$log" "Maven could not fetch the Apicurio Registry distribution"
  rm -rf "$REGISTRY_HOME"; mkdir -p "$REGISTRY_HOME"
  tar xzf "$tgz" -C "$REGISTRY_HOME" >>"$log" 2>&1 || fail "unpack registry" "$log" "tar failed"
  rm -f "$tgz"
  [ -f "$REGISTRY_HOME/quarkus-run.jar" ] || fail "install registry" "$log" "quarkus-run.jar missing from the distribution"
  touch "$REGISTRY_HOME/.installed"
}

start_registry() {
  alive registry && return 0
  port_open "$SCHEMA_REGISTRY_PORT" && fail "start registry" "" "port $SCHEMA_REGISTRY_PORT is taken by another process (set SCHEMA_REGISTRY_PORT)"
  port_open "$KAFKA_PORT" || fail "start registry" "" "Kafka is not listening on 127.0.0.1:$KAFKA_PORT; the registry stores its schemas there (npm run stack -- up)"
  local java
  java=$(registry_java) || fail "start registry" "" "Apicurio Registry $APICURIO_VERSION needs Java 21 or newer; none found on PATH or under /usr/lib/jvm"
  mkdir -p "$RUN/registry"
  # shellcheck disable=SC2086 # SCHEMA_REGISTRY_HEAP holds several JVM flags: split on spaces on purpose
  start_bg registry env \
    APICURIO_STORAGE_KIND=kafkasql \
    APICURIO_KAFKASQL_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" \
    APICURIO_KAFKASQL_TOPIC="$SCHEMA_REGISTRY_TOPIC" \
    APICURIO_KAFKASQL_SNAPSHOTS_TOPIC="${SCHEMA_REGISTRY_TOPIC}_snapshots" \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$SCHEMA_REGISTRY_PORT" \
    QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT="$SCHEMA_REGISTRY_MANAGEMENT_PORT" \
    QUARKUS_HTTP_ACCESS_LOG_ENABLED=false \
    "$java" $SCHEMA_REGISTRY_HEAP -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.io.tmpdir="$RUN/registry" \
    -jar "$REGISTRY_HOME/quarkus-run.jar"
}

health_registry() { http_health registry "http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7/subjects"; }

describe_registry() { echo "http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7 (Apicurio Registry $APICURIO_VERSION, schemas in topic $SCHEMA_REGISTRY_TOPIC)"; }

env_registry() { echo "SCHEMA_REGISTRY_URL=http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7"; }
