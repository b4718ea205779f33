//! The derived facts checked across the whole scenario catalog against something other than
//! the derivation: `openssl verify` on each scenario's real fixture files (generated at the
//! current time, as openssl verifies against the clock). For every scenario whose server
//! files load, the chain the server would send (its certificate file, plus its CA file where
//! OpenSSL's automatic chain building would add it) is verified against the client's CA file
//! (with the client's CRL when it has one), then the dialled host is checked. Security level 0
//! (`-auth_level 0`), so weak hashes and keys are left to the policies. A reload scenario is
//! checked with its reload files in place (the accepted case).

use std::{path::Path, process::Command};
use verdict::{ChainFact, NameFact, Policy, ServerObservation};

fn scenarios_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn openssl_verify(dir: &Path, args: &[String]) -> (bool, String) {
    let out = Command::new("openssl")
        .arg("verify")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success() && !text.contains("error"), text)
}

#[test]
fn derived_chain_and_name_facts_agree_with_openssl_verify_on_every_scenario() {
    let root = scenarios_root();
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for path in scenario::discover(&root).expect("scenarios list") {
        let scenario = scenario::load(&root, &path).expect("scenario loads");
        let facts = verdict::derive(
            &scenario,
            ServerObservation {
                tls_enabled: true,
                reload_accepted: true,
            },
        );
        if scenario.facts.is_some() {
            continue; // declared, not derived
        }
        if matches!(&facts.chain, ChainFact::Invalid { defects }
            if defects.contains(&verdict::ChainDefect::UnknownServerCertificate))
        {
            continue; // the server's files do not load: nothing to verify
        }
        let dir = tempfile::tempdir().expect("tempdir");
        certgen::generate(&scenario, time::OffsetDateTime::now_utc())
            .expect("generates")
            .write_to(dir.path())
            .expect("writes");
        if let Some(reload) = &scenario.reload {
            for name in reload.files.keys() {
                let from = dir.path().join("reload").join(name);
                if from.exists() {
                    std::fs::copy(&from, dir.path().join(name)).expect("copy reload file");
                }
            }
        }
        let client = &scenario.client;
        let server = &scenario.server;
        let ca = dir.path().join(&client.ca);
        let format_policy = facts.policies.contains(&Policy::ClientFileFormat);
        if format_policy {
            continue; // DER, BOM, CRLF or leading text: parsers differ by design (a policy)
        }
        let mut args: Vec<String> = vec![
            "-auth_level".into(),
            "0".into(),
            "-purpose".into(),
            "sslserver".into(),
        ];
        if ca.is_file() {
            args.extend(["-CAfile".into(), client.ca.clone()]);
        } else {
            args.extend([
                "-no-CAfile".into(),
                "-no-CApath".into(),
                "-no-CAstore".into(),
            ]);
        }
        // The chain the client is shown: the server's file, completed from its CA file as
        // OpenSSL does; or, behind an interposer, the attacker's (or downgrader's) file as is.
        let (served, completed) = match &scenario.attack {
            Some(scenario::AttackSpec::Impersonate { cert, .. }) => (cert.clone(), false),
            Some(scenario::AttackSpec::Downgrade { .. }) => (server.ssl_cert.clone(), false),
            _ => (server.ssl_cert.clone(), true),
        };
        args.extend(["-untrusted".into(), served.clone()]);
        let cert_count = std::fs::read_to_string(dir.path().join(&served))
            .map(|t| t.matches("BEGIN CERTIFICATE").count())
            .unwrap_or(0);
        if completed && cert_count == 1 && dir.path().join(&server.ssl_ca).is_file() {
            args.extend(["-untrusted".into(), server.ssl_ca.clone()]);
        }
        if let Some(crl) = &client.crl {
            args.extend(["-crl_check".into(), "-CRLfile".into(), crl.clone()]);
        }
        let leaf = dir.path().join("leaf-under-test.pem");
        let server_pem = std::fs::read_to_string(dir.path().join(&served)).unwrap_or_default();
        let first = server_pem
            .split_inclusive("-----END CERTIFICATE-----")
            .next()
            .unwrap_or_default();
        std::fs::write(&leaf, first.trim_start_matches(|c| c != '-')).expect("write leaf");
        let mut chain_args = args.clone();
        chain_args.push("leaf-under-test.pem".into());
        let (ok, said) = openssl_verify(dir.path(), &chain_args);
        let anchor_policy = facts.policies.contains(&Policy::TrustAnchorChecks);
        let derived = facts.chain.is_valid();
        checked += 1;
        if ok != derived && !(anchor_policy && derived && !ok) {
            disagreements.push(format!(
                "{}: derived chain {:?}, openssl verify {}: {}",
                scenario.id,
                facts.chain,
                if ok { "OK" } else { "fails" },
                said.trim()
            ));
            continue;
        }
        if !ok {
            continue; // the name is only meaningful on a chain that verifies
        }
        let mut name_args = args;
        if client.host.parse::<std::net::IpAddr>().is_ok() {
            name_args.extend(["-verify_ip".into(), client.host.clone()]);
        } else {
            name_args.extend(["-verify_hostname".into(), client.host.clone()]);
        }
        name_args.push("leaf-under-test.pem".into());
        let (name_ok, said) = openssl_verify(dir.path(), &name_args);
        if name_ok != facts.name.matches() {
            disagreements.push(format!(
                "{}: derived name {:?} for {}, openssl {}: {}",
                scenario.id,
                facts.name,
                client.host,
                if name_ok { "matches" } else { "does not match" },
                said.trim()
            ));
        }
        if facts.name == NameFact::CnOnly {
            assert!(facts.policies.contains(&Policy::CnOnly), "{}", scenario.id);
        }
    }
    assert!(checked >= 60, "only {checked} scenarios checked");
    assert!(
        disagreements.is_empty(),
        "{} of {checked} scenarios disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
