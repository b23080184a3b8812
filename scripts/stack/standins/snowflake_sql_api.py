"""A local stand-in for Snowflake's SQL API (POST /api/v2/statements), for tests only.

No Snowflake server can run outside Snowflake. This server implements the parts of the SQL API
the Snowflake sink uses, as Snowflake documents them, and executes the SQL with fakesnow (PyPI),
which translates Snowflake SQL to DuckDB:

- key-pair JWT authentication: Authorization: Bearer <JWT>, X-Snowflake-Authorization-Token-Type
  KEYPAIR_JWT; RS256; iss = <ACCOUNT>.<USER>.SHA256:<base64 SHA-256 of the public key's DER>,
  sub = <ACCOUNT>.<USER>, iat, exp no more than one hour after iat; the public key must be the one
  registered for the user (ALTER USER ... SET RSA_PUBLIC_KEY in Snowflake; here POST
  /_standin/users). A bad token answers 401 with code 390144.
- POST /api/v2/statements?requestId=&retry=&async=&nullable=: body {statement, timeout, database,
  schema, warehouse, role, bindings, parameters}; positional ? bindings {"1": {type, value}};
  200 ResultSet (jsonv2: every value a string), 202 QueryStatus (code 333334) for async=true or
  when a test asked for it (POST /_standin/async), 422 QueryFailureStatus, 400 for a malformed
  request; a resubmitted requestId with retry=true does not execute the statement again.
- GET /api/v2/statements/{handle}: 202 while running, then 200 or 422.

What it does not do: warehouses, roles and grants (any role is accepted), multi-statement
requests, result partitions, OAuth, Snowflake's full SQL (fakesnow covers a large part, not all).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import fakesnow
import jwt
from cryptography.hazmat.primitives import serialization
from fakesnow.converter import from_binding

FS = fakesnow.instance.FakeSnow()
LOCK = threading.Lock()  # one statement at a time on the shared DuckDB database
USERS: dict[tuple[str, str], tuple[object, str]] = {}  # (ACCOUNT, USER) -> (public key, fingerprint)
CONNS: dict[tuple[str | None, str | None], object] = {}
STATEMENTS: dict[str, dict] = {}  # handle -> {status, response, code}
REQUESTS: dict[str, str] = {}  # requestId -> handle
ASYNC_NEXT = {"count": 0}
STATS = {"statements": 0, "executions": 0}


def fingerprint(public_key) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode()


def conn_for(database: str | None, schema: str | None):
    key = (database.upper() if database else None, schema.upper() if schema else None)
    if key not in CONNS:
        CONNS[key] = FS.connect(key[0], key[1], paramstyle="qmark")
    return CONNS[key]


def sf_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "fixed"
    if isinstance(value, float):
        return "real"
    return "text"


def text(value, nullable: bool):
    if value is None:
        return None if nullable else "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def execute(handle: str, body: dict, nullable: bool) -> tuple[int, dict]:
    statement = body.get("statement")
    created = int(time.time() * 1000)
    status_url = f"/api/v2/statements/{handle}"
    try:
        params = None
        bindings = body.get("bindings")
        if bindings:
            params = tuple(from_binding(bindings[str(i)]) for i in range(1, len(bindings) + 1))
        with LOCK:
            STATS["executions"] += 1
            cur = conn_for(body.get("database"), body.get("schema")).cursor()
            cur.execute(statement, params) if params is not None else cur.execute(statement)
            names = [d[0] for d in cur.description] if cur.description else []
            rows = cur.fetchall() if cur.description else []
        row_type = [
            {"name": n, "database": "", "schema": "", "table": "", "nullable": True, "type": sf_type(rows[0][i]) if rows else "text",
             "byteLength": None, "length": None, "precision": None, "scale": None, "collation": None}
            for i, n in enumerate(names)
        ]
        response = {
            "resultSetMetaData": {"numRows": len(rows), "format": "jsonv2", "partitionInfo": [{"rowCount": len(rows), "uncompressedSize": 0}], "rowType": row_type},
            "data": [[text(v, nullable) for v in row] for row in rows],
            "code": "090001",
            "statementStatusUrl": status_url,
            "requestId": body.get("_requestId"),
            "sqlState": "00000",
            "statementHandle": handle,
            "message": "Statement executed successfully.",
            "createdOn": created,
        }
        if names == ["number of rows inserted"] and rows:
            response["stats"] = {"numRowsInserted": int(rows[0][0])}
        return 200, response
    except Exception as e:  # noqa: BLE001 - every failure of the statement is the client's answer
        code = getattr(e, "errno", None)
        sqlstate = getattr(e, "sqlstate", None)
        message = getattr(e, "msg", None) or str(e)
        return 422, {
            "code": f"{int(code):06d}" if isinstance(code, int) else "002003" if "does not exist" in message else "001003",
            "message": message,
            "sqlState": sqlstate or "42000",
            "statementHandle": handle,
            "statementStatusUrl": status_url,
            "createdOn": created,
        }


def run_async(handle: str, body: dict, nullable: bool) -> None:
    code, response = execute(handle, body, nullable)
    STATEMENTS[handle] = {"status": "done", "code": code, "response": response}


class Handler(BaseHTTPRequestHandler):
    server_version = "SnowflakeSqlApiStandIn/1"

    def log_message(self, fmt, *args):  # quiet unless asked
        if os.environ.get("SNOWFLAKE_STANDIN_VERBOSE"):
            sys.stderr.write(fmt % args + "\n")

    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw or b"{}")

    def authenticate(self) -> bool:
        def refuse(why: str) -> bool:
            self.reply(401, {"code": "390144", "message": f"JWT token is invalid. [{why}]"})
            return False

        auth = self.headers.get("Authorization", "")
        token_type = self.headers.get("X-Snowflake-Authorization-Token-Type")
        if token_type is not None and token_type != "KEYPAIR_JWT":
            return refuse(f"unsupported token type {token_type}")
        if not auth.startswith("Bearer "):
            self.reply(401, {"code": "390101", "message": "Authorization header not found in the request data."})
            return False
        token = auth[len("Bearer "):]
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as e:
            return refuse(f"malformed: {e}")
        if header.get("alg") != "RS256":
            return refuse("alg must be RS256")
        iss, sub = claims.get("iss", ""), claims.get("sub", "")
        parts = iss.split(".")
        if len(parts) != 3 or not parts[2].startswith("SHA256:"):
            return refuse("iss must be <ACCOUNT>.<USER>.SHA256:<fingerprint>")
        account, user, fp = parts
        if sub != f"{account}.{user}":
            return refuse("sub must be <ACCOUNT>.<USER>")
        if account != account.upper() or user != user.upper():
            return refuse("account and user must be upper case")
        registered = USERS.get((account, user))
        if registered is None:
            return refuse(f"no public key registered for user {user} in account {account}")
        key, registered_fp = registered
        if fp != registered_fp:
            return refuse("public key fingerprint does not match the user's RSA_PUBLIC_KEY")
        try:
            verified = jwt.decode(token, key, algorithms=["RS256"], options={"require": ["iss", "sub", "iat", "exp"], "verify_aud": False}, leeway=60)
        except jwt.PyJWTError as e:
            return refuse(str(e))
        if verified["exp"] - verified["iat"] > 3600:
            return refuse("exp must be at most one hour after iat")
        return True

    def do_GET(self):  # noqa: N802
        url = urlparse(self.path)
        if url.path == "/_standin/health":
            return self.reply(200, {"ok": True, **STATS})
        if url.path.startswith("/api/v2/statements/"):
            if not self.authenticate():
                return None
            handle = url.path.split("/")[4]
            st = STATEMENTS.get(handle)
            if st is None:
                return self.reply(404, {"code": "000709", "message": f"Statement {handle} not found", "statementHandle": handle})
            if st["status"] == "running":
                return self.reply(202, async_status(handle))
            return self.reply(st["code"], st["response"])
        return self.reply(404, {"message": "not found"})

    def do_POST(self):  # noqa: N802
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/_standin/users":
            body = self.read_json()
            key = serialization.load_pem_public_key(body["publicKeyPem"].encode())
            USERS[(body["account"].upper(), body["user"].upper())] = (key, fingerprint(key))
            return self.reply(200, {"fingerprint": fingerprint(key)})
        if url.path == "/_standin/async":
            ASYNC_NEXT["count"] = int(self.read_json().get("count", 0))
            return self.reply(200, {"count": ASYNC_NEXT["count"]})
        if url.path != "/api/v2/statements":
            return self.reply(404, {"message": "not found"})
        if not self.authenticate():
            return None
        if "application/json" not in (self.headers.get("Content-Type") or ""):
            return self.reply(415, {"code": "390142", "message": "Unsupported media type: the request body must be application/json"})
        try:
            body = self.read_json()
        except json.JSONDecodeError as e:
            return self.reply(400, {"code": "390142", "message": f"Incoming request does not contain a valid payload: {e}"})
        if not isinstance(body.get("statement"), str) or not body["statement"].strip():
            return self.reply(400, {"code": "391902", "message": "statement is required"})
        request_id = query.get("requestId") or str(uuid.uuid4())
        if query.get("retry") == "true" and request_id in REQUESTS:
            # Resubmission: the statement is not executed again.
            handle = REQUESTS[request_id]
            st = STATEMENTS[handle]
            if st["status"] == "running":
                return self.reply(202, async_status(handle))
            return self.reply(st["code"], st["response"])
        STATS["statements"] += 1
        handle = str(uuid.uuid4())
        REQUESTS[request_id] = handle
        body["_requestId"] = request_id
        nullable = query.get("nullable", "true") != "false"
        if query.get("async") == "true" or ASYNC_NEXT["count"] > 0:
            ASYNC_NEXT["count"] = max(0, ASYNC_NEXT["count"] - 1)
            STATEMENTS[handle] = {"status": "running"}
            threading.Thread(target=run_async, args=(handle, body, nullable), daemon=True).start()
            return self.reply(202, async_status(handle))
        code, response = execute(handle, body, nullable)
        STATEMENTS[handle] = {"status": "done", "code": code, "response": response}
        return self.reply(code, response)


def async_status(handle: str) -> dict:
    return {
        "code": "333334",
        "message": "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.",
        "statementHandle": handle,
        "statementStatusUrl": f"/api/v2/statements/{handle}",
    }


def main() -> None:
    port = int(os.environ.get("SNOWFLAKE_PORT", "9072"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"Snowflake SQL API stand-in listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
