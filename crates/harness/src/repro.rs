//! Does a run reproduce what a bug report saw? A scenario's `reported` text (verbatim from the
//! report) is looked for, normalized, in every cell's outcome — or, when the scenario says
//! `reported_in = "server-log"`, in the server's log lines only. Reporters paste with
//! ellipses, their own client's prefix and error code: an ellipsis is a gap, and a leading
//! `ERROR 2026 (HY000):`, `Error:`, exception type or Python `(2026, '…')` tuple is taken
//! apart, its code compared with the cell's code. With a `reporter` (a client or a family) the
//! verdict says whether the reporter's own client reproduces it or only others do; when
//! nothing matches it names the cell that came closest. A report we cannot reproduce is a
//! finding, stated in the snapshot.

use crate::{Error, ScenarioReport, ServerState};
use regex::Regex;
use scenario::ReportedIn;
use std::sync::LazyLock;

/// OpenSSL packed error codes (`error:0A000086:`, `error:1416F086:`) differ between OpenSSL
/// versions for the same reason string; they are dropped before comparing.
static OPENSSL_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"error:[0-9a-f]{8}:").expect("valid regex"));

/// Prefixes reporters' clients put before the message, on normalized text: the CLI's `error
/// 2026 (hy000):`, `error 2026:`, a thrown `error:`, an exception type (`java.sql.
/// sqlnontransientconnectionexception:`, `mysqldb.operationalerror:`), a parenthesized type
/// (`(mysqldb.operationalerror)`). Group 1, where present, is the MySQL error code.
static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:error (\d{4})(?: \([0-9a-z]{5}\))?:|error:|[a-z_][\w.$]*(?:exception|error):|\([a-z_][\w.$]*(?:exception|error)\))\s*",
    )
    .expect("valid regex")
});

/// A Python DB-API error tuple, `(2026, 'message')`, on normalized text.
static TUPLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\((\d{4}), '(.*)'\)$").expect("valid regex"));

/// The library families of the built-in clients (external drivers declare theirs in their
/// drivers file, `family = …`).
const BUILTIN_FAMILIES: [(&str, &str); 3] = [
    ("mysql-cli", "libmysqlclient"),
    ("mariadb-cli", "libmariadb"),
    ("rust-mysql-native-tls", "native-tls"),
];

/// Lowercase, redacted ([`outcome::redact`]), OpenSSL codes dropped, quotes unified,
/// whitespace collapsed.
pub fn normalize(text: &str) -> String {
    let redacted = outcome::redact(text).to_lowercase();
    let no_codes = OPENSSL_CODE.replace_all(&redacted, "error:");
    no_codes
        .replace(['"', '`', '‘', '’', '“', '”'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A report scenario's claim, as a run judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// The reporter's text, verbatim.
    pub text: String,
    /// Where it was seen.
    pub place: ReportedIn,
    /// The reporter's client as the scenario names it, and the clients of the run it covers.
    pub reporter: Option<Reporter>,
}

/// The reporter's client: a client name or a family, and the clients it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reporter {
    /// As the scenario's `reporter` spells it.
    pub name: String,
    /// The run's clients it covers (the client itself, or every client of the family).
    pub clients: Vec<String>,
}

impl Reported {
    /// The claim of `scenario`, its `reporter` resolved among `drivers` and the built-in
    /// clients. `None` without `reported`.
    ///
    /// Errors: [`Error::UnknownReporter`] when `reporter` names neither a client nor a family
    /// (the message lists both).
    pub fn of(
        scenario: &scenario::Scenario,
        drivers: &[clients::DriverSpec],
    ) -> Result<Option<Reported>, Error> {
        let Some(text) = &scenario.reported else {
            return Ok(None);
        };
        let known: Vec<(String, Option<String>)> = BUILTIN_FAMILIES
            .iter()
            .map(|(c, f)| ((*c).to_owned(), Some((*f).to_owned())))
            .chain(drivers.iter().map(|d| (d.name.clone(), d.family.clone())))
            .collect();
        let reporter = match &scenario.reporter {
            None => None,
            Some(name) => {
                let clients: Vec<String> = known
                    .iter()
                    .filter(|(c, f)| c == name || f.as_deref() == Some(name.as_str()))
                    .map(|(c, _)| c.clone())
                    .collect();
                if clients.is_empty() {
                    let mut families: Vec<&str> =
                        known.iter().filter_map(|(_, f)| f.as_deref()).collect();
                    families.sort_unstable();
                    families.dedup();
                    let names: Vec<&str> = known.iter().map(|(c, _)| c.as_str()).collect();
                    return Err(Error::UnknownReporter {
                        scenario: scenario.id.clone(),
                        name: name.clone(),
                        known: format!(
                            "clients {}; families {}",
                            names.join(", "),
                            families.join(", ")
                        ),
                    });
                }
                Some(Reporter {
                    name: name.clone(),
                    clients,
                })
            }
        };
        Ok(Some(Reported {
            text: text.clone(),
            place: scenario.reported_in,
            reporter,
        }))
    }
}

/// The reported text taken apart: the error code its prefix names, and the fragments between
/// ellipses, each normalized, to be found in this order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Needle {
    code: Option<u16>,
    fragments: Vec<String>,
}

impl Needle {
    fn of(reported: &str) -> Needle {
        let mut text = normalize(&reported.replace('…', "..."));
        let mut code = None;
        // Prefixes nest (`sqlalchemy.exc.operationalerror: (mysqldb.operationalerror) (2026, …)`).
        for _ in 0..4 {
            if let Some(c) = TUPLE.captures(&text) {
                code = code.or_else(|| c[1].parse().ok());
                text = c[2].to_owned();
                continue;
            }
            let Some(c) = PREFIX.captures(&text) else {
                break;
            };
            let rest = &text[c[0].len()..];
            if rest.is_empty() {
                break;
            }
            code = code.or_else(|| c.get(1).and_then(|m| m.as_str().parse().ok()));
            text = rest.to_owned();
        }
        let fragments = text
            .split("...")
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect();
        Needle { code, fragments }
    }

    /// Whether `haystack` (normalized) holds every fragment in order, and `cell_code` does not
    /// contradict the needle's code.
    fn found_in(&self, haystack: &str, cell_code: Option<u16>) -> bool {
        if self.fragments.is_empty() {
            return false;
        }
        if let (Some(want), Some(got)) = (self.code, cell_code)
            && want != got
        {
            return false;
        }
        let mut at = 0;
        for fragment in &self.fragments {
            match haystack[at..].find(fragment.as_str()) {
                Some(i) => at += i + fragment.len(),
                None => return false,
            }
        }
        true
    }

    fn joined(&self) -> String {
        self.fragments.join(" ")
    }
}

/// A reporter's line taken apart as the verdict reads it: the MySQL error code its prefix
/// names, and the message, normalized (lowercase), its ellipses as spaces.
pub(crate) fn split_reported(reported: &str) -> (Option<u16>, String) {
    let needle = Needle::of(reported);
    (needle.code, needle.joined())
}

/// The cell message (or server log line) that came closest to a reported text seen nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closest {
    /// `"<client> <ssl-mode>"`, or `"server log"`.
    pub cell: String,
    /// How alike, 0–100: [`similar`]'s character ratio of the normalized texts.
    pub alike_percent: u8,
    /// The cell's message as the snapshot shows it, cut to 120 characters.
    pub text: String,
}

/// What a run says of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reproduction {
    /// Seen in these cells; the scenario names no reporter.
    Seen {
        /// `"<client> <ssl-mode>"` of every matching cell, in table order.
        cells: Vec<String>,
    },
    /// Seen in cells of the reporter's client.
    ByReporter {
        /// The reporter as the scenario names it.
        reporter: String,
        /// The matching cells of the reporter's clients.
        cells: Vec<String>,
    },
    /// Seen, but only in other clients than the reporter's.
    OnlyOthers {
        /// The reporter as the scenario names it.
        reporter: String,
        /// The matching cells.
        cells: Vec<String>,
        /// The reporter's cell that came closest.
        closest: Option<Closest>,
    },
    /// Found in the server's log (`reported_in = "server-log"`).
    ServerLog,
    /// Nowhere it was looked for.
    Not {
        /// The failed cell (or, for a server-log report, the log line) that came closest;
        /// `None` when there is none.
        closest: Option<Closest>,
    },
}

impl std::fmt::Display for Reproduction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let closest = |c: &Option<Closest>| match c {
            Some(c) => format!(
                "; closest: {} ({}% alike): `{}`",
                c.cell, c.alike_percent, c.text
            ),
            None => String::new(),
        };
        match self {
            Reproduction::Seen { cells } => write!(f, "reproduced ({})", cells_text(cells)),
            Reproduction::ByReporter { reporter, cells } => write!(
                f,
                "reproduced by the reporter's client {reporter} ({})",
                cells_text(cells)
            ),
            Reproduction::OnlyOthers {
                reporter,
                cells,
                closest: c,
            } => write!(
                f,
                "seen only in other clients than the reporter's {reporter} ({}){}",
                cells_text(cells),
                closest(c)
            ),
            Reproduction::ServerLog => write!(f, "reproduced (server log)"),
            Reproduction::Not { closest: c } => {
                write!(f, "NOT reproduced on this flavor{}", closest(c))
            }
        }
    }
}

impl Reproduction {
    /// Where it was seen, `"<cell> and N more cell(s)"` or `"server log"`; `None` when
    /// nowhere (the JSON report's `reproduced_by`).
    pub fn seen_in(&self) -> Option<String> {
        match self {
            Reproduction::Seen { cells }
            | Reproduction::ByReporter { cells, .. }
            | Reproduction::OnlyOthers { cells, .. } => Some(cells_text(cells)),
            Reproduction::ServerLog => Some("server log".into()),
            Reproduction::Not { .. } => None,
        }
    }
}

fn cells_text(cells: &[String]) -> String {
    match cells {
        [] => String::new(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} and {} more cell(s)", rest.len()),
    }
}

/// Judges `report` against its scenario's `reported` claim; `None` without one.
pub fn reproduction(report: &ScenarioReport) -> Option<Reproduction> {
    let reported = report.reported.as_ref()?;
    let needle = Needle::of(&reported.text);
    if reported.place == ReportedIn::ServerLog {
        let log = match &report.server {
            ServerState::Ready { log, .. } | ServerState::FailedToStart { log, .. } => log,
        };
        let seen = log.iter().any(|l| needle.found_in(&normalize(l), None));
        return Some(if seen {
            Reproduction::ServerLog
        } else {
            Reproduction::Not {
                closest: closest(
                    &needle,
                    log.iter().map(|l| ("server log".to_owned(), l.as_str())),
                ),
            }
        });
    }
    let matching: Vec<&crate::Row> = report
        .rows
        .iter()
        .filter(|r| {
            let code = failure_code(&r.outcome);
            surface_forms(&r.outcome)
                .iter()
                .any(|form| needle.found_in(&normalize(form), code))
        })
        .collect();
    let name = |r: &crate::Row| format!("{} {}", r.client, r.ssl_mode);
    let closest_among = |rows: &mut dyn Iterator<Item = &crate::Row>| {
        closest(
            &needle,
            rows.filter_map(|r| match &r.outcome {
                outcome::Outcome::Failed { message, .. } => Some((name(r), message.as_str())),
                _ => None,
            }),
        )
    };
    Some(match &reported.reporter {
        None if matching.is_empty() => Reproduction::Not {
            closest: closest_among(&mut report.rows.iter()),
        },
        None => Reproduction::Seen {
            cells: matching.iter().map(|r| name(r)).collect(),
        },
        Some(reporter) => {
            let ours = |r: &crate::Row| reporter.clients.contains(&r.client);
            let by_reporter: Vec<String> = matching
                .iter()
                .filter(|r| ours(r))
                .map(|r| name(r))
                .collect();
            if !by_reporter.is_empty() {
                Reproduction::ByReporter {
                    reporter: reporter.name.clone(),
                    cells: by_reporter,
                }
            } else if !matching.is_empty() {
                Reproduction::OnlyOthers {
                    reporter: reporter.name.clone(),
                    cells: matching.iter().map(|r| name(r)).collect(),
                    closest: closest_among(&mut report.rows.iter().filter(|r| ours(r))),
                }
            } else {
                Reproduction::Not {
                    closest: closest_among(&mut report.rows.iter().filter(|r| ours(r)))
                        .or_else(|| closest_among(&mut report.rows.iter())),
                }
            }
        }
    })
}

/// Where the reported text was seen (see [`Reproduction::seen_in`]); `None` when nowhere or
/// when the scenario has no `reported`.
pub fn reproduced_by(report: &ScenarioReport) -> Option<String> {
    reproduction(report)?.seen_in()
}

/// The text among `candidates` (`(where, text)`: failed cells' messages, or log lines) most
/// alike the needle (ties: the first).
fn closest<'a>(
    needle: &Needle,
    candidates: impl Iterator<Item = (String, &'a str)>,
) -> Option<Closest> {
    let want = needle.joined();
    let mut best: Option<(f32, String, &str)> = None;
    for (place, text) in candidates {
        let ratio = similar::TextDiff::from_chars(want.as_str(), normalize(text).as_str()).ratio();
        if best.as_ref().is_none_or(|(b, _, _)| ratio > *b) {
            best = Some((ratio, place, text));
        }
    }
    best.map(|(ratio, cell, text)| {
        let text = outcome::redact(text).replace('\n', " ");
        let text: String = match text.char_indices().nth(120) {
            Some((i, _)) => format!("{}…", &text[..i]),
            None => text,
        };
        Closest {
            cell,
            // `ratio` is in 0..=1.
            alike_percent: (ratio * 100.0).round().clamp(0.0, 100.0) as u8,
            text: text.replace('`', "'"),
        }
    })
}

fn failure_code(outcome: &outcome::Outcome) -> Option<u16> {
    match outcome {
        outcome::Outcome::Failed { code, .. } => *code,
        _ => None,
    }
}

/// The ways a failure surfaces to the people who report it: the harness's cell text, the bare
/// message, the CLI's `ERROR 2026 (HY000): …`, a thrown error's `Error: …`, and an exception's
/// `<type>: …` (Python, Java).
fn surface_forms(outcome: &outcome::Outcome) -> Vec<String> {
    let mut forms = vec![outcome.to_string()];
    if let outcome::Outcome::Failed {
        code,
        sqlstate,
        message,
        raw_type,
        ..
    } = outcome
    {
        forms.push(message.clone());
        forms.push(format!("Error: {message}"));
        forms.push(format!("{raw_type}: {message}"));
        match (code, sqlstate) {
            (Some(c), Some(s)) => forms.push(format!("ERROR {c} ({s}): {message}")),
            (Some(c), None) => forms.push(format!("ERROR {c}: {message}")),
            _ => {}
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(
        client: &str,
        mode: scenario::SslMode,
        code: Option<u16>,
        message: &str,
    ) -> crate::Row {
        crate::Row {
            client: client.into(),
            ssl_mode: mode,
            outcome: outcome::Outcome::Failed {
                code,
                sqlstate: code.map(|_| "HY000".into()),
                message: message.into(),
                kind: outcome::FailureKind::Verification,
                raw_type: "test".into(),
            },
            took: std::time::Duration::ZERO,
            seen: None,
        }
    }

    fn judged(
        reported: &str,
        place: ReportedIn,
        reporter: Option<(&str, &[&str])>,
        rows: Vec<crate::Row>,
        log: &[&str],
    ) -> Reproduction {
        let report = ScenarioReport {
            scenario: "reports/test".into(),
            description: "test".into(),
            reported: Some(Reported {
                text: reported.into(),
                place,
                reporter: reporter.map(|(name, clients)| Reporter {
                    name: name.into(),
                    clients: clients.iter().map(|c| (*c).to_owned()).collect(),
                }),
            }),
            flavor: "mysql-9",
            server_version: String::new(),
            boot_time: std::time::Duration::ZERO,
            client_versions: Vec::new(),
            start_costs: Vec::new(),
            server: ServerState::Ready {
                tls_enabled: true,
                log: log.iter().map(|l| (*l).to_owned()).collect(),
            },
            reload: None,
            auth_note: "",
            rows,
            reused_server: false,
            facts: None,
        };
        reproduction(&report).expect("a reported text")
    }

    use scenario::SslMode::{Required, VerifyCa, VerifyIdentity};

    #[test]
    fn an_ellipsis_is_a_gap_and_the_prefix_code_is_compared_apart() {
        let rows = vec![failed(
            "mysql-cli",
            VerifyCa,
            Some(2026),
            "SSL connection error: error:0A000086:SSL routines::certificate verify failed",
        )];
        for reported in [
            "ERROR 2026 (HY000): SSL connection error ... certificate verify failed",
            "ERROR 2026 … certificate verify failed",
            "java.sql.SQLNonTransientConnectionException: SSL connection error: error:0A000086:SSL routines::certificate verify failed",
            "(2026, 'SSL connection error: error:0A000086:SSL routines::certificate verify failed')",
        ] {
            assert_eq!(
                judged(reported, ReportedIn::Client, None, rows.clone(), &[]),
                Reproduction::Seen {
                    cells: vec!["mysql-cli VERIFY_CA".into()]
                },
                "{reported}"
            );
        }
        // Fragments in the wrong order, or another code, do not match.
        for reported in [
            "certificate verify failed ... SSL connection error",
            "ERROR 2013 (HY000): SSL connection error: error:0A000086:SSL routines::certificate verify failed",
        ] {
            assert!(
                matches!(
                    judged(reported, ReportedIn::Client, None, rows.clone(), &[]),
                    Reproduction::Not { closest: Some(_) }
                ),
                "{reported}"
            );
        }
    }

    #[test]
    fn a_client_report_is_not_reproduced_by_a_server_log_line() {
        let rows = vec![failed(
            "mysql-cli",
            VerifyCa,
            Some(2026),
            "SSL connection error: unable to get issuer certificate",
        )];
        let log = ["[Warning] [MY-010068] [Server] CA certificate ca.pem is self signed."];
        let reported = "CA certificate ca.pem is self signed";
        let client = judged(reported, ReportedIn::Client, None, rows.clone(), &log);
        assert!(matches!(client, Reproduction::Not { .. }), "{client}");
        assert!(
            client.to_string().contains("closest: mysql-cli VERIFY_CA"),
            "{client}"
        );
        assert_eq!(
            judged(reported, ReportedIn::ServerLog, None, rows, &log),
            Reproduction::ServerLog
        );
    }

    #[test]
    fn the_verdict_says_whether_the_reporters_client_reproduces_it() {
        let rows = vec![
            failed(
                "mysql-cli",
                VerifyCa,
                Some(2026),
                "SSL connection error: certificate verify failed",
            ),
            failed(
                "mysqlclient",
                Required,
                Some(2026),
                "TLS/SSL error: self-signed certificate",
            ),
            failed(
                "mysqlclient",
                VerifyIdentity,
                Some(2026),
                "TLS/SSL error: certificate verify failed",
            ),
        ];
        let reported = "certificate verify failed";
        assert_eq!(
            judged(
                reported,
                ReportedIn::Client,
                Some(("libmariadb", &["mysqlclient"])),
                rows.clone(),
                &[]
            ),
            Reproduction::ByReporter {
                reporter: "libmariadb".into(),
                cells: vec!["mysqlclient VERIFY_IDENTITY".into()]
            }
        );
        let only_others = judged(
            "SSL connection error: certificate verify failed",
            ReportedIn::Client,
            Some(("mysqlclient", &["mysqlclient"])),
            rows,
            &[],
        );
        let text = only_others.to_string();
        assert!(
            text.starts_with("seen only in other clients than the reporter's mysqlclient (mysql-cli VERIFY_CA); closest: mysqlclient "),
            "{text}"
        );
    }

    #[test]
    fn normalization_ignores_openssl_codes_case_quotes_and_spacing() {
        assert_eq!(
            normalize(
                "ERROR 2026 (HY000): SSL connection error: error:1416F086:SSL routines:tls_process_server_certificate:certificate  verify failed"
            ),
            normalize(
                "error 2026 (hy000): ssl connection error: error:0A000086:ssl routines:tls_process_server_certificate:certificate verify failed"
            ),
        );
        assert_eq!(normalize("“self-signed”"), "'self-signed'");
    }

    #[test]
    fn cli_and_thrown_error_prefixes_are_surface_forms() {
        let failed = outcome::Outcome::Failed {
            code: Some(2026),
            sqlstate: Some("HY000".into()),
            message: "TLS/SSL error: self-signed certificate".into(),
            kind: outcome::FailureKind::Verification,
            raw_type: "mariadb CLI exit 1".into(),
        };
        let forms: Vec<String> = surface_forms(&failed)
            .iter()
            .map(|f| normalize(f))
            .collect();
        for reported in [
            "ERROR 2026 (HY000): TLS/SSL error: self-signed certificate",
            "Error: TLS/SSL error: self-signed certificate",
        ] {
            assert!(
                forms.iter().any(|f| f.contains(&normalize(reported))),
                "{reported}"
            );
        }
    }
}
