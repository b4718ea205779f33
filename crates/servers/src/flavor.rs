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
    /// How this family's `tls_version` spells TLS 1.0: `TLSv1` (MySQL) or `TLSv1.0` (MariaDB,
    /// which refuses to start on `TLSv1`). Scenarios may write either; [`Self::render_config`]
    /// writes this one.
    pub tls10: &'static str,
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
    tls10: "TLSv1",
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
    tls10: "TLSv1.0",
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

    /// The built-in flavors' names, comma-separated, for errors that name the choices.
    pub fn known_names() -> String {
        Self::ALL
            .iter()
            .map(|f| f.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A `tls_version` list as this family spells it: TLS 1.0 written either way (`TLSv1`,
    /// `TLSv1.0`) becomes [`Self::tls10`]; everything else is kept as written.
    pub fn tls_versions(&self, list: &str) -> String {
        list.split(',')
            .map(|v| match v.trim() {
                "TLSv1" | "TLSv1.0" => self.tls10,
                other => other,
            })
            .collect::<Vec<_>>()
            .join(",")
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
            (
                "tls_version",
                spec.tls_version.as_deref().map(|v| self.tls_versions(v)),
            ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use scenario::ServerSpec;

    const TLS_DIR: &str = "/etc/mysql/tls";

    /// The three `ssl_*` file lines of the default spec under [`TLS_DIR`].
    const DEFAULT_SSL_FILES: &str = "ssl_ca=/etc/mysql/tls/ca.pem\n\
        ssl_cert=/etc/mysql/tls/server-cert.pem\n\
        ssl_key=/etc/mysql/tls/server-key.pem\n";

    /// A spec with every optional setting given.
    fn everything_set() -> ServerSpec {
        ServerSpec {
            ssl_crl: Some("crl.pem".into()),
            tls_version: Some("TLSv1.2".into()),
            ssl_cipher: Some("ECDHE-RSA-AES128-GCM-SHA256".into()),
            tls_ciphersuites: Some("TLS_AES_128_GCM_SHA256".into()),
            require_secure_transport: true,
            ..ServerSpec::default()
        }
    }

    #[rstest]
    #[case::mysql_9(&MYSQL_9)]
    #[case::mariadb_10_11(&MARIADB_10_11)]
    #[case::mariadb_11_8(&MARIADB_11_8)]
    fn tls_on_renders_the_base_config_then_the_default_ssl_files_under_the_tls_dir(
        #[case] flavor: &Flavor,
    ) {
        let cnf = flavor.render_config(&ServerSpec::default(), TLS_DIR);
        assert_eq!(
            cnf,
            format!("[mysqld]\n{}{DEFAULT_SSL_FILES}", flavor.base_config)
        );
        assert!(
            !cnf.lines().any(|l| l == flavor.tls_off),
            "TLS on must not carry the TLS-off line:\n{cnf}"
        );
    }

    #[rstest]
    #[case::mysql_9(&MYSQL_9)]
    #[case::mariadb_10_11(&MARIADB_10_11)]
    #[case::mariadb_11_8(&MARIADB_11_8)]
    fn ssl_file_names_of_the_spec_are_joined_to_the_given_tls_dir(#[case] flavor: &Flavor) {
        let spec = ServerSpec {
            ssl_ca: "bundle.pem".into(),
            ssl_cert: "chain.crt".into(),
            ssl_key: "leaf.key".into(),
            ..ServerSpec::default()
        };
        let cnf = flavor.render_config(&spec, "/srv/certs");
        assert!(
            cnf.ends_with(
                "ssl_ca=/srv/certs/bundle.pem\n\
                 ssl_cert=/srv/certs/chain.crt\n\
                 ssl_key=/srv/certs/leaf.key\n"
            ),
            "{cnf}"
        );
        assert!(!cnf.contains(TLS_DIR), "{cnf}");
    }

    #[rstest]
    #[case::crl_is_a_file_under_the_tls_dir(
        ServerSpec { ssl_crl: Some("crl.pem".into()), ..ServerSpec::default() },
        "ssl_crl=/etc/mysql/tls/crl.pem"
    )]
    #[case::tls_version_verbatim(
        ServerSpec { tls_version: Some("TLSv1.3".into()), ..ServerSpec::default() },
        "tls_version=TLSv1.3"
    )]
    #[case::cipher_list_verbatim(
        ServerSpec { ssl_cipher: Some("AES128-SHA:AES256-SHA".into()), ..ServerSpec::default() },
        "ssl_cipher=AES128-SHA:AES256-SHA"
    )]
    #[case::tls13_suites_are_loose_for_mariadb(
        ServerSpec { tls_ciphersuites: Some("TLS_AES_256_GCM_SHA384".into()), ..ServerSpec::default() },
        "loose-tls_ciphersuites=TLS_AES_256_GCM_SHA384"
    )]
    #[case::require_secure_transport_is_on(
        ServerSpec { require_secure_transport: true, ..ServerSpec::default() },
        "require_secure_transport=ON"
    )]
    fn an_optional_setting_adds_exactly_its_own_line_after_the_ssl_files(
        #[values(&MYSQL_9, &MARIADB_10_11, &MARIADB_11_8)] flavor: &Flavor,
        #[case] spec: ServerSpec,
        #[case] line: &str,
    ) {
        let cnf = flavor.render_config(&spec, TLS_DIR);
        assert_eq!(
            cnf,
            format!(
                "[mysqld]\n{}{DEFAULT_SSL_FILES}{line}\n",
                flavor.base_config
            )
        );
    }

    #[rstest]
    #[case::mysql_from_mariadb_spelling(&MYSQL_9, "TLSv1.0,TLSv1.1", "tls_version=TLSv1,TLSv1.1\n")]
    #[case::mysql_as_written(&MYSQL_9, "TLSv1, TLSv1.2", "tls_version=TLSv1,TLSv1.2\n")]
    #[case::mariadb_from_mysql_spelling(&MARIADB_10_11, "TLSv1,TLSv1.1", "tls_version=TLSv1.0,TLSv1.1\n")]
    #[case::mariadb_11_8_too(&MARIADB_11_8, "TLSv1", "tls_version=TLSv1.0\n")]
    fn tls_1_0_is_written_as_each_family_spells_it(
        #[case] flavor: &Flavor,
        #[case] written: &str,
        #[case] line: &str,
    ) {
        let spec = ServerSpec {
            tls_version: Some(written.into()),
            ..ServerSpec::default()
        };
        let cnf = flavor.render_config(&spec, TLS_DIR);
        assert!(cnf.contains(line), "{cnf}");
    }

    #[test]
    fn optional_settings_absent_from_the_spec_write_no_line() {
        let cnf = MYSQL_9.render_config(&ServerSpec::default(), TLS_DIR);
        for key in [
            "ssl_crl",
            "tls_version",
            "ssl_cipher",
            "tls_ciphersuites",
            "require_secure_transport",
        ] {
            assert!(
                !cnf.contains(key),
                "`{key}` rendered without being set:\n{cnf}"
            );
        }
    }

    #[test]
    fn all_optional_settings_render_in_a_fixed_order() {
        let cnf = MARIADB_11_8.render_config(&everything_set(), TLS_DIR);
        let lines: Vec<&str> = cnf.lines().collect();
        assert!(cnf.contains(DEFAULT_SSL_FILES), "{cnf}");
        assert_eq!(
            lines[lines.len() - 5..],
            [
                "ssl_crl=/etc/mysql/tls/crl.pem",
                "tls_version=TLSv1.2",
                "ssl_cipher=ECDHE-RSA-AES128-GCM-SHA256",
                "loose-tls_ciphersuites=TLS_AES_128_GCM_SHA256",
                "require_secure_transport=ON",
            ]
        );
    }

    #[rstest]
    #[case::mysql_9(&MYSQL_9, "tls_version=''")]
    #[case::mariadb_10_11(&MARIADB_10_11, "skip-ssl")]
    #[case::mariadb_11_8(&MARIADB_11_8, "skip-ssl")]
    fn tls_off_renders_the_flavors_off_line_and_no_ssl_files(
        #[case] flavor: &Flavor,
        #[case] off_line: &str,
    ) {
        // Every optional setting given: none of them may leak into a TLS-off config.
        let spec = ServerSpec {
            tls: false,
            ..everything_set()
        };
        let cnf = flavor.render_config(&spec, TLS_DIR);
        assert_eq!(cnf, format!("[mysqld]\n{}{off_line}\n", flavor.base_config));
        assert!(!cnf.contains(TLS_DIR), "{cnf}");
        assert!(!cnf.contains("ssl_"), "{cnf}");
        assert!(!cnf.contains("require_secure_transport"), "{cnf}");
    }

    #[rstest]
    #[case::mysql_9(&MYSQL_9)]
    #[case::mariadb_10_11(&MARIADB_10_11)]
    #[case::mariadb_11_8(&MARIADB_11_8)]
    fn the_config_is_one_mysqld_group_ending_in_a_newline(
        #[case] flavor: &Flavor,
        #[values(true, false)] tls: bool,
    ) {
        let spec = ServerSpec {
            tls,
            ..everything_set()
        };
        let cnf = flavor.render_config(&spec, TLS_DIR);
        assert!(cnf.starts_with("[mysqld]\n"), "{cnf}");
        assert_eq!(cnf.matches('[').count(), 1, "one group only:\n{cnf}");
        assert!(cnf.ends_with('\n') && !cnf.ends_with("\n\n"), "{cnf:?}");
    }

    #[test]
    fn mysql_turns_off_x_protocol_and_its_own_certificate_generation() {
        let cnf = MYSQL_9.render_config(&ServerSpec::default(), TLS_DIR);
        let lines: Vec<&str> = cnf.lines().collect();
        assert!(lines.contains(&"mysqlx=OFF"), "{cnf}");
        assert!(lines.contains(&"auto_generate_certs=OFF"), "{cnf}");
    }

    #[rstest]
    #[case::mysql_9("mysql-9", "mysql-tls-harness/mysql", "9")]
    #[case::mariadb_10_11("mariadb-10.11", "mysql-tls-harness/mariadb", "10.11")]
    #[case::mariadb_11_8("mariadb-11.8", "mysql-tls-harness/mariadb", "11.8")]
    fn by_name_finds_each_built_in_flavor_with_its_own_recipe(
        #[case] name: &str,
        #[case] repository: &str,
        #[case] recipe_flavor: &str,
    ) {
        let flavor = Flavor::by_name(name).expect("built-in flavor");
        assert_eq!(flavor.name, name);
        assert_eq!(
            (flavor.image.repository, flavor.image.flavor),
            (repository, recipe_flavor)
        );
        assert_eq!(flavor.user_image, None);
    }

    #[rstest]
    #[case::family_only("mysql")]
    #[case::case_differs("MySQL-9")]
    #[case::major_only("mariadb-11")]
    #[case::trailing_space("mysql-9 ")]
    #[case::empty("")]
    fn by_name_matches_exactly_and_knows_nothing_else(#[case] name: &str) {
        assert!(Flavor::by_name(name).is_none(), "`{name}` matched");
    }

    #[test]
    fn all_lists_the_flavors_in_default_matrix_order() {
        let names: Vec<&str> = Flavor::ALL.iter().map(|f| f.name).collect();
        assert_eq!(names, ["mysql-9", "mariadb-10.11", "mariadb-11.8"]);
    }

    #[test]
    fn mariadb_11_8_differs_from_10_11_only_in_name_and_image() {
        let (old, new) = (&MARIADB_10_11, &MARIADB_11_8);
        assert_eq!((old.name, new.name), ("mariadb-10.11", "mariadb-11.8"));
        assert_eq!((old.image.suite, new.image.suite), ("bookworm", "trixie"));
        assert_eq!(new.base_config, old.base_config);
        assert_eq!(new.tls_off, old.tls_off);
        assert_eq!(new.reload_sql, old.reload_sql);
        assert_eq!(new.tls_enabled_sql, old.tls_enabled_sql);
        assert_eq!(new.admin_args, old.admin_args);
    }

    #[rstest]
    #[case::mysql_9(&MYSQL_9, "mysql-tls-harness/mysql", "9-")]
    #[case::mariadb_10_11(&MARIADB_10_11, "mysql-tls-harness/mariadb", "10.11-")]
    #[case::mariadb_11_8(&MARIADB_11_8, "mysql-tls-harness/mariadb", "11.8-")]
    fn a_built_in_flavor_boots_its_recipes_repository_at_its_content_tag(
        #[case] flavor: &Flavor,
        #[case] repository: &str,
        #[case] tag_prefix: &str,
    ) {
        let (repo, tag) = flavor.image_parts();
        assert_eq!(repo, repository);
        assert_eq!(tag, flavor.image.tag());
        let hash = tag
            .strip_prefix(tag_prefix)
            .expect("tag starts with the flavor");
        assert_eq!(hash.len(), 12, "{tag}");
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{tag}");
    }

    #[test]
    fn the_two_mariadb_flavors_boot_different_images() {
        assert_ne!(MARIADB_10_11.image_parts(), MARIADB_11_8.image_parts());
    }

    #[rstest]
    #[case::name_and_tag("mysql:8.4", "mysql", "8.4")]
    #[case::no_tag_is_latest("mariadb", "mariadb", "latest")]
    #[case::registry_port_is_not_a_tag("registry:5000/mysql", "registry:5000/mysql", "latest")]
    #[case::registry_port_and_tag(
        "registry:5000/team/mysql:8.0.28",
        "registry:5000/team/mysql",
        "8.0.28"
    )]
    fn a_user_image_is_split_at_its_tag_colon(
        #[case] reference: &'static str,
        #[case] repository: &str,
        #[case] tag: &str,
    ) {
        let flavor = Flavor {
            user_image: Some(reference),
            ..MYSQL_9
        };
        assert_eq!(
            flavor.image_parts(),
            (repository.to_owned(), tag.to_owned())
        );
    }
}
