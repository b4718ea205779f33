//! The judge on hand-made facts: each verdict class, each promise, DEFAULT through the
//! contract's documented defaults, and the contract file itself.

use outcome::{FailureKind, Outcome, TlsInfo};
use rstest::rstest;
use scenario::SslMode::{self, *};
use verdict::{
    Broken, ChainDefect, ChainFact, Contract, Exposure, Facts, NameFact, Policy, Verdict, judge,
    judge_exposed,
};

fn healthy() -> Facts {
    Facts {
        server_tls: true,
        chain: ChainFact::Valid {
            path: vec!["server".into(), "ca".into()],
        },
        name: NameFact::Matches {
            san: "IP:127.0.0.1".into(),
        },
        host: "127.0.0.1".into(),
        plaintext_refused: false,
        identity_required: false,
        identity_accepted: false,
        common_tls_version: true,
        policies: Vec::new(),
        declared: None,
        interposer: None,
        fault: false,
        downgraded: false,
    }
}

fn expired() -> Facts {
    Facts {
        chain: ChainFact::Invalid {
            defects: vec![ChainDefect::Expired("server".into())],
        },
        ..healthy()
    }
}

fn wrong_name() -> Facts {
    Facts {
        name: NameFact::Mismatch,
        ..healthy()
    }
}

fn no_tls() -> Facts {
    Facts {
        server_tls: false,
        ..healthy()
    }
}

fn tls() -> Outcome {
    Outcome::Connected {
        tls: Some(TlsInfo {
            version: "TLSv1.3".into(),
            cipher: "TLS_AES_256_GCM_SHA384".into(),
        }),
    }
}

fn plain() -> Outcome {
    Outcome::Connected { tls: None }
}

fn refused() -> Outcome {
    Outcome::Failed {
        code: Some(2026),
        sqlstate: None,
        message: "certificate verify failed".into(),
        kind: FailureKind::Verification,
        raw_type: "test".into(),
    }
}

fn class(facts: &Facts, mode: SslMode, outcome: &Outcome) -> String {
    judge(Contract::builtin(), facts, "mysql-cli", mode, outcome).to_string()
}

#[rstest]
#[case::disabled_plain(healthy(), Disabled, plain(), "conforms")]
#[case::disabled_tls(healthy(), Disabled, tls(), "violation · strict")]
#[case::preferred_tls(healthy(), Preferred, tls(), "conforms")]
#[case::preferred_downgrade(healthy(), Preferred, plain(), "VIOLATION · insecure · plaintext")]
#[case::preferred_fallback(no_tls(), Preferred, plain(), "conforms")]
#[case::required_unverified(expired(), Required, tls(), "conforms")]
#[case::required_verifies(expired(), Required, refused(), "violation · strict")]
#[case::required_plaintext(no_tls(), Required, plain(), "VIOLATION · insecure · plaintext")]
#[case::required_refuses_no_tls(no_tls(), Required, refused(), "conforms")]
#[case::verify_ca_expired(expired(), VerifyCa, tls(), "VIOLATION · insecure · chain")]
#[case::verify_ca_refuses(expired(), VerifyCa, refused(), "conforms")]
#[case::verify_ca_ignores_name(wrong_name(), VerifyCa, tls(), "conforms")]
#[case::verify_ca_checks_name(wrong_name(), VerifyCa, refused(), "violation · strict")]
#[case::verify_identity_name(wrong_name(), VerifyIdentity, tls(), "VIOLATION · insecure · name")]
#[case::verify_identity_plaintext(
    no_tls(),
    VerifyIdentity,
    plain(),
    "VIOLATION · insecure · plaintext"
)]
#[case::verify_identity_hang(healthy(), VerifyIdentity, Outcome::Hang { after_ms: 10_000 }, "violation · strict")]
#[case::unsupported(healthy(), VerifyCa, Outcome::Unsupported { reason: "x".into() }, "not applicable")]
#[case::no_auth_plugin(healthy(), Disabled, Outcome::Failed { code: Some(1251), sqlstate: None, message: "ER_NOT_SUPPORTED_AUTH_MODE".into(), kind: FailureKind::Auth, raw_type: "x".into() }, "not applicable")]
fn each_promise_judges_its_outcomes(
    #[case] facts: Facts,
    #[case] mode: SslMode,
    #[case] outcome: Outcome,
    #[case] want: &str,
) {
    assert_eq!(class(&facts, mode, &outcome), want);
}

#[test]
fn a_policy_explains_a_refusal_only_where_it_applies() {
    let weak = Facts {
        policies: vec![Policy::WeakSignature, Policy::WeakKey],
        ..healthy()
    };
    // Verification-level and handshake-level policies both apply under VERIFY_CA …
    assert_eq!(
        judge(Contract::builtin(), &weak, "x", VerifyCa, &refused()),
        Verdict::Policy {
            policies: vec![Policy::WeakSignature, Policy::WeakKey]
        }
    );
    // … the handshake-level ones under REQUIRED too, the anchor's own checks not, and none
    // under DISABLED.
    assert_eq!(
        judge(Contract::builtin(), &weak, "x", Required, &refused()),
        Verdict::Policy {
            policies: vec![Policy::WeakSignature, Policy::WeakKey]
        }
    );
    let old_anchor = Facts {
        policies: vec![Policy::TrustAnchorChecks],
        ..healthy()
    };
    assert_eq!(
        class(&old_anchor, VerifyCa, &refused()),
        "stricter by policy · trust-anchor-checks"
    );
    assert_eq!(
        class(&old_anchor, Required, &refused()),
        "violation · strict"
    );
    assert_eq!(class(&weak, Disabled, &refused()), "violation · strict");
    let cn_only = Facts {
        name: NameFact::CnOnly,
        policies: vec![Policy::CnOnly],
        ..healthy()
    };
    assert_eq!(class(&cn_only, VerifyIdentity, &tls()), "conforms");
    assert_eq!(
        class(&cn_only, VerifyIdentity, &refused()),
        "stricter by policy · cn-only"
    );
    assert_eq!(class(&cn_only, VerifyCa, &refused()), "violation · strict");
}

#[test]
fn the_server_refusing_is_never_the_clients_fault() {
    let demands_tls = Facts {
        plaintext_refused: true,
        ..healthy()
    };
    assert_eq!(class(&demands_tls, Disabled, &refused()), "conforms");
    let wants_certificate = Facts {
        identity_required: true,
        identity_accepted: false,
        ..healthy()
    };
    assert_eq!(
        class(&wants_certificate, VerifyIdentity, &refused()),
        "conforms"
    );
    assert_eq!(
        class(&wants_certificate, VerifyIdentity, &tls()),
        "facts contradicted"
    );
}

#[test]
fn default_is_judged_as_the_documented_default_with_the_system_trust_store() {
    let contract = Contract::builtin();
    // mysql-cli: PREFERRED.
    assert_eq!(
        judge(contract, &expired(), "mysql-cli", Default, &tls()),
        Verdict::Conforms
    );
    // mariadb-cli: VERIFY_IDENTITY against the system store, which trusts no scenario CA.
    assert!(matches!(
        judge(contract, &healthy(), "mariadb-cli", Default, &tls()),
        Verdict::Insecure {
            broken: Broken::Chain,
            ..
        }
    ));
    assert_eq!(
        judge(contract, &healthy(), "mariadb-cli", Default, &refused()),
        Verdict::Conforms
    );
    // node-mysql: DISABLED.
    assert_eq!(
        judge(contract, &healthy(), "node-mysql", Default, &plain()),
        Verdict::Conforms
    );
    // An undocumented client has no DEFAULT to be judged by.
    assert_eq!(
        judge(contract, &healthy(), "my-driver", Default, &plain()),
        Verdict::NotApplicable
    );
}

#[test]
fn the_contract_file_names_every_mode_policy_and_cites_its_sources() {
    let contract = Contract::builtin();
    for mode in [Disabled, Preferred, Required, VerifyCa, VerifyIdentity] {
        let promise = contract.promise(mode);
        assert!(
            promise
                .source
                .starts_with("https://dev.mysql.com/doc/refman/"),
            "{mode}"
        );
        assert!(
            promise.quote.starts_with(mode.as_str()),
            "{mode}: {}",
            promise.quote
        );
    }
    for d in &contract.default {
        assert!(d.source.contains("http"), "{}: {}", d.client, d.source);
    }
    assert!(!contract.ambiguity.is_empty());
    let missing_policy = verdict::CONTRACT_TOML.replace("[policy.cn-only]", "[policy.cn-only-x]");
    assert!(Contract::parse(&missing_policy).is_err());
}

/// What an interposer saw turns a failed login into an insecure one: the attacker has it.
#[rstest]
// Riddle: stripped greeting, the login in plaintext, then the attacker's error.
#[case::riddle_required(no_tls(), Required, refused(), Exposure { login_in_plaintext: true, login_to_interposer: false }, "VIOLATION · insecure · plaintext")]
#[case::riddle_preferred_may(no_tls(), Preferred, refused(), Exposure { login_in_plaintext: true, login_to_interposer: false }, "violation · strict")]
#[case::riddle_disabled_may(no_tls(), Disabled, plain(), Exposure { login_in_plaintext: true, login_to_interposer: false }, "conforms")]
// An impersonator's chain or name, the login sent inside its TLS, the relayed login refused.
#[case::impersonated_chain(expired(), VerifyCa, refused(), Exposure { login_in_plaintext: false, login_to_interposer: true }, "VIOLATION · insecure · chain")]
#[case::impersonated_name(wrong_name(), VerifyIdentity, refused(), Exposure { login_in_plaintext: false, login_to_interposer: true }, "VIOLATION · insecure · name")]
#[case::impersonated_required_may(expired(), Required, refused(), Exposure { login_in_plaintext: false, login_to_interposer: true }, "violation · strict")]
#[case::nothing_seen(expired(), VerifyCa, refused(), Exposure::default(), "conforms")]
fn exposure_to_the_interposer_is_judged(
    #[case] facts: Facts,
    #[case] mode: SslMode,
    #[case] outcome: Outcome,
    #[case] exposure: Exposure,
    #[case] want: &str,
) {
    let got = judge_exposed(
        Contract::builtin(),
        &facts,
        "mysql-cli",
        mode,
        &outcome,
        exposure,
    );
    assert_eq!(
        got.to_string(),
        want,
        "{facts:?} {mode} {outcome:?} {exposure:?}"
    );
}

#[test]
fn a_fault_excuses_a_failure_and_a_downgrade_outside_tls_version_is_insecure() {
    let contract = Contract::builtin();
    let fault = Facts {
        fault: true,
        ..healthy()
    };
    let hang = Outcome::Hang { after_ms: 1_000 };
    for outcome in [refused(), hang] {
        assert_eq!(
            judge_exposed(
                contract,
                &fault,
                "mysql-cli",
                Required,
                &outcome,
                Exposure::default()
            ),
            Verdict::NotApplicable
        );
    }
    assert_eq!(
        judge_exposed(
            contract,
            &fault,
            "mysql-cli",
            Required,
            &tls(),
            Exposure::default()
        ),
        Verdict::Conforms
    );
    let downgraded = Facts {
        downgraded: true,
        common_tls_version: false,
        ..healthy()
    };
    assert!(matches!(
        judge_exposed(
            contract,
            &downgraded,
            "mysql-cli",
            Required,
            &tls(),
            Exposure::default()
        ),
        Verdict::Insecure {
            broken: Broken::Version,
            ..
        }
    ));
    // DEFAULT takes no --tls-version: a TLS 1.2 session there keeps every promise.
    assert_eq!(
        judge_exposed(
            contract,
            &downgraded,
            "mysql-cli",
            Default,
            &tls(),
            Exposure::default()
        ),
        Verdict::Conforms
    );
}
