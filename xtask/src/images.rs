//! `cargo xtask images`: make sure every flavor's image exists, building it from Debian
//! packages when missing (installing debootstrap first if this machine lacks it).

use anyhow::{Context, bail};
use servers::Flavor;
use std::{path::PathBuf, process::Command, time::Instant};

/// Builds every missing image; prints what it did.
pub fn ensure_all() -> anyhow::Result<()> {
    for flavor in Flavor::ALL {
        let image = &flavor.image;
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
        image
            .ensure(&work)
            .with_context(|| format!("building the {} image", flavor.name))?;
        let _ = std::fs::remove_dir_all(&work);
        eprintln!(
            "built {} in {:.0} s",
            image.reference(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Removes this project's images built from older recipes; prints what it removed.
pub fn prune() -> anyhow::Result<()> {
    let recipes: Vec<servers::ImageRecipe> = Flavor::ALL.iter().map(|f| f.image).collect();
    let stale = servers::stale_images(&recipes);
    if !stale.is_empty() {
        let status = Command::new("docker")
            .arg("rmi")
            .args(&stale)
            .status()
            .context("docker rmi")?;
        anyhow::ensure!(status.success(), "docker rmi failed: {status}");
    }
    eprintln!("pruned {} stale image(s)", stale.len());
    Ok(())
}

fn work_dir() -> PathBuf {
    std::env::temp_dir().join(format!("mysql-tls-harness-image-{}", std::process::id()))
}

/// debootstrap is the one host tool image builds need; install it with apt when we are root.
fn ensure_debootstrap() -> anyhow::Result<()> {
    if Command::new("debootstrap")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Ok(());
    }
    eprintln!("debootstrap missing; installing it with apt-get");
    for args in [
        &["update", "-qq"][..],
        &["install", "-y", "-qq", "debootstrap"][..],
    ] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("running apt-get (image builds need root and debootstrap)")?;
        if !status.success() {
            bail!(
                "apt-get {} failed ({status}); install debootstrap by hand",
                args.join(" ")
            );
        }
    }
    Ok(())
}
