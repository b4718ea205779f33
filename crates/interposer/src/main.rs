//! The `interposer` binary: a line protocol on stdin/stdout around [`interposer::serve`].
//!
//! 1. The first stdin line (at most 1 MiB) is the [`Config`] as JSON.
//! 2. Once the listener is bound (SO_REUSEADDR), one line `{"ready":true}` is printed.
//! 3. Each later stdin line `report` is answered by one line of [`Report`] JSON, taken with a
//!    wait of 500 milliseconds for open connections; any other line by
//!    `{"error":"unknown command"}`.
//! 4. EOF on stdin exits with status 0.
//!
//! A startup error (bad configuration, bad TLS material, bind failure) prints one line
//! `{"error":"…"}` and exits with status 2. Nothing else is written to stdout; diagnostics go to
//! stderr.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use interposer::{Config, Error, Prepared, Ready, Registry, Result};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket};

/// Longest configuration line, in bytes.
const MAX_CONFIG_LINE: u64 = 1024 * 1024;
/// Longest command line, in bytes; longer lines are unknown commands.
const MAX_COMMAND_LINE: u64 = 4096;
/// How long a `report` waits for open connections to close.
const REPORT_WAIT: Duration = Duration::from_millis(500);

/// One stdin line of at most `limit` bytes, without its line ending; `None` at EOF.
///
/// Returns [`Error::TooLarge`] for a longer line (its rest is consumed and discarded).
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, limit: u64) -> Result<Option<String>> {
    let mut buf = Vec::new();
    let n = (&mut *reader)
        .take(limit)
        .read_until(b'\n', &mut buf)
        .await?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') && buf.len() as u64 >= limit {
        let mut rest = Vec::new();
        loop {
            rest.clear();
            let m = (&mut *reader)
                .take(limit)
                .read_until(b'\n', &mut rest)
                .await?;
            if m == 0 || rest.last() == Some(&b'\n') {
                break;
            }
        }
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        return Err(Error::TooLarge {
            what: "stdin line",
            len: buf.len(),
            limit,
        });
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// Writes one line to stdout and flushes.
async fn say(line: &str) -> Result<()> {
    let mut out = tokio::io::stdout();
    out.write_all(line.as_bytes()).await?;
    out.write_all(b"\n").await?;
    out.flush().await?;
    Ok(())
}

fn error_line(text: &str) -> String {
    serde_json::json!({ "error": text }).to_string()
}

async fn bind(listen: &str) -> Result<TcpListener> {
    let addr: SocketAddr = match listen.parse() {
        Ok(a) => a,
        Err(_) => tokio::net::lookup_host(listen)
            .await?
            .next()
            .ok_or_else(|| {
                Error::Config(format!("listen address {listen:?} resolves to nothing"))
            })?,
    };
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    Ok(socket.listen(1024)?)
}

async fn start<R: AsyncBufRead + Unpin>(stdin: &mut R) -> Result<(Config, TcpListener)> {
    let line = read_line(stdin, MAX_CONFIG_LINE)
        .await?
        .ok_or_else(|| Error::Config("no configuration line on stdin".into()))?;
    let config: Config = serde_json::from_str(&line).map_err(|e| Error::Config(e.to_string()))?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    Prepared::new(&config)?;
    let listener = bind(&config.listen).await?;
    Ok((config, listener))
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut stdin = BufReader::new(tokio::io::stdin());
    let (config, listener) = match start(&mut stdin).await {
        Ok(started) => started,
        Err(e) => {
            let _ = say(&error_line(&e.to_string())).await;
            return ExitCode::from(2);
        }
    };
    let registry = Registry::new();
    tokio::spawn(interposer::serve(config, listener, registry.clone()));
    let ready = serde_json::to_string(&Ready { ready: true })
        .unwrap_or_else(|_| r#"{"ready":true}"#.into());
    if say(&ready).await.is_err() {
        return ExitCode::from(2);
    }
    loop {
        let answer = match read_line(&mut stdin, MAX_COMMAND_LINE).await {
            Ok(None) => return ExitCode::SUCCESS,
            Ok(Some(line)) if line.trim() == "report" => {
                let report = registry.report(REPORT_WAIT).await;
                match serde_json::to_string(&report) {
                    Ok(json) => json,
                    Err(e) => error_line(&e.to_string()),
                }
            }
            Ok(Some(_)) | Err(Error::TooLarge { .. }) => error_line("unknown command"),
            Err(e) => {
                eprintln!("interposer: stdin: {e}");
                return ExitCode::SUCCESS;
            }
        };
        if say(&answer).await.is_err() {
            return ExitCode::SUCCESS;
        }
    }
}
