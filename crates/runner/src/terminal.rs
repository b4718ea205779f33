//! What a run prints on stdout when it is over: each scenario's table with versions and
//! timings and its snapshot verdict, the disagreements between clients, per-client latency, and
//! the closing summary line.

use harness::ScenarioReport;
use servers::Flavor;
use std::time::Duration;

/// Per scenario run and ssl-mode, the clients whose outcome class differs from the majority.
pub fn print_disagreements(reports: &[&ScenarioReport]) {
    let all: Vec<harness::Disagreement> = reports
        .iter()
        .flat_map(|r| harness::disagreements(r))
        .collect();
    println!(
        "## Disagreements ({} scenario-run × ssl-mode combinations where clients differ)
{}",
        all.len(),
        harness::render_disagreements(&all)
    );
}

/// Per client: median and p95 cell latency (cells it attempted) and, for external drivers,
/// the median process start cost (spawn → hello).
pub fn print_latency(reports: &[&ScenarioReport]) {
    use std::collections::BTreeMap;
    let mut cells: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut starts: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for report in reports {
        for row in &report.rows {
            if !order.contains(&row.client.as_str()) {
                order.push(&row.client);
            }
            if !row.took.is_zero() {
                cells.entry(&row.client).or_default().push(row.took);
            }
        }
        for (driver, cost) in &report.start_costs {
            starts.entry(driver).or_default().push(*cost);
        }
    }
    let quantile = |v: &mut Vec<Duration>, q: f64| {
        v.sort();
        v.get(((v.len() as f64 - 1.0) * q).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "## Latency per client (ms)
| client | cells | median | p95 | process start (median) |
|---|---|---|---|---|"
    );
    for client in order {
        let mut v = cells.remove(client).unwrap_or_default();
        let n = v.len();
        let (median, p95) = (quantile(&mut v, 0.5), quantile(&mut v, 0.95));
        let start = starts
            .get_mut(client)
            .map_or("in-process / per-cell exec".to_owned(), |s| {
                format!("{:.0}", quantile(s, 0.5))
            });
        println!("| {client} | {n} | {median:.0} | {p95:.0} | {start} |");
    }
    println!();
}

/// Whether the report comes from a `--image` run (its flavor is not a built-in one).
pub(crate) fn report_flavor_is_user_image(report: &ScenarioReport) -> bool {
    Flavor::by_name(report.flavor).is_none()
}

/// A scenario run's table (the snapshot text) and a line of versions and timings.
pub fn print_report(report: &ScenarioReport) {
    println!("{}", report_text(report));
}

/// What [`print_report`] prints: the snapshot text, then versions and timings on one line
/// (line breaks in versions shown as `\n`), passed through [`terminal_safe`] (messages,
/// versions and log lines come from servers and drivers).
pub fn report_text(report: &ScenarioReport) -> String {
    let versions: Vec<String> = report
        .client_versions
        .iter()
        .map(|(c, v)| format!("{c}: {v}"))
        .collect();
    let reload = report
        .reload
        .as_ref()
        .map(|r| format!("; reload {:.1} ms", r.took.as_secs_f64() * 1e3))
        .unwrap_or_default();
    let server = if report.reused_server {
        "reused server (fixtures swapped, TLS reloaded)".to_owned()
    } else {
        format!("boot {:.2} s", report.boot_time.as_secs_f64())
    };
    let line = format!(
        "versions: server {} {}; {} · timing: {server}{reload}",
        report.flavor,
        report.server_version,
        versions.join("; "),
    );
    terminal_safe(&format!(
        "{}\n{}",
        report.render_snapshot(),
        line.replace('\n', "\\n")
    ))
}

/// `text` safe to print on a terminal: every [`outcome::hidden_char`] (ANSI and OSC escape
/// sequences, `\r`, backspace, BEL, DEL, C1 controls, line separators, bidi controls) is
/// written visibly as [`char::escape_default`] spells them (`\u{1b}`, `\r`), so a
/// message cannot recolor, retitle, clear or overwrite the terminal or reorder what it shows.
pub fn terminal_safe(text: &str) -> String {
    outcome::visible(text)
}
