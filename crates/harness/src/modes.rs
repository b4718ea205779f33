//! The ssl-mode mapping tables of every client, rendered as one Markdown table (reviewed as the
//! snapshot `snapshots/drivers__ssl_mode_tables.snap` and linked from the README): how each
//! client spells DISABLED … VERIFY_IDENTITY, or why it has no equivalent.

use crate::Error;
use clients::{
    DriverSpec, DriversHost, ExternalDriver, MARIADB_CLI, MYSQL_CLI, Placement, RunsOn, RustMysql,
    contract::ModeMapping,
};
use containers::RunLabels;
use scenario::SslMode;
use std::collections::BTreeMap;

/// One client's table: its name and the mapping of each ssl-mode.
pub type ModeTable = (String, BTreeMap<SslMode, ModeMapping>);

/// Tables of the built-in clients and of `drivers`, in matrix order. The external drivers are
/// asked for their hello in a clients container without network.
///
/// Errors: [`Error::Client`] when the container or a driver fails to start.
pub async fn ssl_mode_tables(
    drivers: &[DriverSpec],
    labels: &RunLabels,
) -> Result<Vec<ModeTable>, Error> {
    let mut tables: Vec<ModeTable> = vec![
        (MYSQL_CLI.name.to_owned(), MYSQL_CLI.mode_table()),
        (MARIADB_CLI.name.to_owned(), MARIADB_CLI.mode_table()),
        (RustMysql::NAME.to_owned(), RustMysql::mode_table()),
    ];
    let container = if drivers.iter().any(|d| d.runs_on == RunsOn::ClientsImage) {
        Some(DriversHost::start(None, &BTreeMap::new(), labels).await?)
    } else {
        None
    };
    for spec in drivers {
        let placement = match (&container, spec.runs_on) {
            (Some(host), RunsOn::ClientsImage) => host.placement(),
            _ => Placement::Host {
                fixture_dir: std::env::temp_dir(),
                port: 0,
                name_map: None,
            },
        };
        let driver = ExternalDriver::start(spec, &placement).await?;
        tables.push((spec.name.clone(), driver.hello().modes.clone()));
    }
    Ok(tables)
}

/// Markdown: one row per client, one column per ssl-mode; unsupported cells say why.
pub fn render_mode_tables(tables: &[ModeTable]) -> String {
    let mut out = String::from("| client |");
    for mode in SslMode::ALL {
        out.push_str(&format!(" {mode} |"));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(SslMode::ALL.len()));
    out.push('\n');
    for (name, table) in tables {
        out.push_str(&format!("| {name} |"));
        for mode in SslMode::ALL {
            let cell = match table.get(&mode) {
                Some(ModeMapping::Options(o)) => format!("`{o}`"),
                Some(ModeMapping::Unsupported(why)) => format!("unsupported: {why}"),
                None => "missing".to_owned(),
            };
            out.push_str(&format!(" {} |", cell.replace('|', "\\|")));
        }
        out.push('\n');
    }
    out
}
