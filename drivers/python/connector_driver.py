"""mysql-connector-python behind the driver contract (drivers/CONTRACT.md), in one of its two
implementations: `python3 connector_driver.py c` (C extension, libmysqlclient bundled in the
wheel) or `python3 connector_driver.py pure` (pure Python, the ssl module)."""

import sys

sys.path.insert(0, "/opt/pypi")  # the PyPI wheels of the clients image (images/clients/Dockerfile)

import mysql.connector  # noqa: E402
from mysql.connector import errors  # noqa: E402

from contract_loop import STATUS_SQL, connected, failed, options, runtime, serve  # noqa: E402

MODES = {
    "DISABLED": options("ssl_disabled=True"),
    # Without ssl_verify_cert the connector uses TLS only when the server offers it (it raises
    # "SSL is required…" only when verify_cert is set), so PREFERRED and what users write for
    # REQUIRED are the same options.
    "PREFERRED": options("ssl_ca=CA"),
    "REQUIRED": options("ssl_ca=CA, ssl_verify_cert=False (no option makes TLS mandatory without verifying)"),
    "VERIFY_CA": options("ssl_ca=CA, ssl_verify_cert=True"),
    "VERIFY_IDENTITY": options("ssl_ca=CA, ssl_verify_cert=True, ssl_verify_identity=True"),
    # Option files are read only with option_files/read_default_file (mysql/connector/
    # optionfiles.py, read_option_files), and no code of the connector reads an environment
    # variable for TLS. Without ssl_*/tls_* arguments ssl_disabled stays False (constants.py,
    # DEFAULT_CONFIGURATION), so both implementations use TLS when the server offers it,
    # unverified: pure Python asks for CLIENT_SSL (connection.py, _do_handshake) and builds a
    # CERT_NONE context without host name check (network.py, build_ssl_context); the C extension
    # sets no ssl mode, no CA and no option file (src/mysql_capi.c, MySQL_connect), which leaves
    # libmysqlclient's PREFERRED from mysql_init, verifying nothing without a CA.
    "DEFAULT": options(
        "no ssl or tls argument: mysql.connector.connect(host, port, user, password,"
        " connection_timeout, use_pure)"
    ),
}

TLS_VERSIONS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")


def vendored_openssl():
    """Version of the OpenSSL the wheel bundles for its C extension (mysql/vendor)."""
    import ctypes
    import os

    path = os.path.join(os.path.dirname(mysql.connector.__file__), "..", "vendor", "libcrypto.so.3")
    try:
        lib = ctypes.CDLL(path)
        lib.OpenSSL_version.restype = ctypes.c_char_p
        return lib.OpenSSL_version(0).decode()
    except OSError:
        return "OpenSSL (version unknown)"


def attempt_with(use_pure):
    def attempt(cell):
        mode = cell["ssl_mode"]
        if cell["crl"] and mode != "DEFAULT":  # DEFAULT passes no TLS option: none is missing
            return {"outcome": "unsupported", "reason": "mysql-connector-python has no CRL option"}
        kwargs = dict(
            host=cell["host"],
            port=cell["port"],
            user=cell["user"],
            password=cell["password"],
            connection_timeout=max(1, cell["timeout_ms"] // 1000),
            use_pure=use_pure,
        )
        if mode == "DISABLED":
            kwargs["ssl_disabled"] = True
        elif mode != "DEFAULT":  # DEFAULT: the kwargs above and nothing else
            kwargs["ssl_ca"] = cell["ca"]
            if mode != "PREFERRED":
                kwargs["ssl_verify_cert"] = mode in ("VERIFY_CA", "VERIFY_IDENTITY")
            if mode == "VERIFY_IDENTITY":
                kwargs["ssl_verify_identity"] = True
            if cell["cert"]:
                kwargs.update(ssl_cert=cell["cert"], ssl_key=cell["key"])
            if cell["tls_version"]:
                kwargs["tls_versions"] = [v for v in cell["tls_version"].split(",") if v in TLS_VERSIONS]
        conn = mysql.connector.connect(**kwargs)
        try:
            cur = conn.cursor()
            cur.execute(STATUS_SQL)
            rows = cur.fetchall()
            cur.close()
            return connected(rows)
        finally:
            conn.close()

    return attempt


def error_of(exc):
    if isinstance(exc, errors.Error):
        return failed(exc, code=exc.errno if exc.errno and exc.errno > 0 else None,
                      sqlstate=exc.sqlstate, message=exc.msg)
    return failed(exc)


if __name__ == "__main__":
    variant = sys.argv[1] if len(sys.argv) > 1 else "pure"
    if variant not in ("c", "pure"):
        sys.exit("usage: connector_driver.py c|pure")
    use_pure = variant == "pure"
    runtime_text = None
    if not use_pure:
        import _mysql_connector  # noqa: F401  (fail loudly if the C extension is missing)
        runtime_text = f"{runtime()}; C extension with its bundled {vendored_openssl()}"
    serve(f"mysql-connector-python-{variant}", mysql.connector.__version__, MODES,
          attempt_with(use_pure), error_of, runtime_text)
