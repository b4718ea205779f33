//! Command-line clients — the `mysql` CLI (libmysqlclient, OpenSSL) and the `mariadb` CLI
//! (MariaDB Connector/C) — each run in a companion container, from the image that ships it,
//! sharing the server container's network namespace, so it dials `127.0.0.1:3306` exactly as
//! host-side clients dial the published port. How each spells the five ssl-modes is data
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
    /// DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY, in that order.
    pub modes: [ModeArgs; 5],
}

impl CliProgram {
    /// The ssl-mode mapping table: each mode's arguments, or why there is no equivalent.
    pub fn mode_table(&self) -> std::collections::BTreeMap<SslMode, crate::contract::ModeMapping> {
        use crate::contract::ModeMapping;
        SslMode::ALL
            .iter()
            .map(|&m| {
                let mapping = match self.mode(m) {
                    ModeArgs::Args(args) => ModeMapping::Options(args.join(" ")),
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
        let mode_args = match self.mode(cell.ssl_mode) {
            ModeArgs::Args(args) => args,
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
        if cell.ssl_mode != SslMode::Disabled {
            argv.push(format!("--ssl-ca={FIXTURE_DIR}/{}", cell.ca));
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
    ],
};

/// The `mariadb` CLI from MariaDB 11.8 (Debian trixie `mariadb-client-core`, Connector/C).
/// It has `--ssl`/`--skip-ssl` and `--[skip-]ssl-verify-server-cert`, no `--ssl-mode`, so
/// PREFERRED and REQUIRED map to the same arguments and VERIFY_CA has no equivalent.
pub const MARIADB_CLI: CliProgram = CliProgram {
    name: "mariadb-cli",
    image: &containers::recipes::MARIADB_11_8,
    binary: "mariadb",
    modes: [
        ModeArgs::Args(&["--skip-ssl"]),
        ModeArgs::Args(&["--ssl", "--skip-ssl-verify-server-cert"]),
        // What users write to require TLS without verification. Observed: against a server
        // without TLS it connects in plaintext, i.e. it behaves like PREFERRED; the snapshots show it.
        ModeArgs::Args(&["--ssl", "--skip-ssl-verify-server-cert"]),
        ModeArgs::Unsupported(
            "--ssl-verify-server-cert checks chain and host name together; no CA-only mode",
        ),
        ModeArgs::Args(&["--ssl", "--ssl-verify-server-cert"]),
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
        let run = self.exec(argv);
        let Ok(result) = tokio::time::timeout(cell.timeout, run).await else {
            return Ok(Outcome::Hang {
                after_ms: cell.timeout.as_millis() as u64,
            });
        };
        let (code, stdout, stderr) = result?;
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
