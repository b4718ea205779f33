//! `cargo xtask repro`: turn a customer's report into a scenario (`new`) and a scenario into a
//! directory that reproduces it anywhere with plain docker (`bundle`).

use anyhow::{Context, bail};
use servers::Flavor;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Scaffold `scenarios/reports/<NAME>.toml` with every field present and commented. With
    /// `--from-report FILE` (an issue or ticket saved as text), `source` is its first URL,
    /// `reported` its first error line (verbatim), and the certificates start from the defect
    /// that line suggests (expired, hostname, wrong CA, TLS off, TLS version).
    New {
        /// File stem, e.g. `acme-renewal-2026`.
        name: String,
        /// The report as text.
        #[arg(long, value_name = "FILE")]
        from_report: Option<PathBuf>,
        /// Directory to write into; default `scenarios/reports`.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write a self-contained directory reproducing one scenario on one flavor with plain
    /// docker: fixtures, my.cnf, run.sh, README (expected vs observed), per-cell commands.
    Bundle {
        /// Scenario id or path, e.g. `reports/azure-root-changed`.
        scenario: String,
        /// Output directory (new or empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Flavor whose image and my.cnf the bundle uses; default the scenario's first.
        #[arg(long)]
        flavor: Option<String>,
    },
}

pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::New {
            name,
            from_report,
            dir,
        } => new(&name, from_report.as_deref(), dir),
        Command::Bundle {
            scenario,
            out,
            flavor,
        } => bundle(&scenario, &out, flavor.as_deref()),
    }
}

fn bundle(id: &str, out: &Path, flavor: Option<&str>) -> anyhow::Result<()> {
    let root = harness::scenarios_root();
    let path = scenario_path(&root, id)?;
    let scenario = scenario::load(&root, &path)?;
    let flavors = harness::flavors_of(&scenario)?;
    let flavor: &'static Flavor = match flavor {
        Some(name) => {
            let f = Flavor::by_name(name).with_context(|| format!("unknown flavor `{name}`"))?;
            if !harness::runs_on(&scenario, f) {
                bail!(
                    "scenario `{}` does not run on {name} (its server.flavors)",
                    scenario.id
                );
            }
            f
        }
        None => flavors
            .first()
            .copied()
            .context("the scenario names no flavor")?,
    };
    let ctx = harness::RunContext::new()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let bundled: Vec<clients::DriverSpec> = ctx
        .drivers
        .iter()
        .filter(|d| d.runs_on == clients::RunsOn::ClientsImage)
        .cloned()
        .collect();
    let tables = runtime
        .block_on(harness::ssl_mode_tables(&bundled, &ctx.labels))
        .context(
            "reading the drivers' ssl-mode tables (needs the clients image: `cargo xtask images`)",
        )?;
    let snapshot = harness::committed_snapshot(&scenario.id, flavor.name);
    let cells = harness::write_bundle(
        &scenario,
        flavor,
        ctx.now,
        out,
        &ctx.drivers,
        &tables,
        snapshot.as_deref(),
    )?;
    println!(
        "wrote {}: {} cells of `{}` on {}; run it with {}/run.sh (README.md says what to expect)",
        out.display(),
        cells.len(),
        scenario.id,
        flavor.name,
        out.display()
    );
    Ok(())
}

/// The scenario file for an id (`basic/valid`), a path, or a unique substring of an id.
fn scenario_path(root: &Path, id: &str) -> anyhow::Result<PathBuf> {
    let exact = root.join(format!(
        "{}.toml",
        id.trim_start_matches("scenarios/")
            .trim_end_matches(".toml")
    ));
    if exact.is_file() {
        return Ok(exact);
    }
    let hits = crate::matrix::select(root, &[id.to_owned()], false)?;
    match hits.as_slice() {
        [one] => Ok(one.clone()),
        many => bail!(
            "`{id}` matches {} scenarios; give one id, e.g. {}",
            many.len(),
            many.iter()
                .take(3)
                .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// What a report's error line suggests, as a starting point for the certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suggested {
    Healthy,
    Expired,
    HostnameMismatch,
    WrongCa,
    ServerTlsOff,
    TlsVersion,
}

fn suggest(reported: &str) -> Suggested {
    let t = reported.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if any(&["expired", "not yet valid", "certificate_expired"]) {
        Suggested::Expired
    } else if any(&[
        "hostname",
        "host name",
        "ip address mismatch",
        "doesn't match",
        "does not match",
        "not valid for",
        "subject alternative",
        "san ",
        "ip sans",
        "identity",
    ]) {
        Suggested::HostnameMismatch
    } else if any(&[
        "ssl is required but the server doesn't support it",
        "server does not support ssl",
        "doesn't support ssl",
        "does not support tls",
        "server doesn't support",
    ]) {
        Suggested::ServerTlsOff
    } else if any(&[
        "protocol version",
        "unsupported protocol",
        "wrong version number",
        "no protocols available",
        "protocol_version",
    ]) {
        Suggested::TlsVersion
    } else if any(&[
        "unable to get local issuer",
        "self-signed",
        "self signed",
        "unknown ca",
        "unknown authority",
        "certificate verify failed",
        "unable to find valid certification path",
        "pkix",
        "untrusted",
        "unknownissuer",
    ]) {
        Suggested::WrongCa
    } else {
        Suggested::Healthy
    }
}

/// Lines that look like the error a reporter saw.
fn error_line(text: &str) -> Option<String> {
    let re = regex::Regex::new(
        r"(?i)(ERROR \d{4}|SSL connection error|certificate verify failed|SSL is required|TLS/SSL error|x509:|SSLHandshakeException|CERTIFICATE_VERIFY_FAILED|tls: |Access denied|handshake failure|unable to get local issuer|self[- ]signed certificate|certificate has expired)",
    )
    .ok()?;
    text.lines()
        .map(|l| l.trim().trim_start_matches(['>', '$', '#', ' ']).trim())
        .find(|l| re.is_match(l) && l.len() <= 400)
        .map(str::to_owned)
}

fn first_url(text: &str) -> Option<String> {
    let re = regex::Regex::new(r#"https?://[^\s<>"')\]]+"#).ok()?;
    re.find(text)
        .map(|m| m.as_str().trim_end_matches(['.', ',']).to_owned())
}

fn toml_string(text: &str) -> String {
    let mut s = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\t' => s.push_str("\\t"),
            c if c.is_control() => {}
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

fn new(name: &str, from_report: Option<&Path>, dir: Option<PathBuf>) -> anyhow::Result<()> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        bail!("`{name}`: use letters, digits, `-` and `_` (it becomes the file stem)");
    }
    let root = harness::scenarios_root();
    let dir = dir.unwrap_or_else(|| root.join("reports"));
    let path = dir.join(format!("{name}.toml"));
    if path.exists() {
        bail!("{} exists; pick another name", path.display());
    }
    let report = match from_report {
        Some(file) => Some(
            std::fs::read_to_string(file)
                .with_context(|| format!("reading the report {}", file.display()))?,
        ),
        None => None,
    };
    let source = report.as_deref().and_then(first_url);
    let reported = report.as_deref().and_then(error_line);
    let suggested = reported.as_deref().map_or(Suggested::Healthy, suggest);
    let text = scaffold(source.as_deref(), reported.as_deref(), suggested);
    scenario::parse(&path, &text).context("the scaffold does not parse (a bug in `repro new`)")?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    let run = match path.strip_prefix(&root) {
        Ok(rel) => format!("`cargo xtask matrix {}`", rel.with_extension("").display()),
        Err(_) => "move it under scenarios/ and run `cargo xtask matrix <id>`".to_owned(),
    };
    println!(
        "wrote {} (starting point: {suggested:?}); edit it, then {run}",
        path.display()
    );
    if from_report.is_some() && reported.is_none() {
        println!("no error line found in the report: fill in `reported` by hand (verbatim)");
    }
    Ok(())
}

fn scaffold(source: Option<&str>, reported: Option<&str>, suggested: Suggested) -> String {
    let field = |name: &str, value: Option<&str>, example: &str| match value {
        Some(v) => format!("{name} = {}\n", toml_string(v)),
        None => format!("# {name} = {example}\n"),
    };
    let (description, server_not_after, server_san, client_ca, server_extra, client_extra) =
        match suggested {
            Suggested::Expired => (
                "The server certificate's notAfter is in the past; verifying clients refuse it.",
                "-1d",
                r#"["DNS:localhost", "IP:127.0.0.1"]"#,
                "ca.pem",
                "",
                "",
            ),
            Suggested::HostnameMismatch => (
                "The server certificate names another host; VERIFY_IDENTITY refuses 127.0.0.1.",
                "+365d",
                r#"["DNS:db.example.com"]"#,
                "ca.pem",
                "",
                "",
            ),
            Suggested::WrongCa => (
                "The client trusts a CA that did not issue the server's chain.",
                "+365d",
                r#"["DNS:localhost", "IP:127.0.0.1"]"#,
                "other-ca.pem",
                "",
                "",
            ),
            Suggested::ServerTlsOff => (
                "The server runs without TLS; clients that require TLS fail.",
                "+365d",
                r#"["DNS:localhost", "IP:127.0.0.1"]"#,
                "ca.pem",
                "tls = false\n",
                "",
            ),
            Suggested::TlsVersion => (
                "Server and client share no TLS version (server TLSv1.3 only, client TLSv1.2).",
                "+365d",
                r#"["DNS:localhost", "IP:127.0.0.1"]"#,
                "ca.pem",
                "tls_version = \"TLSv1.3\"\n",
                "tls_version = \"TLSv1.2\"\n",
            ),
            Suggested::Healthy => (
                "TODO: one line saying what is broken and what a user sees.",
                "+365d",
                r#"["DNS:localhost", "IP:127.0.0.1"]"#,
                "ca.pem",
                "",
                "",
            ),
        };
    let other_ca = if client_ca == "other-ca.pem" {
        "\n[certs.other-ca]\nsubject_cn = \"Some Other CA (test)\"\nis_ca = true\nkey = \"rsa2048-3\"\nnot_after = \"+3650d\"\n"
    } else {
        ""
    };
    let other_ca_file = if client_ca == "other-ca.pem" {
        "\"other-ca.pem\" = { certs = [\"other-ca\"] }\n"
    } else {
        ""
    };
    format!(
        r#"# Scenario scaffolded by `cargo xtask repro new`. Schema: scenarios/scenario.schema.json;
# field reference: scenarios/README.md. Run it: `cargo xtask matrix <this file>`.
description = {description}
# URL of the report (issue, forum thread, ticket).
{source}# The reporter's error line, verbatim; the matrix says whether a cell reproduces it.
{reported}# Versions, environment, what the reporter tried; and what this scenario assumes.
notes = "TODO: client and server versions from the report; what this scenario changes to express it."

# Certificates, by name. Each: subject_cn, issuer (absent = self-signed), is_ca, key (test key
# under crates/certgen/test-keys/), san ["DNS:…", "IP:…"], not_before / not_after ("-1d",
# "+365d", relative to now), path_len, key_usage, eku, version (1 or 3), signature (sha256,
# sha1, md5, …), serial.
[certs.ca]
subject_cn = "Repro Test CA"
is_ca = true
key = "rsa2048-1"
not_after = "+3650d"

[certs.server]
subject_cn = "mysql-server"
issuer = "ca"
key = "rsa2048-2"
san = {server_san}
not_before = "-30d"
not_after = "{server_not_after}"
{other_ca}
# Fixture files, by file name: {{ certs = [...] }} (a chain, leaf first) or {{ key = "…" }};
# options: format = "der", fault = "truncated" | "crlf" | …, mode = "0000".
[files]
"ca.pem" = {{ certs = ["ca"] }}
"server-cert.pem" = {{ certs = ["server"] }}
"server-key.pem" = {{ key = "rsa2048-2" }}
{other_ca_file}
# Server side (all optional): flavors = ["mysql-9"], image = "mysql:8.0.28" (the customer's
# version; needs `docker pull`), tls = false, ssl_ca / ssl_cert / ssl_key / ssl_crl (file
# names), tls_version = "TLSv1.2", ssl_cipher, tls_ciphersuites, require_secure_transport = true,
# account = {{ require = "ssl" | "x509" | {{ issuer = "/CN=…" }} | {{ subject = "/CN=…" }} }}.
[server]
{server_extra}
# Client side (all optional): host ("127.0.0.1" or "localhost"), ca (trusted file), ssl_modes
# (default all five), cert + key (client identity), crl, tls_version.
[client]
ca = "{client_ca}"
{client_extra}
# A TLS reload after boot (certificate renewal): files swapped, then ALTER INSTANCE RELOAD TLS /
# FLUSH SSL; clients run after it.
# [reload]
# files = {{ "server-cert.pem" = {{ certs = ["server"] }} }}
"#,
        description = toml_string(description),
        source = field(
            "source",
            source,
            "\"https://github.com/owner/repo/issues/123\""
        ),
        reported = field(
            "reported",
            reported,
            "\"ERROR 2026 (HY000): SSL connection error: …\""
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suggestion_scaffolds_a_valid_scenario() {
        for suggested in [
            Suggested::Healthy,
            Suggested::Expired,
            Suggested::HostnameMismatch,
            Suggested::WrongCa,
            Suggested::ServerTlsOff,
            Suggested::TlsVersion,
        ] {
            let text = scaffold(
                Some("https://example.org/1"),
                Some("ERROR 2026 (HY000): \"x\""),
                suggested,
            );
            let s = scenario::parse(Path::new("x.toml"), &text)
                .unwrap_or_else(|e| panic!("{suggested:?}: {e}\n{text}"));
            assert_eq!(s.reported.as_deref(), Some("ERROR 2026 (HY000): \"x\""));
        }
        let bare = scaffold(None, None, Suggested::Healthy);
        let s = scenario::parse(Path::new("x.toml"), &bare).expect("parses");
        assert!(s.source.is_none() && s.reported.is_none());
    }

    #[test]
    fn report_text_gives_source_error_line_and_defect() {
        let report = "Since the cert renewal our app fails (see https://github.com/acme/app/issues/7).\n\
            Logs:\n> ERROR 2026 (HY000): SSL connection error: error:0A000086:SSL routines::certificate verify failed\n";
        assert_eq!(
            first_url(report).as_deref(),
            Some("https://github.com/acme/app/issues/7")
        );
        let line = error_line(report).expect("found");
        assert!(line.starts_with("ERROR 2026 (HY000)"), "{line}");
        assert_eq!(suggest(&line), Suggested::WrongCa);
        assert_eq!(
            suggest("x509: certificate has expired or is not yet valid"),
            Suggested::Expired
        );
        assert_eq!(
            suggest("SSL connection error: SSL is required but the server doesn't support it"),
            Suggested::ServerTlsOff
        );
        assert_eq!(
            suggest(
                "x509: cannot validate certificate for 10.0.0.5 because it doesn't contain any IP SANs"
            ),
            Suggested::HostnameMismatch
        );
    }
}
