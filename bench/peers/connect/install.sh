#!/usr/bin/env bash
# Installs (once) the Apache Kafka Connect peer of bench/: the Connect 3.9.1 worker's jars (the stack's own
# `scripts/stack.sh connect-libs`, shared with the compatibility test, not fetched twice) and two plugin folders
# from Maven Central, each the connector with its runtime dependencies:
#   debezium-mariadb  io.debezium:debezium-connector-mariadb (debezium-mariadb-pom.xml)
#   debezium-jdbc     io.debezium:debezium-connector-jdbc + org.mariadb.jdbc:mariadb-java-client (debezium-jdbc-pom.xml)
# Kafka's, SLF4J's and Jackson's core jars are left out of the plugin folders: the worker's classpath serves those
# packages (Connect loads org.apache.kafka.* API classes from its parent class loader in any case; see the poms on
# Jackson). The folder's name carries a hash of the two poms, so a changed pom installs afresh.
#   bash bench/peers/connect/install.sh     prints two lines: CONNECT_LIBS=<dir> and CONNECT_PLUGIN_PATH=<dir>
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
MAVEN_DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
DEBEZIUM_VERSION=$(sed -n 's:.*<debezium.version>\(.*\)</debezium.version>.*:\1:p' "$HERE/debezium-mariadb-pom.xml")

libs=$(bash "$REPO/scripts/stack.sh" connect-libs | tail -n 1)
[ -d "$libs" ] || { echo "install.sh: scripts/stack.sh connect-libs printed no folder" >&2; exit 1; }
opt=$(dirname "$(dirname "$libs")")
POMS_HASH=$(cat "$HERE/debezium-mariadb-pom.xml" "$HERE/debezium-jdbc-pom.xml" | sha256sum | cut -c1-8)
plugins=$opt/kafka-connect-peers/debezium-$DEBEZIUM_VERSION-$POMS_HASH
if [ ! -f "$plugins/.installed" ]; then
  mkdir -p "$plugins"
  exec 9>"$plugins/.lock"; flock 9
  if [ ! -f "$plugins/.installed" ]; then
    t0=$(date +%s)
    for p in debezium-mariadb debezium-jdbc; do
      log=$plugins/$p-install.log
      echo "install.sh: fetching the $p plugin ($DEBEZIUM_VERSION) from Maven Central ..." >&2
      rm -rf "${plugins:?}/$p"
      mvn -B -q -f "$HERE/$p-pom.xml" "$MAVEN_DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime \
        -DexcludeGroupIds=org.apache.kafka,org.slf4j -DexcludeArtifactIds=jackson-core,jackson-databind,jackson-annotations -DoutputDirectory="$plugins/$p" >"$log" 2>&1 \
        || { tail -n 25 "$log" >&2; echo "install.sh: Maven could not gather $p (log: $log)" >&2; exit 1; }
    done
    echo "install.sh: plugins installed in $(( $(date +%s) - t0 )) s" >&2
    touch "$plugins/.installed"
  fi
fi
echo "CONNECT_LIBS=$libs"
echo "CONNECT_PLUGIN_PATH=$plugins"
