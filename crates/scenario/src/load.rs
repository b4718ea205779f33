//! Reading scenario files: discovery under a root, TOML parsing, and the cross-field checks
//! serde cannot express (issuers exist, no issuer cycles, files hold exactly one kind of thing).

use crate::{Error, Scenario};
use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

/// Every `*.toml` below `root` (recursively), sorted by path so runs are deterministic.
///
/// Returns [`Error::Io`] naming the directory that could not be listed.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Io {
            path: e.path().unwrap_or(root).to_path_buf(),
            source: e.into(),
        })?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "toml") {
            found.push(entry.into_path());
        }
    }
    found.sort();
    Ok(found)
}

/// Reads, parses and validates the scenario at `path`; its id is `path` relative to `root`
/// without the `.toml` extension, with `/` separators. Errors: [`Error::Io`], [`Error::Parse`],
/// [`Error::Invalid`] (also when a file or directory name in the id is not a plain file name).
pub fn load(root: &Path, path: &Path) -> Result<Scenario, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root_c, path_c) = (canonical(root), canonical(path));
    let rel = path_c
        .strip_prefix(&root_c)
        .unwrap_or(&path_c)
        .with_extension("");
    let mut parts = Vec::new();
    for component in rel.components() {
        let std::path::Component::Normal(name) = component else {
            continue;
        };
        let name = name.to_string_lossy();
        // The id lands in snapshot names, report titles and JUnit names.
        if !crate::is_plain_file_name(&name) {
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                field: "(file name)".into(),
                message: format!(
                    "`{}` cannot be part of a scenario id: name scenario files and their directories with A-Z a-z 0-9 . _ - only, not starting with `-`",
                    name.escape_default()
                ),
            });
        }
        parts.push(name.into_owned());
    }
    let id = parts.join("/");
    let mut scenario = parse(path, &text)?;
    scenario.id = id;
    Ok(scenario)
}

/// Parses and validates scenario TOML; `path` is only used in error messages.
/// The returned scenario has an empty `id`.
pub fn parse(path: &Path, text: &str) -> Result<Scenario, Error> {
    let scenario: Scenario = toml::from_str(text).map_err(|e| Error::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    validate(&scenario).map_err(|(field, message)| Error::Invalid {
        path: path.to_path_buf(),
        field,
        message,
    })?;
    Ok(scenario)
}

fn validate(s: &Scenario) -> Result<(), (String, String)> {
    if s.reported.is_none() {
        if s.reporter.is_some() {
            return Err((
                "reporter".into(),
                "names the reporter's client of a `reported` text, which is missing: add `reported = \"<the error line>\"`".into(),
            ));
        }
        if s.reported_in != crate::ReportedIn::Client {
            return Err((
                "reported_in".into(),
                "says where `reported` was seen, which is missing: add `reported = \"<the log line>\"`".into(),
            ));
        }
    }
    if s.certs.is_empty() {
        return Err((
            "certs".into(),
            "at least one certificate is needed, e.g. `[certs.ca]`".into(),
        ));
    }
    for (name, cert) in &s.certs {
        if let Some(issuer) = &cert.issuer
            && !s.certs.contains_key(issuer)
        {
            return Err((format!("certs.{name}.issuer"), unknown_cert(s, issuer)));
        }
        if cert.not_after <= cert.not_before {
            // An inverted window is a legitimate defect for later; for now say it plainly.
            return Err((
                format!("certs.{name}.not_after"),
                format!(
                    "`{}` is not after not_before `{}`",
                    cert.not_after, cert.not_before
                ),
            ));
        }
        if cert.version == crate::X509Version::V1 {
            let extension = [
                (!cert.san.is_empty(), "san"),
                (!cert.eku.is_empty(), "eku"),
                (cert.key_usage.is_some(), "key_usage"),
                (cert.path_len.is_some(), "path_len"),
            ]
            .into_iter()
            .find_map(|(set, field)| set.then_some(field));
            if let Some(field) = extension {
                return Err((
                    format!("certs.{name}.{field}"),
                    "version 1 certificates have no extensions; remove this field or use version = 3".into(),
                ));
            }
        }
        if cert.path_len.is_some() && !cert.is_ca {
            return Err((
                format!("certs.{name}.path_len"),
                "path_len only applies with is_ca = true".into(),
            ));
        }
        if let Some(serial) = &cert.serial
            && (serial.is_empty()
                || serial.len() > 40
                || !serial.chars().all(|c| c.is_ascii_hexdigit()))
        {
            return Err((
                format!("certs.{name}.serial"),
                format!("`{serial}`: expected 1 to 40 hex digits, e.g. \"01\""),
            ));
        }
        let mut seen = BTreeSet::new();
        let mut at = name.as_str();
        while let Some(next) = s.certs.get(at).and_then(|c| c.issuer.as_deref()) {
            if !seen.insert(at) {
                return Err((
                    format!("certs.{name}.issuer"),
                    "issuer chain loops back on itself".into(),
                ));
            }
            at = next;
        }
    }
    validate_files(s, "files", &s.files)?;
    validate_file_names(s)?;
    if let Some(image) = &s.server.image {
        if !s.server.flavors.is_empty() {
            return Err((
                "server.image".into(),
                "a scenario pinned to an image runs only there; remove `server.flavors` or `server.image`".into(),
            ));
        }
        let (name, tag) = image.rsplit_once(':').unwrap_or((image.as_str(), ""));
        if name.is_empty()
            || tag.is_empty()
            || tag.contains('/')
            || image.contains(char::is_whitespace)
        {
            return Err((
                "server.image".into(),
                format!("`{image}`: expected NAME:TAG, e.g. \"mysql:8.4\""),
            ));
        }
    }
    if let Some(reload) = &s.reload {
        if reload.files.is_empty() {
            return Err((
                "reload.files".into(),
                "a reload swaps at least one file".into(),
            ));
        }
        validate_files(s, "reload.files", &reload.files)?;
    }
    if s.client.cert.is_some() != s.client.key.is_some() {
        return Err((
            "client.cert".into(),
            "give both `cert` and `key`, or neither".into(),
        ));
    }
    if s.client.ssl_modes.is_empty() {
        return Err((
            "client.ssl_modes".into(),
            "list at least one ssl-mode, or omit the field for all six".into(),
        ));
    }
    let unique: BTreeSet<_> = s.client.ssl_modes.iter().collect();
    if unique.len() != s.client.ssl_modes.len() {
        return Err((
            "client.ssl_modes".into(),
            "an ssl-mode is listed twice".into(),
        ));
    }
    validate_interposer(s)?;
    Ok(())
}

/// `[attack]` and `[fault]`: at most one of them, files that exist, values the interposer can
/// play, a server with TLS for the attacks that terminate it, bounds that keep a cell short.
fn validate_interposer(s: &Scenario) -> Result<(), (String, String)> {
    use crate::{AttackSpec, FaultSpec};
    if s.attack.is_some() && s.fault.is_some() {
        return Err((
            "fault".into(),
            "one interposer plays either an `[attack]` or a `[fault]`; split the scenario".into(),
        ));
    }
    if s.interposed() && s.server.image.is_some() {
        return Err((
            "server.image".into(),
            "an interposed scenario runs on the built-in flavors only (the server must move to port 3307); remove `server.image`".into(),
        ));
    }
    match &s.attack {
        Some(AttackSpec::Impersonate { cert, key }) => {
            for (field, file) in [("attack.cert", cert), ("attack.key", key)] {
                if let Some(problem) = crate::file_name::file_name_problem(file) {
                    return Err((field.into(), problem));
                }
                if !s.files.contains_key(file) {
                    return Err((
                        field.into(),
                        format!("`{file}` is not in `[files]`; add `[files.\"{file}\"]`"),
                    ));
                }
            }
        }
        Some(AttackSpec::Downgrade { max_tls_version }) if max_tls_version != "TLSv1.2" => {
            return Err((
                "attack.max_tls_version".into(),
                format!(
                    "`{}`: the interposer (rustls) can only cap at \"TLSv1.2\"",
                    max_tls_version.escape_default()
                ),
            ));
        }
        Some(AttackSpec::PlaintextError { message })
            if message.len() > 512 || message.contains('\n') =>
        {
            return Err((
                "attack.message".into(),
                "one line of at most 512 bytes".into(),
            ));
        }
        _ => {}
    }
    if matches!(s.attack, Some(AttackSpec::Downgrade { .. })) && !s.server.tls {
        return Err((
            "attack.kind".into(),
            "`downgrade` terminates TLS with the server's own files; set `server.tls = true`"
                .into(),
        ));
    }
    if let Some(FaultSpec::Trickle { gap_ms }) = &s.fault
        && !(1..=1_000).contains(gap_ms)
    {
        return Err((
            "fault.gap_ms".into(),
            format!("{gap_ms}: give 1 to 1000 milliseconds between bytes"),
        ));
    }
    if let Some(ms) = s.client.timeout_ms
        && !(500..=60_000).contains(&ms)
    {
        return Err((
            "client.timeout_ms".into(),
            format!("{ms}: give 500 to 60000 milliseconds"),
        ));
    }
    Ok(())
}

/// Every file name the scenario gives outside `[files]` tables (the server's `ssl_*` settings
/// and the client's trusted CA, identity and CRL) and every TLS option value (the server's
/// `tls_version`, `ssl_cipher`, `tls_ciphersuites`, the client's `tls_version`).
fn validate_file_names(s: &Scenario) -> Result<(), (String, String)> {
    let named = [
        ("server.ssl_ca", Some(&s.server.ssl_ca)),
        ("server.ssl_cert", Some(&s.server.ssl_cert)),
        ("server.ssl_key", Some(&s.server.ssl_key)),
        ("server.ssl_crl", s.server.ssl_crl.as_ref()),
        ("client.ca", Some(&s.client.ca)),
        ("client.cert", s.client.cert.as_ref()),
        ("client.key", s.client.key.as_ref()),
        ("client.crl", s.client.crl.as_ref()),
    ];
    for (field, name) in named {
        if let Some(problem) = name.and_then(|n| crate::file_name::file_name_problem(n)) {
            return Err((field.to_owned(), problem));
        }
    }
    // Option values written into my.cnf and onto client command lines: one word of an
    // OpenSSL cipher list or a TLS version list, never a second line or option.
    let options = [
        ("server.tls_version", s.server.tls_version.as_ref()),
        ("server.ssl_cipher", s.server.ssl_cipher.as_ref()),
        (
            "server.tls_ciphersuites",
            s.server.tls_ciphersuites.as_ref(),
        ),
        ("client.tls_version", s.client.tls_version.as_ref()),
    ];
    for (field, value) in options {
        if let Some(value) = value
            && !value.chars().all(|c| {
                c.is_ascii_alphanumeric()
                    || matches!(c, '.' | '_' | '-' | ':' | ',' | '!' | '+' | '@' | '=')
            })
        {
            return Err((
                field.to_owned(),
                format!(
                    "`{}` has characters outside A-Z a-z 0-9 . _ - : , ! + @ =; give a list such as \"TLSv1.2,TLSv1.3\" or \"ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA\"",
                    value.escape_default()
                ),
            ));
        }
    }
    Ok(())
}

fn validate_files(
    s: &Scenario,
    prefix: &str,
    files: &std::collections::BTreeMap<String, crate::FileSpec>,
) -> Result<(), (String, String)> {
    for (file, spec) in files {
        if let Some(problem) = crate::file_name::file_name_problem(file) {
            return Err((format!("{prefix}.\"{}\"", file.escape_default()), problem));
        }
        if file == crate::PKCS12_FILE {
            return Err((
                format!("{prefix}.\"{file}\""),
                format!(
                    "`{file}` is reserved: the harness writes the client's PKCS#12 bundle \
                     (client.cert + client.key) there; rename this file"
                ),
            ));
        }
        let kinds = usize::from(!spec.certs.is_empty())
            + usize::from(spec.key.is_some())
            + usize::from(spec.crl.is_some());
        if kinds != 1 {
            return Err((
                format!("{prefix}.\"{file}\""),
                "give exactly one of `certs = [..]`, `key = \"..\"` or `crl = { .. }`".into(),
            ));
        }
        if spec.passphrase.is_some() && spec.key.is_none() {
            return Err((
                format!("{prefix}.\"{file}\".passphrase"),
                "a passphrase only applies to key files".into(),
            ));
        }
        if let Some(mode) = &spec.mode
            && (mode.is_empty()
                || mode.len() > 4
                || !mode.chars().all(|c| ('0'..='7').contains(&c)))
        {
            return Err((
                format!("{prefix}.\"{file}\".mode"),
                format!("`{mode}`: expected octal permission bits such as \"0644\" or \"0000\""),
            ));
        }
        if let Some(crl) = &spec.crl {
            for cert in std::iter::once(&crl.issuer).chain(&crl.revoked) {
                if !s.certs.contains_key(cert) {
                    return Err((format!("{prefix}.\"{file}\".crl"), unknown_cert(s, cert)));
                }
            }
        }
        for cert in &spec.certs {
            if !s.certs.contains_key(cert) {
                return Err((format!("{prefix}.\"{file}\".certs"), unknown_cert(s, cert)));
            }
        }
    }
    crate::DialedHost::parse(&s.client.host).map_err(|e| ("client.host".to_owned(), e))?;
    Ok(())
}

fn unknown_cert(s: &Scenario, name: &str) -> String {
    let known: Vec<_> = s.certs.keys().map(String::as_str).collect();
    format!(
        "no certificate named `{name}`; defined: {}",
        known.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const VALID: &str = r#"
description = "valid chain"
[certs.ca]
subject_cn = "Test CA"
is_ca = true
key = "rsa2048-1"
[certs.server]
subject_cn = "server"
issuer = "ca"
key = "rsa2048-2"
san = ["DNS:localhost", "IP:127.0.0.1"]
[files]
"ca.pem" = { certs = ["ca"] }
"server-cert.pem" = { certs = ["server"] }
"server-key.pem" = { key = "rsa2048-2" }
"#;

    #[rstest]
    #[case("with space.toml")]
    #[case("ansi\u{1b}[2J.toml")]
    #[case("bom\u{feff}.toml")]
    #[case("-option.toml")]
    fn a_scenario_file_name_that_is_no_plain_name_is_refused(#[case] name: &str) {
        let temp = tempfile::tempdir().expect("temp dir");
        let root = temp.path();
        let dir = root.join("reports");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, VALID).expect("write scenario");
        let result = load(root, &path);
        let message = result.expect_err("refused").to_string();
        assert!(
            message.contains("cannot be part of a scenario id"),
            "{message}"
        );
        let plain = dir.join("plain_name-1.toml");
        std::fs::write(&plain, VALID).expect("write scenario");
        let loaded = load(root, &plain).map(|s| s.id);
        assert_eq!(loaded.expect("loads"), "reports/plain_name-1");
    }

    fn err_of(text: &str) -> String {
        parse(Path::new("scenarios/x.toml"), text)
            .expect_err("must be rejected")
            .to_string()
    }

    #[test]
    fn valid_scenario_parses_with_defaults() {
        let s = parse(Path::new("x.toml"), VALID).expect("valid");
        assert_eq!(s.client.host, "127.0.0.1");
        assert_eq!(s.client.ssl_modes, crate::SslMode::ALL);
        assert_eq!(s.server.ssl_cert, "server-cert.pem");
        assert_eq!(s.certs["server"].not_before.seconds, -86_400);
    }

    #[rstest]
    #[case::unknown_top_level_field(
        "description",
        "colour = 1\ndescription",
        "unknown field `colour`"
    )]
    #[case::unknown_cert_field(
        "is_ca = true",
        "is_ca = true\nexpiry = '1d'",
        "unknown field `expiry`"
    )]
    fn unknown_fields_are_named(#[case] from: &str, #[case] to: &str, #[case] expected: &str) {
        let err = err_of(&VALID.replacen(from, to, 1));
        assert!(err.contains("scenarios/x.toml"), "{err}");
        assert!(err.contains(expected), "{err}");
    }

    #[rstest]
    #[case::missing_issuer(
        "issuer = \"ca\"",
        "issuer = \"nope\"",
        "field `certs.server.issuer`: no certificate named `nope`"
    )]
    #[case::bad_san(
        "\"IP:127.0.0.1\"",
        "\"IP:localhost\"",
        "`localhost` is not an IPv4 or IPv6 address"
    )]
    #[case::bad_offset(
        "key = \"rsa2048-2\"\nsan",
        "key = \"rsa2048-2\"\nnot_after = \"1y\"\nsan",
        "expected an offset like"
    )]
    #[case::file_with_both(
        "{ key = \"rsa2048-2\" }",
        "{ key = \"rsa2048-2\", certs = [\"ca\"] }",
        "give exactly one of"
    )]
    fn inconsistent_scenarios_name_the_field(
        #[case] from: &str,
        #[case] to: &str,
        #[case] expected: &str,
    ) {
        let err = err_of(&VALID.replacen(from, to, 1));
        assert!(err.contains(expected), "{err}");
    }

    #[test]
    fn non_loopback_hosts_are_refused() {
        let err = err_of(&format!("{VALID}[client]\nhost = \"10.0.0.5\"\n"));
        assert!(err.contains("field `client.host`"), "{err}");
    }

    #[rstest]
    #[case::with_flavors(
        "[server]\nimage = \"mysql:8.4\"\nflavors = [\"mysql-9\"]\n",
        "field `server.image`: a scenario pinned to an image runs only there"
    )]
    #[case::no_tag("[server]\nimage = \"mysql\"\n", "expected NAME:TAG")]
    #[case::registry_port_no_tag(
        "[server]\nimage = \"registry:5000/mysql\"\n",
        "expected NAME:TAG"
    )]
    fn pinned_images_are_checked(#[case] server: &str, #[case] expected: &str) {
        let err = err_of(&format!("{VALID}{server}"));
        assert!(err.contains(expected), "{err}");
    }

    #[test]
    fn pinned_image_parses() {
        let s = parse(
            Path::new("x.toml"),
            &format!("{VALID}[server]\nimage = \"registry:5000/mysql:8.0.28\"\n"),
        )
        .expect("valid");
        assert_eq!(
            s.server.image.as_deref(),
            Some("registry:5000/mysql:8.0.28")
        );
    }
}
