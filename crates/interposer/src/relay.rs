//! One client connection under one [`Play`]: connect upstream, read the greeting, act, record.
//!
//! Every connection is bounded as a whole by `max(stall_limit_ms, 60_000)` milliseconds (a
//! [`Play::Trickle`] connection by `stall_limit_ms`), and every wait for a peer's next message by
//! `stall_limit_ms`. Malformed input ends the connection; it is recorded only in the byte
//! counters.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, DigitallySignedStruct, ServerConfig, SignatureScheme, SupportedProtocolVersion,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::error::{Error, Result};
use crate::mysql::{self, MAX_GREETING, MAX_PAYLOAD, Packet};
use crate::plan::{Config, Play, TlsSeen};
use crate::record::{Counted, Recorder};

/// Shortest bound, in milliseconds, on a whole connection (see the module docs).
pub const MIN_CONNECTION_LIMIT_MS: u64 = 60_000;

/// How long [`Play::ResetMidHandshake`] lets the client read the ServerHello before the reset.
pub const MID_HANDSHAKE_PAUSE: Duration = Duration::from_millis(200);

/// TLS material built once from the [`Config`]: the acceptor facing clients (only for
/// [`Play::Impersonate`]) and the connector facing the server (accepts any certificate).
#[derive(Clone)]
pub struct Prepared {
    acceptor: Option<TlsAcceptor>,
    connector: TlsConnector,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("impersonates", &self.acceptor.is_some())
            .finish()
    }
}

impl Prepared {
    /// Builds the TLS configurations with rustls' ring provider.
    ///
    /// Errors: [`Error::TlsConfig`] when `chain_pem` holds no certificate, `key_pem` no private
    /// key, the PEM cannot be parsed, or `max_tls_version` is neither `"TLSv1.2"` nor
    /// `"TLSv1.3"`; [`Error::Tls`] when rustls rejects the key or versions.
    pub fn new(config: &Config) -> Result<Self> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let acceptor = match &config.play {
            Play::Impersonate {
                chain_pem,
                key_pem,
                max_tls_version,
            } => Some(TlsAcceptor::from(Arc::new(server_config(
                &provider,
                chain_pem,
                key_pem,
                max_tls_version.as_deref(),
            )?))),
            _ => None,
        };
        let client = ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
            .with_no_client_auth();
        Ok(Self {
            acceptor,
            connector: TlsConnector::from(Arc::new(client)),
        })
    }
}

/// The protocol versions offered to clients for a `max_tls_version` name.
fn versions(max: Option<&str>) -> Result<&'static [&'static SupportedProtocolVersion]> {
    static BOTH: [&SupportedProtocolVersion; 2] =
        [&rustls::version::TLS13, &rustls::version::TLS12];
    static TLS12: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
    static TLS13: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    match max {
        None => Ok(&BOTH),
        Some("TLSv1.2") => Ok(&TLS12),
        Some("TLSv1.3") => Ok(&TLS13),
        Some(other) => Err(Error::TlsConfig(format!(
            "max_tls_version {other:?} is neither \"TLSv1.2\" nor \"TLSv1.3\""
        ))),
    }
}

fn server_config(
    provider: &Arc<CryptoProvider>,
    chain_pem: &str,
    key_pem: &str,
    max_tls_version: Option<&str>,
) -> Result<ServerConfig> {
    use rustls_pki_types::pem::PemObject as _;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::TlsConfig(format!("chain_pem: {e}")))?;
    if chain.is_empty() {
        return Err(Error::TlsConfig("chain_pem holds no certificate".into()));
    }
    let key: PrivateKeyDer<'static> =
        PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| {
            Error::TlsConfig(format!("key_pem holds no PKCS#8, PKCS#1 or SEC1 key: {e}"))
        })?;
    let config = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions(max_tls_version)?)?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(config)
}

/// Accepts any server certificate; handshake signatures are still checked with the provider's
/// algorithms (so the session is a real one with the server's key).
#[derive(Debug)]
struct AcceptAnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Runs one accepted client connection to its end under `config.play`, recording into `rec`,
/// and marks `rec` closed once both sockets are dropped. Never panics on any input; errors only
/// end the connection.
pub async fn handle(
    config: Arc<Config>,
    prepared: Arc<Prepared>,
    client: TcpStream,
    rec: Recorder,
) {
    let _closed = CloseOnDrop(rec.clone());
    let limit = Duration::from_millis(config.stall_limit_ms.max(MIN_CONNECTION_LIMIT_MS));
    let _ = timeout(limit, run(&config, &prepared, client, &rec)).await;
}

/// Marks the record closed when dropped, i.e. after everything else in [`handle`].
struct CloseOnDrop(Recorder);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Per-connection context.
struct Ctx<'a> {
    rec: &'a Recorder,
    stall: Duration,
    stall_ms: u64,
}

impl Ctx<'_> {
    /// `fut` bounded by the stall limit.
    async fn bounded<T>(&self, fut: impl Future<Output = Result<T>>) -> Result<T> {
        timeout(self.stall, fut)
            .await
            .map_err(|_| Error::Timeout(self.stall_ms))?
    }

    /// Records a client's first packet: SSLRequest, or a plaintext HandshakeResponse (a login
    /// only when it parses as one: a client that gives up may send COM_QUIT instead).
    fn record_first(&self, first: &Packet) -> bool {
        let ssl = mysql::is_ssl_request(&first.payload);
        let user = if ssl {
            None
        } else {
            mysql::handshake_response_user(&first.payload)
        };
        self.rec.update(|c| {
            if ssl {
                c.ssl_request = true;
            } else {
                c.credentials_in_plaintext = user.is_some();
                c.user_seen = user;
            }
        });
        ssl
    }

    /// Reads and discards client bytes until EOF, an error, or the stall limit.
    async fn drain<R: AsyncRead + Unpin>(&self, reader: &mut R) {
        let _ = timeout(self.stall, async {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
    }
}

async fn run(
    config: &Config,
    prepared: &Prepared,
    client: TcpStream,
    rec: &Recorder,
) -> Result<()> {
    let ctx = Ctx {
        rec,
        stall: Duration::from_millis(config.stall_limit_ms),
        stall_ms: config.stall_limit_ms,
    };
    let _ = client.set_nodelay(true);
    let mut client = Counted::new(client, rec.clone());
    let mut upstream = ctx
        .bounded(async { Ok(TcpStream::connect(&config.upstream).await?) })
        .await?;
    let _ = upstream.set_nodelay(true);
    let greeting = ctx
        .bounded(mysql::read_packet(&mut upstream, MAX_GREETING))
        .await?;
    match greeting.payload.first() {
        Some(&mysql::PROTOCOL_V10)
            if mysql::greeting_capability_offset(&greeting.payload).is_some() => {}
        Some(&mysql::ERR_HEADER) => {
            // The server refused us outright (too many connections, host blocked): pass it on.
            client.write_all(&greeting.to_bytes()?).await?;
            ctx.drain(&mut client).await;
            return Ok(());
        }
        _ => return Err(Error::Malformed("server greeting")),
    }

    match &config.play {
        Play::PassThrough => {
            client.write_all(&greeting.to_bytes()?).await?;
            let first = read_client(&ctx, &mut client).await?;
            ctx.record_first(&first);
            upstream.write_all(&first.to_bytes()?).await?;
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        }
        Play::Impersonate { .. } => impersonate(&ctx, prepared, greeting, client, upstream).await?,
        Play::StripTls => {
            let stripped = Packet {
                seq: greeting.seq,
                payload: mysql::strip_client_ssl(&greeting.payload),
            };
            client.write_all(&stripped.to_bytes()?).await?;
            let first = read_client(&ctx, &mut client).await?;
            ctx.record_first(&first);
            upstream.write_all(&first.to_bytes()?).await?;
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        }
        Play::PlaintextError {
            code,
            sqlstate,
            message,
        } => {
            let stripped = Packet {
                seq: greeting.seq,
                payload: mysql::strip_client_ssl(&greeting.payload),
            };
            client.write_all(&stripped.to_bytes()?).await?;
            let first = read_client(&ctx, &mut client).await?;
            ctx.record_first(&first);
            let err = mysql::err_packet(first.seq.wrapping_add(1), *code, sqlstate, message);
            client.write_all(&err).await?;
            rec.update(|c| c.error_injected = true);
            drop(upstream);
            ctx.drain(&mut client).await;
        }
        Play::StallAfterGreeting => {
            client.write_all(&greeting.to_bytes()?).await?;
            ctx.drain(&mut client).await;
        }
        Play::StallAfterClientHello => {
            client.write_all(&greeting.to_bytes()?).await?;
            let first = read_client(&ctx, &mut client).await?;
            if ctx.record_first(&first) {
                upstream.write_all(&first.to_bytes()?).await?;
                ctx.bounded(mysql::read_tls_record(&mut client)).await?;
            }
            ctx.drain(&mut client).await;
        }
        Play::ResetAfterSslRequest => {
            client.write_all(&greeting.to_bytes()?).await?;
            let first = read_client(&ctx, &mut client).await;
            if let Ok(first) = &first
                && ctx.record_first(first)
            {
                // A client writes its ClientHello right behind the SSLRequest; resetting only
                // once it is in puts every client in the same place: reading, for a ServerHello.
                let _ = ctx.bounded(mysql::read_tls_record(&mut client)).await;
            }
            reset(client);
        }
        Play::ResetMidHandshake => {
            client.write_all(&greeting.to_bytes()?).await?;
            let first = read_client(&ctx, &mut client).await?;
            if ctx.record_first(&first) {
                let _ = forward_first_flight(&ctx, &first, &mut client, &mut upstream).await;
            }
            reset(client);
        }
        Play::Trickle { gap_ms } => {
            let gap = Duration::from_millis(*gap_ms);
            let _ = timeout(ctx.stall, trickle(&ctx, gap, greeting, client, upstream)).await;
        }
        Play::CloseAfterGreeting => {
            client.write_all(&greeting.to_bytes()?).await?;
            // FIN, then keep reading: the client's writes still land, and its next read sees
            // the end of the stream, whatever it writes first (a full close would answer
            // those writes with a RST and race it against the FIN).
            let _ = client.shutdown().await;
            ctx.drain(&mut client).await;
        }
    }
    Ok(())
}

/// The client's next packet, bounded by the stall limit.
async fn read_client<R: AsyncRead + Unpin>(ctx: &Ctx<'_>, client: &mut R) -> Result<Packet> {
    ctx.bounded(mysql::read_packet(client, MAX_PAYLOAD)).await
}

/// Resets the client connection: SO_LINGER 0, then close, so the kernel sends RST.
fn reset(client: Counted<TcpStream>) {
    let _ = socket2::SockRef::from(client.get_ref()).set_linger(Some(Duration::ZERO));
    drop(client);
}

/// SSLRequest and ClientHello to the server, then the server's first TLS record (its
/// ServerHello) back, and a pause of [`MID_HANDSHAKE_PAUSE`] while the client waits for the
/// rest of the flight: the caller then resets the connection under a client that is reading in
/// the middle of its TLS handshake (the same point in every client and TLS version).
async fn forward_first_flight(
    ctx: &Ctx<'_>,
    ssl_request: &Packet,
    client: &mut Counted<TcpStream>,
    upstream: &mut TcpStream,
) -> Result<()> {
    upstream.write_all(&ssl_request.to_bytes()?).await?;
    let hello = ctx.bounded(mysql::read_tls_record(client)).await?;
    upstream.write_all(&hello).await?;
    let server_hello = ctx.bounded(mysql::read_tls_record(upstream)).await?;
    client.write_all(&server_hello).await?;
    client.flush().await?;
    tokio::time::sleep(MID_HANDSHAKE_PAUSE).await;
    Ok(())
}

/// Why a client's TLS handshake with the interposer failed, in the words of [`Connection`].
///
/// [`Connection`]: crate::Connection
fn tls_error_text(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return tls.to_string();
    }
    match e.kind() {
        ErrorKind::UnexpectedEof => "client closed the connection".into(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
            "client reset the connection".into()
        }
        _ => e.to_string(),
    }
}

async fn impersonate(
    ctx: &Ctx<'_>,
    prepared: &Prepared,
    greeting: Packet,
    mut client: Counted<TcpStream>,
    mut upstream: TcpStream,
) -> Result<()> {
    client.write_all(&greeting.to_bytes()?).await?;
    let first = read_client(ctx, &mut client).await?;
    if !ctx.record_first(&first) {
        upstream.write_all(&first.to_bytes()?).await?;
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        return Ok(());
    }
    upstream.write_all(&first.to_bytes()?).await?;
    let acceptor = prepared
        .acceptor
        .clone()
        .ok_or_else(|| Error::TlsConfig("no acceptor".into()))?;
    let mut tls_client = match timeout(ctx.stall, acceptor.accept(client)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            let text = tls_error_text(&e);
            ctx.rec.update(|c| c.client_tls_error = Some(text));
            return Ok(());
        }
        Err(_) => {
            let text = format!("handshake timed out after {} ms", ctx.stall_ms);
            ctx.rec.update(|c| c.client_tls_error = Some(text));
            return Ok(());
        }
    };
    {
        let (_, conn) = tls_client.get_ref();
        let seen = match (conn.protocol_version(), conn.negotiated_cipher_suite()) {
            (Some(v), Some(s)) => Some(TlsSeen {
                version: format!("{v:?}"),
                suite: format!("{:?}", s.suite()),
            }),
            _ => None,
        };
        let sni = conn.server_name().map(str::to_owned);
        ctx.rec.update(|c| {
            c.client_tls = seen;
            c.sni = sni;
        });
    }
    let ip: IpAddr = upstream.peer_addr()?.ip();
    let mut tls_upstream = ctx
        .bounded(async {
            Ok(prepared
                .connector
                .connect(ServerName::from(ip), upstream)
                .await?)
        })
        .await?;
    let response = read_client(ctx, &mut tls_client).await?;
    let user = mysql::handshake_response_user(&response.payload);
    ctx.rec.update(|c| {
        c.user_seen = user;
        c.credentials_in_plaintext = false;
    });
    tls_upstream.write_all(&response.to_bytes()?).await?;
    tls_upstream.flush().await?;
    let _ = tokio::io::copy_bidirectional(&mut tls_client, &mut tls_upstream).await;
    Ok(())
}

/// Writes `bytes` one byte per write, sleeping `gap` before every byte but the very first one
/// of the connection (`started` tracks that across calls).
async fn trickle_write<W: AsyncWrite + Unpin>(
    writer: &mut W,
    bytes: &[u8],
    gap: Duration,
    started: &mut bool,
) -> Result<()> {
    for b in bytes {
        if *started {
            sleep(gap).await;
        }
        *started = true;
        writer.write_all(std::slice::from_ref(b)).await?;
        writer.flush().await?;
    }
    Ok(())
}

async fn trickle(
    ctx: &Ctx<'_>,
    gap: Duration,
    greeting: Packet,
    mut client: Counted<TcpStream>,
    mut upstream: TcpStream,
) -> Result<()> {
    let mut started = false;
    trickle_write(&mut client, &greeting.to_bytes()?, gap, &mut started).await?;
    let first = read_client(ctx, &mut client).await?;
    ctx.record_first(&first);
    upstream.write_all(&first.to_bytes()?).await?;
    let (mut client_read, mut client_write) = tokio::io::split(client);
    let (mut up_read, mut up_write) = upstream.into_split();
    let to_server = async {
        let _ = tokio::io::copy(&mut client_read, &mut up_write).await;
        let _ = up_write.shutdown().await;
    };
    let to_client = async {
        let mut buf = [0u8; 4096];
        while let Ok(n) = up_read.read(&mut buf).await {
            if n == 0
                || trickle_write(&mut client_write, &buf[..n], gap, &mut started)
                    .await
                    .is_err()
            {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(to_server, to_client);
    Ok(())
}
