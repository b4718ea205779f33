//! Running one scenario on one flavor: fixtures → server → clients × ssl-modes → report, on a
//! fresh server ([`run_scenario`]) or on the fast path ([`FastPath`]). Containers belong to
//! rigs, which are dropped (containers removed) on every return path, errors and panics too.

use crate::client_rig::ClientRig;
use crate::rig::{Rig, RigBoot};
use crate::{Error, ScenarioReport};
use clients::DriverSpec;
use containers::RunLabels;
use scenario::Scenario;
use servers::Flavor;
use std::time::Duration;
use time::OffsetDateTime;

/// Settings shared by every scenario of a run.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// Labels put on every container (project + run id).
    pub labels: RunLabels,
    /// The instant validity offsets resolve against.
    pub now: OffsetDateTime,
    /// Bound of one connection attempt; past it the cell is `Hang`.
    pub cell_timeout: Duration,
    /// Bound of server boot (container start → ready for connections).
    pub startup_timeout: Duration,
    /// External drivers (drivers/CONTRACT.md) run in the clients container, in order.
    pub drivers: Vec<DriverSpec>,
    /// A new external driver process for every cell instead of one per server (the naive
    /// baseline of `cargo xtask bench`); default `false`.
    pub driver_process_per_cell: bool,
    /// Clients attempting their cells at once against one server (each client still runs its
    /// ssl-modes in order); default 1, one client after another, as the snapshots were made.
    pub client_jobs: usize,
    /// Only these built-in clients run (`mysql-cli`, `mariadb-cli`, `rust-mysql-native-tls`);
    /// `None` (default) runs all. External drivers are chosen by `drivers`.
    pub builtin_clients: Option<Vec<String>>,
}

/// The names of the built-in clients, in matrix order.
pub const BUILTIN_CLIENTS: [&str; 3] = [
    clients::MYSQL_CLI.name,
    clients::MARIADB_CLI.name,
    clients::RustMysql::NAME,
];

impl RunContext {
    /// Defaults: labels for this process, `now` = current UTC time, 10 s per cell, 90 s boot,
    /// the drivers file of the project in use ([`crate::project`]; the harness's own
    /// `drivers/drivers.toml` unless the user named another).
    ///
    /// Errors: [`Error::Client`] when the driver list is invalid.
    pub fn new() -> Result<Self, Error> {
        Ok(RunContext {
            labels: RunLabels::for_this_process(),
            now: OffsetDateTime::now_utc(),
            cell_timeout: Duration::from_secs(10),
            startup_timeout: Duration::from_secs(90),
            drivers: clients::load_drivers(&crate::project().drivers)?,
            driver_process_per_cell: false,
            client_jobs: 1,
            builtin_clients: None,
        })
    }

    /// Uses the external drivers listed in `file` (the format of `drivers/drivers.toml`)
    /// instead of the repository's.
    ///
    /// Errors: [`Error::Client`] when the file cannot be read or is invalid.
    pub fn use_drivers_file(&mut self, file: &std::path::Path) -> Result<(), Error> {
        self.drivers = clients::load_drivers(file)?;
        Ok(())
    }

    /// Keeps only the named clients (built-in or external). Errors: the first unknown name,
    /// with the known ones, as [`Error::UnknownClient`].
    pub fn select_clients(&mut self, names: &[String]) -> Result<(), Error> {
        let known: Vec<String> = BUILTIN_CLIENTS
            .iter()
            .map(|s| (*s).to_owned())
            .chain(self.drivers.iter().map(|d| d.name.clone()))
            .collect();
        if let Some(unknown) = names.iter().find(|n| !known.contains(n)) {
            return Err(Error::UnknownClient {
                name: unknown.clone(),
                known: known.join(", "),
            });
        }
        self.drivers.retain(|d| names.contains(&d.name));
        self.builtin_clients = Some(
            BUILTIN_CLIENTS
                .iter()
                .filter(|b| names.iter().any(|n| n == *b))
                .map(|b| (*b).to_owned())
                .collect(),
        );
        Ok(())
    }

    /// Whether built-in client `name` runs.
    pub fn selects(&self, name: &str) -> bool {
        self.builtin_clients
            .as_ref()
            .is_none_or(|only| only.iter().any(|n| n == name))
    }
}

/// The flavors `scenario` runs on: its `server.flavors`, or every known flavor when empty.
///
/// Errors: [`Error::UnknownFlavor`] naming the scenario and the unknown name.
pub fn flavors_of(scenario: &Scenario) -> Result<Vec<&'static Flavor>, Error> {
    if scenario.server.flavors.is_empty() {
        return Ok(Flavor::ALL.iter().collect());
    }
    scenario
        .server
        .flavors
        .iter()
        .map(|name| {
            Flavor::by_name(name).ok_or_else(|| Error::UnknownFlavor {
                scenario: scenario.id.clone(),
                name: name.clone(),
                known: Flavor::known_names(),
            })
        })
        .collect()
}

/// Whether `scenario` runs on `flavor`:
/// - a scenario pinned to an image (`server.image`) runs only on the flavor detected from that
///   image ([`pinned_flavors`]);
/// - on a built-in flavor, the flavor must be one of [`flavors_of`];
/// - a user image (`--image`) runs every scenario whose `server.flavors` is empty or names a
///   flavor of the same family (`mysql-…` / `mariadb-…`).
pub fn runs_on(scenario: &Scenario, flavor: &Flavor) -> bool {
    if let Some(image) = &scenario.server.image {
        return flavor.user_image == Some(image.as_str());
    }
    if flavor.user_image.is_none() {
        return flavors_of(scenario).is_ok_and(|fs| fs.iter().any(|f| f.name == flavor.name));
    }
    let family = |name: &str| name.split('-').next().unwrap_or_default().to_owned();
    scenario.server.flavors.is_empty()
        || scenario
            .server
            .flavors
            .iter()
            .any(|name| family(name) == family(flavor.name))
}

/// The flavors of the images `scenarios` are pinned to (`server.image`), one per distinct
/// image in first-seen order, each detected from its running server by
/// [`servers::detect_flavor`] (one probe boot of up to `startup` per image).
///
/// Errors: [`Error::PinnedImage`] naming the first scenario that pins an image that is not in
/// the local engine or whose probe fails.
pub async fn pinned_flavors(
    scenarios: &[Scenario],
    labels: &RunLabels,
    startup: Duration,
) -> Result<Vec<&'static Flavor>, Error> {
    let mut flavors: Vec<&'static Flavor> = Vec::new();
    for scenario in scenarios {
        let Some(image) = &scenario.server.image else {
            continue;
        };
        if flavors.iter().any(|f| f.user_image == Some(image.as_str())) {
            continue;
        }
        let flavor = servers::detect_flavor(image, labels, startup)
            .await
            .map_err(|source| Error::PinnedImage {
                scenario: scenario.id.clone(),
                image: image.clone(),
                source: Box::new(source),
            })?;
        flavors.push(flavor);
    }
    Ok(flavors)
}

/// The harness home (its `Cargo.toml` builds the interposer).
pub(crate) fn workspace_root() -> &'static std::path::Path {
    containers::harness_home()
}

/// Runs `scenario` on `flavor` with everything fresh: generates its fixtures, starts the
/// clients, boots the server in their network namespace, attempts every client × ssl-mode in
/// order, and returns the report; then removes it all.
///
/// Errors are harness faults only (image missing, Docker failing, fixture errors).
pub async fn run_scenario(
    scenario: &Scenario,
    flavor: &'static Flavor,
    ctx: &RunContext,
) -> Result<ScenarioReport, Error> {
    let mut lane = FastPath::new();
    let report = lane.run(scenario, flavor, ctx).await;
    drop(lane);
    removed().await;
    report
}

/// Call after dropping containers inside a task. A container's removal blocks its thread
/// (testcontainers' `block_in_place` + `block_on`); on the thread that polls the matrix (one
/// task for every lane) that nested `block_on` can take the wake-up meant for another lane,
/// which then waits for a wake that already came (seen: a lane stalled until `--timeout`).
/// Yielding makes the task poll every lane again, and each finds its I/O readiness intact.
pub async fn removed() {
    tokio::task::yield_now().await;
}

/// The fast path of the matrix, one per lane (a worker that runs scenario groups one after
/// another):
/// - the lane's clients ([`ClientRig`]: CLI companions, the clients container and its driver
///   processes, host-run drivers, the in-process client) start once and own a network
///   namespace that every server of the lane boots into; a scenario only puts its files in
///   place (new clients only when a scenario dials another mapped host name);
/// - one running server per flavor and server configuration is reused for the next scenario
///   by swapping the fixture files and reloading TLS instead of booting a new container. A
///   scenario gets a fresh server when it has its own `[reload]`, an account, or TLS off, when
///   no clean server of its configuration is running, and when the swap shows the server
///   would not behave like a clean fresh boot (reload refused, TLS off, TLS lines logged).
///
/// A test checks that both paths give identical snapshots. It keeps one server at a time (the
/// namespace has one 3306): run scenarios grouped by [`reuse_key`] to get the most reuse.
#[derive(Default)]
pub struct FastPath {
    /// Declared before `clients`: the server lives in their namespace and goes first.
    rig: Option<(String, Rig)>,
    clients: Option<ClientRig>,
}

impl FastPath {
    /// No rigs yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `scenario` on `flavor`, on a reused server when possible; otherwise like
    /// [`run_scenario`]. Report field `reused_server` says which.
    pub async fn run(
        &mut self,
        scenario: &Scenario,
        flavor: &'static Flavor,
        ctx: &RunContext,
    ) -> Result<ScenarioReport, Error> {
        let fixtures = certgen::generate(scenario, ctx.now)?;
        let files = crate::rig::client_files(scenario, &fixtures);
        let (clients, first_of_clients) = match self.clients.take() {
            Some(clients) if clients.serves(scenario) => {
                if let Err(e) = clients.put_files(&files).await {
                    self.rig = None;
                    drop(clients);
                    removed().await;
                    return Err(e);
                }
                (clients, false)
            }
            old => {
                // The server lives in the old clients' namespace: both go, server first.
                self.rig = None;
                drop(old);
                removed().await;
                (ClientRig::start(scenario, &files, ctx).await?, true)
            }
        };
        let clients = &*self.clients.insert(clients);
        let key = reuse_key(scenario, flavor);
        if let Some(key) = &key
            && self.rig.as_ref().is_some_and(|(k, _)| k == key)
            && let Some((_, mut rig)) = self.rig.take()
        {
            let swapped = rig.swap(scenario, &fixtures, clients, ctx).await;
            removed().await;
            if swapped? {
                let report = rig
                    .run(scenario, None, clients, first_of_clients, ctx)
                    .await?;
                self.rig = Some((key.clone(), rig));
                return Ok(report);
            }
            tracing::info!(scenario = %scenario.id, flavor = flavor.name, "swap not clean; fresh boot");
        }
        // One server at a time in the namespace.
        self.rig = None;
        removed().await;
        match Rig::boot(scenario, flavor, &fixtures, clients, ctx).await? {
            (RigBoot::Failed(report), _) => Ok(*report),
            (RigBoot::Ready(rig), reload) => {
                let report = rig
                    .run(scenario, reload, clients, first_of_clients, ctx)
                    .await?;
                if let Some(key) = key
                    && rig.reusable()
                {
                    self.rig = Some((key, *rig));
                }
                Ok(report)
            }
        }
    }
}

/// The server configuration a rig can be shared under (flavor + rendered my.cnf + the host
/// name mapped to loopback, which the server's `/etc/hosts` and the host-run drivers' resolver
/// carry), or `None` when the scenario always needs its own fresh server.
pub fn reuse_key(scenario: &Scenario, flavor: &Flavor) -> Option<String> {
    // A fault scenario's cells wait out the clients' own timeouts one at a time (up to a
    // minute a run): alone in its group, each one takes a free lane of its own instead of
    // queueing behind the others on one reused server, and a fresh boot (~1 s) is small beside
    // its cells.
    if scenario.reload.is_some()
        || scenario.server.account.is_some()
        || !scenario.server.tls
        || scenario.fault.is_some()
    {
        return None;
    }
    // Behind an interposer the server listens on another port: its own group (the interposer
    // itself is replaced for every scenario).
    Some(format!(
        "{}\n{}\n{}\n{}\n{}",
        flavor.name,
        flavor.user_image.unwrap_or_default(),
        scenario.client.mapped_host().unwrap_or_default(),
        if scenario.interposed() {
            "interposed"
        } else {
            "direct"
        },
        flavor.render_config(&scenario.server, containers::FIXTURE_DIR)
    ))
}
