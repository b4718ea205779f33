"""The driver contract loop (drivers/CONTRACT.md) shared by the Python drivers: write the hello,
then answer each cell line on stdin with one result line on stdout. A library's exception is a
`failed` result, never a crash; only contract faults (bad input) end the process."""

import json
import platform
import ssl
import sys

MODES = ("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY")


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


def serve(driver, version, modes, attempt, error_of, runtime_text=None):
    """Runs the contract: `attempt(cell)` returns a result dict or raises the library's error,
    which `error_of(exc)` turns into a `failed` result. `runtime_text` overrides the default
    runtime description (for libraries that bring their own TLS library)."""
    assert set(modes) == set(MODES), "the mapping table names all five ssl-modes"
    hello = {"driver": driver, "version": version, "runtime": runtime_text or runtime(), "modes": modes}
    sys.stdout.write(json.dumps({"hello": hello}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        cell = json.loads(line)
        try:
            result = attempt(cell)
        except Exception as exc:  # the library under test failed: that is the data
            result = error_of(exc)
        result["id"] = cell["id"]
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
