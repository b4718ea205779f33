//! What a client is given to reach a server: an address, a network namespace to join, and a
//! fixture directory. Never a server handle: clients do not depend on `servers`.

use std::path::PathBuf;

/// Where a client finds one running server and the client's view of its fixture files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Id of the container whose network namespace companion containers join; the server
    /// listens on `127.0.0.1:3306` inside it.
    pub netns: String,
    /// Host port on 127.0.0.1 that the server's 3306 is published on (in-process and
    /// host-run clients dial it).
    pub host_port: u16,
    /// Host directory with the client's view of the fixture files (in-process and host-run
    /// clients read them there; containers get copies under [`containers::FIXTURE_DIR`]).
    pub fixture_dir: PathBuf,
}
