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
    if scenario.interposed() {
        return Err(Error::Bundle(format!(
            "scenario `{}` has an [attack] or [fault]: its interposer (crates/interposer) is not part of a plain-docker bundle; run it with `cargo xtask matrix {}`",
            scenario.id, scenario.id
        )));
    }
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
    let client_view = crate::rig::client_files(scenario, &fixtures);
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
{add_host}docker create --name \"$NAME-server\" \"${{LABELS[@]}}\" \"${{EXTRA[@]}}\" -p 127.0.0.1::3306 \"$IMAGE\" >/dev/null || exit 1
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
        add_host = scenario.client.mapped_host().map_or(String::new(), |name| format!(
            "# the clients dial {name}: it resolves to 127.0.0.1 in the server's network namespace\n\
             EXTRA+=(--add-host {}:{})\n",
            shell_quote(name),
            scenario::MAPPED_ADDRESS
        )),
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

#[cfg(test)]
mod tests {
    use super::*;
    use outcome::{FailureKind, TlsInfo};
    use rstest::rstest;
    use servers::{MARIADB_10_11, MYSQL_9};
    use std::os::unix::fs::PermissionsExt as _;

    const NOW: time::OffsetDateTime = time::macros::datetime!(2026-01-15 12:00 UTC);

    fn load(id: &str) -> Scenario {
        let root = crate::scenarios_root();
        scenario::load(&root, &root.join(format!("{id}.toml")))
            .unwrap_or_else(|e| panic!("scenario {id}: {e}"))
    }

    /// The ssl-mode tables of the two CLIs, as [`crate::ssl_mode_tables`] returns them first.
    fn cli_tables() -> Vec<ModeTable> {
        vec![
            (MYSQL_CLI.name.to_owned(), MYSQL_CLI.mode_table()),
            (MARIADB_CLI.name.to_owned(), MARIADB_CLI.mode_table()),
        ]
    }

    const PYMYSQL_NO_PREFERRED: &str = "PyMySQL has no opportunistic TLS";

    /// One driver run in the clients image (no PREFERRED) and one run on the host.
    fn drivers() -> (Vec<DriverSpec>, Vec<ModeTable>) {
        let drivers = vec![
            DriverSpec {
                name: "pymysql".into(),
                command: vec![
                    "python3".into(),
                    "/opt/drivers/python/pymysql_driver.py".into(),
                ],
                runs_on: RunsOn::ClientsImage,
                build: None,
                family: None,
            },
            DriverSpec {
                name: "rust-sqlx".into(),
                command: vec!["drivers/rust/target/release/sqlx-driver".into()],
                runs_on: RunsOn::Host,
                build: Some(vec!["cargo".into(), "build".into()]),
                family: None,
            },
        ];
        let mut tables = cli_tables();
        let pymysql = SslMode::ALL
            .into_iter()
            .map(|mode| {
                let mapping = if mode == SslMode::Preferred {
                    ModeMapping::Unsupported(PYMYSQL_NO_PREFERRED.into())
                } else {
                    ModeMapping::Options(format!("ssl-mode {mode}"))
                };
                (mode, mapping)
            })
            .collect();
        tables.push(("pymysql".into(), pymysql));
        (drivers, tables)
    }

    fn read(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn bundle(
        scenario: &Scenario,
        flavor: &Flavor,
        drivers: &[DriverSpec],
        tables: &[ModeTable],
        snapshot: Option<&str>,
    ) -> (tempfile::TempDir, PathBuf, Vec<BundleCell>) {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("bundle");
        let cells = write_bundle(scenario, flavor, NOW, &dir, drivers, tables, snapshot)
            .expect("bundle written");
        (tmp, dir, cells)
    }

    #[test]
    fn an_interposed_scenario_is_refused_with_the_command_that_runs_it() {
        let scenario = load("attack/strip-tls");
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("bundle");
        let err = write_bundle(&scenario, &MYSQL_9, NOW, &dir, &[], &cli_tables(), None)
            .expect_err("no bundle without the interposer");
        assert!(
            err.to_string()
                .contains("cargo xtask matrix attack/strip-tls"),
            "{err}"
        );
        assert!(!dir.exists(), "nothing written");
    }

    #[test]
    fn a_bundle_holds_fixtures_configs_cells_script_and_readme() {
        let scenario = load("basic/valid");
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &[], &cli_tables(), None);
        assert_eq!(
            names_in(&dir),
            [
                "README.md",
                "cells.tsv",
                "client",
                "client.cnf",
                "my.cnf",
                "run.sh",
                "server"
            ]
        );
        let files = [
            "ca.pem",
            "client-cert.pem",
            "client-key.pem",
            "server-cert.pem",
            "server-key.pem",
        ];
        assert_eq!(names_in(&dir.join("server")), files);
        assert_eq!(names_in(&dir.join("client")), files);
    }

    #[test]
    fn bundled_fixtures_are_the_ones_certgen_mints_for_now() {
        let scenario = load("basic/valid");
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &[], &cli_tables(), None);
        let minted = certgen::generate(&scenario, NOW).expect("fixtures");
        for (name, file) in &minted.files {
            for side in ["server", "client"] {
                let path = dir.join(side).join(name);
                assert_eq!(
                    std::fs::read(&path).expect("fixture written"),
                    file.bytes,
                    "{}",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn fixture_directories_are_traversable_by_the_servers_mysql_user() {
        let scenario = load("basic/valid");
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &[], &cli_tables(), None);
        for side in ["server", "client"] {
            let mode = std::fs::metadata(dir.join(side))
                .expect("dir")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o755, "{side}/");
        }
    }

    #[rstest]
    #[case::mysql_9(&MYSQL_9)]
    #[case::mariadb_10_11(&MARIADB_10_11)]
    fn my_cnf_is_the_flavors_rendering_with_files_under_the_fixture_dir(#[case] flavor: &Flavor) {
        let scenario = load("basic/valid");
        let (_tmp, dir, _) = bundle(&scenario, flavor, &[], &cli_tables(), None);
        let cnf = read(&dir, "my.cnf");
        assert_eq!(cnf, flavor.render_config(&scenario.server, FIXTURE_DIR));
        assert!(cnf.contains("ssl_ca=/etc/mysql/tls/ca.pem\n"), "{cnf}");
    }

    #[test]
    fn client_cnf_holds_the_harness_password() {
        let scenario = load("basic/valid");
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &[], &cli_tables(), None);
        assert_eq!(
            read(&dir, "client.cnf"),
            format!("[client]\npassword={HARNESS_PASSWORD}\n")
        );
    }

    #[test]
    fn cells_tsv_has_one_line_per_bundled_client_and_ssl_mode() {
        let scenario = load("basic/valid");
        let (drivers, tables) = drivers();
        let (_tmp, dir, cells) = bundle(&scenario, &MYSQL_9, &drivers, &tables, None);
        let tsv = read(&dir, "cells.tsv");
        let lines: Vec<&str> = tsv.lines().collect();
        // mysql-cli, mariadb-cli and the clients-image driver; the host driver is not bundled.
        assert_eq!(lines.len(), 3 * 6, "{tsv}");
        assert_eq!(cells.len(), lines.len());
        let verify_ca_reason = match MARIADB_CLI.mode(SslMode::VerifyCa) {
            clients::ModeArgs::Unsupported(reason) => reason,
            _ => panic!("mariadb-cli has no VERIFY_CA"),
        };
        assert_eq!(lines[0], "mysql-cli\tDISABLED\tcli");
        assert_eq!(lines[4], "mysql-cli\tVERIFY_IDENTITY\tcli");
        assert_eq!(lines[5], "mysql-cli\tDEFAULT\tcli");
        assert_eq!(
            lines[9],
            format!("mariadb-cli\tVERIFY_CA\tunsupported\t{verify_ca_reason}")
        );
        assert_eq!(
            lines[13],
            format!("pymysql\tPREFERRED\tunsupported\t{PYMYSQL_NO_PREFERRED}")
        );
        assert_eq!(lines[16], "pymysql\tVERIFY_IDENTITY\tdriver");
        assert_eq!(lines[17], "pymysql\tDEFAULT\tdriver");
        assert!(!tsv.contains("rust-sqlx"), "{tsv}");
    }

    #[test]
    fn returned_cells_say_how_each_cell_runs_in_cells_tsv_order() {
        let scenario = load("basic/valid");
        let (drivers, tables) = drivers();
        let (_tmp, dir, cells) = bundle(&scenario, &MYSQL_9, &drivers, &tables, None);
        let tsv = read(&dir, "cells.tsv");
        for (cell, line) in cells.iter().zip(tsv.lines()) {
            let how = match &cell.kind {
                BundleCellKind::Cli => "cli".to_owned(),
                BundleCellKind::Driver => "driver".to_owned(),
                BundleCellKind::Unsupported(reason) => format!("unsupported\t{reason}"),
            };
            assert_eq!(line, format!("{}\t{}\t{how}", cell.client, cell.ssl_mode));
        }
        let kinds = |client: &str| -> Vec<BundleCellKind> {
            cells
                .iter()
                .filter(|c| c.client == client)
                .map(|c| c.kind.clone())
                .collect()
        };
        assert_eq!(kinds("mysql-cli"), vec![BundleCellKind::Cli; 6]);
        assert_eq!(
            kinds("pymysql"),
            [
                BundleCellKind::Driver,
                BundleCellKind::Unsupported(PYMYSQL_NO_PREFERRED.into()),
                BundleCellKind::Driver,
                BundleCellKind::Driver,
                BundleCellKind::Driver,
                BundleCellKind::Driver,
            ]
        );
    }

    #[test]
    fn only_the_scenarios_ssl_modes_are_bundled() {
        let text = "description = \"two modes\"\n\
             [certs.ca]\nsubject_cn = \"CA\"\nis_ca = true\nkey = \"rsa2048-1\"\n\
             [files]\n\"ca.pem\" = { certs = [\"ca\"] }\n\
             [client]\nssl_modes = [\"REQUIRED\", \"VERIFY_CA\"]\n";
        let mut scenario =
            scenario::parse(Path::new("test/two-modes.toml"), text).expect("valid scenario");
        scenario.id = "test/two-modes".into();
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &[], &cli_tables(), None);
        assert_eq!(
            read(&dir, "cells.tsv"),
            format!(
                "mysql-cli\tREQUIRED\tcli\n\
                 mysql-cli\tVERIFY_CA\tcli\n\
                 mariadb-cli\tREQUIRED\tcli\n\
                 mariadb-cli\tVERIFY_CA\tunsupported\t{}\n",
                match MARIADB_CLI.mode(SslMode::VerifyCa) {
                    clients::ModeArgs::Unsupported(reason) => reason,
                    _ => panic!("mariadb-cli has no VERIFY_CA"),
                }
            )
        );
    }

    #[rstest]
    #[case::mysql_9(&MYSQL_9)]
    #[case::mariadb_10_11(&MARIADB_10_11)]
    fn run_sh_is_executable_bash_that_boots_the_flavors_image(#[case] flavor: &Flavor) {
        let scenario = load("basic/valid");
        let (_tmp, dir, _) = bundle(&scenario, flavor, &[], &cli_tables(), None);
        let path = dir.join("run.sh");
        let mode = std::fs::metadata(&path)
            .expect("run.sh")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        let script = read(&dir, "run.sh");
        assert!(script.starts_with("#!/usr/bin/env bash\n"));
        let image_line = format!("\nIMAGE='{}'\n", flavor.image.reference());
        assert!(script.contains(&image_line), "no `{image_line}` in run.sh");
        assert!(
            script.contains(&format!("grep -q '{}'", flavor.ready_message)),
            "run.sh waits for the flavor's ready line"
        );
        assert!(
            script.contains(&format!(
                "\ntls=$(admin {})\n",
                shell_quote(flavor.tls_enabled_sql)
            )),
            "run.sh asks the flavor's TLS status"
        );
        let syntax = std::process::Command::new("bash")
            .arg("-n")
            .arg(&path)
            .output()
            .expect("bash runs");
        assert!(
            syntax.status.success(),
            "bash -n run.sh: {}",
            String::from_utf8_lossy(&syntax.stderr)
        );
    }

    #[test]
    fn run_sh_runs_each_cli_cell_with_its_argv_and_comments_out_unsupported_ones() {
        let scenario = load("basic/valid");
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &[], &cli_tables(), None);
        let script = read(&dir, "run.sh");
        let cell = crate::cell_for(&scenario, SslMode::VerifyIdentity, Duration::from_secs(10));
        let argv = MYSQL_CLI.argv(&cell).expect("supported");
        let line = format!(
            "  cli_cell mysql-cli VERIFY_IDENTITY {}\n",
            quote_argv(&argv)
        );
        assert!(script.contains(&line), "no `{line}` in run.sh");
        assert!(
            script.contains("'SHOW SESSION STATUS WHERE Variable_name IN ('\\''Ssl_version'\\'', '\\''Ssl_cipher'\\'')'"),
            "the status query is quoted for the shell"
        );
        assert!(script.contains("  # mariadb-cli VERIFY_CA: unsupported: "));
        assert!(!script.contains("cli_cell mariadb-cli VERIFY_CA"));
        assert_eq!(script.matches("\n  cli_cell ").count(), 11);
    }

    #[test]
    fn run_sh_feeds_clients_image_drivers_and_leaves_host_drivers_out() {
        let scenario = load("basic/valid");
        let (drivers, tables) = drivers();
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &drivers, &tables, None);
        let script = read(&dir, "run.sh");
        assert!(script.contains("if companion clients \"$CLIENTS_IMAGE\"; then"));
        assert_eq!(script.matches("\n  driver_cell pymysql ").count(), 5);
        assert!(
            script.contains("/opt/drivers/python/pymysql_driver.py\n"),
            "the driver's command ends its cell lines"
        );
        assert!(script.contains("  # pymysql PREFERRED: unsupported: PyMySQL"));
        assert!(!script.contains("rust-sqlx"));
        let readme = read(&dir, "README.md");
        assert!(
            readme.contains("Not bundled (they run from the repository: `cargo xtask matrix basic/valid`): rust-mysql-native-tls, rust-sqlx."),
            "{readme}"
        );
    }

    #[test]
    fn without_clients_image_drivers_run_sh_starts_no_clients_container() {
        let scenario = load("basic/valid");
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &[], &cli_tables(), None);
        let script = read(&dir, "run.sh");
        assert!(!script.contains("companion clients"));
        assert!(!script.contains("\n  driver_cell "));
    }

    #[test]
    fn an_account_scenario_creates_the_account_and_logs_in_as_it() {
        let scenario = load("server/require-x509-with-client-cert");
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &[], &cli_tables(), None);
        let script = read(&dir, "run.sh");
        let create = shell_quote(&servers::account_sql(&scenario::Require::X509));
        assert!(
            script.contains(&format!("admin {create} || exit 1")),
            "{script}"
        );
        assert!(script.contains("--user=tls_account"));
        assert!(
            script.contains(
                "--ssl-cert=/etc/mysql/tls/client-cert.pem --ssl-key=/etc/mysql/tls/client-key.pem"
            ),
            "the client identity is passed"
        );
    }

    #[rstest]
    #[case::mysql_no_rollback(&MYSQL_9, "'ALTER INSTANCE RELOAD TLS NO ROLLBACK ON ERROR'")]
    #[case::mariadb_has_no_rollback_option(&MARIADB_10_11, "'FLUSH SSL'")]
    fn a_reload_scenario_bundles_the_swapped_files_and_the_flavors_reload(
        #[case] flavor: &Flavor,
        #[case] statement: &str,
    ) {
        let scenario = load("reload/key-mismatch-no-rollback");
        let (_tmp, dir, _) = bundle(&scenario, flavor, &[], &cli_tables(), None);
        assert_eq!(
            names_in(&dir.join("reload")),
            ["server-cert.pem", "server-key.pem"]
        );
        let minted = certgen::generate(&scenario, NOW).expect("fixtures");
        let renewed = &minted.reload["server-cert.pem"].bytes;
        assert_ne!(renewed, &minted.files["server-cert.pem"].bytes);
        // The server boots the old files; clients see them after the reload.
        assert_eq!(
            &std::fs::read(dir.join("client/server-cert.pem")).expect("client file"),
            renewed
        );
        assert_eq!(
            std::fs::read(dir.join("server/server-cert.pem")).expect("server file"),
            minted.files["server-cert.pem"].bytes
        );
        let script = read(&dir, "run.sh");
        assert!(script.contains("docker cp reload/. "));
        assert!(
            script.contains(&format!("reload_out=$(admin {statement} 2>&1)")),
            "{script}"
        );
    }

    #[test]
    fn a_scenario_without_reload_has_no_reload_directory_or_step() {
        let scenario = load("basic/valid");
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &[], &cli_tables(), None);
        assert!(!dir.join("reload").exists());
        assert!(!read(&dir, "run.sh").contains("reload/."));
    }

    #[test]
    fn the_readme_states_the_scenario_and_the_committed_snapshot_body() {
        let scenario = load("basic/valid");
        let snapshot = crate::committed_snapshot("basic/valid", "mysql-9").expect("committed");
        let (_tmp, dir, _) = bundle(&scenario, &MYSQL_9, &[], &cli_tables(), Some(&snapshot));
        let readme = read(&dir, "README.md");
        assert!(readme.starts_with("# Repro bundle: `basic/valid` on mysql-9\n\n"));
        assert!(readme.contains(&scenario.description));
        assert!(readme.contains("No reported error text"));
        assert!(readme.contains("| mysql-cli | DISABLED | connected · no TLS |"));
        assert!(
            !readme.contains("source: crates/harness"),
            "insta header left in"
        );
        assert!(readme.contains("docker exec \"$NAME-mysql-cli\" mysql "));
    }

    #[test]
    fn the_readme_says_when_no_snapshot_is_committed() {
        let scenario = load("basic/valid");
        let (_tmp, dir, _) = bundle(&scenario, &MARIADB_10_11, &[], &cli_tables(), None);
        let readme = read(&dir, "README.md");
        assert!(readme.contains("No snapshot is committed for this flavor"));
        assert!(readme.contains(&format!("server `{}`", MARIADB_10_11.image.reference())));
    }

    #[test]
    fn writing_into_a_non_empty_directory_is_refused() {
        let scenario = load("basic/valid");
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::write(tmp.path().join("keep.txt"), "mine").expect("write");
        let err = write_bundle(
            &scenario,
            &MYSQL_9,
            NOW,
            tmp.path(),
            &[],
            &cli_tables(),
            None,
        )
        .expect_err("non-empty dir");
        assert!(
            matches!(&err, Error::Bundle(m) if m.contains("is not empty")),
            "{err}"
        );
        assert_eq!(names_in(tmp.path()), ["keep.txt"]);
    }

    #[test]
    fn writing_into_an_existing_empty_directory_is_fine() {
        let scenario = load("basic/valid");
        let tmp = tempfile::tempdir().expect("temp dir");
        write_bundle(
            &scenario,
            &MYSQL_9,
            NOW,
            tmp.path(),
            &[],
            &cli_tables(),
            None,
        )
        .expect("empty dir is fine");
        assert!(tmp.path().join("run.sh").exists());
    }

    /// Writes a hand-made `out/` (and `cells.tsv`) as `run.sh` would leave it.
    fn hand_written_run(cells_tsv: &str, state: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(tmp.path().join("out")).expect("out/");
        std::fs::write(tmp.path().join("cells.tsv"), cells_tsv).expect("cells.tsv");
        std::fs::write(tmp.path().join("out/server.state"), state).expect("state");
        for (name, text) in files {
            std::fs::write(tmp.path().join("out").join(name), text).expect("out file");
        }
        tmp
    }

    fn cli_cell_files<'a>(
        base: &'a str,
        exit: &'a str,
        stdout: &'a str,
        stderr: &'a str,
    ) -> [(String, &'a str); 3] {
        [
            (format!("{base}.exit"), exit),
            (format!("{base}.stdout"), stdout),
            (format!("{base}.stderr"), stderr),
        ]
    }

    #[test]
    fn read_bundle_run_turns_out_files_into_outcomes_in_cells_tsv_order() {
        let tsv = "mysql-cli\tREQUIRED\tcli\n\
                   mysql-cli\tVERIFY_IDENTITY\tcli\n\
                   mariadb-cli\tVERIFY_CA\tunsupported\tno CA-only mode\n\
                   mariadb-cli\tREQUIRED\tcli\n\
                   pymysql\tREQUIRED\tdriver\n";
        let files: Vec<(String, &str)> = [
            cli_cell_files(
                "mysql-cli.REQUIRED",
                "0\n",
                "Ssl_cipher\tTLS_AES_128_GCM_SHA256\nSsl_version\tTLSv1.3\n",
                "",
            ),
            cli_cell_files(
                "mysql-cli.VERIFY_IDENTITY",
                "1\n",
                "",
                "ERROR 2026 (HY000): SSL connection error: error:0A000086:SSL routines::certificate verify failed\n",
            ),
            cli_cell_files("mariadb-cli.REQUIRED", "124\n", "", ""),
            cli_cell_files(
                "pymysql.REQUIRED",
                "0\n",
                "{\"hello\":1}\n{\"id\":1,\"outcome\":\"connected\",\"tls_version\":\"TLSv1.2\",\"cipher\":\"ECDHE-RSA-AES128-GCM-SHA256\"}\n",
                "",
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let tmp = hand_written_run(tsv, "ready tls=Yes version=9.1.0\n", &files);
        let run = read_bundle_run(tmp.path()).expect("readable run");
        assert!(run.server_started);
        assert!(run.skipped.is_empty());
        assert_eq!(
            run.rows,
            [
                (
                    "mysql-cli".to_owned(),
                    SslMode::Required,
                    Outcome::Connected {
                        tls: Some(TlsInfo {
                            version: "TLSv1.3".into(),
                            cipher: "TLS_AES_128_GCM_SHA256".into()
                        })
                    }
                ),
                (
                    "mysql-cli".to_owned(),
                    SslMode::VerifyIdentity,
                    Outcome::Failed {
                        code: Some(2026),
                        sqlstate: Some("HY000".into()),
                        message: "SSL connection error: error:0A000086:SSL routines::certificate verify failed".into(),
                        kind: FailureKind::Verification,
                        raw_type: "mysql CLI exit 1".into(),
                    }
                ),
                (
                    "mariadb-cli".to_owned(),
                    SslMode::VerifyCa,
                    Outcome::Unsupported {
                        reason: "no CA-only mode".into()
                    }
                ),
                (
                    "mariadb-cli".to_owned(),
                    SslMode::Required,
                    Outcome::Hang { after_ms: 10_000 }
                ),
                (
                    "pymysql".to_owned(),
                    SslMode::Required,
                    Outcome::Connected {
                        tls: Some(TlsInfo {
                            version: "TLSv1.2".into(),
                            cipher: "ECDHE-RSA-AES128-GCM-SHA256".into()
                        })
                    }
                ),
            ]
        );
    }

    #[test]
    fn read_bundle_run_uses_the_mariadb_parser_for_mariadb_cli_cells() {
        let tsv = "mariadb-cli\tVERIFY_IDENTITY\tcli\n";
        let stderr = "ERROR 2026 (HY000): TLS/SSL error: Hostname verification failed\n";
        let files = cli_cell_files("mariadb-cli.VERIFY_IDENTITY", "1\n", "", stderr);
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let tmp = hand_written_run(tsv, "ready tls=Yes version=11.8.2\n", &files);
        let run = read_bundle_run(tmp.path()).expect("readable run");
        assert_eq!(
            run.rows,
            [(
                "mariadb-cli".to_owned(),
                SslMode::VerifyIdentity,
                MARIADB_CLI.outcome(Some(1), "", stderr)
            )]
        );
        assert!(
            matches!(&run.rows[0].2, Outcome::Failed { raw_type, .. } if raw_type == "mariadb CLI exit 1")
        );
    }

    #[test]
    fn a_driver_that_left_no_result_line_fails_with_its_last_stderr_line() {
        let tsv = "pymysql\tVERIFY_CA\tdriver\n";
        let files = cli_cell_files(
            "pymysql.VERIFY_CA",
            "1\n",
            "",
            "Traceback (most recent call last):\nModuleNotFoundError: No module named 'pymysql'\n",
        );
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let tmp = hand_written_run(tsv, "ready tls=Yes version=9.1.0\n", &files);
        let run = read_bundle_run(tmp.path()).expect("readable run");
        assert_eq!(
            run.rows,
            [(
                "pymysql".to_owned(),
                SslMode::VerifyCa,
                Outcome::Failed {
                    code: None,
                    sqlstate: None,
                    message: "ModuleNotFoundError: No module named 'pymysql'".into(),
                    kind: FailureKind::Other,
                    raw_type: "driver process exited (exit 1)".into(),
                }
            )]
        );
    }

    #[test]
    fn a_server_that_failed_to_start_has_no_rows() {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(tmp.path().join("out")).expect("out/");
        std::fs::write(
            tmp.path().join("out/server.state"),
            "failed-to-start exit=1\n",
        )
        .expect("state");
        // No cells.tsv either: nothing after the state is read.
        let run = read_bundle_run(tmp.path()).expect("readable run");
        assert!(!run.server_started);
        assert!(run.rows.is_empty());
    }

    #[test]
    fn cells_of_skipped_client_images_are_left_out() {
        let tsv = "mysql-cli\tREQUIRED\tcli\n\
                   mariadb-cli\tREQUIRED\tcli\n\
                   mariadb-cli\tVERIFY_CA\tunsupported\tno CA-only mode\n\
                   pymysql\tREQUIRED\tdriver\n";
        let files = cli_cell_files("mysql-cli.REQUIRED", "0\n", "", "");
        let mut files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        files.push(("skipped", "mariadb-cli\nclients\n"));
        let tmp = hand_written_run(tsv, "ready tls=Yes version=9.1.0\n", &files);
        let run = read_bundle_run(tmp.path()).expect("readable run");
        assert_eq!(run.skipped, ["mariadb-cli", "clients"]);
        assert_eq!(
            run.rows,
            [(
                "mysql-cli".to_owned(),
                SslMode::Required,
                Outcome::Connected { tls: None }
            )]
        );
    }

    #[test]
    fn a_run_without_server_state_is_an_error() {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::write(tmp.path().join("cells.tsv"), "mysql-cli\tREQUIRED\tcli\n").expect("tsv");
        let err = read_bundle_run(tmp.path()).expect_err("no out/server.state");
        assert!(
            matches!(&err, Error::Bundle(m) if m.contains("server.state")),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_ssl_mode_in_cells_tsv_is_an_error() {
        let tmp = hand_written_run("mysql-cli\tSTRICT\tcli\n", "ready tls=Yes\n", &[]);
        let err = read_bundle_run(tmp.path()).expect_err("unknown mode");
        assert!(
            matches!(&err, Error::Bundle(m) if m.contains("unknown ssl-mode `STRICT`")),
            "{err}"
        );
    }

    #[test]
    fn a_cell_that_should_have_run_but_left_no_output_is_an_error() {
        let tmp = hand_written_run("mysql-cli\tREQUIRED\tcli\n", "ready tls=Yes\n", &[]);
        let err = read_bundle_run(tmp.path()).expect_err("missing output");
        assert!(
            matches!(&err, Error::Bundle(m) if m.contains("mysql-cli.REQUIRED.exit")),
            "{err}"
        );
    }

    #[rstest]
    #[case::plain_word("mysql", "'mysql'")]
    #[case::empty("", "''")]
    #[case::spaces("a b", "'a b'")]
    #[case::single_quote("it's", r"'it'\''s'")]
    #[case::only_quotes("''", r"''\'''\'''")]
    #[case::dollar_and_backticks("$HOME `id`", "'$HOME `id`'")]
    fn shell_quote_wraps_in_single_quotes_and_escapes_embedded_ones(
        #[case] text: &str,
        #[case] quoted: &str,
    ) {
        assert_eq!(shell_quote(text), quoted);
    }

    #[rstest]
    #[case::single_quotes("IN ('Ssl_version', 'Ssl_cipher')")]
    #[case::expansions("$HOME $(id) `id` ${X:-y} \\n \"q\"")]
    #[case::newline_and_glob("line one\nline * two")]
    #[case::empty("")]
    fn shell_quote_survives_a_posix_shell_unchanged(#[case] text: &str) {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s' {}", shell_quote(text)))
            .output()
            .expect("sh runs");
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout), text);
    }

    #[test]
    fn quote_argv_leaves_plain_arguments_bare_and_quotes_the_rest() {
        let argv = [
            "mysql",
            "--ssl-ca=/etc/mysql/tls/ca.pem",
            "--host=127.0.0.1:3306",
            "-e",
            "SELECT 'x'",
            "",
            "a,b+c%d@e",
        ]
        .map(str::to_owned);
        assert_eq!(
            quote_argv(&argv),
            r"mysql --ssl-ca=/etc/mysql/tls/ca.pem --host=127.0.0.1:3306 -e 'SELECT '\''x'\''' '' a,b+c%d@e"
        );
    }
}
