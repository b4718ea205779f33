//! Command-line clients — the `mysql` CLI (libmysqlclient, OpenSSL) and the `mariadb` CLI
//! (MariaDB Connector/C) — each run in a companion container, from the image that ships it,
//! sharing the server container's network namespace, so it dials `127.0.0.1:3306` exactly as
//! host-side clients dial the published port. How each spells the ssl-modes is data
//! ([`CliProgram::modes`]), shown in the README.

use crate::Endpoint;
use crate::{Cell, Error};
use certgen::FixtureFile;
use containers::{Container, FIXTURE_DIR, RunLabels};
use outcome::{Outcome, TlsInfo, classify, redact};
use regex::Regex;
use scenario::SslMode;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// `ERROR 2026 (HY000): SSL connection error: …` as printed by the mysql CLI.
static ERROR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^ERROR (\d+) \(([0-9A-Z]{5})\)(?: at line \d+)?: (.*)$").expect("valid regex")
});

const STATUS_SQL: &str = "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')";
const OPTION_FILE: &str = "/etc/mysql/client.cnf";

/// How a CLI expresses one ssl-mode.
#[derive(Debug, Clone, Copy)]
pub enum ModeArgs {
    /// These arguments (plus the CA/cert/key/CRL/TLS-version options in every TLS mode).
    Args(&'static [&'static str]),
    /// These arguments plus the usual options, and what the row really does (measured), for
    /// the mode table: e.g. a row users write for REQUIRED that falls back to plaintext.
    Noted(&'static [&'static str], &'static str),
    /// These arguments with the cert/key/CRL/TLS-version options but no `--ssl-ca`, and why
    /// (for the mode table): e.g. Connector/C verifies whenever it is given a CA.
    WithoutCa(&'static [&'static str], &'static str),
    /// The client has no equivalent; the reason is recorded as `Outcome::Unsupported`.
    Unsupported(&'static str),
}

/// A command-line client as data: where it comes from and how it spells the ssl-modes.
#[derive(Debug)]
pub struct CliProgram {
    /// Name in snapshots, e.g. `mysql-cli`.
    pub name: &'static str,
    /// Image that ships the binary (independent of the server flavor under test).
    pub image: &'static containers::ImageRecipe,
    /// The executable.
    pub binary: &'static str,
    /// DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY, DEFAULT, in that order
    /// ([`SslMode::ALL`]).
    pub modes: [ModeArgs; 6],
}

impl CliProgram {
    /// The ssl-mode mapping table: each mode's arguments, or why there is no equivalent.
    pub fn mode_table(&self) -> std::collections::BTreeMap<SslMode, crate::contract::ModeMapping> {
        use crate::contract::ModeMapping;
        SslMode::ALL
            .iter()
            .map(|&m| {
                let ca = if m.takes_tls_options() {
                    " --ssl-ca=CA"
                } else {
                    ""
                };
                let mapping = match self.mode(m) {
                    ModeArgs::Args([]) => {
                        ModeMapping::Options("no --ssl option (the client's default)".to_owned())
                    }
                    ModeArgs::Args(args) => ModeMapping::Options(format!("{}{ca}", args.join(" "))),
                    ModeArgs::Noted(args, note) => {
                        ModeMapping::Options(format!("{}{ca} ({note})", args.join(" ")))
                    }
                    ModeArgs::WithoutCa(args, why) => {
                        ModeMapping::Options(format!("{} ({why})", args.join(" ")))
                    }
                    ModeArgs::Unsupported(why) => ModeMapping::Unsupported(why.to_owned()),
                };
                (m, mapping)
            })
            .collect()
    }

    /// The argv for one cell, run inside the client's container where the fixture files are
    /// under [`FIXTURE_DIR`] and the password in [`OPTION_FILE`]: option file first (it must
    /// be), TCP forced (`localhost` would otherwise mean the Unix socket), the CA given in every
    /// TLS mode as a user's config would, then the session's TLS status query.
    ///
    /// Errors: the reason this client has no equivalent of the cell's ssl-mode.
    pub fn argv(&self, cell: &Cell) -> Result<Vec<String>, &'static str> {
        let (mode_args, with_ca) = match self.mode(cell.ssl_mode) {
            ModeArgs::Args(args) | ModeArgs::Noted(args, _) => (args, true),
            ModeArgs::WithoutCa(args, _) => (args, false),
            ModeArgs::Unsupported(reason) => return Err(reason),
        };
        let mut argv = vec![
            self.binary.to_owned(),
            format!("--defaults-extra-file={OPTION_FILE}"),
            "--protocol=TCP".to_owned(),
            format!("--host={}", cell.host),
            "--port=3306".to_owned(),
            format!("--user={}", cell.user),
            format!("--connect-timeout={}", cell.timeout.as_secs().max(1)),
        ];
        argv.extend(mode_args.iter().map(|a| (*a).to_owned()));
        if cell.ssl_mode.takes_tls_options() {
            if with_ca {
                argv.push(format!("--ssl-ca={FIXTURE_DIR}/{}", cell.ca));
            }
            if let Some(crl) = &cell.crl {
                argv.push(format!("--ssl-crl={FIXTURE_DIR}/{crl}"));
            }
            if let Some((cert, key)) = &cell.identity {
                argv.push(format!("--ssl-cert={FIXTURE_DIR}/{cert}"));
                argv.push(format!("--ssl-key={FIXTURE_DIR}/{key}"));
            }
            if let Some(version) = &cell.tls_version {
                argv.push(format!("--tls-version={version}"));
            }
        }
        argv.extend(["-N", "-B", "-e", STATUS_SQL].map(str::to_owned));
        Ok(argv)
    }

    /// The outcome of one run of [`Self::argv`]: exit 0 is `connected` with the TLS status it
    /// printed; otherwise the `ERROR n (state): message` line (or the last stderr line),
    /// classified and redacted.
    pub fn outcome(&self, exit: Option<i64>, stdout: &str, stderr: &str) -> Outcome {
        if exit == Some(0) {
            return Outcome::Connected {
                tls: parse_status(stdout),
            };
        }
        parse_failure(self.binary, exit, stderr)
    }

    /// The option file every cell's argv reads: its path in the client container and its
    /// contents (the password, kept off the command line).
    pub fn option_file(password: &str) -> (&'static str, String) {
        (OPTION_FILE, format!("[client]\npassword={password}\n"))
    }

    /// How this client spells `mode`.
    pub fn mode(&self, mode: SslMode) -> ModeArgs {
        let index = SslMode::ALL
            .iter()
            .position(|m| *m == mode)
            .unwrap_or_default();
        self.modes[index]
    }
}

/// The `mysql` CLI from MySQL 9 (Debian sid `mysql-client-core`): `--ssl-mode` as MySQL defines it.
pub const MYSQL_CLI: CliProgram = CliProgram {
    name: "mysql-cli",
    image: &containers::recipes::MYSQL_9,
    binary: "mysql",
    modes: [
        ModeArgs::Args(&["--ssl-mode=DISABLED"]),
        ModeArgs::Args(&["--ssl-mode=PREFERRED"]),
        ModeArgs::Args(&["--ssl-mode=REQUIRED"]),
        ModeArgs::Args(&["--ssl-mode=VERIFY_CA"]),
        ModeArgs::Args(&["--ssl-mode=VERIFY_IDENTITY"]),
        // No --ssl* option; the image has no option file that sets one (the client reads only
        // its compiled-in defaults plus the password file).
        ModeArgs::Args(&[]),
    ],
};

/// The `mariadb` CLI from MariaDB 11.8 (Debian trixie `mariadb-client-core`, Connector/C).
/// It has `--ssl`/`--skip-ssl` and `--[skip-]ssl-verify-server-cert`, no `--ssl-mode`:
/// PREFERRED and REQUIRED are the same arguments, PREFERRED without a CA (Connector/C verifies
/// whenever it has one, even with verification off: plugins/auth/my_auth.c fails on a
/// verification error when `ssl_ca` or `ssl_capath` is set), and VERIFY_CA has no equivalent.
pub const MARIADB_CLI: CliProgram = CliProgram {
    name: "mariadb-cli",
    image: &containers::recipes::MARIADB_11_8,
    binary: "mariadb",
    modes: [
        ModeArgs::Args(&["--skip-ssl"]),
        ModeArgs::WithoutCa(
            &["--ssl", "--skip-ssl-verify-server-cert"],
            "no --ssl-ca: given a CA, Connector/C verifies even with verification off",
        ),
        // What users write to require TLS without verification.
        ModeArgs::Noted(
            &["--ssl", "--skip-ssl-verify-server-cert"],
            "measured: with a CA, chain and name checked (the name not for the host strings \
             127.0.0.1 and ::1); plaintext when the server has no TLS",
        ),
        ModeArgs::Unsupported(
            "--ssl-verify-server-cert checks chain and host name together; no CA-only mode",
        ),
        ModeArgs::Args(&["--ssl", "--ssl-verify-server-cert"]),
        // No --ssl* option; the image has no option file that sets one.
        ModeArgs::Args(&[]),
    ],
};

/// A command-line client bound to one server. Dropping it removes its container.
pub struct Cli {
    container: Container,
    program: &'static CliProgram,
}

impl Cli {
    /// Starts `program`'s companion container (its own image, whatever the server's flavor,
    /// in the network namespace of `endpoint`) with the client's view of the fixture files
    /// (`files`, after any reload) under [`FIXTURE_DIR`] and the password in an option file.
    /// Errors: [`Error::Docker`].
    pub async fn start(
        program: &'static CliProgram,
        endpoint: &Endpoint,
        files: &BTreeMap<String, FixtureFile>,
        password: &str,
        labels: &RunLabels,
    ) -> Result<Self, Error> {
        let option_file = CliProgram::option_file(password).1.into_bytes();
        let container = crate::companion::start(
            program.name,
            program.image,
            Some(endpoint),
            files,
            vec![(OPTION_FILE.to_owned(), option_file)],
            labels,
        )
        .await?;
        Ok(Cli { container, program })
    }

    /// Makes the container's fixture directory hold exactly `files` (fast path).
    /// Errors: [`Error::Docker`].
    pub async fn replace_files(&self, files: &BTreeMap<String, FixtureFile>) -> Result<(), Error> {
        self.container
            .replace_dir(FIXTURE_DIR, files)
            .await
            .map_err(|source| Error::Docker {
                what: format!("swapping fixtures in the {} container", self.program.name),
                source,
            })
    }

    /// Name in snapshots.
    pub fn name(&self) -> &'static str {
        self.program.name
    }

    /// The CLI's own version line, e.g. `mysql  Ver 9.7.4-2 for Linux on x86_64 (Debian)`.
    pub async fn version(&self) -> Result<String, Error> {
        let (code, stdout, stderr) = self
            .exec(vec![self.program.binary.to_owned(), "--version".to_owned()])
            .await?;
        if code != Some(0) {
            return Err(Error::Container {
                what: format!("{} --version", self.program.binary),
                detail: stderr,
            });
        }
        Ok(stdout.trim().to_owned())
    }

    /// One attempt. Errors only when Docker itself fails.
    pub async fn attempt(&self, cell: &Cell) -> Result<Outcome, Error> {
        let argv = match self.program.argv(cell) {
            Ok(argv) => argv,
            Err(reason) => {
                return Ok(Outcome::Unsupported {
                    reason: reason.to_owned(),
                });
            }
        };
        // The CLI gets `--connect-timeout` = the cell timeout; the same grace as a driver's
        // lets one that honours it answer before the harness calls the cell a hang (and the
        // container's agent kills it).
        let ran = self
            .container
            .exec_bounded(argv, cell.timeout + crate::HANG_GRACE)
            .await
            .map_err(|source| Error::Docker {
                what: format!("exec {} in its container", self.program.binary),
                source,
            })?;
        let Some((code, stdout, stderr)) = ran else {
            return Ok(Outcome::Hang {
                after_ms: cell.timeout.as_millis() as u64,
            });
        };
        Ok(self.program.outcome(code, &stdout, &stderr))
    }

    async fn exec(&self, argv: Vec<String>) -> Result<(Option<i64>, String, String), Error> {
        self.container
            .exec(argv)
            .await
            .map_err(|source| Error::Docker {
                what: format!("exec {} in its container", self.program.binary),
                source,
            })
    }
}

/// `Ssl_cipher\t…` / `Ssl_version\t…` rows → TLS info; empty values mean plaintext.
fn parse_status(stdout: &str) -> Option<TlsInfo> {
    let value = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix('\t')))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Some(TlsInfo {
        version: value("Ssl_version")?,
        cipher: value("Ssl_cipher")?,
    })
}

/// The CLI's `ERROR n (state): message` line, or its last stderr line when there is none.
fn parse_failure(binary: &str, exit: Option<i64>, stderr: &str) -> Outcome {
    let raw_type = format!(
        "{binary} CLI exit {}",
        exit.map_or("?".to_owned(), |c| c.to_string())
    );
    let found = stderr.lines().find_map(|l| ERROR_LINE.captures(l.trim()));
    let (code, sqlstate, message) = match found {
        Some(c) => (c[1].parse().ok(), Some(c[2].to_owned()), c[3].to_owned()),
        None => (
            None,
            None,
            stderr.lines().last().unwrap_or("(no output)").to_owned(),
        ),
    };
    Outcome::Failed {
        code,
        sqlstate,
        kind: classify(code, &message),
        message: redact(&message),
        raw_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use outcome::FailureKind;
    use rstest::rstest;
    use std::time::Duration;

    /// A cell as the harness builds it for a scenario without client files.
    fn cell(ssl_mode: SslMode) -> Cell {
        Cell {
            ssl_mode,
            host: "127.0.0.1".into(),
            ca: "ca.pem".into(),
            crl: None,
            identity: None,
            pkcs12: None,
            tls_version: None,
            user: "harness".into(),
            password: "harness-password".into(),
            timeout: Duration::from_secs(10),
        }
    }

    /// A cell with every client-side TLS file and option given.
    fn cell_with_files(ssl_mode: SslMode) -> Cell {
        Cell {
            ca: "chain.pem".into(),
            crl: Some("crl.pem".into()),
            identity: Some(("client-cert.pem".into(), "client-key.pem".into())),
            pkcs12: Some(certgen::PKCS12_FILE.into()),
            tls_version: Some("TLSv1.2".into()),
            ..cell(ssl_mode)
        }
    }

    /// The arguments `argv` puts between the fixed prefix (binary, option file, protocol,
    /// host, port, user, connect timeout: 7 entries) and the status query (last 4).
    fn tls_part(argv: &[String]) -> Vec<&str> {
        argv[7..argv.len() - 4].iter().map(String::as_str).collect()
    }

    #[test]
    fn mysql_cli_argv_is_option_file_tcp_host_port_user_timeout_mode_ca_then_status_query() {
        let argv = MYSQL_CLI.argv(&cell(SslMode::Required)).expect("supported");
        assert_eq!(
            argv,
            [
                "mysql",
                "--defaults-extra-file=/etc/mysql/client.cnf",
                "--protocol=TCP",
                "--host=127.0.0.1",
                "--port=3306",
                "--user=harness",
                "--connect-timeout=10",
                "--ssl-mode=REQUIRED",
                "--ssl-ca=/etc/mysql/tls/ca.pem",
                "-N",
                "-B",
                "-e",
                "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')",
            ]
        );
    }

    #[rstest]
    #[case::disabled(SslMode::Disabled, &["--ssl-mode=DISABLED"])]
    #[case::preferred(SslMode::Preferred, &["--ssl-mode=PREFERRED", "--ssl-ca=/etc/mysql/tls/ca.pem"])]
    #[case::required(SslMode::Required, &["--ssl-mode=REQUIRED", "--ssl-ca=/etc/mysql/tls/ca.pem"])]
    #[case::verify_ca(SslMode::VerifyCa, &["--ssl-mode=VERIFY_CA", "--ssl-ca=/etc/mysql/tls/ca.pem"])]
    #[case::verify_identity(
        SslMode::VerifyIdentity,
        &["--ssl-mode=VERIFY_IDENTITY", "--ssl-ca=/etc/mysql/tls/ca.pem"]
    )]
    #[case::default_has_no_tls_option_at_all(SslMode::Default, &[])]
    fn mysql_cli_spells_each_ssl_mode_as_its_ssl_mode_option(
        #[case] mode: SslMode,
        #[case] expected: &[&str],
    ) {
        let argv = MYSQL_CLI
            .argv(&cell(mode))
            .expect("the mysql CLI has every mode");
        assert_eq!(argv[0], "mysql");
        assert_eq!(tls_part(&argv), expected);
    }

    #[rstest]
    #[case::disabled(SslMode::Disabled, &["--skip-ssl"])]
    #[case::preferred_has_no_ca(SslMode::Preferred, &["--ssl", "--skip-ssl-verify-server-cert"])]
    #[case::required_is_preferred_with_a_ca(
        SslMode::Required,
        &["--ssl", "--skip-ssl-verify-server-cert", "--ssl-ca=/etc/mysql/tls/ca.pem"]
    )]
    #[case::verify_identity(
        SslMode::VerifyIdentity,
        &["--ssl", "--ssl-verify-server-cert", "--ssl-ca=/etc/mysql/tls/ca.pem"]
    )]
    #[case::default_has_no_tls_option_at_all(SslMode::Default, &[])]
    fn mariadb_cli_spells_each_supported_ssl_mode_with_its_ssl_switches(
        #[case] mode: SslMode,
        #[case] expected: &[&str],
    ) {
        let argv = MARIADB_CLI.argv(&cell(mode)).expect("supported");
        assert_eq!(argv[0], "mariadb");
        assert_eq!(argv[1], "--defaults-extra-file=/etc/mysql/client.cnf");
        assert_eq!(tls_part(&argv), expected);
        assert!(
            !argv.iter().any(|a| a.starts_with("--ssl-mode")),
            "Connector/C's CLI has no --ssl-mode: {argv:?}"
        );
    }

    #[test]
    fn mariadb_cli_has_no_verify_ca_and_says_why() {
        let reason = MARIADB_CLI
            .argv(&cell(SslMode::VerifyCa))
            .expect_err("no CA-only mode");
        assert!(reason.contains("--ssl-verify-server-cert"), "{reason}");
        assert!(matches!(
            MARIADB_CLI.mode(SslMode::VerifyCa),
            ModeArgs::Unsupported(r) if r == reason
        ));
    }

    #[test]
    fn mode_tables_mark_only_mariadb_verify_ca_unsupported() {
        use crate::contract::ModeMapping;
        let unsupported = |program: &CliProgram| -> Vec<SslMode> {
            program
                .mode_table()
                .into_iter()
                .filter(|(_, m)| matches!(m, ModeMapping::Unsupported(_)))
                .map(|(mode, _)| mode)
                .collect()
        };
        assert_eq!(unsupported(&MYSQL_CLI), []);
        assert_eq!(unsupported(&MARIADB_CLI), [SslMode::VerifyCa]);
        assert_eq!(
            MARIADB_CLI.mode_table().get(&SslMode::VerifyIdentity),
            Some(&ModeMapping::Options(
                "--ssl --ssl-verify-server-cert --ssl-ca=CA".to_owned()
            ))
        );
        assert_eq!(MYSQL_CLI.mode_table().len(), 6);
        assert_eq!(
            MYSQL_CLI.mode_table().get(&SslMode::Default),
            Some(&ModeMapping::Options(
                "no --ssl option (the client's default)".to_owned()
            ))
        );
    }

    #[rstest]
    #[case::mysql_preferred(&MYSQL_CLI, SslMode::Preferred)]
    #[case::mysql_required(&MYSQL_CLI, SslMode::Required)]
    #[case::mysql_verify_ca(&MYSQL_CLI, SslMode::VerifyCa)]
    #[case::mysql_verify_identity(&MYSQL_CLI, SslMode::VerifyIdentity)]
    #[case::mariadb_preferred(&MARIADB_CLI, SslMode::Preferred)]
    #[case::mariadb_required(&MARIADB_CLI, SslMode::Required)]
    #[case::mariadb_verify_identity(&MARIADB_CLI, SslMode::VerifyIdentity)]
    fn tls_modes_pass_ca_crl_identity_and_tls_version_under_the_fixture_dir(
        #[case] program: &CliProgram,
        #[case] mode: SslMode,
    ) {
        let argv = program.argv(&cell_with_files(mode)).expect("supported");
        let (mode_args, with_ca) = match program.mode(mode) {
            ModeArgs::Args(args) | ModeArgs::Noted(args, _) => (args, true),
            ModeArgs::WithoutCa(args, _) => (args, false),
            ModeArgs::Unsupported(_) => panic!("{mode} is supported"),
        };
        let tls = tls_part(&argv);
        assert_eq!(&tls[..mode_args.len()], mode_args);
        let ca = with_ca.then_some("--ssl-ca=/etc/mysql/tls/chain.pem");
        let rest: Vec<&str> = ca
            .into_iter()
            .chain([
                "--ssl-crl=/etc/mysql/tls/crl.pem",
                "--ssl-cert=/etc/mysql/tls/client-cert.pem",
                "--ssl-key=/etc/mysql/tls/client-key.pem",
                "--tls-version=TLSv1.2",
            ])
            .collect();
        assert_eq!(tls[mode_args.len()..], rest);
    }

    #[rstest]
    #[case::mysql(&MYSQL_CLI, SslMode::Disabled, &["--ssl-mode=DISABLED"])]
    #[case::mariadb(&MARIADB_CLI, SslMode::Disabled, &["--skip-ssl"])]
    #[case::mysql_default(&MYSQL_CLI, SslMode::Default, &[])]
    #[case::mariadb_default(&MARIADB_CLI, SslMode::Default, &[])]
    fn disabled_and_default_pass_no_tls_files_or_version_even_when_the_cell_has_them(
        #[case] program: &CliProgram,
        #[case] mode: SslMode,
        #[case] expected: &[&str],
    ) {
        let argv = program.argv(&cell_with_files(mode)).expect("supported");
        assert_eq!(tls_part(&argv), expected);
        assert!(
            !argv
                .iter()
                .any(|a| a.contains("/etc/mysql/tls") || a.starts_with("--tls-version")),
            "{argv:?}"
        );
        assert!(
            !argv
                .iter()
                .any(|a| a.contains("/etc/mysql/tls") || a.starts_with("--tls-version")),
            "{argv:?}"
        );
    }

    #[rstest]
    #[case::mysql(&MYSQL_CLI)]
    #[case::mariadb(&MARIADB_CLI)]
    fn host_and_user_come_from_the_cell_and_the_port_is_the_servers_own(
        #[case] program: &CliProgram,
    ) {
        let cell = Cell {
            host: "localhost".into(),
            user: "tls_account".into(),
            ..cell(SslMode::VerifyIdentity)
        };
        let argv = program.argv(&cell).expect("supported");
        assert_eq!(
            argv[2..6],
            [
                "--protocol=TCP",
                "--host=localhost",
                "--port=3306",
                "--user=tls_account"
            ]
        );
    }

    #[rstest]
    #[case::mysql(&MYSQL_CLI)]
    #[case::mariadb(&MARIADB_CLI)]
    fn the_password_stays_off_the_command_line(#[case] program: &CliProgram) {
        let cell = Cell {
            password: "s3cret-test-password".into(),
            ..cell_with_files(SslMode::Required)
        };
        let argv = program.argv(&cell).expect("supported");
        assert!(
            !argv.iter().any(|a| a.contains("s3cret-test-password")),
            "{argv:?}"
        );
        assert!(
            !argv.iter().any(|a| a.starts_with("--password")),
            "{argv:?}"
        );
    }

    #[test]
    fn the_option_file_holds_the_password_in_the_client_group() {
        assert_eq!(
            CliProgram::option_file("pw"),
            (
                "/etc/mysql/client.cnf",
                "[client]\npassword=pw\n".to_owned()
            )
        );
    }

    #[rstest]
    #[case::whole_seconds(Duration::from_secs(10), "--connect-timeout=10")]
    #[case::fractions_are_dropped(Duration::from_millis(2_500), "--connect-timeout=2")]
    #[case::below_a_second_is_one(Duration::from_millis(300), "--connect-timeout=1")]
    #[case::zero_is_one(Duration::ZERO, "--connect-timeout=1")]
    fn connect_timeout_is_the_cell_timeout_in_whole_seconds_at_least_one(
        #[case] timeout: Duration,
        #[case] expected: &str,
    ) {
        let argv = MYSQL_CLI
            .argv(&Cell {
                timeout,
                ..cell(SslMode::Required)
            })
            .expect("supported");
        assert_eq!(argv[6], expected);
    }

    #[rstest]
    #[case::cipher_first(
        "Ssl_cipher\tTLS_AES_128_GCM_SHA256\nSsl_version\tTLSv1.3\n",
        "TLSv1.3",
        "TLS_AES_128_GCM_SHA256"
    )]
    #[case::version_first(
        "Ssl_version\tTLSv1.2\nSsl_cipher\tECDHE-RSA-AES256-GCM-SHA384\n",
        "TLSv1.2",
        "ECDHE-RSA-AES256-GCM-SHA384"
    )]
    fn exit_zero_with_ssl_status_is_connected_with_that_tls(
        #[values(&MYSQL_CLI, &MARIADB_CLI)] program: &CliProgram,
        #[case] stdout: &str,
        #[case] version: &str,
        #[case] cipher: &str,
    ) {
        assert_eq!(
            program.outcome(Some(0), stdout, ""),
            Outcome::Connected {
                tls: Some(TlsInfo {
                    version: version.into(),
                    cipher: cipher.into(),
                })
            }
        );
    }

    #[rstest]
    #[case::empty_values("Ssl_cipher\t\nSsl_version\t\n")]
    #[case::no_rows("")]
    fn exit_zero_without_a_full_ssl_status_is_connected_in_plaintext(#[case] stdout: &str) {
        assert_eq!(
            MYSQL_CLI.outcome(Some(0), stdout, "mysql: [Warning] anything"),
            Outcome::Connected { tls: None }
        );
    }

    #[rstest]
    #[case::mysql_verification(
        &MYSQL_CLI,
        "mysql: [Warning] Using a password on the command line interface can be insecure.\n\
         ERROR 2026 (HY000): SSL connection error: error:0A000086:SSL routines::certificate verify failed\n",
        2026,
        "HY000",
        FailureKind::Verification,
        "SSL connection error: error:0A000086:SSL routines::certificate verify failed",
        "mysql CLI exit 1"
    )]
    #[case::mariadb_server_without_tls(
        &MARIADB_CLI,
        "ERROR 2026 (HY000): TLS/SSL error: SSL is required, but the server does not support it\n",
        2026,
        "HY000",
        FailureKind::ServerNoTls,
        "TLS/SSL error: SSL is required, but the server does not support it",
        "mariadb CLI exit 1"
    )]
    #[case::at_line_suffix_and_client_ip_redacted(
        &MYSQL_CLI,
        "ERROR 1045 (28000) at line 1: Access denied for user 'harness'@'172.17.0.5' (using password: YES)\n",
        1045,
        "28000",
        FailureKind::Auth,
        "Access denied for user 'harness'@'<client-ip>' (using password: YES)",
        "mysql CLI exit 1"
    )]
    #[case::port_redacted(
        &MYSQL_CLI,
        "ERROR 2003 (HY000): Can't connect to MySQL server on '127.0.0.1:3306' (111)\n",
        2003,
        "HY000",
        FailureKind::Transport,
        "Can't connect to MySQL server on '127.0.0.1:<port>' (111)",
        "mysql CLI exit 1"
    )]
    fn an_error_line_on_stderr_is_a_classified_redacted_failure(
        #[case] program: &CliProgram,
        #[case] stderr: &str,
        #[case] code: u16,
        #[case] sqlstate: &str,
        #[case] kind: FailureKind,
        #[case] message: &str,
        #[case] raw_type: &str,
    ) {
        assert_eq!(
            program.outcome(Some(1), "", stderr),
            Outcome::Failed {
                code: Some(code),
                sqlstate: Some(sqlstate.into()),
                message: message.into(),
                kind,
                raw_type: raw_type.into(),
            }
        );
    }

    #[test]
    fn a_nonzero_exit_is_a_failure_even_when_stdout_has_a_tls_status() {
        let outcome = MYSQL_CLI.outcome(
            Some(1),
            "Ssl_cipher\tTLS_AES_128_GCM_SHA256\nSsl_version\tTLSv1.3\n",
            "ERROR 2013 (HY000): Lost connection to MySQL server at 'reading initial communication packet', system error: 0\n",
        );
        assert!(
            matches!(
                outcome,
                Outcome::Failed {
                    code: Some(2013),
                    kind: FailureKind::Transport,
                    ..
                }
            ),
            "{outcome:?}"
        );
    }

    #[test]
    fn a_failure_without_an_error_line_keeps_the_last_stderr_line() {
        let stderr = "mariadb: unknown variable 'ssl-mode=REQUIRED'\n\
                      mariadb: some other line\n\
                      mariadb: unknown option '--tls-version=TLSv9'\n";
        assert_eq!(
            MARIADB_CLI.outcome(Some(7), "", stderr),
            Outcome::Failed {
                code: None,
                sqlstate: None,
                message: "mariadb: unknown option '--tls-version=TLSv9'".into(),
                kind: FailureKind::Other,
                raw_type: "mariadb CLI exit 7".into(),
            }
        );
    }

    #[test]
    fn a_failure_with_no_exit_code_and_no_output_says_so() {
        assert_eq!(
            MYSQL_CLI.outcome(None, "", ""),
            Outcome::Failed {
                code: None,
                sqlstate: None,
                message: "(no output)".into(),
                kind: FailureKind::Other,
                raw_type: "mysql CLI exit ?".into(),
            }
        );
    }

    #[test]
    fn parses_the_error_line_among_warnings() {
        let stderr = "mysql: [Warning] Using a password on the command line interface can be insecure.\n\
                      ERROR 2026 (HY000): SSL connection error: error:0A000086:SSL routines::certificate verify failed\n";
        let Outcome::Failed {
            code,
            sqlstate,
            message,
            kind,
            ..
        } = parse_failure("mysql", Some(1), stderr)
        else {
            panic!("expected a failure");
        };
        assert_eq!((code, sqlstate.as_deref()), (Some(2026), Some("HY000")));
        assert_eq!(
            message,
            "SSL connection error: error:0A000086:SSL routines::certificate verify failed"
        );
        assert_eq!(kind, outcome::FailureKind::Verification);
    }

    #[test]
    fn empty_ssl_status_means_plaintext() {
        assert_eq!(parse_status("Ssl_cipher\t\nSsl_version\t\n"), None);
        let tls = parse_status("Ssl_cipher\tTLS_AES_128_GCM_SHA256\nSsl_version\tTLSv1.3\n")
            .expect("tls");
        assert_eq!(tls.version, "TLSv1.3");
    }
}
