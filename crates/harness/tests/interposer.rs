//! The interposer is transparent: `basic/valid` behind a `pass_through` interposer gives every
//! client and ssl-mode the same outcome and verdict as without one, on every flavor; and every
//! cell behind it records what crossed (a TLS connection went end to end with no login in
//! plaintext; a plaintext connection's login was seen). Needs Docker and the locally built images.

use harness::{RunContext, ScenarioReport, run_scenario, scenarios_root};
use rstest::rstest;
use scenario::AttackSpec;
use servers::Flavor;

/// `(client, ssl-mode, outcome, verdict)` of every cell.
fn table(report: &ScenarioReport) -> Vec<(String, String, String, String)> {
    report
        .rows
        .iter()
        .map(|row| {
            (
                row.client.clone(),
                row.ssl_mode.to_string(),
                row.outcome.to_string(),
                report
                    .verdict(row)
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[rstest]
#[case::mysql_9("mysql-9")]
#[case::mariadb_10_11("mariadb-10.11")]
#[case::mariadb_11_8("mariadb-11.8")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pass_through_on_basic_valid_changes_nothing(#[case] flavor: &str) {
    let flavor = Flavor::by_name(flavor).expect("known flavor");
    let root = scenarios_root();
    let ctx = RunContext::new().expect("drivers/drivers.toml loads");
    let honest = scenario::load(&root, &root.join("basic/valid.toml")).expect("scenario loads");
    let mut relayed = honest.clone();
    relayed.attack = Some(AttackSpec::PassThrough);

    let direct = run_scenario(&honest, flavor, &ctx)
        .await
        .expect("direct run");
    let through = run_scenario(&relayed, flavor, &ctx)
        .await
        .expect("run through the interposer");

    assert_eq!(table(&direct), table(&through), "{}", flavor.name);
    assert!(direct.rows.iter().all(|r| r.seen.is_none()));
    for row in &through.rows {
        let seen = row
            .seen
            .as_ref()
            .expect("every cell behind the interposer is seen");
        let connected_plain = matches!(row.outcome, outcome::Outcome::Connected { tls: None });
        let connected_tls = matches!(row.outcome, outcome::Outcome::Connected { tls: Some(_) });
        let plaintext = seen.connections.iter().any(|c| c.credentials_in_plaintext);
        if connected_plain {
            assert!(
                plaintext,
                "{} {}: connected without TLS, so its login crossed in plaintext ({})",
                row.client, row.ssl_mode, seen.summary
            );
        }
        if connected_tls {
            assert!(
                !plaintext
                    && seen
                        .connections
                        .iter()
                        .any(|c| c.ssl_request && c.client_tls.is_none()),
                "{} {}: TLS end to end, never terminated by a pass-through ({})",
                row.client,
                row.ssl_mode,
                seen.summary
            );
        }
    }
}
