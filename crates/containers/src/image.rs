//! Locally built images: there is no registry, so each image is made from Debian packages
//! (debootstrap a minbase rootfs of the right suite, `docker import` it, then a small
//! `docker build` stage), tagged by a hash of its inputs and skipped when already present.

use crate::Error;
use sha2::{Digest, Sha256};
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// Everything an image is made from; its tag is a hash of all of it, so a changed input
/// means a new tag and a rebuild, and an unchanged one means no work.
#[derive(Debug, Clone, Copy)]
pub struct ImageRecipe {
    /// Repository part of the reference, e.g. `mysql-tls-harness/mysql`.
    pub repository: &'static str,
    /// Tag prefix naming the flavor, e.g. `9`.
    pub flavor: &'static str,
    /// Debian suite for debootstrap, e.g. `sid`.
    pub suite: &'static str,
    /// The `packages` file: one Debian package per line, `#` comments.
    pub packages: &'static str,
    /// The Dockerfile of the second stage; gets `--build-arg BASE=<imported rootfs>`.
    pub dockerfile: &'static str,
    /// Other files of the build context, `(name, contents)`.
    pub context: &'static [(&'static str, &'static str)],
    /// Files and directories of the repository (relative to the workspace root, e.g.
    /// `drivers/python`) copied into the build context under the same path; their paths and
    /// contents are part of the tag, so editing a driver rebuilds the image.
    pub context_paths: &'static [&'static str],
    /// Python wheels fetched from PyPI on the host (`pip download`) into the context's `wheels/`
    /// directory, for packages Debian lacks in the needed build; empty for most images.
    pub wheels: Option<Wheels>,
}

/// Binary wheels for the image's own Python, downloaded by the host's pip (PyPI is reachable
/// from the host; the build stage needs no network).
#[derive(Debug, Clone, Copy)]
pub struct Wheels {
    /// CPython version of the image's suite, e.g. `3.14` (picks `cp314` wheels).
    pub python: &'static str,
    /// Platform tag, e.g. `manylinux_2_28_x86_64`.
    pub platform: &'static str,
    /// Exact requirements, e.g. `mysql-connector-python==26.7.0` (no dependencies are resolved).
    pub requirements: &'static [&'static str],
    /// Exact requirements fetched as source distributions (`.tar.gz` in `wheels/`), for
    /// packages PyPI ships only as source on Linux, e.g. `mysqlclient==2.3.2`; the Dockerfile
    /// builds them offline against the image's own libraries.
    pub sdists: &'static [&'static str],
    /// Environment for fetching `sdists`: pip runs each sdist's metadata step on the host, and
    /// some need it to find their C library there (mysqlclient reads `MYSQLCLIENT_CFLAGS` and
    /// `MYSQLCLIENT_LDFLAGS` instead of asking pkg-config; nothing is compiled on the host).
    pub sdist_env: &'static [(&'static str, &'static str)],
}

/// Tags already computed by this process, by `repository` and `flavor` ([`ImageRecipe::tag`]).
static TAGS: std::sync::Mutex<std::collections::BTreeMap<(&str, &str), String>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

impl ImageRecipe {
    /// Content tag: `<flavor>-<first 12 hex of SHA-256 over every input>`, computed once per
    /// process and then remembered, so every container of a run uses the image the run
    /// ensured at its start, even when `context_paths` (e.g. a driver under `drivers/`) are
    /// edited meanwhile; the next process sees the edit and builds a new image.
    pub fn tag(&self) -> String {
        let mut tags = TAGS.lock().unwrap_or_else(|p| p.into_inner());
        tags.entry((self.repository, self.flavor))
            .or_insert_with(|| self.content_tag())
            .clone()
    }

    /// The tag of the inputs as they are on disk now (what [`Self::tag`] remembers).
    pub fn content_tag(&self) -> String {
        let mut parts = vec![
            self.repository,
            self.flavor,
            self.suite,
            self.packages,
            self.dockerfile,
        ];
        for (name, body) in self.context {
            parts.extend([*name, *body]);
        }
        let dirs = self.context_dir_files();
        for (name, body) in &dirs {
            parts.extend([name.as_str(), body.as_str()]);
        }
        // Absent fields add nothing, so older recipes keep their tags.
        let wheel_parts = self.wheels.map(|w| {
            let sdists = if w.sdists.is_empty() {
                String::new()
            } else {
                format!(" sdist {}", w.sdists.join(" "))
            };
            format!(
                "{} {} {}{sdists}",
                w.python,
                w.platform,
                w.requirements.join(" ")
            )
        });
        if let Some(w) = &wheel_parts {
            parts.push(w);
        }
        format!("{}-{}", self.flavor, short_hash(&parts))
    }

    /// Tag of the imported rootfs (first stage): a hash of suite and packages only, so changing
    /// the Dockerfile or context reuses the rootfs instead of running debootstrap again.
    pub fn rootfs_reference(&self) -> String {
        let hash = short_hash(&[self.repository, self.flavor, self.suite, self.packages]);
        format!("{}-rootfs:{}-{hash}", self.repository, self.flavor)
    }

    /// Files under [`Self::context_paths`] as `(relative path, contents as hex-free text)`,
    /// sorted by path; unreadable entries are skipped (they fail the build later, loudly).
    fn context_dir_files(&self) -> Vec<(String, String)> {
        let mut files = Vec::new();
        for path in self.context_paths {
            collect_files(&workspace_root().join(path), path, &mut files);
        }
        files.sort();
        files
    }

    /// Full reference, `repository:tag`.
    pub fn reference(&self) -> String {
        format!("{}:{}", self.repository, self.tag())
    }

    /// Whether the image exists in the local Docker engine.
    pub fn is_present(&self) -> bool {
        crate::docker::image_exists(&self.reference())
    }

    /// First stage: debootstrap the rootfs and `docker import` it as `base`.
    fn build_rootfs(&self, work_dir: &Path, base: &str) -> Result<(), (String, String)> {
        let step_failed = |step: &str, detail: String| (step.to_owned(), detail);
        let mirror = debian_mirror().map_err(|e| ("find mirror".to_owned(), e.to_string()))?;
        let rootfs = work_dir.join("rootfs");
        if rootfs.exists() {
            std::fs::remove_dir_all(&rootfs)
                .map_err(|e| step_failed("clean work dir", e.to_string()))?;
        }
        std::fs::create_dir_all(work_dir)
            .map_err(|e| step_failed("create work dir", e.to_string()))?;
        tracing::info!(%base, suite = self.suite, %mirror, "debootstrap");
        run(Command::new("debootstrap")
            .arg("--variant=minbase")
            .arg(format!("--include={}", self.package_list().join(",")))
            .arg(self.suite)
            .arg(&rootfs)
            .arg(&mirror))
        .map_err(|d| step_failed("debootstrap", d))?;
        for trimmed in [
            "usr/share/doc",
            "usr/share/man",
            "usr/share/info",
            "usr/share/locale",
            "var/cache/apt/archives",
            "var/lib/apt/lists",
        ] {
            let dir = rootfs.join(trimmed);
            if dir.exists() {
                std::fs::remove_dir_all(&dir)
                    .map_err(|e| step_failed("trim rootfs", e.to_string()))?;
                std::fs::create_dir_all(&dir)
                    .map_err(|e| step_failed("trim rootfs", e.to_string()))?;
            }
        }
        tracing::info!(%base, "docker import");
        let mut tar = Command::new("tar")
            .args(["--numeric-owner", "-C"])
            .arg(&rootfs)
            .args(["-c", "."])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| step_failed("tar rootfs", e.to_string()))?;
        let tar_out = tar
            .stdout
            .take()
            .ok_or_else(|| step_failed("tar rootfs", "no stdout".into()))?;
        crate::docker::import(base, tar_out)
            .map_err(|e| step_failed("docker import", e.to_string()))?;
        let tar_status = tar
            .wait()
            .map_err(|e| step_failed("tar rootfs", e.to_string()))?;
        if !tar_status.success() {
            return Err(step_failed("tar rootfs", tar_status.to_string()));
        }
        std::fs::remove_dir_all(&rootfs)
            .map_err(|e| step_failed("clean work dir", e.to_string()))?;

        Ok(())
    }

    /// Package names from [`Self::packages`].
    pub fn package_list(&self) -> Vec<&'static str> {
        self.packages
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// Builds the image unless it is present. Needs root, `debootstrap` and a Debian mirror
    /// from [`debian_mirror`]; `work_dir` holds the rootfs while building (~650 MB) and is
    /// emptied afterwards. Returns `Ok(false)` if the image was already there.
    ///
    /// Errors: [`Error::ImageBuild`] naming the failing step with its output tail.
    pub fn ensure(&self, work_dir: &Path) -> Result<bool, Error> {
        if self.is_present() {
            return Ok(false);
        }
        let reference = self.reference();
        let fail = |step: &str, detail: String| Error::ImageBuild {
            image: reference.clone(),
            step: step.to_owned(),
            detail,
        };
        let base = self.rootfs_reference();
        if !crate::docker::image_exists(&base) {
            self.build_rootfs(work_dir, &base)
                .map_err(|(step, detail)| fail(&step, detail))?;
        }
        let context = work_dir.join("context");
        std::fs::create_dir_all(&context)
            .map_err(|e| fail("write build context", e.to_string()))?;
        std::fs::write(context.join("Dockerfile"), self.dockerfile)
            .map_err(|e| fail("write build context", e.to_string()))?;
        for (name, body) in self.context {
            std::fs::write(context.join(name), body)
                .map_err(|e| fail("write build context", e.to_string()))?;
        }
        for path in self.context_paths {
            copy_dir(&workspace_root().join(path), &context.join(path)).map_err(|e| {
                fail(
                    &format!("copy {path} into the build context"),
                    e.to_string(),
                )
            })?;
        }
        let wheels_dir = context.join("wheels");
        std::fs::create_dir_all(&wheels_dir)
            .map_err(|e| fail("write build context", e.to_string()))?;
        if let Some(wheels) = self.wheels {
            let abi = format!("cp{}", wheels.python.replace('.', ""));
            tracing::info!(requirements = ?wheels.requirements, "pip download");
            run(Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--only-binary=:all:",
                ])
                .args(["--python-version", wheels.python, "--implementation", "cp"])
                .args(["--abi", &abi, "--platform", wheels.platform, "--dest"])
                .arg(&wheels_dir)
                .args(wheels.requirements))
            .map_err(|d| fail("pip download", d))?;
            if !wheels.sdists.is_empty() {
                tracing::info!(sdists = ?wheels.sdists, "pip download (source)");
                run(Command::new("python3")
                    .args(["-m", "pip", "download", "--quiet", "--no-deps"])
                    .args(["--no-binary=:all:", "--dest"])
                    .arg(&wheels_dir)
                    .args(wheels.sdists)
                    .envs(wheels.sdist_env.iter().copied()))
                .map_err(|d| fail("pip download (source)", d))?;
            }
        }
        tracing::info!(%reference, "docker build");
        crate::docker::build(&context, &base, &reference)
            .map_err(|e| fail("docker build", e.to_string()))?;
        Ok(true)
    }
}

/// Images of `repositories` (and their rootfs stages) whose tag is not one of `keep`:
/// leftovers of older recipes. Returns `repository:tag` references, sorted.
///
/// Errors: [`Error::Docker`] when the engine cannot list its images.
pub fn stale_images(recipes: &[ImageRecipe]) -> Result<Vec<String>, Error> {
    let keep: Vec<String> = recipes
        .iter()
        .flat_map(|r| [r.reference(), r.rootfs_reference()])
        .collect();
    let ours = |repo: &str| {
        recipes
            .iter()
            .any(|r| repo == r.repository || repo == format!("{}-rootfs", r.repository))
    };
    let mut stale: Vec<String> = crate::docker::list_images()?
        .into_iter()
        .filter(|r: &String| {
            r.rsplit_once(':').is_some_and(|(repo, _)| ours(repo)) && !keep.contains(r)
        })
        .collect();
    stale.sort();
    stale.dedup();
    Ok(stale)
}

/// The harness home, where `images/` and `drivers/` live.
fn workspace_root() -> &'static std::path::Path {
    crate::harness_home()
}

/// Whether a directory entry stays out of build contexts (and so out of content tags): build
/// outputs (`target`, Python's `__pycache__`) and hidden files (`.gitignore`, editor state).
fn skipped(name: &std::ffi::OsStr) -> bool {
    name == "target" || name == "__pycache__" || name.to_string_lossy().starts_with('.')
}

/// The regular files at `path` (itself, when it is a file) or below it, minus [`skipped`]
/// entries, as `(path, path relative to `path`)`; unreadable entries are left out.
fn files_under(path: &Path) -> Vec<(PathBuf, PathBuf)> {
    walkdir::WalkDir::new(path)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skipped(e.file_name()))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e
                .path()
                .strip_prefix(path)
                .unwrap_or(e.path())
                .to_path_buf();
            (e.into_path(), relative)
        })
        .collect()
}

/// Adds `dir` (a file, or every regular file under a directory) as `(prefix/relative path,
/// lossy text)` to `out`.
fn collect_files(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
    for (path, relative) in files_under(dir) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let name = if relative.as_os_str().is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}/{}", relative.display())
        };
        out.push((name, String::from_utf8_lossy(&bytes).into_owned()));
    }
}

/// Copy of file `from` to `to`, or recursive copy of directory `from` minus [`skipped`]
/// entries; permissions kept (scripts stay executable).
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
    }
    for (path, relative) in files_under(from) {
        let target = if relative.as_os_str().is_empty() {
            to.to_path_buf()
        } else {
            to.join(relative)
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&path, &target)?;
    }
    Ok(())
}

/// First 12 hex digits of SHA-256 over `parts`, each followed by a NUL separator.
fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..6])
}

/// Runs a host build tool (debootstrap, pip) to completion; on failure returns its status and
/// the tail of its output.
fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(crate::docker::failure_detail(&out))
}

/// The Debian archive mirror this machine's apt uses: `HARNESS_DEBIAN_MIRROR` if set, else the
/// first non-security `URIs:` (deb822, `/etc/apt/sources.list.d/*.sources`) or `deb` line
/// (`/etc/apt/sources.list`). Never a hard-coded host. Errors: [`Error::NoMirror`].
pub fn debian_mirror() -> Result<String, Error> {
    if let Ok(m) = std::env::var("HARNESS_DEBIAN_MIRROR")
        && !m.is_empty()
    {
        return Ok(m);
    }
    let mut files: Vec<PathBuf> = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(dir) = std::fs::read_dir("/etc/apt/sources.list.d") {
        let mut more: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        more.sort();
        files.extend(more);
    }
    files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .find_map(|text| mirror_in(&text))
        .ok_or(Error::NoMirror)
}

/// First Debian archive URI in one apt sources file, one-line or deb822 format.
fn mirror_in(text: &str) -> Option<String> {
    let is_archive = |uri: &str| uri.trim_end_matches('/').ends_with("/debian");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let uri = match words.as_slice() {
                ["URIs:", uris @ ..] => uris.iter().find(|u| is_archive(u)).copied(),
                ["deb", rest @ ..] => rest.iter().find(|w| !w.starts_with('[')).copied(),
                _ => None,
            }?;
            is_archive(uri).then(|| uri.trim_end_matches('/').to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_keeps_the_tag_it_computed_first_while_the_inputs_change() {
        let dir = tempfile::tempdir().expect("temp dir");
        let driver = dir.path().join("driver.py");
        std::fs::write(&driver, "print(1)").expect("write");
        // An absolute context path (joining it to the workspace root keeps it as is).
        let path: &'static str = Box::leak(dir.path().display().to_string().into_boxed_str());
        let paths: &'static [&'static str] = Box::leak(vec![path].into_boxed_slice());
        let recipe = ImageRecipe {
            repository: "mysql-tls-harness/tag-memo-test",
            flavor: "memo",
            suite: "sid",
            packages: "",
            dockerfile: "",
            context: &[],
            context_paths: paths,
            wheels: None,
        };
        let first = recipe.tag();
        std::fs::write(&driver, "print(2)").expect("edit");
        assert_eq!(recipe.tag(), first, "remembered for this process");
        assert_ne!(recipe.content_tag(), first, "the edit is a new content tag");
    }

    #[test]
    fn context_files_skip_build_outputs_and_hidden_files_and_copy_alike() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("drivers");
        for (path, body) in [
            ("go/main.go", "package main"),
            ("go/target/debug/bin", "build output"),
            ("python/.venv/x", "hidden"),
            ("python/__pycache__/driver.cpython-311.pyc", "bytecode"),
            ("python/driver.py", "print()"),
            (".gitignore", "target"),
            ("build.sh", "#!/bin/sh"),
        ] {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, body).expect("write");
        }
        let mut files = Vec::new();
        collect_files(&root, "drivers", &mut files);
        files.sort();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "drivers/build.sh",
                "drivers/go/main.go",
                "drivers/python/driver.py"
            ]
        );
        let mut single = Vec::new();
        collect_files(&root.join("build.sh"), "drivers/build.sh", &mut single);
        assert_eq!(
            single,
            [("drivers/build.sh".to_owned(), "#!/bin/sh".to_owned())]
        );

        let copy = dir.path().join("context/drivers");
        copy_dir(&root, &copy).expect("copies");
        let mut copied = Vec::new();
        collect_files(&copy, "drivers", &mut copied);
        copied.sort();
        assert_eq!(copied, files, "the build context holds what the tag hashed");
        copy_dir(&root.join("build.sh"), &dir.path().join("context/build.sh")).expect("file copy");
        assert!(dir.path().join("context/build.sh").is_file());
    }

    #[test]
    fn reads_deb822_and_one_line_sources() {
        let deb822 = "Types: deb\nURIs: http://mirror.invalid/debian\nSuites: bookworm\n\nTypes: deb\nURIs: http://mirror.invalid/debian-security\n";
        assert_eq!(
            mirror_in(deb822).as_deref(),
            Some("http://mirror.invalid/debian")
        );
        let classic = "# comment\ndeb [arch=amd64] http://mirror.invalid/debian/ bookworm main\n";
        assert_eq!(
            mirror_in(classic).as_deref(),
            Some("http://mirror.invalid/debian")
        );
        assert_eq!(
            mirror_in("deb https://packages.invalid/apt cloud main\n"),
            None
        );
    }
}
