"""A complete, minimal driver for the contract in drivers/CONTRACT.md — the shape to copy when
adding a driver in any language. It uses PyMySQL and supports three ssl-modes (DISABLED,
VERIFY_IDENTITY and DEFAULT, which no driver may declare unsupported); the harness answers the
other three `unsupported` from the hello's table without asking. Standard library + PyMySQL.
Run as `python3 minimal_driver.py`; the harness's contract test drives it against a real server.

`--ignore-verify-identity` plants a defect for the ssl-mode contract's own test: the driver calls
itself `careless-example`, and its VERIFY_IDENTITY checks the chain but not the host name
(ssl_verify_identity=False), the insecure violation `cargo xtask matrix --fail-on insecure` must
catch (xtask/tests/fail_on_insecure.rs). Never use it for anything else."""

import json
import sys

sys.path.insert(0, "/opt/pypi")  # the clients image's PyPI wheels, PyMySQL among them

import pymysql  # noqa: E402

CARELESS = "--ignore-verify-identity" in sys.argv[1:]
UNSUPPORTED = {"unsupported": "the minimal example implements DISABLED, VERIFY_IDENTITY and DEFAULT only"}
HELLO = {"hello": {
    "driver": "careless-example" if CARELESS else "minimal-example",
    "version": pymysql.__version__,
    "runtime": f"Python {sys.version.split()[0]}",
    "modes": {"DISABLED": {"options": "ssl_disabled=True"}, "PREFERRED": UNSUPPORTED,
              "REQUIRED": UNSUPPORTED, "VERIFY_CA": UNSUPPORTED,
              "VERIFY_IDENTITY": {"options": "ssl_ca=CA, ssl_verify_cert=True, ssl_verify_identity="
                                             + ("False (planted defect: --ignore-verify-identity)"
                                                if CARELESS else "True")},
              # DEFAULT: the library with no TLS option of any kind (PyMySQL reads no option file
              # unless asked and no environment variable); the cell's ca..tls_version are null.
              "DEFAULT": {"options": "no ssl argument: "
                                     "pymysql.connect(host, port, user, password, connect_timeout)"}},
}}
FIELDS = {"id": int, "ssl_mode": str, "host": str, "port": int, "user": str, "password": str,
          "timeout_ms": int, "ca": None, "cert": None, "key": None, "crl": None, "tls_version": None}
MODES = ("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY", "DEFAULT")


def uint(value, limit=2**64):
    return type(value) is int and 0 <= value < limit  # bool is not an int here


def problem(line):
    """`(id, what is wrong)` for a line that is not a valid cell (id 0 if unreadable), else None."""
    if any("\udc80" <= c <= "\udcff" for c in line):  # bytes that are not UTF-8
        return 0, "not JSON: not UTF-8"
    try:
        cell = json.loads(line)
    except ValueError as exc:
        return 0, f"not JSON: {exc}"
    if not isinstance(cell, dict):
        return 0, f"not a JSON object: {json.dumps(cell)}"
    line_id = cell["id"] if uint(cell.get("id")) else 0
    for name, kind in FIELDS.items():  # kind None: a string or null, may be absent
        value = cell.get(name)
        if kind and name not in cell:
            return line_id, f"missing field `{name}`"
        if not (uint(value, 2**16 if name == "port" else 2**64) if kind is int
                else isinstance(value, str) or (kind is None and value is None)):
            return line_id, f"field `{name}`: {json.dumps(value)} has the wrong type"
    if cell["ssl_mode"] not in MODES:
        return line_id, f"field `ssl_mode`: unknown ssl-mode {cell['ssl_mode']!r}"
    return None


def attempt(cell):
    mode = cell["ssl_mode"]
    ssl = ({} if mode == "DEFAULT"  # no ssl argument at all, not even ssl_disabled
           else {"ssl_disabled": True} if mode == "DISABLED"
           else {"ssl_disabled": False, "ssl_ca": cell.get("ca"), "ssl_verify_cert": True,
                 "ssl_verify_identity": not CARELESS})
    conn = pymysql.connect(host=cell["host"], port=cell["port"], user=cell["user"],
                           password=cell["password"], connect_timeout=cell["timeout_ms"] / 1000,
                           **ssl)
    with conn.cursor() as cur:
        cur.execute("SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')")
        status = dict(cur.fetchall())
    conn.close()
    return {"outcome": "connected", "tls_version": status.get("Ssl_version") or None,
            "cipher": status.get("Ssl_cipher") or None}


print(json.dumps(HELLO), flush=True)
sys.stdin.reconfigure(errors="surrogateescape")  # a line that is not UTF-8 is answered, not fatal
for line in sys.stdin:
    if not line.strip():
        continue  # blank lines are not cells: no answer
    if bad := problem(line):  # not a cell: one `invalid_cell` answer, no connection attempt
        print(json.dumps({"id": bad[0], "outcome": "invalid_cell", "message": bad[1]}), flush=True)
        continue
    cell = json.loads(line)
    try:
        result = attempt(cell)
    except Exception as exc:  # the library's failure is data, not a crash
        code, message = exc.args if len(exc.args) == 2 and isinstance(exc.args[0], int) else (None, str(exc))
        result = {"outcome": "failed", "code": code, "sqlstate": None, "message": str(message),
                  "raw_type": f"{type(exc).__module__}.{type(exc).__qualname__}"}
    print(json.dumps({"id": cell["id"], **result}), flush=True)
