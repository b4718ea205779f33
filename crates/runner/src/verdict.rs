//! The snapshot verdict of one scenario run: the whole committed snapshot through insta, or
//! (when the run selects clients or ssl-modes) the selected cells row by row.

use crate::terminal::{report_flavor_is_user_image, terminal_safe};
use harness::{ScenarioReport, SnapshotCheck};

/// Whether `report` differs from its committed snapshot, checked silently (no diff printed, no
/// `.snap.new` written): `--fail-fast` asks this as soon as a run ends.
pub fn differs_quietly(report: &ScenarioReport, subset: bool) -> bool {
    let check = if subset {
        harness::check_cells(report)
    } else {
        harness::quick_check(report)
    };
    check == Some(SnapshotCheck::Differs)
}

/// The snapshot verdict of one report, printed: the selected cells row by row when `subset`;
/// else the whole rendering against the committed snapshot ([`harness::review_snapshot`]: a
/// differing or new one is written as a pending `.snap.new`, a diff printed for a differing
/// one, and one line says how to accept it); `None` when nothing is committed for a user image,
/// or for a subset of a scenario that has no snapshot yet (a subset cannot make one).
///
/// Errors: the pending file cannot be written.
pub fn snapshot_verdict(
    report: &ScenarioReport,
    label: &str,
    subset: bool,
) -> Result<Option<SnapshotCheck>, harness::Error> {
    if subset {
        let check = harness::check_cells(report);
        match check {
            Some(SnapshotCheck::Differs) => {
                println!("snapshot: cells DIFFER for {label} (the reports show which)\n")
            }
            Some(_) => println!("snapshot: the selected cells match\n"),
            None => println!(
                "snapshot: none committed for {label} (run it without --client/--ssl-mode to write one)\n"
            ),
        }
        return Ok(check);
    }
    if report_flavor_is_user_image(report) && !harness::snapshot_exists(report) {
        println!("snapshot: none committed for {label} (user image; not compared)\n");
        return Ok(None);
    }
    let review = harness::review_snapshot(report)?;
    let pending = review
        .pending
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let accept = accept_command(&[report.scenario.as_str()]);
    match review.check {
        SnapshotCheck::Matches => println!("snapshot: matches\n"),
        SnapshotCheck::Differs => {
            println!(
                "{}",
                terminal_safe(review.diff.as_deref().unwrap_or_default())
            );
            println!(
                "snapshot: DIFFERS for {label}: pending {pending}; accept it with `{accept}`\n"
            );
        }
        SnapshotCheck::New => println!(
            "snapshot: NEW for {label}: written as pending {pending}; read the table above, then accept it with `{accept}`\n"
        ),
    }
    Ok(Some(review.check))
}

/// `cargo xtask accept <scenario ids…>`: the command that accepts pending snapshots, with the
/// project options of this run when they are not the built-in ones.
pub fn accept_command(scenarios: &[&str]) -> String {
    let mut ids: Vec<&str> = scenarios.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let project = harness::project();
    let mut command = String::from("cargo xtask");
    if *project != harness::Project::builtin() {
        command.push_str(&format!(" --snapshots {}", project.snapshots.display()));
    }
    command.push_str(" accept");
    for id in ids {
        command.push(' ');
        command.push_str(id);
    }
    command
}
