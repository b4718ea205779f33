//! The `agent` binary: the line protocol of the [`agent`] library on stdin/stdout. Bounded:
//! lines of at most [`agent::MAX_LINE`] bytes, outputs of at most [`agent::MAX_OUTPUT`] bytes
//! each, every command killed at its `kill_after_ms`. Diagnostics go to stderr.

use agent::{FileBytes, Hello, MAX_LINE, MAX_OUTPUT, Ran, Request, Response};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::ExitStatusExt as _;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the outputs of an ended process may stay open (held by a child it left behind).
const PIPE_GRACE: Duration = Duration::from_secs(1);

fn main() -> ExitCode {
    let stdin = std::io::stdin();
    let mut input = BufReader::new(stdin.lock());
    let mut out = std::io::stdout().lock();
    let hello = Hello {
        agent: env!("CARGO_PKG_VERSION").to_owned(),
    };
    if write_line(&mut out, &hello).is_err() {
        return ExitCode::from(2);
    }
    loop {
        let line = match read_line(&mut input) {
            Ok(Some(line)) => line,
            Ok(None) => return ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("agent: reading stdin: {e}");
                return ExitCode::from(2);
            }
        };
        let response = match serde_json::from_slice::<Request>(&line) {
            Ok(Request::Run {
                argv,
                kill_after_ms,
            }) => run(&argv, Duration::from_millis(kill_after_ms)),
            Ok(Request::ReplaceDir { dir, files }) => replace_dir(&dir, &files),
            Err(e) => Response::Error(format!("unreadable request: {e}")),
        };
        if write_line(&mut out, &response).is_err() {
            return ExitCode::from(2);
        }
    }
}

fn write_line<T: serde::Serialize>(out: &mut impl Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// One line without its `\n`, `None` at EOF; a line longer than [`MAX_LINE`] is an error.
fn read_line(input: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 1;
    if input.take(limit).read_until(b'\n', &mut buf)? == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a line longer than {MAX_LINE} bytes, or no line end before EOF"),
        ));
    }
    buf.pop();
    Ok(Some(buf))
}

/// Runs `argv` with empty stdin, collecting bounded outputs, killing it at `limit`.
fn run(argv: &[String], limit: Duration) -> Response {
    let Some((program, args)) = argv.split_first() else {
        return Response::Error("run: empty argv".into());
    };
    let started = Instant::now();
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        // As `docker exec` of a missing program: status 127 and the reason on stderr.
        Err(e) => {
            return Response::Ran(Ran {
                code: Some(if e.kind() == std::io::ErrorKind::NotFound {
                    127
                } else {
                    126
                }),
                stdout: String::new(),
                stderr: format!("{program}: {e}\n"),
                killed: false,
            });
        }
    };
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let readers = [
        child
            .stdout
            .take()
            .map(|r| Box::new(r) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|r| Box::new(r) as Box<dyn Read + Send>),
    ]
    .map(|pipe| {
        let done = done_tx.clone();
        std::thread::spawn(move || {
            let kept = pipe.map(read_bounded).unwrap_or_default();
            let _ = done.send(());
            kept
        })
    });
    drop(done_tx);
    // Both pipes closed (or the bound passed), then the exit status.
    let mut killed = false;
    for _ in 0..2 {
        let left = limit.saturating_sub(started.elapsed());
        if done_rx.recv_timeout(left).is_err() {
            break;
        }
    }
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(1)),
            Ok(None) => {
                killed = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Err(_) => break None,
        }
    };
    // A process that left a child holding its pipes: wait at most a moment for them, then
    // answer without what is still unread (the threads end with the pipes).
    let moment = Instant::now();
    while readers.iter().any(|r| !r.is_finished()) && moment.elapsed() < PIPE_GRACE {
        let _ = done_rx.recv_timeout(PIPE_GRACE.saturating_sub(moment.elapsed()));
    }
    let [stdout, stderr] = readers.map(|r| {
        if r.is_finished() {
            r.join().unwrap_or_default()
        } else {
            b"\n(output still open after the process ended; not read)\n".to_vec()
        }
    });
    let code = status.and_then(|s| {
        s.code()
            .map(i64::from)
            .or_else(|| s.signal().map(|n| 128 + i64::from(n)))
    });
    Response::Ran(Ran {
        code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        killed,
    })
}

/// Reads `pipe` to its end keeping at most [`MAX_OUTPUT`] bytes, counting the rest.
fn read_bounded(mut pipe: Box<dyn Read + Send>) -> Vec<u8> {
    let mut kept = Vec::new();
    let limit = u64::try_from(MAX_OUTPUT).unwrap_or(u64::MAX);
    let _ = (&mut pipe).take(limit).read_to_end(&mut kept);
    let dropped = std::io::copy(&mut pipe, &mut std::io::sink()).unwrap_or(0);
    if dropped > 0 {
        kept.extend_from_slice(format!("\n… ({dropped} more bytes dropped)\n").as_bytes());
    }
    kept
}

/// Removes `dir`, creates it again and writes `files` into it with their modes.
fn replace_dir(dir: &str, files: &[FileBytes]) -> Response {
    if !dir.starts_with('/') || dir.split('/').any(|part| part == "..") || dir == "/" {
        return Response::Error(format!(
            "replace_dir: `{dir}` is not an absolute path below /"
        ));
    }
    if let Some(bad) = files.iter().find(|f| !agent::is_plain_file_name(&f.name)) {
        return Response::Error(format!(
            "replace_dir: `{}` is not a plain file name",
            bad.name
        ));
    }
    let write = || -> std::io::Result<usize> {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        std::fs::create_dir_all(dir)?;
        for file in files {
            let bytes = hex::decode(&file.hex)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            let path = std::path::Path::new(dir).join(&file.name);
            std::fs::write(&path, bytes)?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(file.mode & 0o7777))?;
        }
        Ok(files.len())
    };
    match write() {
        Ok(n) => Response::Replaced(n),
        Err(e) => Response::Error(format!("replace_dir {dir}: {e}")),
    }
}
