//! The diagnosis as text for people: what was seen (server, versions, suites, chain, files),
//! then each cause with its evidence and fix. Pure formatting of a [`Diagnosis`].

use crate::{CertInfo, Diagnosis, Severity};
use std::fmt::Write as _;

fn cert_line(c: &CertInfo) -> String {
    let san = match &c.san {
        Some(s) if !s.is_empty() => s.join(", "),
        _ => "none".into(),
    };
    let ca = match c.is_ca {
        Some(true) => match c.path_len {
            Some(n) => format!(" · CA:TRUE pathlen {n}"),
            None => " · CA:TRUE".into(),
        },
        Some(false) => " · CA:FALSE".into(),
        None => String::new(),
    };
    format!(
        "{}\n      issuer {} · {} .. {} · SAN {san}{ca} · {} · {} · v{}",
        c.subject, c.issuer, c.not_before, c.not_after, c.key, c.signature_algorithm, c.version
    )
}

/// Renders `d` as a few dozen lines of text (no colors), ending with a newline; control
/// characters from the server are written visibly ([`outcome::visible`]).
pub fn render_text(d: &Diagnosis) -> String {
    let mut out = String::new();
    let t = &d.target;
    let _ = writeln!(
        out,
        "MySQL TLS doctor: {}:{} (certificate checked for {}) at {}",
        t.host, t.port, t.server_name, d.checked_at
    );
    let _ = writeln!(
        out,
        "server: {} · {}{}",
        d.server_version,
        if d.offers_tls {
            "offers TLS"
        } else {
            "offers NO TLS"
        },
        d.handshake
            .as_ref()
            .map(|h| format!(" · handshake: {h}"))
            .unwrap_or_default()
    );
    if !d.tls_versions.is_empty() {
        let versions: Vec<String> = d
            .tls_versions
            .iter()
            .map(|v| match (&v.cipher_suite, &v.failure) {
                (Some(s), _) => format!("{} accepted ({s})", v.version),
                (None, Some(f)) => format!(
                    "{} refused ({})",
                    v.version,
                    f.alert
                        .clone()
                        .map_or(f.error.clone(), |a| format!("alert {a}"))
                ),
                (None, None) => format!("{} refused", v.version),
            })
            .collect();
        let _ = writeln!(
            out,
            "versions: {} · TLSv1.0/1.1 not probed",
            versions.join(" · ")
        );
    }
    if !d.cipher_suites.is_empty() {
        let accepted: Vec<&str> = d
            .cipher_suites
            .iter()
            .filter(|s| s.accepted)
            .map(|s| s.suite.as_str())
            .collect();
        let _ = writeln!(
            out,
            "cipher suites: {} of {} accepted{}",
            accepted.len(),
            d.cipher_suites.len(),
            if accepted.is_empty() {
                String::new()
            } else {
                format!(": {}", accepted.join(", "))
            }
        );
    }
    if !d.chain.is_empty() {
        let _ = writeln!(out, "chain sent by the server (leaf first):");
        for (i, c) in d.chain.iter().enumerate() {
            let _ = writeln!(out, "  #{i} {}", cert_line(c));
        }
    }
    if !d.ca.is_empty() {
        let _ = writeln!(out, "CA file:");
        for c in &d.ca {
            let _ = writeln!(out, "  - {}", cert_line(c));
        }
    }
    for f in &d.files {
        let _ = writeln!(
            out,
            "--{} {}: {} · {}{}",
            f.role,
            f.path,
            f.holds,
            if f.usable { "usable" } else { "UNUSABLE" },
            if f.notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.notes.join("; "))
            }
        );
    }
    if d.causes.is_empty() {
        let _ = writeln!(out, "\nno cause of error 2026 found.");
        return out;
    }
    let _ = writeln!(out, "\ncauses ({}):", d.causes.len());
    for c in &d.causes {
        let _ = writeln!(
            out,
            "* {} [{}]",
            c.cause.name(),
            match c.severity {
                Severity::Error => "error",
                Severity::Warning => "warning: some clients",
            }
        );
        for e in &c.evidence {
            let _ = writeln!(out, "    - {e}");
        }
        let _ = writeln!(out, "    fix: {}", c.fix);
    }
    // The server's version, names in its certificates and alert texts are a stranger's words:
    // no control character reaches the terminal raw.
    outcome::visible(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cause, CauseKind, Target};

    fn diagnosis(causes: Vec<Cause>, offers_tls: bool) -> Diagnosis {
        Diagnosis {
            target: Target {
                host: "127.0.0.1".into(),
                port: 3306,
                server_name: "db.test".into(),
            },
            checked_at: "2026-01-01T00:00:00Z".into(),
            server_version: "9.4.0".into(),
            capabilities: 0,
            offers_tls,
            handshake: None,
            tls_versions: Vec::new(),
            cipher_suites: Vec::new(),
            chain: Vec::new(),
            ca: Vec::new(),
            files: Vec::new(),
            causes,
        }
    }

    #[test]
    fn no_cause_says_so() {
        let text = render_text(&diagnosis(Vec::new(), true));
        assert!(
            text.starts_with("MySQL TLS doctor: 127.0.0.1:3306 (certificate checked for db.test)")
        );
        assert!(text.contains("server: 9.4.0 · offers TLS"));
        assert!(text.ends_with("no cause of error 2026 found.\n"));
    }

    #[test]
    fn causes_list_severity_evidence_and_fix() {
        let cause = Cause {
            cause: CauseKind::ServerOffersNoTls,
            severity: Severity::Error,
            evidence: vec!["greeting lacks CLIENT_SSL".into()],
            fix: "read the server log".into(),
        };
        let warning = Cause {
            cause: CauseKind::NameMismatch,
            severity: Severity::Warning,
            evidence: vec!["CN only".into()],
            fix: "add a SAN".into(),
        };
        let text = render_text(&diagnosis(vec![cause, warning], false));
        assert!(text.contains("offers NO TLS"));
        assert!(text.contains(
            "causes (2):\n* server_offers_no_tls [error]\n    - greeting lacks CLIENT_SSL\n    fix: read the server log\n"
        ));
        assert!(text.contains("* name_mismatch [warning: some clients]\n    - CN only\n"));
    }
}
