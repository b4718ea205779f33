//! The agent's line protocol, shared by the `agent` binary (inside a container) and the
//! harness side (`containers::Container`, which talks to it over `docker exec -i`).
//!
//! 1. On start the agent writes one line, [`Hello`].
//! 2. Then each stdin line is one [`Request`] as JSON, answered by one stdout line, a
//!    [`Response`] as JSON, in order. One request at a time.
//! 3. EOF on stdin ends the agent (status 0).
//!
//! Lines are at most [`MAX_LINE`] bytes. Nothing else is written to stdout.

use serde::{Deserialize, Serialize};

/// Longest request or response line, in bytes (fixture directories are a few KiB hex-encoded;
/// a response carries at most two outputs of [`MAX_OUTPUT`] plus JSON escaping).
pub const MAX_LINE: usize = 16 << 20;

/// Most bytes kept of each of a command's stdout and stderr; the rest is read and dropped
/// (so the command never blocks on a full pipe) and counted in a last line
/// `… (N more bytes dropped)`, as `containers::MAX_EXEC_OUTPUT` does for `docker exec`.
pub const MAX_OUTPUT: usize = 1 << 20;

/// Where the harness puts the binary in every container it starts.
pub const PATH_IN_CONTAINER: &str = "/usr/local/bin/mysql-tls-harness-agent";

/// The first line the agent writes: `{"agent":"<version>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// This crate's version.
    pub agent: String,
}

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Run `argv` (looked up on the agent's `PATH`, the container's environment, working
    /// directory `/`, stdin empty) to its end, or kill it after `kill_after_ms` milliseconds.
    Run {
        /// Program and arguments; never through a shell.
        argv: Vec<String>,
        /// Bound of the whole run, milliseconds; past it the process gets SIGKILL and the
        /// answer says `killed`.
        kill_after_ms: u64,
    },
    /// Make directory `dir` hold exactly `files`: remove it with everything in it, create it
    /// again (mode from the umask, as `mkdir -p`), write each file with its mode.
    ReplaceDir {
        /// Absolute path.
        dir: String,
        /// Files directly in `dir`.
        files: Vec<FileBytes>,
    },
}

/// One file of [`Request::ReplaceDir`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileBytes {
    /// A plain file name: no `/`, not `.` or `..`, not empty (else the request is refused).
    pub name: String,
    /// Unix permission bits, e.g. `0o600`.
    pub mode: u32,
    /// Contents, lowercase hex.
    pub hex: String,
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// [`Request::Run`] finished or was killed.
    Ran(Ran),
    /// [`Request::ReplaceDir`] wrote this many files.
    Replaced(usize),
    /// The request could not be carried out (unreadable line, a program that does not start,
    /// a file that cannot be written); the text says which and why.
    Error(String),
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ran {
    /// Exit status; a process ended by signal N reports 128 + N, as `docker exec` does.
    pub code: Option<i64>,
    /// Standard output, lossy UTF-8, at most [`MAX_OUTPUT`] bytes plus the dropped-bytes line.
    pub stdout: String,
    /// Standard error, the same way.
    pub stderr: String,
    /// Whether the agent killed it at `kill_after_ms`.
    pub killed: bool,
}

/// Whether `name` is a plain file name that stays inside its directory.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.contains('\0')
}

/// `(name, mode, bytes)` as a [`FileBytes`].
pub fn file_bytes(name: &str, mode: u32, bytes: &[u8]) -> FileBytes {
    FileBytes {
        name: name.to_owned(),
        mode,
        hex: hex::encode(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_responses_have_a_stable_json_shape() {
        let run = Request::Run {
            argv: vec!["mysql".into(), "--version".into()],
            kill_after_ms: 1500,
        };
        assert_eq!(
            serde_json::to_string(&run).ok().as_deref(),
            Some(r#"{"op":"run","argv":["mysql","--version"],"kill_after_ms":1500}"#)
        );
        let ran = Response::Ran(Ran {
            code: Some(1),
            stdout: String::new(),
            stderr: "ERROR 2026".into(),
            killed: false,
        });
        assert_eq!(
            serde_json::to_string(&ran).ok().as_deref(),
            Some(r#"{"ran":{"code":1,"stdout":"","stderr":"ERROR 2026","killed":false}}"#)
        );
        assert_eq!(
            serde_json::to_string(&Response::Replaced(3))
                .ok()
                .as_deref(),
            Some(r#"{"replaced":3}"#)
        );
    }

    #[test]
    fn only_plain_names_stay_inside_the_directory() {
        for good in ["ca.pem", "server-key.pem", "client-identity.p12", "..pem"] {
            assert!(is_plain_file_name(good), "{good}");
        }
        for bad in ["", ".", "..", "../x", "a/b", "/etc/passwd", "a\0b"] {
            assert!(!is_plain_file_name(bad), "{bad:?}");
        }
    }
}
