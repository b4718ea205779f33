//! SQLx's MySQL driver (tokio, rustls with the ring provider and webpki roots) behind the driver
//! contract (drivers/CONTRACT.md). The harness runs `drivers/rust/target/release/rust-sqlx-driver`
//! on the host, one process for many cells, dialing the server's published port on 127.0.0.1.

use contract::{Cell, Hello, ModeMapping::Options, Outcome, STATUS_SQL, SslMode};
use sqlx::mysql::{MySqlConnectOptions, MySqlDatabaseError, MySqlSslMode};
use sqlx::{ConnectOptions, Connection, Row};

const LIBRARY: &str = "SQLx";

fn hello() -> Hello {
    let spelled = |mode: &str| {
        Options(format!(
            "MySqlConnectOptions::ssl_mode(MySqlSslMode::{mode}).ssl_ca(CA)"
        ))
    };
    Hello {
        driver: "rust-sqlx".into(),
        version: env!("LIB_VERSION").into(),
        runtime: format!(
            "tokio {}; rustls {} (ring {}, webpki roots)",
            env!("TOKIO_VERSION"),
            env!("RUSTLS_VERSION"),
            env!("RING_VERSION")
        ),
        modes: contract::modes([
            (
                SslMode::Disabled,
                Options("MySqlConnectOptions::ssl_mode(MySqlSslMode::Disabled)".into()),
            ),
            (SslMode::Preferred, spelled("Preferred")),
            (SslMode::Required, spelled("Required")),
            (SslMode::VerifyCa, spelled("VerifyCa")),
            (SslMode::VerifyIdentity, spelled("VerifyIdentity")),
            (
                SslMode::Default,
                Options("MySqlConnectOptions::new() with no ssl_mode or ssl_* call".into()),
            ),
        ]),
    }
}

fn options(cell: &Cell) -> MySqlConnectOptions {
    let opts = MySqlConnectOptions::new()
        .host(&cell.host)
        .port(cell.port)
        .username(&cell.user)
        .password(&cell.password);
    let mode = match cell.ssl_mode {
        // No ssl_mode or ssl_* call: SQLx's own default.
        SslMode::Default => return opts,
        SslMode::Disabled => MySqlSslMode::Disabled,
        SslMode::Preferred => MySqlSslMode::Preferred,
        SslMode::Required => MySqlSslMode::Required,
        SslMode::VerifyCa => MySqlSslMode::VerifyCa,
        SslMode::VerifyIdentity => MySqlSslMode::VerifyIdentity,
    };
    let mut opts = opts.ssl_mode(mode);
    if let Some(ca) = &cell.ca {
        opts = opts.ssl_ca(ca);
    }
    if let Some(cert) = &cell.cert {
        opts = opts.ssl_client_cert(cert);
    }
    if let Some(key) = &cell.key {
        opts = opts.ssl_client_key(key);
    }
    opts
}

async fn connect_and_query(
    opts: MySqlConnectOptions,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut conn = opts.connect().await?;
    let rows = sqlx::raw_sql(STATUS_SQL).fetch_all(&mut conn).await;
    let closed = conn.close().await;
    let rows = rows?; // the query's error first, then the close's
    closed?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}

fn attempt(runtime: &tokio::runtime::Runtime, cell: &Cell) -> Outcome {
    if let Some(outcome) = cell.unsupported_options(LIBRARY) {
        return outcome;
    }
    // The timer needs the runtime's context: create it inside the future.
    let bounded =
        async { tokio::time::timeout(cell.timeout(), connect_and_query(options(cell))).await };
    match runtime.block_on(bounded) {
        Ok(Ok(rows)) => Outcome::connected(rows),
        Ok(Err(err)) => failed(&err),
        Err(_) => Outcome::failed_text(
            format!("no answer within {} ms", cell.timeout_ms),
            "timeout",
        ),
    }
}

fn failed(err: &sqlx::Error) -> Outcome {
    // `sqlx::Error` is non-exhaustive; its derived Debug starts with the variant name.
    let debug = format!("{err:?}");
    let variant = debug.split(['(', ' ', '{']).next().unwrap_or_default();
    let message = contract::message_with_sources(err);
    let (code, sqlstate) = match err.as_database_error() {
        Some(db) => (
            db.try_downcast_ref::<MySqlDatabaseError>()
                .map(MySqlDatabaseError::number),
            db.code().map(|c| c.into_owned()),
        ),
        None => (None, None),
    };
    Outcome::failed(message, format!("sqlx::Error::{variant}"), code, sqlstate)
}

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("rust-sqlx: starting the tokio runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    contract::run(&hello(), |cell| attempt(&runtime, cell))
}
