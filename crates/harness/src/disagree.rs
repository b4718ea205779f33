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
