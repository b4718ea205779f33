"""mysqlclient (MySQLdb, a C extension on MariaDB Connector/C, libmariadb3) behind the driver
contract (drivers/CONTRACT.md). Run as `python3 mysqlclient_driver.py`.

MySQLdb 1.4 passes TLS settings as an `ssl` dict (mysql_ssl_set, which also sets
MYSQL_OPT_SSL_ENFORCE); it has no ssl-mode option with Connector/C, which verifies the server
certificate (chain and name together) whenever TLS is on, unless an option file says
`ssl-verify-server-cert=0`; even then it checks the chain when given a CA.

DEFAULT passes no ssl argument and no ssl_mode, and only the option file that forces TCP
(`[client] protocol=1`, no TLS line; without it a host `localhost` would mean Connector/C's
Unix socket, which the clients container does not have): Connector/C reads an option file only
when MYSQL_READ_DEFAULT_FILE/GROUP is set (libmariadb/mariadb_lib.c, mthd_my_real_connect),
which MySQLdb does only for read_default_file/read_default_group
(_mysql.c, _mysql_ConnectionObject_Initialize). Connector/C's TLS environment variable,
MARIADB_TLS_DISABLE_PEER_VERIFICATION (libmariadb/ma_tls.c, ma_pvio_tls_verify_server_cert),
is unset during the attempt. What remains is the library's own default. Measured with Debian's
python3-mysqldb 1.4.6 on libmariadb3 3.4.10 (Connector/C 3.4): plaintext, also against servers
that offer TLS (the DEFAULT rows of the snapshots: `connected · no TLS`), whereas MariaDB's own
11.4+ CLI requires TLS by default. mysqlclient's 2.2.6 release notes report that Connector/C 3.4
builds enabled TLS and verification by default and that 2.2.6 turns both off
(PyMySQL/mysqlclient#731); with 1.4.6 this pairing stays in plaintext all the same."""

import os
import tempfile

import MySQLdb

from contract_loop import STATUS_SQL, connected, failed, options, serve, unsupported

MODES = {
    "DISABLED": options("no ssl argument (option file [client] protocol=1 (TCP) in every mode)"),
    # An ssl dict without a CA: mysql_ssl_set sets MYSQL_OPT_SSL_ENFORCE (use_ssl), so TLS
    # whenever the server offers it; with ssl-verify-server-cert=0 and no CA nothing is
    # verified (a CA would make Connector/C check the chain), and a server without TLS is
    # refused only when verification is on (plugins/auth/my_auth.c), so plaintext then.
    "PREFERRED": options(
        "ssl={} (no CA; with a client certificate {'cert': C, 'key': K}), option file [client]"
        " ssl-verify-server-cert=0; with a TLS version also tls-version=V, with a CRL ssl-crl=CRL"
    ),
    # Measured (snapshots basic/wrong-ca, basic/expired-server-cert, basic/san-mismatch,
    # server/tls-off): this checks the chain against CA (issuer, dates) but not the name, and
    # connects in plaintext to a server without TLS. What users write for REQUIRED, which it is
    # not: it verifies more and requires less.
    "REQUIRED": options(
        "ssl={'ca': CA}, option file [client] ssl-verify-server-cert=0; with a TLS version also"
        " tls-version=V, with a CRL ssl-crl=CRL (measured: chain checked, name not, plaintext"
        " when the server has no TLS)"
    ),
    "VERIFY_CA": unsupported(
        "ssl-verify-server-cert=0 checks the chain but falls back to plaintext; =1 checks the"
        " name too: no CA-only mode that requires TLS"
    ),
    "VERIFY_IDENTITY": options(
        "ssl={'ca': CA}, option file [client] ssl-verify-server-cert=1; with a TLS version"
        " also tls-version=V, with a CRL ssl-crl=CRL"
    ),
    "DEFAULT": options(
        "no ssl argument: MySQLdb.connect(host, port, user, passwd, connect_timeout,"
        " read_timeout), option file [client] protocol=1 (TCP) only"
    ),
}

# Connector/C's environment variables that change TLS, hidden during a DEFAULT attempt.
TLS_ENVIRONMENT = ("MARIADB_TLS_DISABLE_PEER_VERIFICATION",)

OPTION_FILES = {}


def option_file(verify, tls_version=None, crl=None):
    """A `[client]` option file: TCP even for host `localhost` (Connector/C would otherwise use
    the Unix socket, as the mysql CLI's --protocol=TCP avoids too) and, for TLS modes
    (`verify` not None), Connector/C's server certificate verification and the allowed TLS
    versions (`tls-version`, MARIADB_OPT_TLS_VERSION, as MySQL's --tls-version spells them) and
    a CRL (`ssl-crl`, MYSQL_OPT_SSL_CRL; MySQLdb's ssl dict has no crl key)."""
    key = (verify, tls_version, crl)
    if key not in OPTION_FILES:
        fd, path = tempfile.mkstemp(suffix=".cnf")
        # MYSQL_PROTOCOL_TCP: Connector/C reads `protocol` from option files as a number.
        lines = ["[client]", "protocol=1"]
        if verify is not None:
            lines.append(f"ssl-verify-server-cert={1 if verify else 0}")
            if tls_version:
                lines.append(f"tls-version={tls_version}")
            if crl:
                lines.append(f"ssl-crl={crl}")
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        OPTION_FILES[key] = path
    return OPTION_FILES[key]


def attempt(cell):
    mode = cell["ssl_mode"]
    kwargs = dict(
        host=cell["host"],
        port=cell["port"],
        user=cell["user"],
        passwd=cell["password"],
        connect_timeout=max(1, cell["timeout_ms"] // 1000),
        read_timeout=max(1, cell["timeout_ms"] // 1000),
    )
    kwargs["read_default_file"] = option_file(None)
    if mode == "DEFAULT":  # the kwargs above and the TCP-only option file, nothing else
        return connect_and_query(kwargs, hide=TLS_ENVIRONMENT)
    if mode != "DISABLED":
        ssl = {} if mode == "PREFERRED" else {"ca": cell["ca"]}
        if cell["cert"]:
            ssl.update(cert=cell["cert"], key=cell["key"])
        kwargs["ssl"] = ssl
        kwargs["read_default_file"] = option_file(
            mode == "VERIFY_IDENTITY", cell["tls_version"], cell["crl"]
        )
    return connect_and_query(kwargs)


def connect_and_query(kwargs, hide=()):
    """Connects with `kwargs` (the environment variables named in `hide` unset meanwhile) and
    reads the TLS status."""
    hidden = {name: os.environ.pop(name) for name in hide if name in os.environ}
    try:
        conn = MySQLdb.connect(**kwargs)
    finally:
        os.environ.update(hidden)
    try:
        cur = conn.cursor()
        cur.execute(STATUS_SQL)
        rows = cur.fetchall()
        cur.close()
        return connected(rows)
    finally:
        conn.close()


def error_of(exc):
    if isinstance(exc, MySQLdb.MySQLError) and len(exc.args) == 2 and isinstance(exc.args[0], int):
        return failed(exc, code=exc.args[0], message=str(exc.args[1]))
    return failed(exc)


if __name__ == "__main__":
    version = f"{MySQLdb.__version__} (Connector/C {MySQLdb.get_client_info()})"
    serve("mysqlclient", version, MODES, attempt, error_of)
