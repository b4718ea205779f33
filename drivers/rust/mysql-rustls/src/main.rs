//! The `mysql` crate (blocking, rustls with the ring provider) behind the driver contract
//! (drivers/CONTRACT.md). The harness runs `drivers/rust/target/release/rust-mysql-rustls-driver`
//! on the host, one process for many cells, dialing the server's published port on 127.0.0.1.

use contract::{Cell, Hello, ModeMapping::*, Outcome, STATUS_SQL, SslMode};
use mysql::prelude::Queryable;
use mysql::{ClientIdentity, Conn, Error, OptsBuilder, SslOpts};

const LIBRARY: &str = "the mysql crate";

fn hello() -> Hello {
    Hello {
        driver: "rust-mysql-rustls".into(),
        version: env!("LIB_VERSION").into(),
        runtime: format!("rustls {} (ring {})", env!("RUSTLS_VERSION"), env!("RING_VERSION")),
        modes: contract::modes([
            (SslMode::Disabled, Options("OptsBuilder::ssl_opts(None)".into())),
            (
                SslMode::Preferred,
                Unsupported("the mysql crate has no PREFERRED: any SslOpts makes TLS mandatory".into()),
            ),
            (
                SslMode::Required,
                Options(
                    "SslOpts::default().with_root_cert_path(CA).with_danger_accept_invalid_certs(true)\
                     .with_danger_skip_domain_validation(true)"
                        .into(),
                ),
            ),
            (
                SslMode::VerifyCa,
                Options("SslOpts::default().with_root_cert_path(CA).with_danger_skip_domain_validation(true)".into()),
            ),
            (SslMode::VerifyIdentity, Options("SslOpts::default().with_root_cert_path(CA)".into())),
            (SslMode::Default, Options("OptsBuilder::new() with no ssl_opts call".into())),
        ]),
    }
}

/// The `SslOpts` of a cell, or the outcome that stops it (an unsupported mode or option).
/// `DEFAULT` has none (and `attempt` does not call `ssl_opts` for it at all).
fn ssl_opts(cell: &Cell) -> Result<Option<SslOpts>, Outcome> {
    let (accept_invalid, skip_domain) = match cell.ssl_mode {
        SslMode::Disabled | SslMode::Default => return Ok(None),
        SslMode::Preferred => return Err(Outcome::unsupported("the mysql crate has no PREFERRED")),
        SslMode::Required => (true, true),
        SslMode::VerifyCa => (false, true),
        SslMode::VerifyIdentity => (false, false),
    };
    let identity = match (&cell.cert, &cell.key) {
        (Some(cert), Some(key)) => Some(ClientIdentity::new(cert.clone(), key.clone())),
        (None, None) => None,
        _ => {
            return Err(Outcome::unsupported(
                "ClientIdentity needs both a certificate and a key",
            ));
        }
    };
    Ok(Some(
        SslOpts::default()
            .with_root_cert_path(cell.ca.clone())
            .with_client_identity(identity)
            .with_danger_accept_invalid_certs(accept_invalid)
            .with_danger_skip_domain_validation(skip_domain),
    ))
}

fn attempt(cell: &Cell) -> Outcome {
    if let Some(outcome) = cell.unsupported_options(LIBRARY) {
        return outcome;
    }
    let ssl = match ssl_opts(cell) {
        Ok(ssl) => ssl,
        Err(outcome) => return outcome,
    };
    let timeout = Some(cell.timeout());
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some(cell.host.as_str()))
        .tcp_port(cell.port)
        .user(Some(cell.user.as_str()))
        .pass(Some(cell.password.as_str()))
        .prefer_socket(false)
        .tcp_connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout);
    // DEFAULT: no ssl_opts call at all, the library's own default (`ssl_opts: None`).
    let opts = match cell.ssl_mode {
        SslMode::Default => opts,
        _ => opts.ssl_opts(ssl),
    };
    let result = Conn::new(opts).and_then(|mut conn| {
        let rows = conn.query::<(String, String), _>(STATUS_SQL);
        drop(conn); // sends COM_QUIT and closes the socket
        rows
    });
    match result {
        Ok(rows) => Outcome::connected(rows),
        Err(err) => failed(&err),
    }
}

/// `mysql::Error` implements only the deprecated `cause()`, so the chain starts at the variant's
/// inner error.
fn failed(err: &Error) -> Outcome {
    let (variant, inner): (&str, Option<&(dyn std::error::Error + 'static)>) = match err {
        Error::MySqlError(e) => {
            let message = format!("{err}");
            return Outcome::failed(
                message,
                "mysql::Error::MySqlError",
                Some(e.code),
                Some(e.state.clone()),
            );
        }
        Error::IoError(e) => ("IoError", Some(e)),
        Error::CodecError(e) => ("CodecError", Some(e)),
        Error::DriverError(e) => ("DriverError", Some(e)),
        Error::UrlError(e) => ("UrlError", Some(e)),
        Error::TlsError(e) => ("TlsError", Some(e)),
        Error::FromValueError(_) => ("FromValueError", None),
        Error::FromRowError(_) => ("FromRowError", None),
    };
    let message = contract::append_sources(err.to_string(), inner);
    Outcome::failed(message, format!("mysql::Error::{variant}"), None, None)
}

fn main() -> std::process::ExitCode {
    contract::run(&hello(), attempt)
}
