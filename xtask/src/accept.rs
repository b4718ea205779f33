//! `cargo xtask accept [FILTERS…]`: shows each pending snapshot (`.snap.new`, written by a run
//! whose rendering is new or differs) — the diff for a changed one, the whole table for a new
//! one — and moves it into place as the committed snapshot. Filters are substrings of scenario
//! ids, as for the matrix; none accepts every pending snapshot.

#[derive(clap::Args)]
pub struct Args {
    /// Only pending snapshots of scenarios whose id contains one of these; default all.
    filters: Vec<String>,
    /// Show what would be accepted and change nothing.
    #[arg(long)]
    dry_run: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let pending: Vec<harness::Pending> = harness::pending_snapshots()?
        .into_iter()
        .filter(|p| {
            args.filters.is_empty() || args.filters.iter().any(|f| p.scenario.contains(f.as_str()))
        })
        .collect();
    if pending.is_empty() {
        println!(
            "no pending snapshot{}",
            if args.filters.is_empty() {
                ""
            } else {
                " matches"
            }
        );
        return Ok(());
    }
    for p in &pending {
        match p.diff() {
            Some(diff) => println!(
                "## {} on {} (changed)\n{}",
                p.scenario,
                p.flavor,
                runner::terminal_safe(&diff)
            ),
            None => println!(
                "## {} on {} (new)\n{}",
                p.scenario,
                p.flavor,
                runner::terminal_safe(&p.body)
            ),
        }
        if args.dry_run {
            println!("would accept {}\n", p.path.display());
        } else {
            let committed = harness::accept(p)?;
            println!("accepted {}\n", committed.display());
        }
    }
    Ok(())
}
