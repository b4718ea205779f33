//! The list of external drivers (`drivers/drivers.toml`) and the clients image they run in.
//! Adding a driver is adding a program under `drivers/` and an entry here; no Rust changes.

use crate::Error;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The clients image: Debian sid with the runtimes and libraries the external drivers use
/// (images/clients/packages), the `drivers/` directory at `/opt/drivers`, and the current PyPI
/// releases of mysql-connector-python (its C extension is not in Debian), PyMySQL and
/// mysqlclient (built from source against the image's MariaDB Connector/C; Debian lags behind)
/// at `/opt/pypi`.
pub const CLIENTS_IMAGE: containers::ImageRecipe = containers::ImageRecipe {
    repository: "mysql-tls-harness/clients",
    flavor: "clients",
    suite: "sid",
    packages: include_str!("../../../images/clients/packages"),
    dockerfile: include_str!("../../../images/clients/Dockerfile"),
    context: &[],
    // The drivers that run in the image (drivers/rust runs on the host, see drivers.toml).
    context_paths: &[
        "drivers/build.sh",
        "drivers/example",
        "drivers/go",
        "drivers/java",
        "drivers/node",
        "drivers/python",
    ],
    wheels: Some(containers::Wheels {
        python: "3.14",
        platform: "manylinux_2_28_x86_64",
        requirements: &["mysql-connector-python==26.10.0", "PyMySQL==1.2.4"],
        // mysqlclient ships no Linux wheel; the Dockerfile builds it against libmariadb-dev.
        sdists: &["mysqlclient==2.3.2"],
        sdist_env: &[
            ("MYSQLCLIENT_CFLAGS", "-I/usr/include/mariadb"),
            ("MYSQLCLIENT_LDFLAGS", "-lmariadb"),
        ],
    }),
};

/// One `[[driver]]` entry: a program speaking the driver contract (drivers/CONTRACT.md).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriverSpec {
    /// Name in snapshots; the driver's hello must say the same.
    pub name: String,
    /// argv: in the clients container (`["python3", "/opt/drivers/python/pymysql_driver.py"]`),
    /// or on the host relative to the repository root when `runs_on = "host"`.
    pub command: Vec<String>,
    /// Where the program runs (default: the clients image).
    #[serde(default)]
    pub runs_on: RunsOn,
    /// Host command that builds the program, run once from the repository root before a run
    /// (e.g. `["cargo", "build", "--release", "--manifest-path", "drivers/rust/Cargo.toml"]`);
    /// drivers sharing the same build command build once.
    #[serde(default)]
    pub build: Option<Vec<String>>,
    /// The library family whose TLS code the driver uses (`libmariadb`, `libmysqlclient`,
    /// `openssl-python`, `go`, `java`, `node`, `rustls`, `native-tls`, or your own word): a
    /// report scenario's `reporter` may name it.
    #[serde(default)]
    pub family: Option<String>,
}

/// Where an external driver runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunsOn {
    /// In the clients container in the server's network namespace: dials `127.0.0.1:3306`,
    /// fixtures under `/etc/mysql/tls`.
    #[default]
    ClientsImage,
    /// On the host: dials the server's published port on 127.0.0.1, fixtures in a host temp
    /// directory (for drivers built by the project or by a user, e.g. a Rust driver).
    Host,
}

/// The harness home ([`containers::harness_home`]): where relative `command` and `build`
/// paths of host drivers in any drivers file are resolved, and where builds run.
pub fn repository_root() -> PathBuf {
    containers::harness_home().to_path_buf()
}

/// Runs every distinct `build` command of `drivers` from the repository root, without the
/// `CARGO_*` variables of the cargo that started us (ring's build script tracks
/// `CARGO_MANIFEST_DIR`, so inheriting it rebuilt the Rust drivers whenever the caller changed).
/// Errors: [`Error::DriverBuild`] with the command and its output tail.
pub fn build_drivers(drivers: &[DriverSpec]) -> Result<(), Error> {
    let mut done: Vec<&Vec<String>> = Vec::new();
    for build in drivers.iter().filter_map(|d| d.build.as_ref()) {
        if done.contains(&build) || build.is_empty() {
            continue;
        }
        done.push(build);
        let mut command = std::process::Command::new(&build[0]);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("CARGO_") && key != "CARGO_HOME" {
                command.env_remove(&key);
            }
        }
        let out = command
            .args(&build[1..])
            .current_dir(repository_root())
            .output()
            .map_err(|e| Error::DriverBuild {
                command: build.join(" "),
                detail: e.to_string(),
            })?;
        if !out.status.success() {
            let text = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = text.lines().rev().take(20).collect();
            return Err(Error::DriverBuild {
                command: build.join(" "),
                detail: format!(
                    "{}\n{}",
                    out.status,
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                ),
            });
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DriverFile {
    driver: Vec<DriverSpec>,
}

/// The harness's own driver list, `drivers/drivers.toml` in the harness home.
pub fn default_drivers_file() -> PathBuf {
    containers::harness_home().join("drivers/drivers.toml")
}

/// Reads a driver list. Errors: [`Error::DriverList`] naming the file and what is wrong
/// (unreadable, not TOML, unknown field, empty `command`, duplicate name).
pub fn load_drivers(path: &Path) -> Result<Vec<DriverSpec>, Error> {
    let fail = |detail: String| Error::DriverList {
        path: path.to_path_buf(),
        detail,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let file: DriverFile = toml::from_str(&text).map_err(|e| fail(e.to_string()))?;
    let mut seen = std::collections::BTreeSet::new();
    for d in &file.driver {
        if d.command.is_empty() {
            return Err(fail(format!(
                "driver `{}`: `command` is empty; give the argv, e.g. [\"python3\", \"/opt/drivers/x.py\"]",
                d.name
            )));
        }
        if !seen.insert(d.name.as_str()) {
            return Err(fail(format!("driver `{}` is listed twice", d.name)));
        }
    }
    Ok(file.driver)
}
