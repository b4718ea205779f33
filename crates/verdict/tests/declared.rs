//! Facts a scenario declares (`[facts]`) override the derived ones, and the observation of the
//! server (TLS off, a refused reload) is what the facts say about the server.

use std::path::Path;
use verdict::{ChainDefect, ChainFact, NameFact, ServerObservation, derive};

const VALID: &str = r#"
description = "valid"
[certs.ca]
subject_cn = "Test CA"
is_ca = true
key = "rsa2048-1"
[certs.server]
subject_cn = "mysql-server"
issuer = "ca"
key = "rsa2048-2"
san = ["IP:127.0.0.1"]
[certs.server_expired]
subject_cn = "mysql-server"
issuer = "ca"
key = "rsa2048-2"
san = ["IP:127.0.0.1"]
not_before = "-30d"
not_after = "-1d"
[files]
"ca.pem" = { certs = ["ca"] }
"server-cert.pem" = { certs = ["server"] }
"server-key.pem" = { key = "rsa2048-2" }
"#;

fn scenario(extra: &str) -> scenario::Scenario {
    scenario::parse(Path::new("test.toml"), &format!("{VALID}{extra}")).expect("parses")
}

const UP: ServerObservation = ServerObservation {
    tls_enabled: true,
    reload_accepted: false,
};

#[test]
fn derived_without_declarations() {
    let facts = derive(&scenario(""), UP);
    assert!(facts.chain.is_valid());
    assert_eq!(
        facts.name,
        NameFact::Matches {
            san: "IP:127.0.0.1".into()
        }
    );
    assert_eq!(facts.declared, None);
}

#[test]
fn declared_facts_override_the_derived_ones_and_say_why() {
    let facts = derive(
        &scenario(
            "[facts]\nchain_valid = false\nname_matches = false\nwhy = \"the server serves its own certificates\"\n",
        ),
        UP,
    );
    assert!(!facts.chain.is_valid());
    assert_eq!(facts.name, NameFact::Mismatch);
    assert_eq!(
        facts.declared.as_deref(),
        Some("the server serves its own certificates")
    );
    assert!(facts.to_string().ends_with(" · declared"), "{facts}");
}

#[test]
fn an_unknown_field_in_facts_is_refused() {
    let err = scenario::parse(
        Path::new("test.toml"),
        &format!("{VALID}[facts]\nchain = \"valid\"\nwhy = \"x\"\n"),
    )
    .expect_err("unknown field");
    assert!(err.to_string().contains("chain"), "{err}");
}

#[test]
fn a_reload_counts_only_when_the_server_accepted_it() {
    let reloaded =
        scenario("[reload.files]\n\"server-cert.pem\" = { certs = [\"server_expired\"] }\n");
    assert!(
        derive(&reloaded, UP).chain.is_valid(),
        "refused: the old chain is served"
    );
    let accepted = derive(
        &reloaded,
        ServerObservation {
            tls_enabled: true,
            reload_accepted: true,
        },
    );
    assert_eq!(
        accepted.chain,
        ChainFact::Invalid {
            defects: vec![ChainDefect::Expired("server_expired".into())]
        }
    );
    let off = derive(
        &scenario(""),
        ServerObservation {
            tls_enabled: false,
            reload_accepted: false,
        },
    );
    assert!(!off.server_tls);
}
