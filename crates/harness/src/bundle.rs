//! Repro bundles (`cargo xtask repro bundle`): one scenario on one flavor as a self-contained
//! directory that reproduces it with plain `docker` — no Rust, no harness — on any machine
//! that has the images: the fixture files, the server's my.cnf, a `run.sh` that boots the
//! server with `docker create`/`docker cp`/`docker start` (as the harness does), runs the
//! scenario's account setup and reload, then every client × ssl-mode as a ready-to-paste
//! `docker exec` command, and a README stating what the report said and what the committed
//! snapshot observed. `run.sh` leaves each cell's raw output in `out/`; [`read_bundle_run`]
//! turns it back into outcomes with the matrix's own parsers, so a test can compare a bundle
//! run with the snapshot.
//!
//! Layout: `README.md`, `run.sh`, `my.cnf`, `client.cnf`, `cells.tsv` (client, mode, how),
//! `server/` (files at boot), `reload/` (files swapped before the reload, if any), `client/`
//! (the client's view), `out/` (written by `run.sh`).

use crate::{Error, ModeTable};
use certgen::FixtureFile;
use clients::{CliProgram, DriverSpec, MARIADB_CLI, MYSQL_CLI, RunsOn, contract::ModeMapping};
use containers::FIXTURE_DIR;
use outcome::Outcome;
use scenario::{Scenario, SslMode};
use servers::{Flavor, HARNESS_PASSWORD};
use std::{
    collections::BTreeMap,
    fmt::Write as _,
    path::{Path, PathBuf},
    time::Duration,
};

/// Bound of one client command in `run.sh`, seconds; past it the cell is a hang (exit 124).
const CELL_TIMEOUT_S: u64 = 20;

/// The shell functions of `run.sh` that start client containers and run cells.
const CLIENT_HELPERS: &str = r#"
# --- clients: one container per client image in the server's network namespace --------------
companion() { # name image
  have_image "$2" || { echo "skipped $1: image $2 is not in the local engine"; echo "$1" >> out/skipped; return 1; }
  docker run -d --name "$NAME-$1" "${LABELS[@]}" --network "container:$NAME-server" "$2" sleep infinity >/dev/null || return 1
  docker cp client/. "$NAME-$1:@FIXTURE_DIR@" >/dev/null
  docker cp client.cnf "$NAME-$1:/etc/mysql/client.cnf" >/dev/null
}
cli_cell() { # client mode argv…
  local base="out/$1.$2"; local client=$1 mode=$2; shift 2
  timeout @CELL_TIMEOUT_S@ docker exec "$NAME-$client" "$@" >"$base.stdout" 2>"$base.stderr" </dev/null; echo $? >"$base.exit"
  local seen
  case "$(cat "$base.exit")" in
    0) seen="connected $(tr '\t\n' '= ' <"$base.stdout")" ;;
    124) seen="hang (no verdict in @CELL_TIMEOUT_S@ s)" ;;
    *) seen=$(grep -m1 '^ERROR' "$base.stderr" || tail -n1 "$base.stderr") ;;
  esac
  printf '%-28s %-16s %s\n' "$client" "$mode" "$seen"
}
driver_cell() { # client mode cell-line argv…
  local base="out/$1.$2"; local client=$1 mode=$2 line=$3; shift 3
  printf '%s\n' "$line" | timeout @CELL_TIMEOUT_S@ docker exec -i "$NAME-clients" "$@" >"$base.stdout" 2>"$base.stderr"; echo $? >"$base.exit"
  printf '%-28s %-16s %s\n' "$client" "$mode" "$(grep -m1 '"outcome"' "$base.stdout" || tail -n1 "$base.stderr")"
}
"#;

/// How `run.sh` runs one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleCellKind {
    /// A CLI in its companion container (`docker exec <container> mysql …`).
    Cli,
    /// An external driver in the clients container, fed one cell line on stdin.
    Driver,
    /// The client has no equivalent of the mode (reason from its mode table).
    Unsupported(String),
}

/// One cell of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleCell {
    /// Client name, as in snapshots.
    pub client: String,
    /// ssl-mode.
    pub ssl_mode: SslMode,
    /// How it runs.
    pub kind: BundleCellKind,
}

/// What a bundle's `run.sh` observed, read back from `out/`.
#[derive(Debug, Clone)]
pub struct BundleRun {
    /// `false` when the server exited before accepting connections (`out/server.state`).
    pub server_started: bool,
    /// One outcome per cell that ran (or was unsupported), in `cells.tsv` order.
    pub rows: Vec<(String, SslMode, Outcome)>,
    /// Clients `run.sh` skipped because their image was not in the local engine.
    pub skipped: Vec<String>,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Bundle(format!("{}: {source}", path.display()))
}

/// `'text'` for POSIX shells (single quotes, embedded ones as `'\''`).
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Arguments joined for a shell, quoted only where needed.
fn quote_argv(argv: &[String]) -> String {
    let plain = |a: &str| {
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
    };
    argv.iter()
        .map(|a| if plain(a) { a.clone() } else { shell_quote(a) })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes the bundle of `scenario` on `flavor` into `dir` (created; must be empty or absent).
/// Fixtures are minted for `now`; `drivers` are the external drivers (those that run in the
/// clients image are included; host-run ones are listed in the README as not bundled);
/// `tables` are the clients' ssl-mode tables ([`crate::ssl_mode_tables`]); `snapshot` is the
/// committed snapshot text for the README's "observed" section, if one exists.
///
/// Errors: [`Error::Certgen`] when the fixtures cannot be minted, [`Error::Bundle`] for I/O
/// and a non-empty `dir`.
pub fn write_bundle(
    scenario: &Scenario,
    flavor: &Flavor,
    now: time::OffsetDateTime,
    dir: &Path,
    drivers: &[DriverSpec],
    tables: &[ModeTable],
    snapshot: Option<&str>,
) -> Result<Vec<BundleCell>, Error> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(io_err(dir))?
            .next()
            .is_some()
    {
        return Err(Error::Bundle(format!(
            "{} is not empty; give a new directory to --out",
            dir.display()
        )));
    }
    let fixtures = certgen::generate(scenario, now)?;
    let mut client_view = fixtures.files.clone();
    client_view.extend(fixtures.reload.clone());
    write_dir(&dir.join("server"), &fixtures.files)?;
    if !fixtures.reload.is_empty() {
        write_dir(&dir.join("reload"), &fixtures.reload)?;
    }
    write_dir(&dir.join("client"), &client_view)?;
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(io_err(&path))
    };
    write(
        "my.cnf",
        &flavor.render_config(&scenario.server, FIXTURE_DIR),
    )?;
    write("client.cnf", &CliProgram::option_file(HARNESS_PASSWORD).1)?;

    let mode_of = |client: &str, mode: SslMode| {
        tables
            .iter()
            .find(|(name, _)| name == client)
            .and_then(|(_, t)| t.get(&mode).cloned())
    };
    let bundled: Vec<&DriverSpec> = drivers
        .iter()
        .filter(|d| d.runs_on == RunsOn::ClientsImage)
        .collect();
    let runners = [MYSQL_CLI.name, MARIADB_CLI.name]
        .map(|name| (name, BundleCellKind::Cli))
        .into_iter()
        .chain(
            bundled
                .iter()
                .map(|d| (d.name.as_str(), BundleCellKind::Driver)),
        );
    let mut cells = Vec::new();
    for (client, how) in runners {
        for &mode in &scenario.client.ssl_modes {
            let kind = match mode_of(client, mode) {
                Some(ModeMapping::Unsupported(reason)) => BundleCellKind::Unsupported(reason),
                _ => how.clone(),
            };
            cells.push(BundleCell {
                client: client.to_owned(),
                ssl_mode: mode,
                kind,
            });
        }
    }
    let tsv: String = cells
        .iter()
        .map(|c| {
            let how = match &c.kind {
                BundleCellKind::Cli => "cli".to_owned(),
                BundleCellKind::Driver => "driver".to_owned(),
                BundleCellKind::Unsupported(reason) => format!("unsupported\t{reason}"),
            };
            format!("{}\t{}\t{how}\n", c.client, c.ssl_mode)
        })
        .collect();
    write("cells.tsv", &tsv)?;

    let script = run_script(scenario, flavor, &cells, &bundled);
    let path = dir.join("run.sh");
    std::fs::write(&path, &script).map_err(io_err(&path))?;
    set_mode(&path, 0o755)?;
    let not_bundled: Vec<String> = std::iter::once(clients::RustMysql::NAME.to_owned())
        .chain(
            drivers
                .iter()
                .filter(|d| d.runs_on == RunsOn::Host)
                .map(|d| d.name.clone()),
        )
        .collect();
    let commands = paste_commands(scenario, &cells, &bundled);
    write(
        "README.md",
        &readme(scenario, flavor, &commands, &not_bundled, snapshot),
    )?;
    Ok(cells)
}

fn set_mode(path: &Path, mode: u32) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(io_err(path))
}

/// Writes `files` (modes kept) into `dir`, which gets mode 0755 so the server's `mysql` user
/// can traverse it after `docker cp`.
fn write_dir(dir: &Path, files: &BTreeMap<String, FixtureFile>) -> Result<(), Error> {
    certgen::write_files(dir, files)?;
    set_mode(dir, 0o755)
}

/// The image reference a flavor boots.
fn image_of(flavor: &Flavor) -> String {
    match flavor.user_image {
        Some(image) => image.to_owned(),
        None => flavor.image.reference(),
    }
}

fn run_script(
    scenario: &Scenario,
    flavor: &Flavor,
    cells: &[BundleCell],
    drivers: &[&DriverSpec],
) -> String {
    let admin: Vec<String> = std::iter::once(flavor.admin_cli.to_owned())
        .chain(flavor.admin_args.iter().map(|a| (*a).to_owned()))
        .chain([
            format!("--socket={}", flavor.socket),
            "--user=harness".to_owned(),
            format!("--password={HARNESS_PASSWORD}"),
            "-N".to_owned(),
            "-B".to_owned(),
        ])
        .collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "#!/usr/bin/env bash
# Reproduces scenario `{id}` on {flavor} with plain docker. Written by
# `cargo xtask repro bundle`; see README.md. Usage: ./run.sh [--image NAME:TAG] [--keep]
#   --image  boot this server image instead (e.g. mysql:8.4; official images get the root
#            password env, our my.cnf in conf.d and an init script creating the `harness` user)
#   --keep   leave the containers running afterwards, to paste the commands of README.md
# Each cell's raw output goes to out/<client>.<MODE>.{{exit,stdout,stderr}}.
set -uo pipefail
cd \"$(dirname \"$0\")\"
IMAGE={image}
MYSQL_CLI_IMAGE=\"${{MYSQL_CLI_IMAGE:-{mysql_cli}}}\"
MARIADB_CLI_IMAGE=\"${{MARIADB_CLI_IMAGE:-{mariadb_cli}}}\"
CLIENTS_IMAGE=\"${{CLIENTS_IMAGE:-{clients}}}\"
KEEP=0
while [ $# -gt 0 ]; do
  case \"$1\" in
    --image) IMAGE=\"$2\"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo \"usage: $0 [--image NAME:TAG] [--keep]\" >&2; exit 2 ;;
  esac
done
NAME=\"mysql-tls-repro-$$\"
echo \"containers: $NAME-*\"
LABELS=(--label {label_project}=1 --label {label_run}=\"bundle-$$\")
cleanup() {{
  if [ \"$KEEP\" = 1 ]; then
    echo \"containers kept: $NAME-*  (remove: docker rm -f \\$(docker ps -aq --filter label={label_run}=bundle-$$))\"
  else
    docker rm -f \"$NAME-server\" \"$NAME-mysql-cli\" \"$NAME-mariadb-cli\" \"$NAME-clients\" >/dev/null 2>&1
  fi
}}
trap cleanup EXIT
trap 'exit 130' INT TERM
have_image() {{ docker image inspect \"$1\" >/dev/null 2>&1; }}
rm -rf out && mkdir -p out
admin() {{ timeout 60 docker exec \"$NAME-server\" {admin} -e \"$1\" 2> >(grep -v 'password on the command line' >&2); }}

# --- server ---------------------------------------------------------------------------------
have_image \"$IMAGE\" || {{ echo \"image $IMAGE is not in the local engine: build ours with \\`cargo xtask images\\` or docker pull yours\" >&2; exit 1; }}
EXTRA=()
case \"$IMAGE\" in {repository}:*) USER_IMAGE=0 ;; *) USER_IMAGE=1; EXTRA=(-e MYSQL_ROOT_PASSWORD={password} -e MARIADB_ROOT_PASSWORD={password}) ;; esac
docker create --name \"$NAME-server\" \"${{LABELS[@]}}\" \"${{EXTRA[@]}}\" -p 127.0.0.1::3306 \"$IMAGE\" >/dev/null || exit 1
docker cp my.cnf \"$NAME-server:/etc/mysql/my.cnf\" >/dev/null
docker cp server/. \"$NAME-server:{fixture_dir}\" >/dev/null
if [ \"$USER_IMAGE\" = 1 ]; then
  docker cp my.cnf \"$NAME-server:/etc/mysql/conf.d/zz-mysql-tls-harness.cnf\" >/dev/null
  printf '%s\\n' {init} > out/init.sql
  docker cp out/init.sql \"$NAME-server:/docker-entrypoint-initdb.d/00-mysql-tls-harness.sql\" >/dev/null
fi
docker start \"$NAME-server\" >/dev/null || exit 1
ready=0
for _ in $(seq 1 360); do
  log=$(docker logs \"$NAME-server\" 2>&1)
  if grep -q {ready} <<<\"$log\" && grep -q 'port: 3306' <<<\"$log\"; then ready=1; break; fi
  if [ \"$(docker inspect -f '{{{{.State.Running}}}}' \"$NAME-server\")\" != true ]; then break; fi
  sleep 0.5
done
if [ \"$ready\" != 1 ]; then
  code=$(docker inspect -f '{{{{.State.ExitCode}}}}' \"$NAME-server\")
  echo \"failed-to-start exit=$code\" > out/server.state
  echo \"SERVER FAILED TO START (exit $code); no client can connect. Its log:\"
  docker logs \"$NAME-server\" 2>&1 | grep -iE 'error|ssl|tls' | tail -n 20
  exit 0
fi
echo \"server $IMAGE up on 127.0.0.1:$(docker port \"$NAME-server\" 3306/tcp | head -n1 | sed 's/.*://')\"",
        id = scenario.id,
        flavor = flavor.name,
        image = shell_quote(&image_of(flavor)),
        mysql_cli = MYSQL_CLI.image.reference(),
        mariadb_cli = MARIADB_CLI.image.reference(),
        clients = clients::CLIENTS_IMAGE.reference(),
        label_project = containers::LABEL_PROJECT,
        label_run = containers::LABEL_RUN,
        admin = quote_argv(&admin),
        repository = flavor.image.repository,
        password = shell_quote(HARNESS_PASSWORD),
        fixture_dir = FIXTURE_DIR,
        init = shell_quote(&servers::user_image_init_sql()),
        ready = shell_quote(flavor.ready_message),
    );
    if let Some(account) = &scenario.server.account {
        let _ = writeln!(
            s,
            "admin {} || exit 1\n# one socket login warms the caching_sha2_password cache (refusals are expected for some REQUIRE clauses)\ntimeout 60 docker exec \"$NAME-server\" {} -e 'SELECT 1' >/dev/null 2>&1",
            shell_quote(&servers::account_sql(&account.require)),
            quote_argv(&admin).replace("--user=harness", &format!("--user={}", servers::ACCOUNT)),
        );
    }
    let _ = writeln!(
        s,
        "version=$(admin 'SELECT VERSION()') || exit 1
tls=$(admin {tls_sql})
echo \"ready tls=$tls version=$version\" > out/server.state
echo \"server version $version, TLS enabled: $tls\"",
        tls_sql = shell_quote(flavor.tls_enabled_sql),
    );
    if let Some(reload) = &scenario.reload {
        let suffix = if reload.no_rollback_on_error {
            flavor.reload_no_rollback.unwrap_or("")
        } else {
            ""
        };
        let statement = format!("{}{suffix}", flavor.reload_sql);
        let _ = writeln!(
            s,
            "docker cp reload/. \"$NAME-server:{FIXTURE_DIR}\" >/dev/null
reload_out=$(admin {stmt} 2>&1); reload_exit=$?
echo \"reload: {raw} → exit $reload_exit $reload_out\" | tee out/reload.txt
echo \"TLS enabled after reload: $(admin {tls_sql})\"",
            stmt = shell_quote(&statement),
            raw = statement,
            tls_sql = shell_quote(flavor.tls_enabled_sql),
        );
    }
    s.push_str(
        &CLIENT_HELPERS
            .replace("@FIXTURE_DIR@", FIXTURE_DIR)
            .replace("@CELL_TIMEOUT_S@", &CELL_TIMEOUT_S.to_string()),
    );
    for program in [&MYSQL_CLI, &MARIADB_CLI] {
        let var = if program.name == MYSQL_CLI.name {
            "MYSQL_CLI_IMAGE"
        } else {
            "MARIADB_CLI_IMAGE"
        };
        let _ = writeln!(s, "\nif companion {} \"${var}\"; then", program.name);
        for cell in cells.iter().filter(|c| c.client == program.name) {
            let _ = writeln!(
                s,
                "  {}",
                invocation(scenario, cell, drivers).script_line(cell)
            );
        }
        let _ = writeln!(s, "fi");
    }
    if !drivers.is_empty() {
        let _ = writeln!(s, "\nif companion clients \"$CLIENTS_IMAGE\"; then");
        for spec in drivers {
            for cell in cells.iter().filter(|c| c.client == spec.name) {
                let _ = writeln!(
                    s,
                    "  {}",
                    invocation(scenario, cell, drivers).script_line(cell)
                );
            }
        }
        let _ = writeln!(s, "fi");
    }
    s
}

/// What one bundled cell runs, computed once for `run.sh` and the README.
enum Invocation {
    /// A CLI's argv, shell-quoted, run in its companion container.
    Cli(String),
    /// A driver's cell line (quoted) and its command (quoted), run in the clients container.
    Driver(String, String),
    /// No equivalent of the mode, or the client is not bundled: why.
    Skipped(String),
}

/// The invocation of `cell` (CLI argv or driver cell line, with the scenario's client files).
fn invocation(scenario: &Scenario, cell: &BundleCell, drivers: &[&DriverSpec]) -> Invocation {
    if let BundleCellKind::Unsupported(reason) = &cell.kind {
        return Invocation::Skipped(format!("unsupported: {reason}"));
    }
    let c = crate::cell_for(scenario, cell.ssl_mode, Duration::from_secs(10));
    if let Some(program) = [&MYSQL_CLI, &MARIADB_CLI]
        .into_iter()
        .find(|p| p.name == cell.client)
    {
        return match program.argv(&c) {
            Ok(argv) => Invocation::Cli(quote_argv(&argv)),
            Err(reason) => Invocation::Skipped(format!("unsupported: {reason}")),
        };
    }
    match drivers.iter().find(|d| d.name == cell.client) {
        Some(spec) => Invocation::Driver(
            shell_quote(&clients::container_cell_json(&c)),
            quote_argv(&spec.command),
        ),
        None => Invocation::Skipped("not bundled".into()),
    }
}

impl Invocation {
    /// The `run.sh` line: `cli_cell …`, `driver_cell …`, or a comment.
    fn script_line(&self, cell: &BundleCell) -> String {
        let (client, mode) = (&cell.client, cell.ssl_mode);
        match self {
            Invocation::Cli(argv) => format!("cli_cell {client} {mode} {argv}"),
            Invocation::Driver(line, argv) => format!("driver_cell {client} {mode} {line} {argv}"),
            Invocation::Skipped(why) => format!("# {client} {mode}: {why}"),
        }
    }

    /// The README's paste-able command (after `./run.sh --keep`, with `NAME` set).
    fn paste(&self, cell: &BundleCell) -> String {
        let (client, mode) = (&cell.client, cell.ssl_mode);
        match self {
            Invocation::Cli(argv) => {
                format!("# {client} {mode}\ndocker exec \"$NAME-{client}\" {argv}")
            }
            Invocation::Driver(line, argv) => format!(
                "# {client} {mode}\nprintf '%s\\n' {line} | docker exec -i \"$NAME-clients\" {argv}"
            ),
            Invocation::Skipped(why) => format!("# {client} {mode}: {why}"),
        }
    }
}

/// One line per cell: the `docker exec` command a user pastes after `./run.sh --keep` (with
/// `NAME` set to the printed prefix), or a comment saying why the mode is unsupported.
fn paste_commands(
    scenario: &Scenario,
    cells: &[BundleCell],
    drivers: &[&DriverSpec],
) -> Vec<String> {
    cells
        .iter()
        .map(|cell| invocation(scenario, cell, drivers).paste(cell))
        .collect()
}

fn readme(
    scenario: &Scenario,
    flavor: &Flavor,
    commands: &[String],
    not_bundled: &[String],
    snapshot: Option<&str>,
) -> String {
    let mut s = format!(
        "# Repro bundle: `{}` on {}\n\n{}\n\n",
        scenario.id, flavor.name, scenario.description
    );
    if let Some(source) = &scenario.source {
        let _ = writeln!(s, "Report: {source}\n");
    }
    let _ = writeln!(s, "## Expected (what the report says)\n");
    match &scenario.reported {
        Some(reported) => {
            let _ = writeln!(s, "```\n{reported}\n```\n");
        }
        None => {
            let _ = writeln!(
                s,
                "No reported error text; the scenario expresses a defect, see the table below.\n"
            );
        }
    }
    if let Some(notes) = &scenario.notes {
        let _ = writeln!(s, "Notes: {}\n", notes.trim());
    }
    let _ = writeln!(
        s,
        "## Run it\n\n```sh\n./run.sh                 # our image of {flavor}; needs docker and the images below\n./run.sh --image mysql:8.4   # or any server image your engine has\n./run.sh --keep          # leave the containers up to paste the commands below\n```\n\n\
         Images: server `{server}`, `mysql` CLI `{mysql}`, `mariadb` CLI `{mariadb}`, drivers `{clients}` \
         (build them in the repository with `cargo xtask images`; override the client images with \
         MYSQL_CLI_IMAGE, MARIADB_CLI_IMAGE, CLIENTS_IMAGE). `run.sh` prints one line per client \
         and ssl-mode and leaves the raw output in `out/`. Not bundled (they run from the \
         repository: `cargo xtask matrix {id}`): {not_bundled}.\n",
        flavor = flavor.name,
        server = image_of(flavor),
        mysql = MYSQL_CLI.image.reference(),
        mariadb = MARIADB_CLI.image.reference(),
        clients = clients::CLIENTS_IMAGE.reference(),
        id = scenario.id,
        not_bundled = not_bundled.join(", "),
    );
    let _ = writeln!(
        s,
        "## One command per client and ssl-mode\n\nAfter `./run.sh --keep`, set `NAME` to the \
         container prefix it printed (`NAME=mysql-tls-repro-12345`) and paste any of these; the \
         CLI prints the session's `Ssl_version`/`Ssl_cipher` or its `ERROR n (state)` line, a \
         driver its hello and one JSON result line (the contract is the repository's \
         drivers/CONTRACT.md).\n\n```sh\n{}\n```\n",
        commands.join("\n")
    );
    let _ = writeln!(
        s,
        "## Observed (the committed snapshot of this scenario on {})\n",
        flavor.name
    );
    match snapshot {
        Some(text) => {
            let body = text.splitn(3, "---").nth(2).unwrap_or(text).trim();
            let _ = writeln!(s, "{body}");
        }
        None => {
            let _ = writeln!(
                s,
                "No snapshot is committed for this flavor; run `./run.sh` and read `out/`."
            );
        }
    }
    s
}

/// Reads what a bundle's `run.sh` left in `dir/out`, with the matrix's own parsers: the CLI's
/// `ERROR n (state): …` line or TLS status, the driver's result line; exit 124 (timeout) is a
/// hang; unsupported modes come from `cells.tsv`.
///
/// Errors: [`Error::Bundle`] when `cells.tsv` or `out/server.state` is missing or a cell that
/// should have run left no output.
pub fn read_bundle_run(dir: &Path) -> Result<BundleRun, Error> {
    let read = |p: PathBuf| -> Result<String, Error> {
        std::fs::read_to_string(&p).map_err(|e| Error::Bundle(format!("{}: {e}", p.display())))
    };
    let out = dir.join("out");
    let state = read(out.join("server.state"))?;
    let skipped: Vec<String> = std::fs::read_to_string(out.join("skipped"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();
    let server_started = state.starts_with("ready");
    let mut rows = Vec::new();
    if !server_started {
        return Ok(BundleRun {
            server_started,
            rows,
            skipped,
        });
    }
    for line in read(dir.join("cells.tsv"))?.lines() {
        let mut fields = line.splitn(4, '\t');
        let (Some(client), Some(mode), Some(how)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Some(ssl_mode) = SslMode::ALL.into_iter().find(|m| m.as_str() == mode) else {
            return Err(Error::Bundle(format!(
                "cells.tsv: unknown ssl-mode `{mode}`"
            )));
        };
        if skipped
            .iter()
            .any(|s| s == client || (s == "clients" && how == "driver"))
        {
            continue;
        }
        let outcome = if how == "unsupported" {
            Outcome::Unsupported {
                reason: fields.next().unwrap_or_default().to_owned(),
            }
        } else {
            let file = |ext: &str| out.join(format!("{client}.{mode}.{ext}"));
            let exit: Option<i64> = read(file("exit"))?.trim().parse().ok();
            let stdout = read(file("stdout"))?;
            let stderr = read(file("stderr"))?;
            if exit == Some(124) {
                Outcome::Hang { after_ms: 10_000 }
            } else if how == "cli" {
                let program = if client == MYSQL_CLI.name {
                    &MYSQL_CLI
                } else {
                    &MARIADB_CLI
                };
                program.outcome(exit, &stdout, &stderr)
            } else {
                clients::outcome_from_driver_output(&stdout).unwrap_or_else(|why| {
                    let last = stderr.lines().last().unwrap_or(&why).to_owned();
                    Outcome::Failed {
                        code: None,
                        sqlstate: None,
                        kind: outcome::classify(None, &last),
                        message: outcome::redact(&last),
                        raw_type: format!("driver process exited (exit {})", exit.unwrap_or(-1)),
                    }
                })
            }
        };
        rows.push((client.to_owned(), ssl_mode, outcome));
    }
    Ok(BundleRun {
        server_started,
        rows,
        skipped,
    })
}
