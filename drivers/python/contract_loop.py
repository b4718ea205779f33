"""The driver contract loop (drivers/CONTRACT.md) shared by the Python drivers: write the hello,
then answer each cell line on stdin with one result line on stdout. A library's exception is a
`failed` result, never a crash; a line that is not a valid cell gets an `invalid_cell` answer
(no connection attempt) and the loop reads on."""

import json
import platform
import ssl
import sys

# MySQL's five ssl-modes, then DEFAULT: the library with no TLS option of any kind (only host,
# port, user, password and timeouts; no option file or environment variable that sets TLS). The
# harness sends `ca`, `cert`, `key`, `crl` and `tls_version` as null in DEFAULT, and a driver
# passes none of them whatever they hold, so DEFAULT is never `unsupported`.
MODES = ("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY", "DEFAULT")


def options(text):
    """A mapping-table entry: how a user spells the mode with this driver."""
    return {"options": text}


def unsupported(reason):
    """A mapping-table entry: the driver has no equivalent of the mode."""
    return {"unsupported": reason}


def runtime():
    """Interpreter and the TLS library Python's ssl module is linked with."""
    return f"{platform.python_implementation()} {platform.python_version()}; {ssl.OPENSSL_VERSION}"


def type_name(exc):
    """`module.Class` of an exception, e.g. `pymysql.err.OperationalError`."""
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


def with_causes(exc, message):
    """`message`, plus the messages of chained causes the top message does not already contain."""
    seen = message
    cause = exc.__cause__ or exc.__context__
    depth = 0
    while cause is not None and depth < 4:
        text = str(cause)
        if text and text not in seen:
            message = f"{message}: {text}"
            seen += text
        cause = cause.__cause__ or cause.__context__
        depth += 1
    return message


def failed(exc, code=None, sqlstate=None, message=None):
    """A `failed` result for `exc` (message as it surfaced, causes appended)."""
    text = message if message is not None else str(exc)
    return {
        "outcome": "failed",
        "code": code,
        "sqlstate": sqlstate,
        "message": with_causes(exc, text),
        "raw_type": type_name(exc),
    }


def connected(rows):
    """A `connected` result from `SHOW SESSION STATUS` rows `(name, value)`."""
    status = {name: value for name, value in rows}
    return {
        "outcome": "connected",
        "tls_version": status.get("Ssl_version") or None,
        "cipher": status.get("Ssl_cipher") or None,
    }


STATUS_SQL = "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')"

# The cell's fields (drivers/contract.schema.json): required ones with their JSON type, and the
# optional ones (a string or null; absent is null).
REQUIRED = {"id": int, "ssl_mode": str, "host": str, "port": int, "user": str, "password": str,
            "timeout_ms": int}
OPTIONAL = ("ca", "cert", "key", "pkcs12", "pkcs12_password", "crl", "tls_version")


def is_uint(value, limit=2**64):
    """A JSON integer in [0, limit) (JSON booleans are not integers)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < limit


class InvalidCell(Exception):
    """A line that is not a valid cell; `id` is the line's id when it could be read, else 0."""

    def __init__(self, line_id, message):
        super().__init__(message)
        self.id = line_id


def parse_cell(line):
    """The cell on `line`, its absent optional fields set to None; raises InvalidCell."""
    if any("\udc80" <= c <= "\udcff" for c in line):  # bytes stdin could not decode
        raise InvalidCell(0, "not JSON: not UTF-8")
    try:
        cell = json.loads(line)
    except ValueError as exc:
        raise InvalidCell(0, f"not JSON: {exc}") from None
    if not isinstance(cell, dict):
        raise InvalidCell(0, f"not a JSON object: {line.strip()[:80]}")
    line_id = cell["id"] if is_uint(cell.get("id")) else 0
    for name, kind in REQUIRED.items():
        if name not in cell:
            raise InvalidCell(line_id, f"missing field `{name}`")
        value = cell[name]
        if kind is int and not is_uint(value, 2**16 if name == "port" else 2**64):
            raise InvalidCell(line_id, f"field `{name}`: {json.dumps(value)} is not an integer in range")
        if kind is str and not isinstance(value, str):
            raise InvalidCell(line_id, f"field `{name}`: {json.dumps(value)} is not a string")
    if cell["ssl_mode"] not in MODES:
        raise InvalidCell(line_id, f"field `ssl_mode`: unknown ssl-mode {json.dumps(cell['ssl_mode'])}")
    for name in OPTIONAL:
        value = cell.setdefault(name, None)
        if value is not None and not isinstance(value, str):
            raise InvalidCell(line_id, f"field `{name}`: {json.dumps(value)} is neither a string nor null")
    return cell


def serve(driver, version, modes, attempt, error_of, runtime_text=None):
    """Runs the contract: `attempt(cell)` returns a result dict or raises the library's error,
    which `error_of(exc)` turns into a `failed` result. `runtime_text` overrides the default
    runtime description (for libraries that bring their own TLS library)."""
    assert set(modes) == set(MODES), "the mapping table names all six ssl-modes"
    assert "options" in modes["DEFAULT"], "DEFAULT is never unsupported"
    hello = {"driver": driver, "version": version, "runtime": runtime_text or runtime(), "modes": modes}
    sys.stdout.write(json.dumps({"hello": hello}) + "\n")
    sys.stdout.flush()
    sys.stdin.reconfigure(errors="surrogateescape")  # a line that is not UTF-8 is invalid, not fatal
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            cell = parse_cell(line)
        except InvalidCell as bad:
            print(f"{driver}: invalid cell line: {bad}", file=sys.stderr, flush=True)
            result = {"id": bad.id, "outcome": "invalid_cell", "message": str(bad)}
        else:
            try:
                result = attempt(cell)
            except Exception as exc:  # the library under test failed: that is the data
                result = error_of(exc)
            result["id"] = cell["id"]
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
