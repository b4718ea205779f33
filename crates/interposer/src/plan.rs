//! What the interposer is told to do: one [`Config`] per run of the interposer process, given
//! as the first JSON line on its stdin.

use serde::{Deserialize, Serialize};

/// The interposer's whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Address to accept clients on, e.g. `0.0.0.0:3306` (inside the server's network
    /// namespace, where the server itself listens on another port).
    pub listen: String,
    /// The real server, e.g. `127.0.0.1:3307`. Always a loopback address.
    pub upstream: String,
    /// What to do with each connection.
    pub play: Play,
    /// Bound in milliseconds on any stall: a stalled connection is closed by the interposer
    /// after this long even if the client still waits (then `client_closed_ms` is `None`).
    pub stall_limit_ms: u64,
}

/// One attack or one fault, applied to every connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Play {
    /// An honest relay: bytes pass unchanged both ways; the greeting and the client's first
    /// packet are parsed on the way to record what crossed in plaintext.
    PassThrough,
    /// Terminates the client's TLS with `chain_pem` (leaf first) and `key_pem`, opens its own
    /// TLS to the server (accepting any certificate), and relays the decrypted streams.
    Impersonate {
        /// PEM certificates sent to the client, leaf first.
        chain_pem: String,
        /// PEM private key of the leaf (PKCS#8, PKCS#1 or SEC1).
        key_pem: String,
        /// Highest TLS version offered to the client: `"TLSv1.2"` or `"TLSv1.3"`; `None` offers
        /// both. A downgrade is an impersonation with the server's own chain and `"TLSv1.2"`.
        max_tls_version: Option<String>,
    },
    /// Clears CLIENT_SSL in the greeting (CVE-2015-3152, "BACKRONYM") and relays the rest
    /// unchanged.
    StripTls,
    /// Clears CLIENT_SSL in the greeting, then answers the client's first packet with an ERR
    /// packet the attacker wrote (CVE-2017-3305, "Riddle"); the server never sees the login.
    PlaintextError {
        /// MySQL error number, e.g. 1045.
        code: u16,
        /// Five-character SQLSTATE, e.g. `28000`.
        sqlstate: String,
        /// The error text shown to the user.
        message: String,
    },
    /// Relays the greeting, then relays nothing until the client gives up.
    StallAfterGreeting,
    /// Relays the greeting and the SSLRequest, reads the client's ClientHello, then stalls.
    StallAfterClientHello,
    /// Relays the greeting, reads the client's SSLRequest and the ClientHello right behind it,
    /// then resets the connection (RST) while the client waits for a ServerHello.
    ResetAfterSslRequest,
    /// Relays greeting, SSLRequest and ClientHello to the server and the server's first TLS
    /// record (ServerHello) back, waits 200 ms while the client reads for the rest of the
    /// flight, then resets the connection (RST).
    ResetMidHandshake,
    /// Relays everything, but server-to-client bytes one at a time with `gap_ms` between them.
    Trickle {
        /// Milliseconds between two bytes sent to the client.
        gap_ms: u64,
    },
    /// Sends the greeting, then closes its side of the connection (FIN) and reads what the
    /// client still sends until it closes: every client meets the end of the stream on read.
    CloseAfterGreeting,
}

/// What the interposer saw on one client connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Connection {
    /// Whether the client's first packet was an SSLRequest (it asked for TLS).
    pub ssl_request: bool,
    /// The TLS handshake the client completed with the interposer's own chain, if it did:
    /// version and suite as rustls names them (`TLSv1_3`, `TLS13_AES_256_GCM_SHA384`).
    pub client_tls: Option<TlsSeen>,
    /// Why the client's TLS handshake with the interposer did not complete, e.g. `received
    /// fatal alert: UnknownCA` or `client closed the connection`; `None` when it completed or
    /// was never attempted.
    pub client_tls_error: Option<String>,
    /// SNI the client sent, if any.
    pub sni: Option<String>,
    /// The user name of a HandshakeResponse the attacker could read: in plaintext, or inside
    /// the interposer's own TLS.
    pub user_seen: Option<String>,
    /// Whether that HandshakeResponse crossed the wire in plaintext (credentials exposed to a
    /// passive observer). Only a packet that parses as a HandshakeResponse41 counts (not, say,
    /// the COM_QUIT of a client that gives up after the greeting).
    pub credentials_in_plaintext: bool,
    /// Whether the attacker's ERR packet was sent to the client.
    pub error_injected: bool,
    /// Milliseconds from accept until the client closed its side; `None` when the interposer
    /// closed first (end of a stall, a reset, or the end of a relay).
    pub client_closed_ms: Option<u64>,
    /// Bytes received from the client.
    pub bytes_from_client: u64,
    /// Bytes sent to the client.
    pub bytes_to_client: u64,
    /// Whether the connection is still open when reported.
    pub open: bool,
}

/// A TLS session as negotiated between the client and the interposer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TlsSeen {
    /// Protocol version, e.g. `TLSv1_3`.
    pub version: String,
    /// Cipher suite, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub suite: String,
}

/// The interposer's line on stdout after it bound its listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ready {
    /// Always `true`; an error is written as `{"error": "…"}` and the process exits 2.
    pub ready: bool,
}

/// The answer to one `report` line: every connection accepted since the previous report, in
/// accept order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Connections, in accept order.
    pub connections: Vec<Connection>,
}
