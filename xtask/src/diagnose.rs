//! `cargo xtask diagnose`: the doctor for a live server. Parses arguments, runs
//! `doctor::diagnose`, prints text or JSON, and turns the verdict into the exit status.

use std::path::PathBuf;

/// Exit status when causes were found (0 = none found, 2 = could not diagnose).
pub const EXIT_CAUSES: i32 = 1;
/// Exit status when no diagnosis was possible (unreachable, not MySQL, bad arguments).
pub const EXIT_NO_DIAGNOSIS: i32 = 2;

#[derive(clap::Args)]
#[command(after_help = "\
Connects like a MySQL client (greeting, SSLRequest, TLS — what `openssl s_client -starttls mysql` \
does), never logs in, and reports which common causes of error 2026 apply, with evidence and fix: \
expired / not_yet_valid, chain_untrusted, name_mismatch, certificate_unacceptable, revoked, \
tls_version_mismatch, no_shared_cipher, handshake_failed, server_offers_no_tls, \
client_certificate_rejected, client_file_unusable.

Exit status: 0 no cause found; 1 at least one cause found (errors or warnings); 2 no diagnosis \
possible (server unreachable, not a MySQL server, invalid arguments).

Connections: one as a client would connect, one per TLS version (1.3, 1.2), one per rustls \
cipher suite (9; skip with --no-cipher-probe); each bounded by --timeout.")]
pub struct Args {
    /// Host to dial (name or IP address).
    #[arg(long)]
    host: String,
    /// TCP port of the server.
    #[arg(long, default_value_t = 3306)]
    port: u16,
    /// CA file the client trusts (--ssl-ca), PEM.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Client certificate (--ssl-cert), PEM; needs --key.
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// Client private key (--ssl-key), PEM; needs --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// CRL the client checks (--ssl-crl), PEM.
    #[arg(long, value_name = "FILE")]
    crl: Option<PathBuf>,
    /// Name to check the certificate against (what clients verify with VERIFY_IDENTITY);
    /// default: --host.
    #[arg(long, value_name = "NAME")]
    server_name: Option<String>,
    /// Print the diagnosis as JSON (schema: crates/doctor/diagnosis.schema.json).
    #[arg(long)]
    json: bool,
    /// Bound of each connection phase, in seconds.
    #[arg(long, default_value_t = 5)]
    timeout: u64,
    /// Do not probe cipher suites one by one (saves 9 connections).
    #[arg(long)]
    no_cipher_probe: bool,
}

/// Runs the diagnosis and exits with the documented status.
pub fn run(args: Args) -> anyhow::Result<()> {
    let mut request = doctor::Request::new(args.host, args.port);
    request.server_name = args.server_name;
    request.ca = args.ca;
    request.cert = args.cert;
    request.key = args.key;
    request.crl = args.crl;
    request.timeout = std::time::Duration::from_secs(args.timeout.max(1));
    request.probe_ciphers = !args.no_cipher_probe;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let diagnosis = match runtime.block_on(doctor::diagnose(&request)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("diagnose: {e}");
            if args.json {
                // A script reading stdout gets an answer on exit 2 too.
                let error = serde_json::json!({ "diagnosis": null, "error": e.to_string() });
                println!("{}", serde_json::to_string_pretty(&error)?);
            }
            std::process::exit(EXIT_NO_DIAGNOSIS);
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&diagnosis)?);
    } else {
        print!("{}", doctor::render_text(&diagnosis));
    }
    if !diagnosis.causes.is_empty() {
        std::process::exit(EXIT_CAUSES);
    }
    Ok(())
}
