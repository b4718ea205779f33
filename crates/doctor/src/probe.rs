//! TLS attempts over the MySQL STARTTLS socket with rustls (ring provider): one attempt is one
//! bounded connection with a chosen set of protocol versions and cipher suites. A recording
//! verifier keeps the server's chain and accepts it, so the chain is collected even when it
//! would not verify; verification happens separately (`chain`). rustls speaks only TLS 1.2 and
//! 1.3, so older versions are inferred from the alerts the server sends.

use crate::{Error, handshake};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme, SupportedCipherSuite};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// How long to wait after a handshake with a client certificate for the server's verdict on it
/// (TLS 1.3 sends a refusal after the handshake completes).
const CLIENT_CERT_VERDICT: Duration = Duration::from_millis(1000);

/// How a failure reads when the server never answered the ClientHello within the bound.
pub(crate) const NO_HANDSHAKE: &str = "no TLS handshake within";

/// Result of one TLS attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsOutcome {
    /// The handshake completed.
    Connected {
        /// Negotiated version, `TLSv1.2` or `TLSv1.3`.
        version: String,
        /// Negotiated suite, IANA name as rustls spells it (e.g. `TLS13_AES_128_GCM_SHA256`).
        cipher_suite: String,
    },
    /// The handshake failed.
    Failed(Failure),
}

/// Why a TLS handshake failed, as seen by the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Failure {
    /// TLS alert the server sent, snake_case as in RFC 8446 (`handshake_failure`,
    /// `protocol_version`, `bad_certificate`, …), when one was received.
    pub alert: Option<String>,
    /// The client-side error text (rustls / I/O).
    pub error: String,
}

/// One attempt: its outcome and the certificates the server sent (leaf first; empty when the
/// handshake failed before the Certificate message).
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Connected or failed.
    pub outcome: TlsOutcome,
    /// Server chain as sent, DER, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
}

/// A verifier that records the server's chain and accepts everything (signatures included):
/// the doctor only observes, it never sends anything secret over these connections.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        if let Ok(mut slot) = self.chain.lock() {
            *slot = chain;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// What an attempt offers: versions, suites (empty = all of the provider's), client identity.
#[derive(Debug, Default)]
pub struct Offer {
    /// Versions to offer: `TLS12`, `TLS13` or both.
    pub versions: Vec<&'static rustls::SupportedProtocolVersion>,
    /// Suites to offer; empty means every suite of the ring provider.
    pub suites: Vec<SupportedCipherSuite>,
    /// Client certificate chain and key to present when the server asks.
    pub identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
}

/// The ring provider rustls ships, with every suite it knows (9: three TLS 1.3, six TLS 1.2).
pub fn provider() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// `TLSv1.2` / `TLSv1.3` for a rustls version.
pub fn version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        other => format!("{other:?}"),
    }
}

/// IANA-style suite name as rustls prints it.
pub fn suite_name(s: &SupportedCipherSuite) -> String {
    format!("{:?}", s.suite())
}

fn config(offer: &Offer) -> Result<(Arc<ClientConfig>, Arc<Recorder>), Error> {
    let mut provider = provider();
    if !offer.suites.is_empty() {
        provider.cipher_suites = offer.suites.clone();
    }
    let recorder = Arc::new(Recorder {
        chain: Mutex::new(Vec::new()),
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
    });
    let builder = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&offer.versions)
        .map_err(|e| Error::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone());
    let config = match &offer.identity {
        Some((certs, key)) => builder
            .with_client_auth_cert(certs.clone(), key.clone_key())
            .map_err(|e| Error::Tls(e.to_string()))?,
        None => builder.with_no_client_auth(),
    };
    Ok((Arc::new(config), recorder))
}

/// One attempt against `host:port`: MySQL greeting, SSLRequest, TLS handshake with `offer`,
/// then close_notify. Each phase is bounded by `timeout`. `Ok(None)` when the server does not
/// offer TLS.
///
/// Errors: those of [`handshake::starttls`], and [`Error::Tls`] for a configuration rustls
/// refuses (e.g. a client key it cannot use).
pub async fn attempt(
    host: &str,
    port: u16,
    server_name: &ServerName<'static>,
    offer: &Offer,
    timeout: Duration,
) -> Result<(handshake::Greeting, Option<Attempt>), Error> {
    let (config, recorder) = config(offer)?;
    let (greeting, stream) = handshake::starttls(host, port, timeout).await?;
    let Some(stream) = stream else {
        return Ok((greeting, None));
    };
    let connector = tokio_rustls::TlsConnector::from(config);
    let outcome =
        match tokio::time::timeout(timeout, connector.connect(server_name.clone(), stream)).await {
            Err(_) => TlsOutcome::Failed(Failure {
                alert: None,
                error: format!("{NO_HANDSHAKE} {} s", timeout.as_secs_f32()),
            }),
            Ok(Err(e)) => TlsOutcome::Failed(failure(&e)),
            Ok(Ok(mut tls)) => {
                let (_, conn) = tls.get_ref();
                let version = conn
                    .protocol_version()
                    .map(version_name)
                    .unwrap_or_default();
                let cipher_suite = conn
                    .negotiated_cipher_suite()
                    .map(|s| suite_name(&s))
                    .unwrap_or_default();
                // With TLS 1.3 a server refuses a client certificate only after the client's
                // handshake is done: its alert is the first thing to read. A MySQL server sends
                // nothing else before the client's login packet, so a short read tells.
                let refused = if offer.identity.is_some() {
                    let mut buf = [0u8; 64];
                    let wait = CLIENT_CERT_VERDICT.min(timeout);
                    match tokio::time::timeout(wait, tls.read(&mut buf)).await {
                        Ok(Err(e)) => Some(failure(&e)),
                        Ok(Ok(0)) => Some(Failure {
                            alert: None,
                            error: "the server closed the connection right after the TLS handshake"
                                .into(),
                        }),
                        _ => None,
                    }
                } else {
                    None
                };
                // Polite close; a server that does not answer must not hold us.
                let _ = tokio::time::timeout(timeout, tls.shutdown()).await;
                match refused {
                    Some(f) => TlsOutcome::Failed(f),
                    None => TlsOutcome::Connected {
                        version,
                        cipher_suite,
                    },
                }
            }
        };
    let chain = recorder.chain.lock().map(|c| c.clone()).unwrap_or_default();
    Ok((greeting, Some(Attempt { outcome, chain })))
}

/// Turns a failed handshake's I/O error into a [`Failure`], keeping the alert when the error is
/// rustls' `AlertReceived`.
fn failure(e: &std::io::Error) -> Failure {
    let inner = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::AlertReceived(alert)) => Failure {
            alert: Some(snake_case(&format!("{alert:?}"))),
            error: format!("received fatal alert: {alert:?}"),
        },
        Some(other) => Failure {
            alert: None,
            error: other.to_string(),
        },
        None if e.kind() == std::io::ErrorKind::UnexpectedEof => Failure {
            alert: None,
            error: "the server closed the connection during the TLS handshake".into(),
        },
        None => Failure {
            alert: None,
            error: e.to_string(),
        },
    }
}

/// `HandshakeFailure` → `handshake_failure`.
fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_are_snake_case() {
        assert_eq!(snake_case("HandshakeFailure"), "handshake_failure");
        assert_eq!(snake_case("ProtocolVersion"), "protocol_version");
    }

    #[test]
    fn ring_provider_has_a_bounded_suite_list_for_both_versions() {
        let p = provider();
        assert!(p.cipher_suites.len() <= 16);
        let versions: Vec<_> = p
            .cipher_suites
            .iter()
            .map(|s| version_name(s.version().version))
            .collect();
        assert!(versions.iter().any(|v| v == "TLSv1.2"));
        assert!(versions.iter().any(|v| v == "TLSv1.3"));
    }
}
