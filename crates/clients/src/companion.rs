//! Companion containers: a client image's container in the network namespace of a server's
//! container, so it dials `127.0.0.1:3306` as a host-side client dials the published port, with
//! the client's view of the fixture files under [`FIXTURE_DIR`].

use crate::{Endpoint, Error};
use certgen::FixtureFile;
use containers::{Container, ContainerSpec, FIXTURE_DIR, ImageRecipe, Network, RunLabels};
use std::collections::BTreeMap;

/// Starts `image` running `sleep infinity` in the network namespace of `endpoint` (or with no
/// network at all when `None`), with `files` copied to [`FIXTURE_DIR`] (modes kept) and `extra`
/// `(path, bytes)` copied as given. Errors: [`Error::Docker`] naming `what`.
pub(crate) async fn start(
    what: &str,
    image: &ImageRecipe,
    endpoint: Option<&Endpoint>,
    files: &BTreeMap<String, FixtureFile>,
    extra: Vec<(String, Vec<u8>)>,
    labels: &RunLabels,
) -> Result<Container, Error> {
    let network = endpoint.map_or(Network::None, |e| Network::Join(e.netns.clone()));
    start_on(what, image, network, Vec::new(), files, extra, labels).await
}

/// As [`start`], on `network` with `/etc/hosts` entries `extra_hosts` (for a container that
/// owns its network namespace).
pub(crate) async fn start_on(
    what: &str,
    image: &ImageRecipe,
    network: Network,
    extra_hosts: Vec<(String, std::net::IpAddr)>,
    files: &BTreeMap<String, FixtureFile>,
    extra: Vec<(String, Vec<u8>)>,
    labels: &RunLabels,
) -> Result<Container, Error> {
    let what = format!("starting {what} container");
    let mut spec = ContainerSpec::new(what.clone(), image.repository, image.tag());
    spec.cmd = Some(vec!["sleep".into(), "infinity".into()]);
    spec.network = network;
    spec.extra_hosts = extra_hosts;
    spec.labels = labels.as_map();
    for (path, bytes) in extra {
        spec = spec.with_file(path, bytes);
    }
    let docker = |source| Error::Docker {
        what: what.clone(),
        source,
    };
    spec.with_fixtures(FIXTURE_DIR, files)
        .map_err(docker)?
        .start()
        .await
        .map_err(docker)
}
