//! Server flavors as data: image recipe, base my.cnf, readiness line, and the SQL that reads
//! the server's TLS state. Adding a flavor is adding a constant, not a code path.

use containers::{ImageRecipe, recipes};

/// One server family/version the harness can boot.
#[derive(Debug, Clone, Copy)]
pub struct Flavor {
    /// Short name used in snapshots and `--flavor`, e.g. `mysql-9`.
    pub name: &'static str,
    /// How its image is built.
    pub image: ImageRecipe,
    /// `[mysqld]` lines besides TLS (paths, X Protocol off, …).
    pub base_config: &'static str,
    /// A line fragment the server prints on stderr once it accepts connections.
    pub ready_message: &'static str,
    /// Unix socket path (used for the harness's own admin login).
    pub socket: &'static str,
    /// Query returning one row, `Yes`/`No`: is TLS enabled on the main channel? For MySQL 8.0.21+
    /// this is `performance_schema.tls_channel_status` (MySQL 9 removed `have_ssl`).
    pub tls_enabled_sql: &'static str,
    /// Statement that re-reads the TLS files at runtime.
    pub reload_sql: &'static str,
    /// Statement that forgets connection errors per client host (so a reused server does not
    /// block a host that a fresh one would accept; `max_connect_errors`).
    pub flush_hosts_sql: &'static str,
    /// Suffix for "install what loads, even if TLS ends up off", if the flavor has one.
    pub reload_no_rollback: Option<&'static str>,
    /// The my.cnf line that turns TLS off (MySQL 9 has no `--ssl=0`; MariaDB 11.8 would
    /// otherwise generate a certificate by itself).
    pub tls_off: &'static str,
    /// How client logins authenticate, as stated in snapshots.
    pub auth_note: &'static str,
    /// Command-line client in the image used for the harness's own admin queries.
    pub admin_cli: &'static str,
    /// Extra arguments for admin queries (MariaDB 11 clients would otherwise use TLS and
    /// verify the certificate even over the Unix socket).
    pub admin_args: &'static [&'static str],
    /// A user-supplied image (`--image mysql:8.4`) used instead of [`Self::image`]; set by
    /// [`crate::detect_flavor`], `None` for the built-in flavors.
    pub user_image: Option<&'static str>,
}

/// MySQL 9.x from Debian sid (`mysql-server-core`), with the libmysqlclient `mysql` CLI.
pub const MYSQL_9: Flavor = Flavor {
    name: "mysql-9",
    image: recipes::MYSQL_9,
    base_config: "user=mysql\n\
        datadir=/var/lib/mysql\n\
        socket=/run/mysqld/mysqld.sock\n\
        pid-file=/run/mysqld/mysqld.pid\n\
        mysqlx=OFF\n\
        secure-file-priv=NULL\n\
        skip-name-resolve\n\
        auto_generate_certs=OFF\n",
    ready_message: "ready for connections. Version",
    socket: "/run/mysqld/mysqld.sock",
    tls_enabled_sql: "SELECT VALUE FROM performance_schema.tls_channel_status \
        WHERE CHANNEL = 'mysql_main' AND PROPERTY = 'Enabled'",
    admin_cli: "mysql",
    admin_args: &[],
    tls_off: "tls_version=''",
    reload_sql: "ALTER INSTANCE RELOAD TLS",
    flush_hosts_sql: "TRUNCATE TABLE performance_schema.host_cache",
    reload_no_rollback: Some(" NO ROLLBACK ON ERROR"),
    user_image: None,
    auth_note: "caching_sha2_password, cache warmed by one socket login after boot",
};

/// `[mysqld]` lines shared by the MariaDB flavors.
const MARIADB_BASE: &str = "user=mysql\n\
    datadir=/var/lib/mysql\n\
    socket=/run/mysqld/mysqld.sock\n\
    pid-file=/run/mysqld/mysqld.pid\n\
    bind-address=0.0.0.0\n\
    skip-name-resolve\n";

/// MariaDB 10.11 LTS from Debian bookworm (`mariadb-server-core`).
pub const MARIADB_10_11: Flavor = Flavor {
    name: "mariadb-10.11",
    image: recipes::MARIADB_10_11,
    base_config: MARIADB_BASE,
    ready_message: "ready for connections",
    socket: "/run/mysqld/mysqld.sock",
    tls_enabled_sql: "SELECT IF(@@have_ssl = 'YES', 'Yes', 'No')",
    auth_note: "mysql_native_password",
    admin_cli: "mariadb",
    admin_args: &["--skip-ssl"],
    tls_off: "skip-ssl",
    reload_sql: "FLUSH SSL",
    flush_hosts_sql: "FLUSH HOSTS",
    reload_no_rollback: None,
    user_image: None,
};

/// MariaDB 11.8 LTS from Debian trixie (`mariadb-server-core`).
pub const MARIADB_11_8: Flavor = Flavor {
    name: "mariadb-11.8",
    image: recipes::MARIADB_11_8,
    ..MARIADB_10_11
};

impl Flavor {
    /// `(repository, tag)` of the image to boot: the user's image, or the local recipe's.
    pub fn image_parts(&self) -> (String, String) {
        match self.user_image {
            Some(reference) => match reference.rsplit_once(':').filter(|(_, t)| !t.contains('/')) {
                Some((repo, tag)) => (repo.to_owned(), tag.to_owned()),
                None => (reference.to_owned(), "latest".to_owned()),
            },
            None => (self.image.repository.to_owned(), self.image.tag()),
        }
    }

    /// Every flavor the harness knows, default matrix order.
    pub const ALL: &'static [Flavor] = &[MYSQL_9, MARIADB_10_11, MARIADB_11_8];

    /// The flavor named `name`, if any.
    pub fn by_name(name: &str) -> Option<&'static Flavor> {
        Self::ALL.iter().find(|f| f.name == name)
    }

    /// The full my.cnf for a scenario's server spec, with TLS files under `tls_dir`. Options
    /// only one family knows are written with the `loose-` prefix so the other ignores them.
    pub fn render_config(&self, spec: &scenario::ServerSpec, tls_dir: &str) -> String {
        let mut cnf = format!("[mysqld]\n{}", self.base_config);
        if !spec.tls {
            cnf.push_str(self.tls_off);
            cnf.push('\n');
            return cnf;
        }
        cnf.push_str(&format!(
            "ssl_ca={tls_dir}/{}\nssl_cert={tls_dir}/{}\nssl_key={tls_dir}/{}\n",
            spec.ssl_ca, spec.ssl_cert, spec.ssl_key
        ));
        let optional = [
            (
                "ssl_crl",
                spec.ssl_crl.as_ref().map(|f| format!("{tls_dir}/{f}")),
            ),
            ("tls_version", spec.tls_version.clone()),
            ("ssl_cipher", spec.ssl_cipher.clone()),
            ("loose-tls_ciphersuites", spec.tls_ciphersuites.clone()),
            (
                "require_secure_transport",
                spec.require_secure_transport.then(|| "ON".to_owned()),
            ),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                cnf.push_str(&format!("{key}={value}\n"));
            }
        }
        cnf
    }
}
