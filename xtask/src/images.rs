//! `cargo xtask images`: make sure every flavor's image exists, building it from Debian
//! packages when missing (installing debootstrap first if this machine lacks it), then the
//! host-run drivers (with nss_wrapper, through which they resolve scenario host names).

use anyhow::Context;
use servers::Flavor;
use std::{path::PathBuf, time::Instant};

/// Every image the default matrix needs: one per server flavor, plus the clients image of the
/// external drivers, `(what it is for, recipe)`.
fn recipes() -> Vec<(&'static str, containers::ImageRecipe)> {
    let mut all: Vec<_> = Flavor::ALL.iter().map(|f| (f.name, f.image)).collect();
    all.push(("clients", clients::CLIENTS_IMAGE));
    all
}

/// Builds every missing image, then the host-run drivers of drivers/drivers.toml; prints what
/// it did.
pub fn ensure_all() -> anyhow::Result<()> {
    for (name, image) in recipes() {
        let image = &image;
        if image.is_present() {
            eprintln!("image {} present", image.reference());
            continue;
        }
        ensure_debootstrap()?;
        let work = work_dir();
        let started = Instant::now();
        eprintln!(
            "building image {} (Debian {}, {} packages)…",
            image.reference(),
            image.suite,
            image.package_list().len()
        );
        let built = image.ensure(&work);
        // The work dir holds a rootfs (up to ~1 GB); never leave it behind, also on failure.
        let _ = std::fs::remove_dir_all(&work);
        built.with_context(|| format!("building the {name} image"))?;
        eprintln!(
            "built {} in {:.0} s",
            image.reference(),
            started.elapsed().as_secs_f64()
        );
    }
    // Host-run contract drivers (drivers.toml `build`), e.g. the Rust drivers; a no-op when fresh.
    let drivers = clients::load_drivers(&harness::project().drivers)?;
    if drivers.iter().any(|d| d.runs_on == clients::RunsOn::Host) {
        // Host-run drivers resolve a scenario's host name through nss_wrapper.
        crate::host_tools::ensure_apt_if(
            clients::name_map::library().is_some(),
            "nss_wrapper",
            clients::name_map::NSS_WRAPPER_PACKAGE,
        )?;
    }
    if drivers.iter().any(|d| d.build.is_some()) {
        let started = Instant::now();
        clients::build_drivers(&drivers)?;
        eprintln!(
            "host drivers built in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Removes this project's images built from older recipes; prints what it removed.
pub fn prune() -> anyhow::Result<()> {
    let recipes: Vec<containers::ImageRecipe> = recipes().into_iter().map(|(_, r)| r).collect();
    let stale = containers::stale_images(&recipes)?;
    containers::docker::remove_images(&stale)?;
    eprintln!("pruned {} stale image(s)", stale.len());
    Ok(())
}

fn work_dir() -> PathBuf {
    std::env::temp_dir().join(format!("mysql-tls-harness-image-{}", std::process::id()))
}

/// debootstrap is the one host tool image builds need; install it with apt when we are root.
fn ensure_debootstrap() -> anyhow::Result<()> {
    crate::host_tools::ensure_apt("debootstrap", "debootstrap")
}
