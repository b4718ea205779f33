//! `cargo xtask repro new`: a commented scenario scaffold from a customer's report — its first
//! URL as `source`, its first error line as `reported`, and certificates starting from the
//! defect that line suggests. Text in, text out; the caller writes the file.

/// What a report's error line suggests, as a starting point for the certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suggested {
    /// Nothing recognised: a healthy chain to edit.
    Healthy,
    /// An expired (or not yet valid) server certificate.
    Expired,
    /// A certificate for another host name than the one dialled.
    HostnameMismatch,
    /// A chain from a CA the client does not trust.
    WrongCa,
    /// A server without TLS.
    ServerTlsOff,
    /// No TLS version in common.
    TlsVersion,
}

/// The defect an error line suggests (keywords of OpenSSL, Go, Java, Python and MySQL messages).
pub fn suggest(reported: &str) -> Suggested {
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

/// The first line of `text` that looks like the error a reporter saw (at most 400 characters),
/// trimmed of quoting (`>`, `$`, `#`).
pub fn error_line(text: &str) -> Option<String> {
    let re = regex::Regex::new(
        r"(?i)(ERROR \d{4}|SSL connection error|certificate verify failed|SSL is required|TLS/SSL error|x509:|SSLHandshakeException|CERTIFICATE_VERIFY_FAILED|tls: |Access denied|handshake failure|unable to get local issuer|self[- ]signed certificate|certificate has expired)",
    )
    .ok()?;
    text.lines()
        .map(|l| l.trim().trim_start_matches(['>', '$', '#', ' ']).trim())
        .find(|l| re.is_match(l) && l.len() <= 400)
        .map(str::to_owned)
}

/// The first http(s) URL in `text`, without trailing punctuation.
pub fn first_url(text: &str) -> Option<String> {
    let re = regex::Regex::new(r#"https?://[^\s<>"')\]]+"#).ok()?;
    re.find(text)
        .map(|m| m.as_str().trim_end_matches(['.', ',']).to_owned())
}

/// `text` as a TOML basic string (quotes and backslashes escaped, control characters dropped).
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

/// The scaffold's text: every scenario field present or commented (comments name fields in
/// backticks, each one a field of the scenario schema), `source` and `reported` filled in when
/// given, certificates starting from `suggested`.
pub fn scaffold(source: Option<&str>, reported: Option<&str>, suggested: Suggested) -> String {
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

# Certificates, by name. Each: `subject_cn`, `issuer` (absent = self-signed), `is_ca`, `key`
# (test key under crates/certgen/test-keys/), `san` ["DNS:…", "IP:…"], `not_before` /
# `not_after` ("-1d", "+365d", relative to now), `path_len`, `key_usage`, `eku`, `version` (1 or
# 3), `signature` (sha256, sha1, md5, …), `serial`.
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
# Fixture files, by file name: {{ `certs` = [...] }} (a chain, leaf first) or {{ `key` = "…" }};
# options: `encoding` = "der", `fault` = "truncated" | "crlf" | …, `mode` = "0000".
[files]
"ca.pem" = {{ certs = ["ca"] }}
"server-cert.pem" = {{ certs = ["server"] }}
"server-key.pem" = {{ key = "rsa2048-2" }}
{other_ca_file}
# Server side (all optional): `flavors` = ["mysql-9"], `image` = "mysql:8.0.28" (the
# customer's version; needs docker pull), `tls` = false, `ssl_ca` / `ssl_cert` / `ssl_key` /
# `ssl_crl` (file names), `tls_version` = "TLSv1.2", `ssl_cipher`, `tls_ciphersuites`,
# `require_secure_transport` = true,
# `account` = {{ require = "ssl" | "x509" | {{ issuer = "/CN=…" }} | {{ subject = "/CN=…" }} }}.
[server]
{server_extra}
# Client side (all optional): `host` ("127.0.0.1" or "localhost"), `ca` (trusted file),
# `ssl_modes` (default all six: DISABLED … VERIFY_IDENTITY, DEFAULT), `cert` + `key` (client identity), `crl`, `tls_version`.
[client]
ca = "{client_ca}"
{client_extra}
# A TLS reload after boot (certificate renewal): `files` swapped, then ALTER INSTANCE RELOAD
# TLS / FLUSH SSL (`no_rollback_on_error` = true for MySQL's NO ROLLBACK ON ERROR); clients run
# after it.
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
    use std::path::Path;

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

    /// Every field the scaffold's comments name (in backticks) is a field of the scenario
    /// schema, of the table the comment stands above.
    #[test]
    fn every_field_the_scaffold_mentions_exists_in_the_schema() {
        let schema: serde_json::Value =
            serde_json::from_str(&scenario::json_schema()).expect("the schema is JSON");
        let properties = |definition: Option<&str>| -> Vec<String> {
            let node = match definition {
                Some(name) => &schema["$defs"][name],
                None => &schema,
            };
            node["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        };
        let text = scaffold(None, None, Suggested::WrongCa);
        let field = regex::Regex::new(r"`([a-z_]+)`").expect("regex");
        let mut pending: Vec<String> = Vec::new();
        let mut checked = 0;
        for line in text.lines() {
            let table = line.trim_start_matches("# ");
            let definition = if table.starts_with("[certs.") {
                Some(Some("CertSpec"))
            } else if table.starts_with("[files]") {
                Some(Some("FileSpec"))
            } else if table.starts_with("[server]") {
                Some(Some("ServerSpec"))
            } else if table.starts_with("[client]") {
                Some(Some("ClientSpec"))
            } else if table.starts_with("[reload]") {
                Some(Some("ReloadSpec"))
            } else if line.starts_with("description =") {
                Some(None)
            } else {
                None
            };
            if let Some(definition) = definition {
                let known = properties(definition);
                for name in pending.drain(..) {
                    assert!(
                        known.contains(&name),
                        "the scaffold mentions `{name}` above {table}, which is no field of {definition:?}: {known:?}"
                    );
                    checked += 1;
                }
            } else if line.starts_with('#') {
                pending.extend(field.captures_iter(line).map(|c| c[1].to_owned()));
            }
        }
        assert!(
            pending.is_empty(),
            "fields after the last table: {pending:?}"
        );
        assert!(
            checked >= 30,
            "the test read the scaffold's comments ({checked} fields)"
        );
    }
}
