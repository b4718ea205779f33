"""PyMySQL (pure Python, the ssl module on OpenSSL) behind the driver contract
(drivers/CONTRACT.md). Run as `python3 pymysql_driver.py`; one process serves many cells."""

import pymysql

from contract_loop import STATUS_SQL, connected, failed, options, serve, unsupported

MODES = {
    "DISABLED": options("ssl_disabled=True"),
    # Measured: with any ssl_* option PyMySQL requires TLS (2026 "SSL is required but the
    # server doesn't support it" against a server without TLS), so it has no PREFERRED.
    "PREFERRED": unsupported(
        "PyMySQL has no opportunistic TLS: any ssl option makes TLS mandatory"
    ),
    "REQUIRED": options("ssl_ca=CA, ssl_verify_cert=False, ssl_verify_identity=False"),
    "VERIFY_CA": options("ssl_ca=CA, ssl_verify_cert=True, ssl_verify_identity=False"),
    "VERIFY_IDENTITY": options("ssl_ca=CA, ssl_verify_cert=True, ssl_verify_identity=True"),
    # PyMySQL reads no environment variable and no option file unless read_default_file or
    # read_default_group is passed (pymysql/connections.py, Connection.__init__). Without any
    # ssl_* argument PyMySQL 1.2+ uses TLS when the server offers it, with a context from
    # _create_ssl_ctx({}): no CA given, so CERT_NONE and no host name check; before 1.2
    # (PyMySQL#1234) it stayed in plaintext.
    "DEFAULT": options(
        "no ssl argument: pymysql.connect(host, port, user, password, connect_timeout,"
        " read_timeout)"
    ),
}


def attempt(cell):
    mode = cell["ssl_mode"]
    if mode != "DEFAULT":  # DEFAULT passes no TLS option: none is missing
        if cell["crl"]:
            return {"outcome": "unsupported", "reason": "PyMySQL has no CRL option"}
        if cell["tls_version"]:
            return {"outcome": "unsupported", "reason": "PyMySQL has no TLS version option"}
    kwargs = dict(
        host=cell["host"],
        port=cell["port"],
        user=cell["user"],
        password=cell["password"],
        connect_timeout=cell["timeout_ms"] / 1000,
        read_timeout=cell["timeout_ms"] / 1000,
    )
    if mode == "DISABLED":
        kwargs["ssl_disabled"] = True
    elif mode != "DEFAULT":  # DEFAULT: the kwargs above and nothing else
        kwargs.update(
            ssl_ca=cell["ca"],
            ssl_verify_cert=mode in ("VERIFY_CA", "VERIFY_IDENTITY"),
            ssl_verify_identity=mode == "VERIFY_IDENTITY",
        )
        if cell["cert"]:
            kwargs.update(ssl_cert=cell["cert"], ssl_key=cell["key"])
    conn = pymysql.connect(**kwargs)
    try:
        with conn.cursor() as cur:
            cur.execute(STATUS_SQL)
            return connected(cur.fetchall())
    finally:
        conn.close()


def error_of(exc):
    if isinstance(exc, pymysql.err.MySQLError) and len(exc.args) == 2 and isinstance(exc.args[0], int):
        return failed(exc, code=exc.args[0], message=str(exc.args[1]))
    return failed(exc)


if __name__ == "__main__":
    serve("pymysql", pymysql.VERSION_STRING, MODES, attempt, error_of)
