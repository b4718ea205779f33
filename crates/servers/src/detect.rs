//! `--image NAME:TAG`: run the scenarios against a server image the user supplies (e.g. the
//! official `mysql:8.4` for users whose CI can pull). The family and version come from the
//! running server (`SELECT VERSION()` after a probe boot), never from the tag; the result is a
//! [`Flavor`] with the family's behaviour (config, TLS status query, reload statement) and the
//! user's image.

use crate::{Error, Flavor, HARNESS_PASSWORD, MARIADB_10_11, MARIADB_11_8, MYSQL_9};
use containers::{ContainerSpec, RunLabels};
use std::time::{Duration, Instant};

/// Config of the probe boot: options both families accept, TLS left at its default.
/// (`secure-file-priv` must name an existing directory on MySQL, whose default may be absent.)
const PROBE_CONFIG: &str = "[mysqld]\nuser=mysql\ndatadir=/var/lib/mysql\n\
    socket=/run/mysqld/mysqld.sock\npid-file=/run/mysqld/mysqld.pid\nskip-name-resolve\n\
    bind-address=0.0.0.0\nsecure-file-priv=/tmp\n";

/// Boots `image` once (probe), reads `SELECT VERSION()` as `harness` over the Unix socket with
/// whichever CLI the image ships (`mariadb`, else `mysql`), removes the probe, and returns the
/// flavor: MySQL → the behaviour of `mysql-9`, MariaDB 10.x → `mariadb-10.11`, other MariaDB →
/// `mariadb-11.8`; named `<family>-<version>` (e.g. `mysql-8.4.3`), which is also the snapshot
/// suffix. Leaks one small `Flavor` per call (a run detects once).
///
/// Errors: [`Error::Docker`] when the image is not in the local engine
/// ([`containers::Error::ImageMissing`]) or Docker fails, [`Error::NotReady`] when the probe
/// does not come up, [`Error::Exec`]
/// when the version query fails or names no known family.
pub async fn detect_flavor(
    image: &str,
    labels: &RunLabels,
    startup: Duration,
) -> Result<&'static Flavor, Error> {
    let user_image: &'static str = Box::leak(image.to_owned().into_boxed_str());
    let probe_flavor = Flavor {
        user_image: Some(user_image),
        ..MYSQL_9
    };
    let (repository, tag) = probe_flavor.image_parts();
    let what = format!("probe of image {image}");
    let mut spec = ContainerSpec::new(what.clone(), repository, tag)
        .with_file("/etc/mysql/my.cnf", PROBE_CONFIG.as_bytes().to_vec());
    spec.labels = labels.as_map();
    let spec = crate::server::with_user_image_setup(spec, PROBE_CONFIG);
    let container = spec.start().await?;
    let started = Instant::now();
    loop {
        let log = container.stderr().await.unwrap_or_default();
        if log.contains("ready for connections") && log.contains("port: 3306") {
            break;
        }
        if started.elapsed() > startup {
            return Err(Error::NotReady {
                what,
                after: startup,
                log_tail: log.lines().rev().take(15).collect::<Vec<_>>().join("\n"),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let query = format!(
        "if command -v mariadb >/dev/null 2>&1; then c=mariadb; else c=mysql; fi; \
         $c --socket=/run/mysqld/mysqld.sock --user=harness --password={HARNESS_PASSWORD} \
         -N -B -e 'SELECT VERSION()'"
    );
    let (code, stdout, stderr) = container
        .exec(vec!["sh".into(), "-c".into(), query])
        .await?;
    drop(container);
    let version = stdout.trim().to_owned();
    if code != Some(0) || version.is_empty() {
        return Err(Error::Exec {
            what,
            detail: format!("SELECT VERSION() failed (exit {code:?}): {}", stderr.trim()),
        });
    }
    Ok(flavor_for_version(&version, user_image))
}

/// The flavor for a server reporting `version` (`8.4.3`, `11.8.2-MariaDB-ubu2404`), booting
/// `user_image`.
pub fn flavor_for_version(version: &str, user_image: &'static str) -> &'static Flavor {
    let number: String = version
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let (family, base) = if version.contains("MariaDB") {
        let base = if number.starts_with("10.") {
            MARIADB_10_11
        } else {
            MARIADB_11_8
        };
        ("mariadb", base)
    } else {
        ("mysql", MYSQL_9)
    };
    let name: &'static str = Box::leak(format!("{family}-{number}").into_boxed_str());
    Box::leak(Box::new(Flavor {
        name,
        user_image: Some(user_image),
        ..base
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_and_name_come_from_the_version_string() {
        let mysql = flavor_for_version("8.4.3", "mysql:8.4");
        assert_eq!(
            (mysql.name, mysql.reload_sql),
            ("mysql-8.4.3", MYSQL_9.reload_sql)
        );
        let maria = flavor_for_version("11.8.2-MariaDB-ubu2404", "mariadb:11.8");
        assert_eq!(
            (maria.name, maria.reload_sql),
            ("mariadb-11.8.2", "FLUSH SSL")
        );
        assert_eq!(
            flavor_for_version("10.11.9-MariaDB", "x").tls_off,
            MARIADB_10_11.tls_off
        );
        assert_eq!(
            maria.image_parts(),
            ("mariadb".to_owned(), "11.8".to_owned())
        );
        let registry = flavor_for_version("9.1.0", "registry:5000/mysql");
        assert_eq!(registry.image_parts().1, "latest");
    }
}
