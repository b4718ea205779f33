//! The MySQL side of STARTTLS: read the server's initial handshake packet (protocol v10), and
//! when it offers TLS send the 32-byte SSLRequest, after which the socket speaks TLS — what
//! `openssl s_client -starttls mysql` does. Pure encoding/parsing plus one bounded exchange;
//! this module never logs in and never touches TLS itself.

use crate::Error;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// `CLIENT_LONG_PASSWORD`: capability bit 0x0001.
pub const CLIENT_LONG_PASSWORD: u32 = 0x0000_0001;
/// `CLIENT_PROTOCOL_41`: 4.1 protocol, capability bit 0x0200.
pub const CLIENT_PROTOCOL_41: u32 = 0x0000_0200;
/// `CLIENT_SSL`: the server can switch to TLS after the handshake packet, bit 0x0800.
pub const CLIENT_SSL: u32 = 0x0000_0800;
/// `CLIENT_SECURE_CONNECTION`: 4.1 authentication, bit 0x8000.
pub const CLIENT_SECURE_CONNECTION: u32 = 0x0000_8000;
/// `CLIENT_PLUGIN_AUTH`: pluggable authentication, bit 0x0008_0000.
pub const CLIENT_PLUGIN_AUTH: u32 = 0x0008_0000;

/// Capabilities the SSLRequest announces.
pub const SSL_REQUEST_CAPABILITIES: u32 = CLIENT_LONG_PASSWORD
    | CLIENT_PROTOCOL_41
    | CLIENT_SSL
    | CLIENT_SECURE_CONNECTION
    | CLIENT_PLUGIN_AUTH;

/// Largest greeting accepted, in bytes (real ones are about 100 bytes): the one packet read
/// before TLS, its header's length checked before the payload is allocated.
const MAX_GREETING: usize = 16 * 1024;

/// What the server's initial handshake packet says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// Protocol version byte (10 for every server since MySQL 3.21).
    pub protocol: u8,
    /// Server version string, e.g. `9.4.0` or `11.8.2-MariaDB-1`.
    pub server_version: String,
    /// Connection id the server assigned.
    pub connection_id: u32,
    /// Capability flags, lower and (when sent) upper 16 bits combined.
    pub capabilities: u32,
    /// Default character set id, when sent.
    pub charset: Option<u8>,
}

impl Greeting {
    /// Whether the server offers TLS (`CLIENT_SSL`).
    pub fn offers_tls(&self) -> bool {
        self.capabilities & CLIENT_SSL != 0
    }
}

/// Parses the payload (header removed) of the server's first packet.
///
/// Errors: [`Error::ServerError`] for an error packet (0xFF: e.g. host blocked, too many
/// connections), [`Error::NotMysql`] when it is no protocol-v10 handshake.
pub fn parse_greeting(payload: &[u8]) -> Result<Greeting, Error> {
    let not_mysql = |why: &str| Error::NotMysql(why.to_owned());
    match payload.first() {
        None => return Err(not_mysql("empty first packet")),
        Some(0xFF) => return Err(parse_error_packet(payload)),
        Some(10) => {}
        Some(other) => {
            return Err(not_mysql(&format!(
                "protocol version {other} (only 10 is supported)"
            )));
        }
    }
    let rest = &payload[1..];
    let nul = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| not_mysql("server version is not NUL-terminated"))?;
    let server_version = String::from_utf8_lossy(&rest[..nul]).into_owned();
    let rest = &rest[nul + 1..];
    // connection id (4), auth-plugin-data part 1 (8), filler (1), capabilities lower (2)
    if rest.len() < 15 {
        return Err(not_mysql("handshake packet too short"));
    }
    let connection_id = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
    let lower = u32::from(u16::from_le_bytes([rest[13], rest[14]]));
    let rest = &rest[15..];
    // charset (1), status (2), capabilities upper (2) — optional in protocol v10
    let (charset, upper) = if rest.len() >= 5 {
        (
            Some(rest[0]),
            u32::from(u16::from_le_bytes([rest[3], rest[4]])) << 16,
        )
    } else {
        (None, 0)
    };
    Ok(Greeting {
        protocol: 10,
        server_version,
        connection_id,
        capabilities: lower | upper,
        charset,
    })
}

/// An error packet: `0xFF`, error code (2, LE), optionally `#` + SQLSTATE (5), message (its
/// control characters written visibly, [`outcome::visible`]).
fn parse_error_packet(payload: &[u8]) -> Error {
    let code = match payload.get(1..3) {
        Some(b) => u16::from_le_bytes([b[0], b[1]]),
        None => 0,
    };
    let mut message = payload.get(3..).unwrap_or_default();
    if message.first() == Some(&b'#') && message.len() >= 6 {
        message = &message[6..];
    }
    Error::ServerError {
        code,
        // The server's (or an attacker's) words, shown on terminals: controls made visible.
        message: outcome::visible(&String::from_utf8_lossy(message)),
    }
}

/// The SSLRequest packet, header included: length 32, sequence id 1, then capabilities (4),
/// max packet size (4, 16 MiB), character set (1, utf8mb4_general_ci = 45), 23 zero bytes.
pub fn ssl_request() -> [u8; 36] {
    let mut packet = [0u8; 36];
    packet[0] = 32; // payload length, 3 bytes LE
    packet[3] = 1; // sequence id
    packet[4..8].copy_from_slice(&SSL_REQUEST_CAPABILITIES.to_le_bytes());
    packet[8..12].copy_from_slice(&(16u32 * 1024 * 1024).to_le_bytes());
    packet[12] = 45;
    packet
}

/// Why the first packet could not be read.
enum PacketError {
    /// The socket failed or closed.
    Io(std::io::Error),
    /// The header announces more than a greeting can be: not the MySQL protocol.
    NotMysql(String),
}

/// Reads one packet (4-byte header + payload) of at most [`MAX_GREETING`] bytes. A larger
/// length is some other protocol's first bytes (`SSH-`, `HTTP`, a TLS record), named as such.
async fn read_packet(stream: &mut TcpStream) -> Result<Vec<u8>, PacketError> {
    let mut header = [0u8; 4];
    stream
        .read_exact(&mut header)
        .await
        .map_err(PacketError::Io)?;
    let len = usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
    if len > MAX_GREETING {
        return Err(PacketError::NotMysql(format!(
            "this port does not speak the MySQL protocol: its first bytes {} are no MySQL packet \
             header (read as one, they announce a {len}-byte greeting)",
            printable(&header)
        )));
    }
    let mut payload = vec![0u8; len];
    stream
        .read_exact(&mut payload)
        .await
        .map_err(PacketError::Io)?;
    Ok(payload)
}

/// Bytes as text where printable ASCII, else `\xNN`, quoted: `"SSH-"`, `"\x16\x03\x01\x02"`.
fn printable(bytes: &[u8]) -> String {
    let text: String = bytes
        .iter()
        .map(|&b| match b {
            0x20..=0x7e if b != b'"' && b != b'\\' => char::from(b).to_string(),
            _ => format!("\\x{b:02x}"),
        })
        .collect();
    format!("\"{text}\"")
}

/// Connects to `host:port`, reads the greeting, and — when the server offers TLS — sends the
/// SSLRequest, returning the socket ready for a TLS ClientHello. Without TLS on offer the
/// socket is returned unused (`None`). The whole exchange is bounded by `timeout`.
///
/// Errors: [`Error::Connect`] (refused, unreachable, timeout), [`Error::ServerError`],
/// [`Error::NotMysql`].
pub async fn starttls(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<(Greeting, Option<TcpStream>), Error> {
    let target = format!("{host}:{port}");
    let connect_error = |detail: String| Error::Connect {
        target: target.clone(),
        detail,
    };
    let exchange = async {
        let mut stream = TcpStream::connect((host, port))
            .await
            .map_err(|e| connect_error(e.to_string()))?;
        let payload = read_packet(&mut stream).await.map_err(|e| match e {
            PacketError::Io(e) => connect_error(format!("reading the server greeting: {e}")),
            PacketError::NotMysql(why) => Error::NotMysql(why),
        })?;
        let greeting = parse_greeting(&payload)?;
        if !greeting.offers_tls() {
            return Ok((greeting, None));
        }
        stream
            .write_all(&ssl_request())
            .await
            .map_err(|e| connect_error(format!("sending SSLRequest: {e}")))?;
        Ok((greeting, Some(stream)))
    };
    tokio::time::timeout(timeout, exchange).await.map_err(|_| {
        connect_error(format!(
            "no MySQL greeting within {} s",
            timeout.as_secs_f32()
        ))
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_protocols_first_bytes_are_shown_as_text() {
        assert_eq!(printable(b"SSH-"), "\"SSH-\"");
        assert_eq!(
            printable(&[0x16, 0x03, 0x01, 0x02]),
            "\"\\x16\\x03\\x01\\x02\""
        );
    }

    /// A MySQL 9 greeting as captured (auth data replaced by letters).
    fn greeting_bytes(capabilities: u32) -> Vec<u8> {
        let mut p = vec![10u8];
        p.extend_from_slice(b"9.4.0\0");
        p.extend_from_slice(&7u32.to_le_bytes());
        p.extend_from_slice(b"abcdefgh");
        p.push(0);
        p.extend_from_slice(&((capabilities & 0xFFFF) as u16).to_le_bytes());
        p.push(255);
        p.extend_from_slice(&2u16.to_le_bytes());
        p.extend_from_slice(&((capabilities >> 16) as u16).to_le_bytes());
        p.push(21);
        p.extend_from_slice(&[0u8; 10]);
        p.extend_from_slice(b"ijklmnopqrst\0caching_sha2_password\0");
        p
    }

    #[test]
    fn greeting_with_ssl_capability_offers_tls() {
        let caps = CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_PLUGIN_AUTH;
        let g = parse_greeting(&greeting_bytes(caps)).expect("parses");
        assert_eq!(g.server_version, "9.4.0");
        assert_eq!(g.connection_id, 7);
        assert_eq!(g.capabilities, caps);
        assert_eq!(g.charset, Some(255));
        assert!(g.offers_tls());
    }

    #[test]
    fn greeting_without_ssl_capability_offers_no_tls() {
        let g = parse_greeting(&greeting_bytes(CLIENT_PROTOCOL_41)).expect("parses");
        assert!(!g.offers_tls());
    }

    #[test]
    fn error_packet_becomes_server_error() {
        let mut p = vec![0xFF];
        p.extend_from_slice(&1129u16.to_le_bytes());
        p.extend_from_slice(b"#HY000Host is blocked");
        match parse_greeting(&p) {
            Err(Error::ServerError { code, message }) => {
                assert_eq!(code, 1129);
                assert_eq!(message, "Host is blocked");
            }
            other => panic!("expected ServerError, got {other:?}"),
        }
    }

    #[test]
    fn an_error_packet_cannot_reach_the_terminal_with_escapes() {
        // Found by the hostile-server fuzz target: the message went into the error raw.
        let mut p = vec![0xFF, 0, 0];
        p.extend_from_slice(b"#HY000a\x1b[2J\x1b]0;pwned\x07b\rc");
        match parse_greeting(&p) {
            Err(Error::ServerError { message, .. }) => {
                assert_eq!(message, "a\\u{1b}[2J\\u{1b}]0;pwned\\u{7}b\\rc");
            }
            other => panic!("expected ServerError, got {other:?}"),
        }
    }

    #[test]
    fn truncated_or_foreign_greetings_are_not_mysql() {
        assert!(matches!(parse_greeting(&[]), Err(Error::NotMysql(_))));
        assert!(matches!(
            parse_greeting(b"SSH-2.0-OpenSSH"),
            Err(Error::NotMysql(_))
        ));
        assert!(matches!(
            parse_greeting(b"\x0a9.4.0\0\x01\x02"),
            Err(Error::NotMysql(_))
        ));
        assert!(matches!(
            parse_greeting(b"\x0a9.4.0"),
            Err(Error::NotMysql(_))
        ));
    }

    #[test]
    fn ssl_request_is_32_bytes_with_sequence_one() {
        let p = ssl_request();
        assert_eq!(&p[..4], &[32, 0, 0, 1]);
        let caps = u32::from_le_bytes([p[4], p[5], p[6], p[7]]);
        for bit in [CLIENT_PROTOCOL_41, CLIENT_SSL, CLIENT_SECURE_CONNECTION] {
            assert_eq!(caps & bit, bit);
        }
        assert_eq!(
            u32::from_le_bytes([p[8], p[9], p[10], p[11]]),
            16 * 1024 * 1024
        );
        assert_eq!(p[12], 45);
        assert!(p[13..].iter().all(|&b| b == 0));
        assert_eq!(p[13..].len(), 23);
    }
}
