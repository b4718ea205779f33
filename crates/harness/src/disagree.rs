//! The disagreements view: per scenario, flavor and ssl-mode, which clients' outcome class
//! differs from the majority. Classes ignore message wording (drivers word the same failure
//! differently): `connected · TLS`, `connected · no TLS`, `failed · <kind>`, `hang`.
//! Clients that answered `unsupported` take no part.

use crate::ScenarioReport;
use outcome::Outcome;
use scenario::SslMode;
use std::collections::BTreeMap;

/// One ssl-mode of one scenario run where clients disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// Scenario id.
    pub scenario: String,
    /// Flavor name.
    pub flavor: &'static str,
    /// The ssl-mode.
    pub ssl_mode: SslMode,
    /// The majority's class and how many clients share it (ties: the class seen first).
    pub majority: (String, usize),
    /// Clients outside the majority, `(client, class)`, in matrix order.
    pub dissenters: Vec<(String, String)>,
}

/// The comparable class of an outcome, or `None` for `unsupported`.
pub fn outcome_class(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Connected { tls: Some(_) } => Some("connected · TLS".into()),
        Outcome::Connected { tls: None } => Some("connected · no TLS".into()),
        Outcome::Failed { kind, .. } => Some(format!("failed · {}", kind.as_str())),
        Outcome::Hang { .. } => Some("hang".into()),
        Outcome::Unsupported { .. } => None,
    }
}

/// Every ssl-mode of `report` where at least one client differs from the majority.
pub fn disagreements(report: &ScenarioReport) -> Vec<Disagreement> {
    let mut out = Vec::new();
    for mode in SslMode::ALL {
        let classes: Vec<(String, String)> = report
            .rows
            .iter()
            .filter(|r| r.ssl_mode == mode)
            .filter_map(|r| outcome_class(&r.outcome).map(|c| (r.client.clone(), c)))
            .collect();
        let mut counts: Vec<(String, usize)> = Vec::new();
        for (_, class) in &classes {
            match counts.iter_mut().find(|(c, _)| c == class) {
                Some((_, n)) => *n += 1,
                None => counts.push((class.clone(), 1)),
            }
        }
        let Some(majority) = counts
            .iter()
            .fold(None::<&(String, usize)>, |best, c| match best {
                Some(b) if b.1 >= c.1 => Some(b),
                _ => Some(c),
            })
            .cloned()
        else {
            continue;
        };
        let dissenters: Vec<(String, String)> = classes
            .into_iter()
            .filter(|(_, c)| *c != majority.0)
            .collect();
        if !dissenters.is_empty() {
            out.push(Disagreement {
                scenario: report.scenario.clone(),
                flavor: report.flavor,
                ssl_mode: mode,
                majority,
                dissenters,
            });
        }
    }
    out
}

/// Text for people: one line per disagreement, grouped by scenario run.
pub fn render_disagreements(all: &[Disagreement]) -> String {
    let mut by_run: BTreeMap<(String, &str), Vec<&Disagreement>> = BTreeMap::new();
    for d in all {
        by_run
            .entry((d.scenario.clone(), d.flavor))
            .or_default()
            .push(d);
    }
    let mut out = String::new();
    for ((scenario, flavor), list) in by_run {
        out.push_str(&format!("{scenario} on {flavor}\n"));
        for d in list {
            let who: Vec<String> = d
                .dissenters
                .iter()
                .map(|(client, class)| format!("{client}: {class}"))
                .collect();
            out.push_str(&format!(
                "  {}: majority {} ({}); differ: {}\n",
                d.ssl_mode,
                d.majority.0,
                d.majority.1,
                who.join(", ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Row, ServerState};
    use outcome::{FailureKind, TlsInfo};
    use rstest::rstest;
    use std::time::Duration;

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

    fn failed(kind: FailureKind, message: &str) -> Outcome {
        Outcome::Failed {
            code: Some(2026),
            sqlstate: Some("HY000".into()),
            message: message.into(),
            kind,
            raw_type: "E".into(),
        }
    }

    fn verification() -> Outcome {
        failed(FailureKind::Verification, "certificate verify failed")
    }

    fn unsupported() -> Outcome {
        Outcome::Unsupported {
            reason: "no such mode".into(),
        }
    }

    /// A report of `scenario` on `flavor` with `(client, mode, outcome)` rows.
    fn report(
        scenario: &str,
        flavor: &'static str,
        rows: Vec<(&str, SslMode, Outcome)>,
    ) -> ScenarioReport {
        ScenarioReport {
            scenario: scenario.into(),
            description: String::new(),
            reported: None,
            flavor,
            server_version: "test".into(),
            boot_time: Duration::ZERO,
            client_versions: Vec::new(),
            start_costs: Vec::new(),
            server: ServerState::Ready {
                tls_enabled: true,
                log: Vec::new(),
            },
            reload: None,
            auth_note: "",
            rows: rows
                .into_iter()
                .map(|(client, ssl_mode, outcome)| Row {
                    client: client.into(),
                    ssl_mode,
                    outcome,
                    took: Duration::ZERO,
                    seen: None,
                })
                .collect(),
            reused_server: false,
            facts: None,
        }
    }

    /// One mode's rows: client `c<i>` gets the i-th outcome.
    fn one_mode(mode: SslMode, outcomes: Vec<Outcome>) -> ScenarioReport {
        let names = ["a", "b", "c", "d", "e", "f"];
        report(
            "basic/test",
            "mysql-9",
            names
                .into_iter()
                .zip(outcomes)
                .map(|(c, o)| (c, mode, o))
                .collect(),
        )
    }

    fn dissent(client: &str, class: &str) -> (String, String) {
        (client.into(), class.into())
    }

    #[rstest]
    #[case::tls(tls(), Some("connected · TLS"))]
    #[case::plaintext(plain(), Some("connected · no TLS"))]
    #[case::verification(verification(), Some("failed · verification"))]
    #[case::server_no_tls(failed(FailureKind::ServerNoTls, "x"), Some("failed · server-no-tls"))]
    #[case::transport(failed(FailureKind::Transport, "x"), Some("failed · transport"))]
    #[case::hang(Outcome::Hang { after_ms: 10_000 }, Some("hang"))]
    #[case::unsupported(unsupported(), None)]
    fn outcome_class_keeps_the_verdict_and_the_failure_kind(
        #[case] outcome: Outcome,
        #[case] class: Option<&str>,
    ) {
        assert_eq!(outcome_class(&outcome).as_deref(), class);
    }

    #[test]
    fn outcome_class_ignores_wording_codes_and_negotiated_parameters() {
        let a = Outcome::Failed {
            code: Some(2026),
            sqlstate: Some("HY000".into()),
            message: "SSL connection error: certificate verify failed".into(),
            kind: FailureKind::Verification,
            raw_type: "mysql CLI exit 1".into(),
        };
        let b = Outcome::Failed {
            code: None,
            sqlstate: None,
            message: "PKIX path building failed".into(),
            kind: FailureKind::Verification,
            raw_type: "java.sql.SQLException".into(),
        };
        assert_eq!(outcome_class(&a), outcome_class(&b));
        let tls12 = Outcome::Connected {
            tls: Some(TlsInfo {
                version: "TLSv1.2".into(),
                cipher: "ECDHE-RSA-AES128-GCM-SHA256".into(),
            }),
        };
        assert_eq!(outcome_class(&tls12), outcome_class(&tls()));
        assert_ne!(outcome_class(&tls()), outcome_class(&plain()));
    }

    #[test]
    fn no_disagreement_when_every_client_agrees() {
        let report = one_mode(SslMode::Required, vec![tls(), tls(), tls()]);
        assert_eq!(disagreements(&report), []);
    }

    #[test]
    fn differently_worded_failures_of_one_kind_agree() {
        let report = one_mode(
            SslMode::VerifyCa,
            vec![
                failed(FailureKind::Verification, "certificate verify failed"),
                failed(
                    FailureKind::Verification,
                    "unable to get local issuer certificate",
                ),
            ],
        );
        assert_eq!(disagreements(&report), []);
    }

    #[test]
    fn the_majority_class_wins_and_the_others_dissent() {
        let report = one_mode(SslMode::VerifyIdentity, vec![tls(), verification(), tls()]);
        assert_eq!(
            disagreements(&report),
            [Disagreement {
                scenario: "basic/test".into(),
                flavor: "mysql-9",
                ssl_mode: SslMode::VerifyIdentity,
                majority: ("connected · TLS".into(), 2),
                dissenters: vec![dissent("b", "failed · verification")],
            }]
        );
    }

    #[test]
    fn a_later_larger_class_beats_an_earlier_smaller_one() {
        let report = one_mode(SslMode::Required, vec![plain(), tls(), tls()]);
        let found = disagreements(&report);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].majority, ("connected · TLS".into(), 2));
        assert_eq!(found[0].dissenters, [dissent("a", "connected · no TLS")]);
    }

    #[rstest]
    #[case::failure_first(vec![verification(), tls()], "failed · verification", "b", "connected · TLS")]
    #[case::connected_first(vec![tls(), verification()], "connected · TLS", "b", "failed · verification")]
    fn a_tie_goes_to_the_class_seen_first(
        #[case] outcomes: Vec<Outcome>,
        #[case] majority: &str,
        #[case] dissenter: &str,
        #[case] dissenter_class: &str,
    ) {
        let found = disagreements(&one_mode(SslMode::Required, outcomes));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].majority, (majority.into(), 1));
        assert_eq!(found[0].dissenters, [dissent(dissenter, dissenter_class)]);
    }

    #[test]
    fn a_tie_between_larger_classes_also_goes_to_the_first_and_dissenters_keep_matrix_order() {
        let hang = Outcome::Hang { after_ms: 10_000 };
        let report = one_mode(
            SslMode::Preferred,
            vec![verification(), tls(), tls(), verification(), hang],
        );
        let found = disagreements(&report);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].majority, ("failed · verification".into(), 2));
        assert_eq!(
            found[0].dissenters,
            [
                dissent("b", "connected · TLS"),
                dissent("c", "connected · TLS"),
                dissent("e", "hang"),
            ]
        );
    }

    #[test]
    fn unsupported_clients_take_no_part() {
        // Two unsupported answers would outnumber the one TLS connection if they counted.
        let report = one_mode(
            SslMode::Preferred,
            vec![unsupported(), tls(), unsupported()],
        );
        assert_eq!(disagreements(&report), []);
    }

    #[test]
    fn unsupported_clients_are_neither_majority_nor_dissenters() {
        let report = one_mode(
            SslMode::VerifyCa,
            vec![unsupported(), unsupported(), tls(), tls(), verification()],
        );
        let found = disagreements(&report);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].majority, ("connected · TLS".into(), 2));
        assert_eq!(found[0].dissenters, [dissent("e", "failed · verification")]);
    }

    #[test]
    fn a_mode_every_client_finds_unsupported_has_no_disagreement() {
        let report = one_mode(SslMode::VerifyCa, vec![unsupported(), unsupported()]);
        assert_eq!(disagreements(&report), []);
    }

    #[test]
    fn an_empty_report_has_no_disagreement() {
        assert_eq!(
            disagreements(&report("basic/test", "mysql-9", Vec::new())),
            []
        );
    }

    #[test]
    fn each_ssl_mode_is_judged_alone_and_listed_weakest_first() {
        use SslMode::*;
        // Client-major rows: y differs from x and z on DISABLED and VERIFY_IDENTITY only.
        let report = report(
            "basic/test",
            "mariadb-11.8",
            vec![
                ("x", Disabled, plain()),
                ("x", Required, tls()),
                ("x", VerifyIdentity, verification()),
                ("y", Disabled, failed(FailureKind::Auth, "denied")),
                ("y", Required, tls()),
                ("y", VerifyIdentity, tls()),
                ("z", Disabled, plain()),
                ("z", Required, tls()),
                ("z", VerifyIdentity, verification()),
            ],
        );
        assert_eq!(
            disagreements(&report),
            [
                disagreement(
                    "basic/test",
                    "mariadb-11.8",
                    Disabled,
                    ("connected · no TLS", 2),
                    &[("y", "failed · auth")],
                ),
                disagreement(
                    "basic/test",
                    "mariadb-11.8",
                    VerifyIdentity,
                    ("failed · verification", 2),
                    &[("y", "connected · TLS")],
                ),
            ]
        );
    }

    fn disagreement(
        scenario: &str,
        flavor: &'static str,
        ssl_mode: SslMode,
        majority: (&str, usize),
        dissenters: &[(&str, &str)],
    ) -> Disagreement {
        Disagreement {
            scenario: scenario.into(),
            flavor,
            ssl_mode,
            majority: (majority.0.into(), majority.1),
            dissenters: dissenters.iter().map(|(c, k)| dissent(c, k)).collect(),
        }
    }

    #[test]
    fn rendering_nothing_is_empty() {
        assert_eq!(render_disagreements(&[]), "");
    }

    #[test]
    fn rendering_lists_majority_count_and_every_dissenter() {
        let all = [disagreement(
            "chain/missing-intermediate",
            "mysql-9",
            SslMode::VerifyCa,
            ("failed · verification", 9),
            &[
                ("go-sql-driver-mysql", "connected · TLS"),
                ("node-mysql", "failed · auth"),
            ],
        )];
        assert_eq!(
            render_disagreements(&all),
            "chain/missing-intermediate on mysql-9\n  \
             VERIFY_CA: majority failed · verification (9); \
             differ: go-sql-driver-mysql: connected · TLS, node-mysql: failed · auth\n"
        );
    }

    #[test]
    fn rendering_groups_by_scenario_run_under_one_heading_each() {
        let all = [
            disagreement(
                "basic/b",
                "mysql-9",
                SslMode::Required,
                ("connected · TLS", 3),
                &[("p", "hang")],
            ),
            disagreement(
                "basic/a",
                "mysql-9",
                SslMode::VerifyIdentity,
                ("connected · TLS", 2),
                &[("q", "failed · verification")],
            ),
            disagreement(
                "basic/b",
                "mariadb-11.8",
                SslMode::Disabled,
                ("connected · no TLS", 4),
                &[("r", "failed · auth")],
            ),
            disagreement(
                "basic/a",
                "mysql-9",
                SslMode::Disabled,
                ("connected · no TLS", 2),
                &[("s", "failed · transport")],
            ),
        ];
        assert_eq!(
            render_disagreements(&all),
            "basic/a on mysql-9\n\
             \x20 VERIFY_IDENTITY: majority connected · TLS (2); differ: q: failed · verification\n\
             \x20 DISABLED: majority connected · no TLS (2); differ: s: failed · transport\n\
             basic/b on mariadb-11.8\n\
             \x20 DISABLED: majority connected · no TLS (4); differ: r: failed · auth\n\
             basic/b on mysql-9\n\
             \x20 REQUIRED: majority connected · TLS (3); differ: p: hang\n"
        );
    }

    #[test]
    fn rendering_what_disagreements_found_names_each_mode_once() {
        use SslMode::*;
        let report = report(
            "basic/test",
            "mysql-9",
            vec![
                ("x", Required, tls()),
                ("x", VerifyCa, tls()),
                ("y", Required, plain()),
                ("y", VerifyCa, verification()),
                ("z", Required, tls()),
                ("z", VerifyCa, tls()),
            ],
        );
        assert_eq!(
            render_disagreements(&disagreements(&report)),
            "basic/test on mysql-9\n\
             \x20 REQUIRED: majority connected · TLS (2); differ: y: connected · no TLS\n\
             \x20 VERIFY_CA: majority connected · TLS (2); differ: y: failed · verification\n"
        );
    }
}
