//! The scorecard: per flavor, client and ssl-mode, how many cells conform, break the promise
//! insecurely or strictly, or refuse by a named policy.

use crate::judge::Verdict;
use scenario::SslMode;
use std::collections::BTreeMap;

/// Counts of one (flavor, client, mode).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Tally {
    /// `conforms`.
    pub conforms: u32,
    /// `violation · insecure`.
    pub insecure: u32,
    /// `violation · strict`.
    pub strict: u32,
    /// `stricter by policy`.
    pub policy: u32,
    /// `not applicable`.
    pub not_applicable: u32,
    /// `facts contradicted`.
    pub facts_contradicted: u32,
}

impl Tally {
    /// Counts `verdict`.
    pub fn add(&mut self, verdict: &Verdict) {
        match verdict {
            Verdict::Conforms => self.conforms += 1,
            Verdict::Insecure { .. } => self.insecure += 1,
            Verdict::Strict { .. } => self.strict += 1,
            Verdict::Policy { .. } => self.policy += 1,
            Verdict::NotApplicable => self.not_applicable += 1,
            Verdict::FactsContradicted { .. } => self.facts_contradicted += 1,
        }
    }

    /// `conforms / insecure / strict / policy`, e.g. `41 / 2 / 0 / 3`; `n/a` when every cell
    /// was not applicable.
    pub fn compact(&self) -> String {
        if self.conforms + self.insecure + self.strict + self.policy + self.facts_contradicted == 0
        {
            return "n/a".into();
        }
        format!(
            "{} / {} / {} / {}",
            self.conforms, self.insecure, self.strict, self.policy
        )
    }
}

/// One client's tallies by mode.
pub type ClientTallies = (String, BTreeMap<SslMode, Tally>);

/// Tallies by flavor, then client (in first-seen order), then mode.
#[derive(Debug, Clone, Default)]
pub struct Scorecard {
    /// Flavor → clients (in the order first seen) → mode → tally.
    pub flavors: BTreeMap<String, Vec<ClientTallies>>,
}

impl Scorecard {
    /// Counts one cell.
    pub fn add(&mut self, flavor: &str, client: &str, mode: SslMode, verdict: &Verdict) {
        let clients = self.flavors.entry(flavor.to_owned()).or_default();
        let index = match clients.iter().position(|(c, _)| c == client) {
            Some(i) => i,
            None => {
                clients.push((client.to_owned(), BTreeMap::new()));
                clients.len() - 1
            }
        };
        clients[index].1.entry(mode).or_default().add(verdict);
    }

    /// The modes seen in any flavor, weakest first.
    pub fn modes(&self) -> Vec<SslMode> {
        let mut modes: Vec<SslMode> = self
            .flavors
            .values()
            .flat_map(|c| c.iter().flat_map(|(_, m)| m.keys().copied()))
            .collect();
        modes.sort();
        modes.dedup();
        modes
    }

    /// Markdown: one table per flavor, a row per client, a column per mode, each cell
    /// `conforms / insecure / strict / policy`.
    pub fn to_markdown(&self) -> String {
        let modes = self.modes();
        let mut out = String::from(
            "Each cell: conforms / insecure / strict / policy (cells judged against the ssl-mode's promise; crates/verdict/contract.toml).\n",
        );
        for (flavor, clients) in &self.flavors {
            out.push_str(&format!("\n**{flavor}**\n\n| client |"));
            for m in &modes {
                out.push_str(&format!(" {m} |"));
            }
            out.push_str("\n|---|");
            out.push_str(&"---|".repeat(modes.len()));
            out.push('\n');
            for (client, tallies) in clients {
                out.push_str(&format!("| {client} |"));
                for m in &modes {
                    let cell = tallies.get(m).map_or("".into(), |t| {
                        let text = t.compact();
                        if t.insecure > 0 {
                            format!("**{text}**")
                        } else {
                            text
                        }
                    });
                    out.push_str(&format!(" {cell} |"));
                }
                out.push('\n');
            }
        }
        out
    }
}
