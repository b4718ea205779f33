//! The snapshot verdict of one scenario run: the whole committed snapshot through insta, or
//! (when the run selects clients or ssl-modes) the selected cells row by row.

use crate::terminal::report_flavor_is_user_image;
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
/// else the whole snapshot through insta (which prints the diff and writes a `.snap.new`
/// outside CI); `None` when nothing is committed for a user image.
pub fn snapshot_verdict(
    report: &ScenarioReport,
    label: &str,
    subset: bool,
) -> Option<SnapshotCheck> {
    if subset {
        let check = harness::check_cells(report);
        match check {
            Some(SnapshotCheck::Differs) => {
                println!("snapshot: cells DIFFER for {label} (the reports show which)\n")
            }
            Some(SnapshotCheck::Matches) => println!("snapshot: the selected cells match\n"),
            None => println!("snapshot: none committed for {label}\n"),
        }
        return check;
    }
    if report_flavor_is_user_image(report) && !harness::snapshot_exists(report) {
        println!("snapshot: none committed for {label} (user image; not compared)\n");
        return None;
    }
    if harness::check_snapshot(report) == SnapshotCheck::Differs {
        println!("snapshot: DIFFERS for {label} (review with `cargo insta review`)\n");
        Some(SnapshotCheck::Differs)
    } else {
        println!("snapshot: matches\n");
        Some(SnapshotCheck::Matches)
    }
}
