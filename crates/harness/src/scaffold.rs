//! `cargo xtask repro new`: a commented scenario scaffold from a customer's report — its first
//! URL as `source`, its first error line as `reported`, and certificates starting from the
//! defect that line suggests. Text in, text out; the caller writes the file.

/// What a report's error line suggests, as a starting point for the certificates and server
/// settings. Each has a scaffold ([`scaffold`]) that expresses that defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Suggested {
    /// Nothing recognised: a healthy chain to edit.
    Healthy,
    /// An expired (or not yet valid) server certificate.
    Expired,
    /// A certificate for another host name than the one dialled.
    HostnameMismatch,
    /// A server certificate naming the host only in its subject CN, no subjectAltName.
    CnOnly,
    /// A chain from a CA the client does not trust (self-signed in chain, unknown issuer).
    WrongCa,
    /// The server sends its leaf without the intermediate that signed it.
    MissingIntermediate,
    /// The issuing CA lacks basicConstraints CA:TRUE.
    CaWithoutCaTrue,
    /// A server key below the client's security level (RSA-1024).
    WeakKey,
    /// A server certificate signed with a digest the client refuses (SHA-1).
    WeakSignature,
    /// An X.509 version 1 server certificate.
    X509V1,
    /// A server without TLS.
    ServerTlsOff,
    /// The server refuses the client's TLS version (server TLSv1.3 only, client capped at 1.2).
    TlsVersion,
    /// An old server: TLSv1.1 only, below what modern clients accept.
    OldServerTls,
    /// No cipher suite in common (a legacy TLSv1.2 suite only).
    NoSharedCipher,
    /// `require_secure_transport` refuses a plaintext client (3159).
    RequireSecureTransport,
    /// An account `REQUIRE SSL` refusing a plaintext login with a bare 1045.
    AccountRequiresSsl,
    /// The client's own key file is unusable (DER where PEM is expected).
    ClientKeyUnusable,
}

impl Suggested {
    /// Every suggestion, in declaration order.
    pub const ALL: [Suggested; 17] = [
        Suggested::Healthy,
        Suggested::Expired,
        Suggested::HostnameMismatch,
        Suggested::CnOnly,
        Suggested::WrongCa,
        Suggested::MissingIntermediate,
        Suggested::CaWithoutCaTrue,
        Suggested::WeakKey,
        Suggested::WeakSignature,
        Suggested::X509V1,
        Suggested::ServerTlsOff,
        Suggested::TlsVersion,
        Suggested::OldServerTls,
        Suggested::NoSharedCipher,
        Suggested::RequireSecureTransport,
        Suggested::AccountRequiresSsl,
        Suggested::ClientKeyUnusable,
    ];

    /// Snake-case name, as confusion tables and `expected_suggestions.toml` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Suggested::Healthy => "healthy",
            Suggested::Expired => "expired",
            Suggested::HostnameMismatch => "hostname_mismatch",
            Suggested::CnOnly => "cn_only",
            Suggested::WrongCa => "wrong_ca",
            Suggested::MissingIntermediate => "missing_intermediate",
            Suggested::CaWithoutCaTrue => "ca_without_ca_true",
            Suggested::WeakKey => "weak_key",
            Suggested::WeakSignature => "weak_signature",
            Suggested::X509V1 => "x509_v1",
            Suggested::ServerTlsOff => "server_tls_off",
            Suggested::TlsVersion => "tls_version",
            Suggested::OldServerTls => "old_server_tls",
            Suggested::NoSharedCipher => "no_shared_cipher",
            Suggested::RequireSecureTransport => "require_secure_transport",
            Suggested::AccountRequiresSsl => "account_requires_ssl",
            Suggested::ClientKeyUnusable => "client_key_unusable",
        }
    }

    /// The suggestion named `name` ([`Suggested::as_str`]).
    pub fn by_name(name: &str) -> Option<Suggested> {
        Suggested::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Refinements by the words of a message, in order: the first row whose words appear (in the
/// lowercased message without its prefix) wins, looked for first among the rows of the failure
/// kind the matrix's classifier ([`outcome::classify`]) gives the line, then among all rows.
const WORDS: &[(outcome::FailureKind, &[&str], Suggested)] = {
    use Suggested as S;
    use outcome::FailureKind as K;
    &[
        (
            K::Verification,
            &["expired", "not yet valid", "certificate_expired"],
            S::Expired,
        ),
        (
            K::Verification,
            &[
                "unsupportedcertversion",
                "certificate version",
                "version 1 certificate",
            ],
            S::X509V1,
        ),
        (
            K::Verification,
            &["legacy common name", "common name field"],
            S::CnOnly,
        ),
        (
            K::Verification,
            &[
                "key too weak",
                "key too small",
                "ee key",
                "ca key",
                "weak key",
            ],
            S::WeakKey,
        ),
        (
            K::Verification,
            &[
                "md too weak",
                "digest too weak",
                "weak signature",
                "sha1",
                "insecure algorithm",
            ],
            S::WeakSignature,
        ),
        (
            K::Verification,
            &[
                "invalid ca certificate",
                "basic constraints",
                "basicconstraints",
                "not a ca",
                "invalid_ca",
            ],
            S::CaWithoutCaTrue,
        ),
        (
            K::Verification,
            &[
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
            ],
            S::HostnameMismatch,
        ),
        (
            K::Verification,
            &[
                "unable to verify the first certificate",
                "unable to get issuer certificate",
            ],
            S::MissingIntermediate,
        ),
        (
            K::Verification,
            &[
                "unable to get local issuer",
                "self-signed",
                "self signed",
                "unknown ca",
                "unknown authority",
                "certificate verify failed",
                "unable to find valid certification path",
                "pkix",
                "untrusted",
                "not trusted",
                "unknownissuer",
                "verification failure",
            ],
            S::WrongCa,
        ),
        (
            K::ServerNoTls,
            &[
                "ssl is required",
                "server does not support",
                "doesn't support ssl",
                "does not support tls",
                "server doesn't support",
                "does not have this capability",
                "not support secure connection",
            ],
            S::ServerTlsOff,
        ),
        (
            K::ServerRequiresTls,
            &["insecure transport", "require_secure_transport"],
            S::RequireSecureTransport,
        ),
        (K::Auth, &["access denied"], S::AccountRequiresSsl),
        (
            K::Config,
            &[
                "private key",
                "client key",
                "key values mismatch",
                "unable to load client",
            ],
            S::ClientKeyUnusable,
        ),
        (
            K::Handshake,
            &[
                "unsupported protocol",
                "wrong version number",
                "no protocols available",
                "protocol is not supported",
            ],
            S::OldServerTls,
        ),
        (
            K::Handshake,
            &["protocol version", "protocol_version", "protocolversion"],
            S::TlsVersion,
        ),
        (
            K::Handshake,
            &[
                "handshake failure",
                "handshakefailure",
                "handshake_failure",
                "no shared cipher",
                "no ciphers available",
                "cipher",
            ],
            S::NoSharedCipher,
        ),
    ]
};

/// The defect an error line suggests. The line is taken apart as the reproduction verdict
/// does (`ERROR 2026 (HY000):`, `Error:`, exception types, `(2026, '…')`); a line from the
/// server's log (`[Warning] … [Server] …`) suggests a server that came up without TLS; then
/// the matrix's classifier gives the failure kind and [`WORDS`] refine it, the kind's rows
/// first.
pub fn suggest(reported: &str) -> Suggested {
    let (code, message) = crate::repro::split_reported(reported);
    if message.contains("[server]")
        || message.starts_with("[warning]")
        || message.starts_with("[error]")
    {
        return Suggested::ServerTlsOff;
    }
    let kind = outcome::classify(code, &message);
    let matches = |words: &[&str]| words.iter().any(|w| message.contains(w));
    WORDS
        .iter()
        .filter(|(k, _, _)| *k == kind)
        .chain(WORDS.iter())
        .find(|(_, words, _)| matches(words))
        .map(|(_, _, suggested)| *suggested)
        .unwrap_or(match kind {
            outcome::FailureKind::Verification => Suggested::WrongCa,
            outcome::FailureKind::ServerNoTls => Suggested::ServerTlsOff,
            outcome::FailureKind::ServerRequiresTls => Suggested::RequireSecureTransport,
            outcome::FailureKind::Handshake => Suggested::TlsVersion,
            outcome::FailureKind::Config => Suggested::ClientKeyUnusable,
            _ => Suggested::Healthy,
        })
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

/// The parts of a scaffold that express one [`Suggested`] defect; everything else is the
/// healthy chain.
struct Template {
    description: &'static str,
    /// `is_ca` of the root.
    ca_is_ca: bool,
    /// A `[certs.intermediate]` table (issuer of the server certificate), or empty.
    intermediate: &'static str,
    server_cn: &'static str,
    server_issuer: &'static str,
    server_key: &'static str,
    /// The server certificate's `san` value; `None` for none at all.
    server_san: Option<&'static str>,
    server_not_after: &'static str,
    /// More lines of `[certs.server]` (`signature`, `version`).
    server_cert_extra: &'static str,
    /// More certificate tables (the other CA, the client).
    other_certs: &'static str,
    /// More `[files]` lines.
    other_files: &'static str,
    server_extra: &'static str,
    client_ca: &'static str,
    client_extra: &'static str,
}

const HEALTHY_SAN: &str = r#"["DNS:localhost", "IP:127.0.0.1"]"#;

impl Template {
    fn of(suggested: Suggested) -> Template {
        let healthy = Template {
            description: "TODO: one line saying what is broken and what a user sees.",
            ca_is_ca: true,
            intermediate: "",
            server_cn: "mysql-server",
            server_issuer: "ca",
            server_key: "rsa2048-2",
            server_san: Some(HEALTHY_SAN),
            server_not_after: "+365d",
            server_cert_extra: "",
            other_certs: "",
            other_files: "",
            server_extra: "",
            client_ca: "ca.pem",
            client_extra: "",
        };
        match suggested {
            Suggested::Healthy => healthy,
            Suggested::Expired => Template {
                description: "The server certificate's notAfter is in the past; verifying clients refuse it.",
                server_not_after: "-1d",
                ..healthy
            },
            Suggested::HostnameMismatch => Template {
                description: "The server certificate names another host; VERIFY_IDENTITY refuses 127.0.0.1.",
                server_san: Some(r#"["DNS:db.example.com"]"#),
                ..healthy
            },
            Suggested::CnOnly => Template {
                description: "The server certificate names the host only in its subject CN, with no subjectAltName; clients that ignore the CN refuse it.",
                server_cn: "127.0.0.1",
                server_san: None,
                ..healthy
            },
            Suggested::WrongCa => Template {
                description: "The client trusts a CA that did not issue the server's chain.",
                other_certs: "\n[certs.other-ca]\nsubject_cn = \"Some Other CA (test)\"\nis_ca = true\nkey = \"rsa2048-3\"\nnot_after = \"+3650d\"\n",
                other_files: "\"other-ca.pem\" = { certs = [\"other-ca\"] }\n",
                client_ca: "other-ca.pem",
                ..healthy
            },
            Suggested::MissingIntermediate => Template {
                description: "The server certificate is signed by an intermediate the server does not send and the client does not have: unable to verify the first certificate.",
                intermediate: "\n[certs.intermediate]\nsubject_cn = \"Repro Intermediate CA\"\nissuer = \"ca\"\nis_ca = true\nkey = \"rsa2048-4\"\nnot_after = \"+1825d\"\n",
                server_issuer: "intermediate",
                ..healthy
            },
            Suggested::CaWithoutCaTrue => Template {
                description: "The CA that signs the server certificate lacks basicConstraints CA:TRUE; verifying clients refuse the chain.",
                ca_is_ca: false,
                ..healthy
            },
            Suggested::WeakKey => Template {
                description: "The server's key is RSA-1024, below the security level of current clients: key too weak.",
                server_key: "rsa1024-1",
                ..healthy
            },
            Suggested::WeakSignature => Template {
                description: "The server certificate is signed with SHA-1, a digest current clients refuse: md too weak.",
                server_cert_extra: "signature = \"sha1\"\n",
                ..healthy
            },
            Suggested::X509V1 => Template {
                description: "The server certificate is X.509 version 1 (no extensions); strict clients refuse it.",
                server_cert_extra: "version = 1\n",
                server_san: None,
                ..healthy
            },
            Suggested::ServerTlsOff => Template {
                description: "The server runs without TLS; clients that require TLS fail.",
                server_extra: "tls = false\n",
                ..healthy
            },
            Suggested::TlsVersion => Template {
                description: "The server refuses the client's TLS version (server TLSv1.3 only, client capped at TLSv1.2): protocol_version alert.",
                server_extra: "tls_version = \"TLSv1.3\"\n",
                client_extra: "tls_version = \"TLSv1.2\"\n",
                ..healthy
            },
            Suggested::OldServerTls => Template {
                description: "An old server offers only TLSv1.1, below what current clients accept: unsupported protocol.",
                // MySQL 9 refuses to start with TLSv1.1; MariaDB accepts the setting.
                server_extra: "flavors = [\"mariadb-10.11\", \"mariadb-11.8\"]\ntls_version = \"TLSv1.1\"\n",
                ..healthy
            },
            Suggested::NoSharedCipher => Template {
                description: "The server offers one legacy TLSv1.2 suite (AES128-SHA, RSA key exchange) that current clients no longer offer: handshake failure.",
                // MySQL 9 blocks the cipher at startup; MariaDB serves it.
                server_extra: "flavors = [\"mariadb-10.11\", \"mariadb-11.8\"]\ntls_version = \"TLSv1.2\"\nssl_cipher = \"AES128-SHA\"\n",
                ..healthy
            },
            Suggested::RequireSecureTransport => Template {
                description: "require_secure_transport=ON refuses plaintext clients with 3159.",
                server_extra: "require_secure_transport = true\n",
                ..healthy
            },
            Suggested::AccountRequiresSsl => Template {
                description: "The account is REQUIRE SSL; a plaintext login gets a bare 1045 Access denied.",
                server_extra: "account = { require = \"ssl\" }\n",
                ..healthy
            },
            Suggested::ClientKeyUnusable => Template {
                description: "The client's private key file is DER where PEM is expected; the client library cannot load it.",
                other_certs: "\n[certs.client]\nsubject_cn = \"repro-client\"\nissuer = \"ca\"\nkey = \"rsa2048-3\"\n",
                other_files: "\"client-cert.pem\" = { certs = [\"client\"] }\n\"client-key.pem\" = { key = \"rsa2048-3\", encoding = \"der\" }\n",
                client_extra: "cert = \"client-cert.pem\"\nkey = \"client-key.pem\"\n",
                ..healthy
            },
        }
    }
}

/// The scaffold's text: every scenario field present or commented (comments name fields in
/// backticks, each one a field of the scenario schema), `source` and `reported` filled in when
/// given, certificates starting from `suggested`.
pub fn scaffold(source: Option<&str>, reported: Option<&str>, suggested: Suggested) -> String {
    let field = |name: &str, value: Option<&str>, example: &str| match value {
        Some(v) => format!("{name} = {}\n", toml_string(v)),
        None => format!("# {name} = {example}\n"),
    };
    let t = Template::of(suggested);
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
is_ca = {ca_is_ca}
key = "rsa2048-1"
not_after = "+3650d"
{intermediate}
[certs.server]
subject_cn = "{server_cn}"
issuer = "{server_issuer}"
key = "{server_key}"
{server_san}not_before = "-30d"
not_after = "{server_not_after}"
{server_cert_extra}{other_certs}
# Fixture files, by file name: {{ `certs` = [...] }} (a chain, leaf first) or {{ `key` = "…" }};
# options: `encoding` = "der", `fault` = "truncated" | "crlf" | …, `mode` = "0000".
[files]
"ca.pem" = {{ certs = ["ca"] }}
"server-cert.pem" = {{ certs = ["server"] }}
"server-key.pem" = {{ key = "{server_key}" }}
{other_files}
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
        description = toml_string(t.description),
        ca_is_ca = t.ca_is_ca,
        intermediate = t.intermediate,
        server_cn = t.server_cn,
        server_issuer = t.server_issuer,
        server_key = t.server_key,
        server_san = t
            .server_san
            .map(|san| format!("san = {san}\n"))
            .unwrap_or_default(),
        server_not_after = t.server_not_after,
        server_cert_extra = t.server_cert_extra,
        other_certs = t.other_certs,
        other_files = t.other_files,
        server_extra = t.server_extra,
        client_ca = t.client_ca,
        client_extra = t.client_extra,
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
        for suggested in Suggested::ALL {
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
