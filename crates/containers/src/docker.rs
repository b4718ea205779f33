//! Every `docker` CLI invocation of the project, one function each. The CLI is used only where
//! testcontainers (and the bollard client it re-exports) has no call for the job: `docker cp`
//! of a directory into a running container with modes kept, `exec -i` with a stdin pipe that a
//! long-lived driver process reads, `import` of a rootfs tarball, legacy `build` of a context
//! directory, and the synchronous list/remove calls the sweep makes after the async runtime is
//! gone (a signal, a panic).

use crate::Error;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs a blocking `docker` command to completion. Errors: [`Error::Docker`] with the exit
/// status and the last 15 lines of its output.
fn run(cmd: &mut Command) -> Result<std::process::Output, Error> {
    let command = describe(cmd);
    let out = cmd.output().map_err(|e| Error::Docker {
        command: command.clone(),
        detail: format!("cannot start: {e}"),
    })?;
    if out.status.success() {
        return Ok(out);
    }
    Err(Error::Docker {
        command,
        detail: failure_detail(&out),
    })
}

fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Exit status plus the last 15 lines of stdout and stderr.
pub(crate) fn failure_detail(out: &std::process::Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let tail: Vec<&str> = text.lines().rev().take(15).collect();
    format!(
        "{}\n{}",
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    )
}

/// Whether `reference` exists in the local engine (`docker image inspect`); `false` also when
/// the engine cannot be reached.
pub fn image_exists(reference: &str) -> bool {
    Command::new("docker")
        .args(["image", "inspect", "--format", "{{.Id}}", reference])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `docker import - <reference>` reading a rootfs tarball from `tarball`.
pub(crate) fn import(reference: &str, tarball: impl Into<Stdio>) -> Result<(), Error> {
    run(Command::new("docker")
        .args(["import", "-", reference])
        .stdin(tarball))
    .map(drop)
}

/// `docker build` (legacy builder: offline, no BuildKit daemon needed) of `context` as
/// `reference`, with `--build-arg BASE=<base>`.
pub(crate) fn build(context: &Path, base: &str, reference: &str) -> Result<(), Error> {
    run(Command::new("docker")
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "--quiet", "--force-rm", "--build-arg"])
        .arg(format!("BASE={base}"))
        .args(["-t", reference])
        .arg(context))
    .map(drop)
}

/// Every `repository:tag` in the local engine (`docker images`).
pub fn list_images() -> Result<Vec<String>, Error> {
    let out = run(Command::new("docker").args(["images", "--format", "{{.Repository}}:{{.Tag}}"]))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

/// `docker rmi` of `references` (none: nothing to do).
pub fn remove_images(references: &[String]) -> Result<(), Error> {
    if references.is_empty() {
        return Ok(());
    }
    run(Command::new("docker").arg("rmi").args(references)).map(drop)
}

/// Ids of the containers, running or not, that match a `docker ps` filter such as
/// `label=key=value` or `name=prefix-` (`docker ps -aq --filter`).
pub fn containers_matching(filter: &str) -> Result<Vec<String>, Error> {
    let out = run(Command::new("docker").args(["ps", "-aq", "--filter", filter]))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect())
}

/// Force-removes containers and their anonymous volumes (`docker rm -f -v`).
pub(crate) fn remove_containers(ids: &[String]) -> Result<(), Error> {
    if ids.is_empty() {
        return Ok(());
    }
    run(Command::new("docker").args(["rm", "-f", "-v"]).args(ids)).map(drop)
}

/// `docker cp <dir>/. <id>:<target>/`: the contents of host directory `dir` into `target` of
/// container `id`, modes kept, same-named files overwritten.
pub(crate) async fn copy_dir_into(id: &str, dir: &Path, target: &str) -> Result<(), Error> {
    let source = format!("{}/.", dir.display());
    let target = format!("{id}:{target}/");
    let command = format!("docker cp {source} {target}");
    let out = tokio::process::Command::new("docker")
        .args(["cp", &source, &target])
        .output()
        .await
        .map_err(|e| Error::Docker {
            command: command.clone(),
            detail: format!("cannot start: {e}"),
        })?;
    if !out.status.success() {
        return Err(Error::Docker {
            command,
            detail: failure_detail(&out),
        });
    }
    Ok(())
}

/// The command `docker exec -i <id> <argv…>`, not yet spawned: a process inside container `id`
/// whose stdin, stdout and stderr the caller pipes (a long-lived contract driver).
pub fn exec_interactive(id: &str, argv: &[String]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new("docker");
    command.args(["exec", "-i", id]).args(argv);
    command
}
