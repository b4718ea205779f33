"""PyMySQL (pure Python, the ssl module on OpenSSL) behind the driver contract
(drivers/CONTRACT.md). Run as `python3 pymysql_driver.py`; one process serves many cells."""

import ssl
import sys

sys.path.insert(0, "/opt/pypi")  # PyMySQL's current PyPI release (images/clients/Dockerfile)

import pymysql  # noqa: E402

from contract_loop import STATUS_SQL, connected, failed, options, serve  # noqa: E402

# What the SSLContext of a TLS version or CRL adds (see `context`).
CONTEXT_EXTRAS = (
    ", minimum_version, maximum_version; load_verify_locations(CRL),"
    " verify_flags |= VERIFY_CRL_CHECK_LEAF)"
)

MODES = {
    "DISABLED": options("ssl_disabled=True"),
    # PyMySQL 1.2+ with no ssl argument is PREFERRED by its own account
    # (pymysql/connections.py, Connection.__init__: "No explicit SSL options specified: use
    # PREFERRED mode"): TLS when the server offers it, with _create_ssl_ctx({}) (no CA, so
    # CERT_NONE and no host name check), plaintext otherwise. Any ssl argument makes TLS
    # mandatory (_ssl_required), so PREFERRED passes none: not the CA, not a client certificate.
    "PREFERRED": options(
        "no ssl argument (PyMySQL 1.2+: TLS when the server offers it, unverified, else"
        " plaintext; a client certificate, TLS version or CRL would make TLS mandatory)"
    ),
    "REQUIRED": options(
        "ssl_ca=CA, ssl_verify_cert=False, ssl_verify_identity=False; with a TLS version or a"
        " CRL ssl=SSLContext(cafile=CA, verify_mode=CERT_NONE" + CONTEXT_EXTRAS
    ),
    "VERIFY_CA": options(
        "ssl_ca=CA, ssl_verify_cert=True, ssl_verify_identity=False; with a TLS version or a"
        " CRL ssl=SSLContext(cafile=CA, verify_mode=CERT_REQUIRED" + CONTEXT_EXTRAS
    ),
    "VERIFY_IDENTITY": options(
        "ssl_ca=CA, ssl_verify_cert=True, ssl_verify_identity=True; with a TLS version or a"
        " CRL ssl=SSLContext(cafile=CA, check_hostname=True" + CONTEXT_EXTRAS
    ),
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


# `--tls-version` names → ssl.TLSVersion, for an SSLContext's minimum and maximum.
TLS_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.0": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


def context(cell, mode):
    """The SSLContext a user passes as `ssl=` to limit TLS versions or check a CRL (PyMySQL's
    ssl_* arguments have neither): the cell's CA, the mode's verification, the cell's version
    list as minimum..maximum, its CRL (checked for the leaf), its client certificate."""
    versions = [TLS_VERSIONS[v] for v in (cell["tls_version"] or "").split(",") if v in TLS_VERSIONS]
    ctx = ssl.create_default_context(cafile=cell["ca"])
    ctx.check_hostname = mode == "VERIFY_IDENTITY"
    ctx.verify_mode = ssl.CERT_NONE if mode == "REQUIRED" else ssl.CERT_REQUIRED
    if versions:
        ctx.minimum_version, ctx.maximum_version = min(versions), max(versions)
    if cell["crl"]:
        ctx.load_verify_locations(cafile=cell["crl"])
        ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if cell["cert"]:
        ctx.load_cert_chain(cell["cert"], cell["key"])
    return ctx


def attempt(cell):
    mode = cell["ssl_mode"]
    if mode not in ("DISABLED", "DEFAULT"):  # no TLS option in these two: none is missing
        if mode == "PREFERRED" and (cell["cert"] or cell["tls_version"] or cell["crl"]):
            return {
                "outcome": "unsupported",
                "reason": "PyMySQL takes a client certificate, TLS version or CRL only through"
                " ssl options, which make TLS mandatory: no PREFERRED with them",
            }
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
    elif mode in ("PREFERRED", "DEFAULT"):
        pass  # no ssl argument: PyMySQL's own PREFERRED
    elif cell["tls_version"] or cell["crl"]:
        kwargs["ssl"] = context(cell, mode)
    else:
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
