//! Companion containers: a client image's container in the network namespace of a server's
//! container, so it dials `127.0.0.1:3306` as a host-side client dials the published port, with
//! the client's view of the fixture files under [`FIXTURE_DIR`].

use crate::Error;
use certgen::FixtureFile;
use servers::{FIXTURE_DIR, ImageRecipe, RunLabels, Server};
use std::collections::BTreeMap;
use testcontainers::{
    ContainerAsync, CopyTargetOptions, GenericImage, ImageExt, runners::AsyncRunner,
};

/// Starts `image` running `sleep infinity` next to `server` (or with no network at all when
/// `None`), with `files` copied to [`FIXTURE_DIR`] (modes kept) and `extra` `(path, bytes)`
/// copied as given. Errors: [`Error::Container`] naming `what`.
pub(crate) async fn start(
    what: &str,
    image: &ImageRecipe,
    server: Option<&Server>,
    files: &BTreeMap<String, FixtureFile>,
    extra: Vec<(String, Vec<u8>)>,
    labels: &RunLabels,
) -> Result<ContainerAsync<GenericImage>, Error> {
    let mut request = GenericImage::new(image.repository, &image.tag())
        .with_cmd(["sleep", "infinity"])
        // Network mode set directly: `with_network` would make testcontainers manage a
        // "network" named `container:<id>` and try to remove it on drop (it deadlocked).
        .with_host_config_modifier({
            let mode = server.map_or("none".to_owned(), |s| format!("container:{}", s.container_id()));
            move |hc| {
                hc.network_mode = Some(mode.clone());
                hc.publish_all_ports = Some(false);
                hc.port_bindings = None;
            }
        })
        .with_labels(labels.as_map());
    for (path, bytes) in extra {
        request = request.with_copy_to(path, bytes);
    }
    for (name, file) in files {
        let target = CopyTargetOptions::new(format!("{FIXTURE_DIR}/{name}")).with_mode(file.mode);
        request = request.with_copy_to(target, file.bytes.clone());
    }
    request.start().await.map_err(|e| Error::Container {
        what: format!("starting {what} container"),
        detail: e.to_string(),
    })
}
