# shellcheck shell=bash
# Snowflake SQL API stand-in (scripts/stack/standins/snowflake_sql_api.py): no Snowflake server
# runs outside Snowflake, so the Snowflake sink's tests talk to this local server, which speaks the
# SQL API (/api/v2/statements, key-pair JWT) and executes the SQL with fakesnow (PyPI; Snowflake SQL
# on DuckDB). Settings: SNOWFLAKE_PORT (default 9072).
SNOWFLAKE_PORT=${SNOWFLAKE_PORT:-9072}
SNOWFLAKE_FAKESNOW_VERSION=0.12.1
SNOWFLAKE_HOME=$OPT/snowflake-standin-$SNOWFLAKE_FAKESNOW_VERSION

provision_snowflake() {
  [ -f "$SNOWFLAKE_HOME/.installed" ] && return 0
  local log=$OPT/snowflake-install.log
  say "installing the Snowflake SQL API stand-in (PyPI fakesnow $SNOWFLAKE_FAKESNOW_VERSION, PyJWT) ..."
  rm -rf "$SNOWFLAKE_HOME"
  # fakesnow 0.12 imports snowflake.connector.converter, which snowflake-connector-python 5 moved.
  if ! { python3 -m venv "$SNOWFLAKE_HOME" >"$log" 2>&1 \
    && "$SNOWFLAKE_HOME/bin/pip" install -q "fakesnow==$SNOWFLAKE_FAKESNOW_VERSION" "snowflake-connector-python>=4,<5" "pyjwt>=2.8,<3" >>"$log" 2>&1 \
    && "$SNOWFLAKE_HOME/bin/python" -c 'import fakesnow, jwt' >>"$log" 2>&1; }; then
    fail "install snowflake stand-in" "$log" "pip install failed"
  fi
  touch "$SNOWFLAKE_HOME/.installed"
}

start_snowflake() {
  alive snowflake && return 0
  port_open "$SNOWFLAKE_PORT" && fail "start snowflake" "" "port $SNOWFLAKE_PORT is taken by another process (set SNOWFLAKE_PORT)"
  SNOWFLAKE_PORT=$SNOWFLAKE_PORT start_bg snowflake "$SNOWFLAKE_HOME/bin/python" "$SCRIPT_DIR/stack/standins/snowflake_sql_api.py"
}

health_snowflake() { http_health snowflake "http://127.0.0.1:$SNOWFLAKE_PORT/_standin/health"; }

describe_snowflake() { echo "http://127.0.0.1:$SNOWFLAKE_PORT (Snowflake SQL API stand-in on fakesnow; not Snowflake)"; }

env_snowflake() { echo "SNOWFLAKE_STANDIN_URL=http://127.0.0.1:$SNOWFLAKE_PORT"; }
