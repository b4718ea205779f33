"""mysqlclient (MySQLdb, a C extension on MariaDB Connector/C, libmariadb3) behind the driver
contract (drivers/CONTRACT.md). Run as `python3 mysqlclient_driver.py`. The clients image builds
mysqlclient's current PyPI release (2.3.2, source only on Linux) against Debian's libmariadb-dev.

What mysqlclient 2.3 does with its TLS arguments on Connector/C (MySQLdb/_mysql.c,
_mysql_ConnectionObject_Initialize): `ssl_mode` names MySQL's five modes but, as Connector/C
has no MYSQL_OPT_SSL_MODE, becomes two flags that are always written: MYSQL_OPT_SSL_ENFORCE on
for REQUIRED and above, MYSQL_OPT_SSL_VERIFY_SERVER_CERT on for VERIFY_CA and above (off
otherwise, also with no TLS argument at all, since 2.2.6, PyMySQL/mysqlclient#731). The `ssl`
dict's ca/capath/cert/key/cipher become MYSQL_OPT_SSL_* strings, and any of them turns TLS on.
Connector/C (plugins/auth/my_auth.c) then uses TLS when ENFORCE, a string, or verification is
set; refuses a server without TLS only when verification is on; with a CA verifies chain and
name even with verification off (measured: names/ip-san-dialled-by-name); and skips the name
for the host strings 127.0.0.1 and ::1 (3.4.2+, CONC-712). TLS versions and CRLs have no connect() argument: they go through an
option file (`tls-version`, `ssl-crl`), which Connector/C reads during mysql_real_connect, after
mysqlclient's options.

DEFAULT passes no ssl argument and no ssl_mode, and only the option file that forces TCP
(`[client] protocol=1`, no TLS line; without it a host `localhost` would mean Connector/C's
Unix socket, which the clients container does not have). Connector/C's TLS environment
variable, MARIADB_TLS_DISABLE_PEER_VERIFICATION (libmariadb/ma_tls.c), is unset during the
attempt."""

import os
import sys
import tempfile

sys.path.insert(0, "/opt/pypi")  # mysqlclient's current PyPI release (images/clients/Dockerfile)

import MySQLdb  # noqa: E402

from contract_loop import STATUS_SQL, connected, failed, options, serve  # noqa: E402

# Every TLS mode: the cell's client certificate as ssl={'cert', 'key'} and, in an option file,
# its TLS versions and CRL.
EXTRAS = (
    "; with a client certificate also ssl cert=C, key=K; option file [client] tls-version=V,"
    " ssl-crl=CRL when given"
)

MODES = {
    "DISABLED": options(
        'ssl_mode="DISABLED" (option file [client] protocol=1 (TCP) in every mode)'
    ),
    # mysqlclient's own ssl_mode="PREFERRED" writes ENFORCE=0 and VERIFY=0: with no ssl string
    # Connector/C never asks for TLS, so it stays in plaintext. Its "REQUIRED" without a CA is
    # what MySQL calls PREFERRED: TLS when offered, nothing verified, plaintext otherwise.
    "PREFERRED": options(
        'ssl_mode="REQUIRED", no CA (mysqlclient\'s own "PREFERRED" stays in plaintext on'
        " Connector/C; its REQUIRED falls back to plaintext)" + EXTRAS
    ),
    "REQUIRED": options(
        'ssl_mode="REQUIRED", ssl={\'ca\': CA}' + EXTRAS + " (measured: with a CA, chain and"
        " name checked, the name not for the host strings 127.0.0.1 and ::1; plaintext when the"
        " server has no TLS)"
    ),
    # VERIFY_CA writes the same VERIFY_SERVER_CERT flag as VERIFY_IDENTITY: names are checked.
    "VERIFY_CA": options(
        'ssl_mode="VERIFY_CA", ssl={\'ca\': CA}' + EXTRAS + " (on Connector/C the same flag as"
        " VERIFY_IDENTITY: the name is checked too)"
    ),
    "VERIFY_IDENTITY": options('ssl_mode="VERIFY_IDENTITY", ssl={\'ca\': CA}' + EXTRAS),
    "DEFAULT": options(
        "no ssl or ssl_mode argument: MySQLdb.connect(host, port, user, password,"
        " connect_timeout, read_timeout), option file [client] protocol=1 (TCP) only"
    ),
}

# The ssl_mode each mode passes.
SSL_MODE = {
    "DISABLED": "DISABLED",
    "PREFERRED": "REQUIRED",
    "REQUIRED": "REQUIRED",
    "VERIFY_CA": "VERIFY_CA",
    "VERIFY_IDENTITY": "VERIFY_IDENTITY",
}

# Connector/C's environment variables that change TLS, hidden during a DEFAULT attempt.
TLS_ENVIRONMENT = ("MARIADB_TLS_DISABLE_PEER_VERIFICATION",)

OPTION_FILES = {}


def option_file(tls_version=None, crl=None):
    """A `[client]` option file: TCP even for host `localhost` (Connector/C would otherwise use
    the Unix socket, as the mysql CLI's --protocol=TCP avoids too) and the TLS options
    mysqlclient has no argument for: the allowed TLS versions (`tls-version`,
    MARIADB_OPT_TLS_VERSION, as MySQL's --tls-version spells them) and a CRL (`ssl-crl`,
    MYSQL_OPT_SSL_CRL)."""
    key = (tls_version, crl)
    if key not in OPTION_FILES:
        fd, path = tempfile.mkstemp(suffix=".cnf")
        # MYSQL_PROTOCOL_TCP: Connector/C reads `protocol` from option files as a number.
        lines = ["[client]", "protocol=1"]
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
        password=cell["password"],
        connect_timeout=max(1, cell["timeout_ms"] // 1000),
        read_timeout=max(1, cell["timeout_ms"] // 1000),
        read_default_file=option_file(),
    )
    if mode == "DEFAULT":  # the kwargs above and the TCP-only option file, nothing else
        return connect_and_query(kwargs, hide=TLS_ENVIRONMENT)
    kwargs["ssl_mode"] = SSL_MODE[mode]
    if mode != "DISABLED":
        ssl = {} if mode == "PREFERRED" else {"ca": cell["ca"]}
        if cell["cert"]:
            ssl.update(cert=cell["cert"], key=cell["key"])
        if ssl:
            kwargs["ssl"] = ssl
        kwargs["read_default_file"] = option_file(cell["tls_version"], cell["crl"])
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
    version = f"{MySQLdb.release.__version__} (Connector/C {MySQLdb.get_client_info()})"
    serve("mysqlclient", version, MODES, attempt, error_of)
