# shellcheck shell=bash
# A real HDFS: Hadoop's MiniDFSCluster (one NameNode, one DataNode in one JVM) from hadoop-minicluster
# on Maven Central, started through Hadoop's own MiniHadoopClusterManager with -nomr (HDFS only, no
# YARN/MapReduce). The NameNode's RPC listens on 127.0.0.1:$HDFS_PORT (hdfs:// URLs) and its HTTP
# server, WebHDFS included, on 127.0.0.1:$HDFS_HTTP_PORT; the DataNode's HTTP port (the target of
# WebHDFS's CREATE/OPEN redirects) is chosen by the cluster. Blocks and metadata live under
# $RUN/hdfs/data and survive a restart of the process.
#
# It runs as the user who runs the stack, root included: unlike Elasticsearch, Hadoop does not
# refuse root in non-secure mode, and HDFS makes the user that starts the NameNode its superuser, so
# the tests (same user, WebHDFS simple auth with user.name) may write anywhere. A separate system
# user would only add chown steps and a second identity for the tests to use.
# Sourced by scripts/stack.sh; see README.md beside this file.

HDFS_VERSION=${HDFS_VERSION:-3.4.2}
HDFS_PORT=${HDFS_PORT:-8020}
HDFS_HTTP_PORT=${HDFS_HTTP_PORT:-9870}
HDFS_HEAP=${HDFS_HEAP:--Xms128m -Xmx512m}
HDFS_HOME=$OPT/hadoop-minicluster-$HDFS_VERSION

provision_hdfs() {
  [ -f "$HDFS_HOME/.installed" ] && return 0
  local log=$OPT/hadoop-minicluster-install.log
  say "fetching Hadoop $HDFS_VERSION MiniDFSCluster (hadoop-minicluster) jars from Maven Central ..."
  rm -rf "$HDFS_HOME"; mkdir -p "$HDFS_HOME/conf"
  maven_classpath "install hdfs" hdfs-pom.xml "$HDFS_HOME/libs" "$log" -Dhadoop.version="$HDFS_VERSION"
  cat >"$HDFS_HOME/conf/log4j.properties" <<'LOG4J'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.hadoop.mapreduce.MiniHadoopClusterManager=INFO
LOG4J
  touch "$HDFS_HOME/.installed"
}

start_hdfs() {
  alive hdfs && return 0
  port_open "$HDFS_PORT" && fail "start hdfs" "" "port $HDFS_PORT is taken by another process (set HDFS_PORT)"
  port_open "$HDFS_HTTP_PORT" && fail "start hdfs" "" "port $HDFS_HTTP_PORT is taken by another process (set HDFS_HTTP_PORT)"
  local dir=$RUN/hdfs format=()
  mkdir -p "$dir/data"
  # Format only a new cluster; a restart keeps the files written before.
  [ -d "$dir/data/name-0-1/current" ] || format=(-format)
  # shellcheck disable=SC2086 # HDFS_HEAP holds several JVM flags: split on spaces on purpose
  start_bg hdfs java $HDFS_HEAP -XX:+UseSerialGC -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
    -Dlog4j.configuration=file:"$HDFS_HOME/conf/log4j.properties" \
    -Dtest.build.data="$dir/data" -Dhadoop.tmp.dir="$dir/tmp" \
    -cp "$HDFS_HOME/libs/*" org.apache.hadoop.mapreduce.MiniHadoopClusterManager \
    -nomr "${format[@]}" -datanodes 1 -nnport "$HDFS_PORT" -nnhttpport "$HDFS_HTTP_PORT" \
    -D hdfs.minidfs.basedir="$dir/data"
}

health_hdfs() {
  alive hdfs || { echo "not running"; return 1; }
  local state
  state=$(curl -fsS "http://127.0.0.1:$HDFS_HTTP_PORT/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState" 2>/dev/null) \
    || { echo "process up but the NameNode's HTTP server on 127.0.0.1:$HDFS_HTTP_PORT does not answer yet"; return 1; }
  grep -qE '"NumLiveDataNodes" *: *[1-9]' <<<"$state" || { echo "NameNode up, no live DataNode yet"; return 1; }
  curl -fsS "http://127.0.0.1:$HDFS_HTTP_PORT/webhdfs/v1/?op=GETFILESTATUS" >/dev/null 2>&1 \
    || { echo "NameNode up but WebHDFS GETFILESTATUS / failed"; return 1; }
}

describe_hdfs() { echo "hdfs://127.0.0.1:$HDFS_PORT, WebHDFS http://127.0.0.1:$HDFS_HTTP_PORT (Hadoop $HDFS_VERSION MiniDFSCluster, superuser $(id -un))"; }

env_hdfs() {
  echo "HDFS_URL=hdfs://127.0.0.1:$HDFS_PORT"
  echo "WEBHDFS_URL=http://127.0.0.1:$HDFS_HTTP_PORT"
  echo "HDFS_USER=$(id -un)"
}
