//! `cargo xtask repro`: turn a customer's report into a scenario (`new`) and a scenario into a
//! directory that reproduces it anywhere with plain docker (`bundle`).

use anyhow::{Context, bail};
use servers::Flavor;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Scaffold `scenarios/reports/<NAME>.toml` with every field present and commented. With
    /// `--from-report FILE` (an issue or ticket saved as text), `source` is its first URL,
    /// `reported` its first error line (verbatim), and the certificates start from the defect
    /// that line suggests (expired, hostname, wrong CA, TLS off, TLS version).
    New {
        /// File stem, e.g. `acme-renewal-2026`.
        name: String,
        /// The report as text.
        #[arg(long, value_name = "FILE")]
        from_report: Option<PathBuf>,
        /// Directory to write into; default `scenarios/reports`.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write a self-contained directory reproducing one scenario on one flavor with plain
    /// docker: fixtures, my.cnf, run.sh, README (expected vs observed), per-cell commands.
    Bundle {
        /// Scenario id or path, e.g. `reports/azure-root-changed`.
        scenario: String,
        /// Output directory (new or empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Flavor whose image and my.cnf the bundle uses; default the scenario's first.
        #[arg(long)]
        flavor: Option<String>,
    },
}

pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::New {
            name,
            from_report,
            dir,
        } => new(&name, from_report.as_deref(), dir),
        Command::Bundle {
            scenario,
            out,
            flavor,
        } => bundle(&scenario, &out, flavor.as_deref()),
    }
}

fn bundle(id: &str, out: &Path, flavor: Option<&str>) -> anyhow::Result<()> {
    let root = harness::scenarios_root();
    let path = scenario_path(&root, id)?;
    let scenario = scenario::load(&root, &path)?;
    let flavors = harness::flavors_of(&scenario)?;
    let flavor: &'static Flavor = match flavor {
        Some(name) => {
            let f = Flavor::by_name(name).with_context(|| format!("unknown flavor `{name}`"))?;
            if !harness::runs_on(&scenario, f) {
                bail!(
                    "scenario `{}` does not run on {name} (its server.flavors)",
                    scenario.id
                );
            }
            f
        }
        None => flavors
            .first()
            .copied()
            .context("the scenario names no flavor")?,
    };
    let ctx = harness::RunContext::new()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let bundled: Vec<clients::DriverSpec> = ctx
        .drivers
        .iter()
        .filter(|d| d.runs_on == clients::RunsOn::ClientsImage)
        .cloned()
        .collect();
    let tables = runtime
        .block_on(harness::ssl_mode_tables(&bundled, &ctx.labels))
        .context(
            "reading the drivers' ssl-mode tables (needs the clients image: `cargo xtask images`)",
        )?;
    let snapshot = harness::committed_snapshot(&scenario.id, flavor.name);
    let cells = harness::write_bundle(
        &scenario,
        flavor,
        ctx.now,
        out,
        &ctx.drivers,
        &tables,
        snapshot.as_deref(),
    )?;
    println!(
        "wrote {}: {} cells of `{}` on {}; run it with {}/run.sh (README.md says what to expect)",
        out.display(),
        cells.len(),
        scenario.id,
        flavor.name,
        out.display()
    );
    Ok(())
}

/// The scenario file for an id (`basic/valid`), a path, or a unique substring of an id.
fn scenario_path(root: &Path, id: &str) -> anyhow::Result<PathBuf> {
    let exact = root.join(format!(
        "{}.toml",
        id.trim_start_matches("scenarios/")
            .trim_end_matches(".toml")
    ));
    if exact.is_file() {
        return Ok(exact);
    }
    let hits = runner::select(root, &[id.to_owned()], false)?;
    match hits.as_slice() {
        [one] => Ok(one.clone()),
        many => bail!(
            "`{id}` matches {} scenarios; give one id, e.g. {}",
            many.len(),
            many.iter()
                .take(3)
                .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn new(name: &str, from_report: Option<&Path>, dir: Option<PathBuf>) -> anyhow::Result<()> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        bail!("`{name}`: use letters, digits, `-` and `_` (it becomes the file stem)");
    }
    let root = harness::scenarios_root();
    let dir = dir.unwrap_or_else(|| root.join("reports"));
    let path = dir.join(format!("{name}.toml"));
    if path.exists() {
        bail!("{} exists; pick another name", path.display());
    }
    let report = match from_report {
        Some(file) => Some(
            std::fs::read_to_string(file)
                .with_context(|| format!("reading the report {}", file.display()))?,
        ),
        None => None,
    };
    let source = report.as_deref().and_then(harness::first_url);
    let reported = report.as_deref().and_then(harness::error_line);
    let suggested = reported
        .as_deref()
        .map_or(harness::Suggested::Healthy, harness::suggest);
    let text = harness::scaffold(source.as_deref(), reported.as_deref(), suggested);
    scenario::parse(&path, &text).context("the scaffold does not parse (a bug in `repro new`)")?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    let run = match path.strip_prefix(&root) {
        Ok(rel) => format!("`cargo xtask matrix {}`", rel.with_extension("").display()),
        Err(_) => "move it under scenarios/ and run `cargo xtask matrix <id>`".to_owned(),
    };
    println!(
        "wrote {} (starting point: {suggested:?}); edit it, then {run}",
        path.display()
    );
    if from_report.is_some() && reported.is_none() {
        println!("no error line found in the report: fill in `reported` by hand (verbatim)");
    }
    Ok(())
}
