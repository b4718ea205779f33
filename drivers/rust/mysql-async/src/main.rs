//! `mysql_async` (tokio) behind the driver contract (drivers/CONTRACT.md), built with rustls
//! (`default-rustls-ring`; its default features have no TLS backend at all).
//! The harness runs `drivers/rust/target/release/rust-mysql-async-driver` on the host, one
//! process for many cells, dialing the server's published port on 127.0.0.1.

use contract::{Cell, Hello, ModeMapping::*, Outcome, STATUS_SQL, SslMode};
use mysql_async::prelude::Queryable;
use mysql_async::{ClientIdentity, Conn, Error, IoError, OptsBuilder, SslOpts};

const LIBRARY: &str = "mysql_async";

fn hello() -> Hello {
    let roots = "SslOpts::default().with_root_certs(vec![CA.into()])";
    Hello {
        driver: "rust-mysql-async".into(),
        version: env!("LIB_VERSION").into(),
        runtime: format!(
            "tokio {}; rustls {} (ring; mysql_async feature default-rustls-ring)",
            env!("TOKIO_VERSION"),
            env!("RUSTLS_VERSION")
        ),
        modes: contract::modes([
            (
                SslMode::Disabled,
                Options("OptsBuilder::ssl_opts(None)".into()),
            ),
            (
                SslMode::Preferred,
                Unsupported("mysql_async has no PREFERRED: any SslOpts makes TLS mandatory".into()),
            ),
            (
                SslMode::Required,
                Options(format!(
                    "{roots}.with_danger_accept_invalid_certs(true).with_danger_skip_domain_validation(true)"
                )),
            ),
            (
                SslMode::VerifyCa,
                Options(format!("{roots}.with_danger_skip_domain_validation(true)")),
            ),
            (SslMode::VerifyIdentity, Options(roots.into())),
            (
                SslMode::Default,
                Options("OptsBuilder::default() with no ssl_opts call".into()),
            ),
        ]),
    }
}

/// The `SslOpts` of a cell, or the outcome that stops it (an unsupported mode). `DEFAULT` has
/// none (and `attempt` does not call `ssl_opts` for it at all).
fn ssl_opts(cell: &Cell) -> Result<Option<SslOpts>, Outcome> {
    let (accept_invalid, skip_domain) = match cell.ssl_mode {
        SslMode::Disabled | SslMode::Default => return Ok(None),
        SslMode::Preferred => return Err(Outcome::unsupported("mysql_async has no PREFERRED")),
        SslMode::Required => (true, true),
        SslMode::VerifyCa => (false, true),
        SslMode::VerifyIdentity => (false, false),
    };
    let roots = cell.ca.iter().map(|ca| ca.clone().into()).collect();
    let identity = match (&cell.cert, &cell.key) {
        (Some(cert), Some(key)) => Some(ClientIdentity::new(
            std::path::PathBuf::from(cert).into(),
            std::path::PathBuf::from(key).into(),
        )),
        _ => None,
    };
    Ok(Some(
        SslOpts::default()
            .with_root_certs(roots)
            .with_client_identity(identity)
            .with_danger_accept_invalid_certs(accept_invalid)
            .with_danger_skip_domain_validation(skip_domain),
    ))
}

async fn connect_and_query(opts: OptsBuilder) -> Result<Vec<(String, String)>, Error> {
    let mut conn = Conn::new(opts).await?;
    let rows = conn.query::<(String, String), _>(STATUS_SQL).await;
    let closed = conn.disconnect().await;
    let rows = rows?; // the query's error first, then the close's
    closed?;
    Ok(rows)
}

fn attempt(runtime: &tokio::runtime::Runtime, cell: &Cell) -> Outcome {
    if let Some(outcome) = cell.unsupported_options(LIBRARY) {
        return outcome;
    }
    let ssl = match ssl_opts(cell) {
        Ok(ssl) => ssl,
        Err(outcome) => return outcome,
    };
    // mysql_async has no connect or read timeout of its own: the attempt is bounded as a whole.
    let opts = OptsBuilder::default()
        .ip_or_hostname(cell.host.as_str())
        .tcp_port(cell.port)
        .user(Some(cell.user.as_str()))
        .pass(Some(cell.password.as_str()))
        .prefer_socket(false);
    // DEFAULT: no ssl_opts call at all, the library's own default (`ssl_opts: None`).
    let opts = match cell.ssl_mode {
        SslMode::Default => opts,
        _ => opts.ssl_opts(ssl),
    };
    // The timer needs the runtime's context: create it inside the future.
    let bounded = async { tokio::time::timeout(cell.timeout(), connect_and_query(opts)).await };
    match runtime.block_on(bounded) {
        Ok(Ok(rows)) => Outcome::connected(rows),
        Ok(Err(err)) => failed(&err),
        Err(_) => Outcome::failed_text(
            format!("no answer within {} ms", cell.timeout_ms),
            "timeout",
        ),
    }
}

fn failed(err: &Error) -> Outcome {
    let variant = match err {
        Error::Server(e) => {
            let message = contract::message_with_sources(err);
            return Outcome::failed(
                message,
                "mysql_async::Error::Server",
                Some(e.code),
                Some(e.state.clone()),
            );
        }
        Error::Io(IoError::Io(_)) => "Io(IoError::Io)",
        Error::Io(IoError::Tls(_)) => "Io(IoError::Tls)",
        Error::Driver(_) => "Driver",
        Error::Other(_) => "Other",
        Error::Url(_) => "Url",
    };
    Outcome::failed(
        contract::message_with_sources(err),
        format!("mysql_async::Error::{variant}"),
        None,
        None,
    )
}

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("rust-mysql-async: starting the tokio runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    contract::run(&hello(), |cell| attempt(&runtime, cell))
}
