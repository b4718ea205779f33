"""A complete, minimal driver for the contract in drivers/CONTRACT.md — the shape to copy when
adding a driver in any language. It uses PyMySQL and supports two ssl-modes; the harness answers
the other three `unsupported` from the hello's table without asking. Standard library + PyMySQL.
Run as `python3 minimal_driver.py`; the harness's contract test drives it against a real server."""

import json
import sys

import pymysql

UNSUPPORTED = {"unsupported": "the minimal example implements DISABLED and VERIFY_IDENTITY only"}
HELLO = {"hello": {
    "driver": "minimal-example",
    "version": pymysql.__version__,
    "runtime": f"Python {sys.version.split()[0]}",
    "modes": {"DISABLED": {"options": "ssl_disabled=True"}, "PREFERRED": UNSUPPORTED,
              "REQUIRED": UNSUPPORTED, "VERIFY_CA": UNSUPPORTED,
              "VERIFY_IDENTITY": {"options": "ssl_ca=CA, ssl_verify_cert=True, ssl_verify_identity=True"}},
}}


def attempt(cell):
    tls = {} if cell["ssl_mode"] == "DISABLED" else {
        "ssl_ca": cell["ca"], "ssl_verify_cert": True, "ssl_verify_identity": True}
    conn = pymysql.connect(host=cell["host"], port=cell["port"], user=cell["user"],
                           password=cell["password"], connect_timeout=cell["timeout_ms"] / 1000,
                           ssl_disabled=not tls, **tls)
    with conn.cursor() as cur:
        cur.execute("SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')")
        status = dict(cur.fetchall())
    conn.close()
    return {"outcome": "connected", "tls_version": status.get("Ssl_version") or None,
            "cipher": status.get("Ssl_cipher") or None}


print(json.dumps(HELLO), flush=True)
for line in sys.stdin:
    cell = json.loads(line)
    try:
        result = attempt(cell)
    except Exception as exc:  # the library's failure is data, not a crash
        code, message = exc.args if len(exc.args) == 2 and isinstance(exc.args[0], int) else (None, str(exc))
        result = {"outcome": "failed", "code": code, "sqlstate": None, "message": str(message),
                  "raw_type": f"{type(exc).__module__}.{type(exc).__qualname__}"}
    print(json.dumps({"id": cell["id"], **result}), flush=True)
