//! Just enough of the MySQL client/server protocol (and of TLS record framing) to find the
//! greeting, the client's first packet and the ClientHello on the wire.
//!
//! A MySQL packet is a 4-byte header — payload length as 3 bytes little-endian, then a 1-byte
//! sequence id — followed by the payload. A TLS record is a 5-byte header — content type,
//! 2-byte version, 2-byte big-endian length — followed by the fragment.

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::error::{Error, Result};

/// Capability flag CLIENT_SSL (`0x0800`): in a greeting the server supports TLS; in a client
/// packet the client asks for it.
pub const CLIENT_SSL: u32 = 0x0800;

/// Capability flag CLIENT_PROTOCOL_41 (`0x0200`): the 4.1 HandshakeResponse layout.
pub const CLIENT_PROTOCOL_41: u32 = 0x0200;

/// Largest payload, in bytes, that [`read_packet`] ever accepts and [`frame`] ever writes:
/// 16 MiB − 1 (`0xFF_FFFF`), the most a 3-byte length can announce. A payload of exactly this
/// length would announce a continuation packet, which this crate never needs to reassemble.
pub const MAX_PAYLOAD: usize = 0xFF_FFFF;

/// Largest server greeting payload accepted, in bytes (64 KiB).
pub const MAX_GREETING: usize = 64 * 1024;

/// Largest TLS record fragment accepted, in bytes: 2^14 plus 2048 of expansion (18432).
pub const MAX_TLS_RECORD: usize = 18_432;

/// Length, in bytes, of an SSLRequest payload.
pub const SSL_REQUEST_LEN: usize = 32;

/// Longest user name, in bytes, that [`handshake_response_user`] returns.
pub const MAX_USER_LEN: usize = 256;

/// Protocol version byte that starts a HandshakeV10 greeting.
pub const PROTOCOL_V10: u8 = 10;

/// First payload byte of an ERR packet.
pub const ERR_HEADER: u8 = 0xFF;

/// One MySQL packet as read from the wire (a single frame, never reassembled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// Sequence id (0–255, wraps).
    pub seq: u8,
    /// Payload bytes, without the 4-byte header; at most [`MAX_PAYLOAD`] bytes.
    pub payload: Vec<u8>,
}

impl Packet {
    /// The packet framed for the wire: header then payload, byte-identical to what was read.
    ///
    /// Returns [`Error::TooLarge`] when the payload is longer than [`MAX_PAYLOAD`] bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        frame(self.seq, &self.payload)
    }
}

/// Frames `payload` with sequence id `seq`: 3-byte little-endian length, `seq`, payload.
///
/// Returns [`Error::TooLarge`] when the payload is longer than [`MAX_PAYLOAD`] bytes.
pub fn frame(seq: u8, payload: &[u8]) -> Result<Vec<u8>> {
    let len = payload.len();
    if len > MAX_PAYLOAD {
        return Err(Error::TooLarge {
            what: "MySQL packet",
            len,
            limit: MAX_PAYLOAD,
        });
    }
    let mut out = Vec::with_capacity(4 + len);
    out.extend_from_slice(&len.to_le_bytes()[..3]);
    out.push(seq);
    out.extend_from_slice(payload);
    Ok(out)
}

/// Decodes a 4-byte MySQL packet header into `(payload length in bytes, sequence id)`.
///
/// Returns [`Error::TooLarge`] when the announced length exceeds `limit` (itself capped at
/// [`MAX_PAYLOAD`]).
pub fn decode_header(header: [u8; 4], limit: usize) -> Result<(usize, u8)> {
    let len = usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
    let limit = limit.min(MAX_PAYLOAD);
    if len > limit {
        return Err(Error::TooLarge {
            what: "MySQL packet",
            len,
            limit,
        });
    }
    Ok((len, header[3]))
}

/// Reads one MySQL packet whose payload is at most `limit` bytes (capped at [`MAX_PAYLOAD`];
/// use [`MAX_GREETING`] for the server greeting). Reads exactly the header and the announced
/// payload, nothing more.
///
/// Errors: [`Error::Closed`] on EOF before the first header byte, [`Error::Truncated`] on EOF
/// inside the packet, [`Error::TooLarge`] when the header announces more than `limit` bytes,
/// [`Error::Io`] otherwise.
pub async fn read_packet<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    limit: usize,
) -> Result<Packet> {
    let mut header = [0u8; 4];
    read_exact_or(reader, &mut header, "MySQL packet").await?;
    let (len, seq) = decode_header(header, limit)?;
    let mut payload = vec![0u8; len];
    match reader.read_exact(&mut payload).await {
        Ok(_) => Ok(Packet { seq, payload }),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Err(Error::Truncated("MySQL packet"))
        }
        Err(e) => Err(Error::Io(e)),
    }
}

/// Fills `buf` completely; EOF before the first byte is [`Error::Closed`], EOF after it is
/// [`Error::Truncated`] naming `what`.
async fn read_exact_or<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    buf: &mut [u8],
    what: &'static str,
) -> Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = reader.read(&mut buf[filled..]).await?;
        if n == 0 {
            return Err(if filled == 0 {
                Error::Closed
            } else {
                Error::Truncated(what)
            });
        }
        filled += n;
    }
    Ok(())
}

/// Offset, in bytes from the start of a HandshakeV10 greeting payload, of the 2-byte
/// little-endian lower capability flags; `None` when the payload is not a HandshakeV10
/// greeting (first byte not 10, server version without NUL, or too short to hold the flags).
///
/// Layout: protocol version (1), server version (NUL-terminated), connection id (4),
/// auth-plugin-data-part-1 (8), filler (1), capability flags lower (2), …
pub fn greeting_capability_offset(greeting: &[u8]) -> Option<usize> {
    if greeting.first() != Some(&PROTOCOL_V10) {
        return None;
    }
    let nul = greeting.get(1..)?.iter().position(|&b| b == 0)?;
    let offset = 1 + nul + 1 + 4 + 8 + 1;
    (greeting.len() >= offset + 2).then_some(offset)
}

/// The lower 16 capability bits of a HandshakeV10 greeting; `None` when it is not one (see
/// [`greeting_capability_offset`]).
pub fn greeting_capabilities(greeting: &[u8]) -> Option<u16> {
    let at = greeting_capability_offset(greeting)?;
    Some(u16::from_le_bytes([greeting[at], greeting[at + 1]]))
}

/// Returns a copy of a HandshakeV10 greeting payload with CLIENT_SSL (`0x0800`) cleared in the
/// lower capability flags; every other byte is unchanged. A payload that is not a HandshakeV10
/// greeting (see [`greeting_capability_offset`]) is returned unchanged.
pub fn strip_client_ssl(greeting: &[u8]) -> Vec<u8> {
    let mut out = greeting.to_vec();
    if let Some(at) = greeting_capability_offset(greeting) {
        // CLIENT_SSL is bit 11: bit 3 of the high byte of the little-endian u16.
        out[at + 1] &= !((CLIENT_SSL >> 8) as u8);
    }
    out
}

/// The 4-byte little-endian client capability flags at the start of a client packet, `None`
/// when the payload is shorter than 4 bytes.
pub fn client_capabilities(payload: &[u8]) -> Option<u32> {
    let caps: [u8; 4] = payload.get(..4)?.try_into().ok()?;
    Some(u32::from_le_bytes(caps))
}

/// Whether a client packet payload is an SSLRequest: exactly [`SSL_REQUEST_LEN`] (32) bytes
/// whose capability flags (4 bytes little-endian at offset 0) include CLIENT_SSL.
pub fn is_ssl_request(payload: &[u8]) -> bool {
    payload.len() == SSL_REQUEST_LEN
        && client_capabilities(payload).is_some_and(|caps| caps & CLIENT_SSL != 0)
}

/// The user name of a HandshakeResponse41 payload: capability flags (4), max packet size (4),
/// character set (1), filler (23), then the NUL-terminated user name.
///
/// Returns `None` when the flags lack CLIENT_PROTOCOL_41 (`0x200`), when the payload is shorter
/// than 32 bytes, or when no NUL ends the name. Invalid UTF-8 is replaced lossily; a name
/// longer than [`MAX_USER_LEN`] (256) bytes is cut to its first 256 bytes.
pub fn handshake_response_user(payload: &[u8]) -> Option<String> {
    let caps = client_capabilities(payload)?;
    if caps & CLIENT_PROTOCOL_41 == 0 {
        return None;
    }
    let rest = payload.get(SSL_REQUEST_LEN..)?;
    let nul = rest.iter().position(|&b| b == 0)?;
    let name = &rest[..nul.min(MAX_USER_LEN)];
    Some(String::from_utf8_lossy(name).into_owned())
}

/// A framed ERR packet with sequence id `seq`: payload `0xFF`, `code` as u16 little-endian,
/// `'#'`, the 5-byte `sqlstate`, then `message`.
///
/// A `sqlstate` that is not exactly 5 ASCII characters is replaced by `HY000`; a message that
/// would not fit in one packet is cut to fit (the result is always a single frame).
pub fn err_packet(seq: u8, code: u16, sqlstate: &str, message: &str) -> Vec<u8> {
    let state = if sqlstate.len() == 5 && sqlstate.is_ascii() {
        sqlstate
    } else {
        "HY000"
    };
    let msg = message.as_bytes();
    let msg = &msg[..msg.len().min(MAX_PAYLOAD - 9)];
    let mut payload = Vec::with_capacity(9 + msg.len());
    payload.push(ERR_HEADER);
    payload.extend_from_slice(&code.to_le_bytes());
    payload.push(b'#');
    payload.extend_from_slice(state.as_bytes());
    payload.extend_from_slice(msg);
    let len = payload.len();
    let mut out = Vec::with_capacity(4 + len);
    out.extend_from_slice(&len.to_le_bytes()[..3]);
    out.push(seq);
    out.extend_from_slice(&payload);
    out
}

/// Decodes a 5-byte TLS record header into the fragment length in bytes.
///
/// Returns [`Error::Malformed`] when the content type is not one of TLS's (20–24), and
/// [`Error::TooLarge`] when the length exceeds [`MAX_TLS_RECORD`] (18432) bytes.
pub fn decode_tls_header(header: [u8; 5]) -> Result<usize> {
    if !(20..=24).contains(&header[0]) {
        return Err(Error::Malformed("TLS record header"));
    }
    let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
    if len > MAX_TLS_RECORD {
        return Err(Error::TooLarge {
            what: "TLS record",
            len,
            limit: MAX_TLS_RECORD,
        });
    }
    Ok(len)
}

/// Reads one TLS record and returns it whole (5-byte header plus fragment, at most
/// 5 + [`MAX_TLS_RECORD`] bytes), byte-identical to the wire.
///
/// Errors: [`Error::Closed`] on EOF before the first byte, [`Error::Truncated`] on EOF inside
/// the record, and those of [`decode_tls_header`].
pub async fn read_tls_record<R: AsyncRead + Unpin + ?Sized>(reader: &mut R) -> Result<Vec<u8>> {
    let mut header = [0u8; 5];
    read_exact_or(reader, &mut header, "TLS record").await?;
    let len = decode_tls_header(header)?;
    let mut record = vec![0u8; 5 + len];
    record[..5].copy_from_slice(&header);
    match reader.read_exact(&mut record[5..]).await {
        Ok(_) => Ok(record),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Err(Error::Truncated("TLS record"))
        }
        Err(e) => Err(Error::Io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// A HandshakeV10 greeting as MySQL 8 sends it, with lower capability flags `caps_lower`.
    fn greeting(caps_lower: u16) -> Vec<u8> {
        let mut g = vec![PROTOCOL_V10];
        g.extend_from_slice(b"8.0.36\0");
        g.extend_from_slice(&42u32.to_le_bytes()); // connection id
        g.extend_from_slice(b"abcdefgh"); // auth-plugin-data-part-1
        g.push(0); // filler
        g.extend_from_slice(&caps_lower.to_le_bytes());
        g.push(0xff); // character set
        g.extend_from_slice(&2u16.to_le_bytes()); // status flags
        g.extend_from_slice(&0xdfffu16.to_le_bytes()); // capability flags upper
        g.push(21); // auth-plugin-data length
        g.extend_from_slice(&[0; 10]); // reserved
        g.extend_from_slice(b"ijklmnopqrst\0"); // auth-plugin-data-part-2
        g.extend_from_slice(b"caching_sha2_password\0");
        g
    }

    /// A client packet starting with capability flags, max packet, charset and filler.
    fn client_prefix(caps: u32) -> Vec<u8> {
        let mut p = caps.to_le_bytes().to_vec();
        p.extend_from_slice(&0x0100_0000u32.to_le_bytes());
        p.push(0xff);
        p.extend_from_slice(&[0; 23]);
        p
    }

    #[rstest]
    #[case(0xffff)]
    #[case(0x0800)]
    #[case(0xf7ff)]
    #[case(0x0000)]
    fn strip_clears_only_client_ssl(#[case] caps: u16) {
        let before = greeting(caps);
        let after = strip_client_ssl(&before);
        assert_eq!(after.len(), before.len());
        let at = 1 + 7 + 4 + 8 + 1;
        assert_eq!(greeting_capability_offset(&before), Some(at));
        assert_eq!(greeting_capabilities(&after), Some(caps & !0x0800));
        assert_eq!(after[..at], before[..at]);
        assert_eq!(after[at], before[at]);
        assert_eq!(after[at + 1], before[at + 1] & !0x08);
        assert_eq!(after[at + 2..], before[at + 2..]);
        assert_eq!(greeting(caps & !0x0800), after);
    }

    #[rstest]
    #[case::empty(vec![])]
    #[case::err_greeting(vec![0xff, 0x69, 0x04, b'#', b'H', b'Y', b'0', b'0', b'0', b'x'])]
    #[case::no_nul(b"\x0a8.0.36 without end".to_vec())]
    #[case::short(b"\x0a8.0\0\x01\x02\x03\x04abcdefgh\0\xff".to_vec())]
    fn strip_leaves_non_greetings_alone(#[case] payload: Vec<u8>) {
        assert_eq!(greeting_capability_offset(&payload), None);
        assert_eq!(strip_client_ssl(&payload), payload);
    }

    #[rstest]
    #[case::ssl_request(client_prefix(0x0000_0a00 | 0x8000), true)]
    #[case::ssl_only(client_prefix(CLIENT_SSL), true)]
    #[case::no_ssl_flag(client_prefix(0x0000_0200), false)]
    #[case::too_long({ let mut p = client_prefix(0xffff_ffff); p.extend_from_slice(b"root\0"); p }, false)]
    #[case::too_short(client_prefix(0xffff_ffff)[..31].to_vec(), false)]
    #[case::empty(vec![], false)]
    fn ssl_request_detection(#[case] payload: Vec<u8>, #[case] expected: bool) {
        assert_eq!(is_ssl_request(&payload), expected);
    }

    #[test]
    fn user_of_a_protocol_41_response() {
        let mut p = client_prefix(CLIENT_PROTOCOL_41 | 0x0008_0000);
        p.extend_from_slice(b"root\0");
        p.push(20);
        p.extend_from_slice(&[7; 20]);
        p.extend_from_slice(b"db\0");
        assert_eq!(handshake_response_user(&p).as_deref(), Some("root"));
    }

    #[test]
    fn empty_user_name() {
        let mut p = client_prefix(CLIENT_PROTOCOL_41);
        p.push(0);
        assert_eq!(handshake_response_user(&p).as_deref(), Some(""));
    }

    #[test]
    fn user_without_nul_is_none() {
        let mut p = client_prefix(CLIENT_PROTOCOL_41);
        p.extend_from_slice(b"root");
        assert_eq!(handshake_response_user(&p), None);
    }

    #[test]
    fn non_41_response_is_none() {
        // HandshakeResponse320: caps (2), max packet (3), user NUL-terminated.
        let mut p = vec![0x05, 0x00, 0xff, 0xff, 0xff];
        p.extend_from_slice(b"root\0");
        p.extend_from_slice(&[0; 30]);
        assert_eq!(handshake_response_user(&p), None);
        let mut p = client_prefix(0x0000_0005);
        p.extend_from_slice(b"root\0");
        assert_eq!(handshake_response_user(&p), None);
    }

    #[test]
    fn ssl_request_has_no_user() {
        assert_eq!(
            handshake_response_user(&client_prefix(CLIENT_PROTOCOL_41 | CLIENT_SSL)),
            None
        );
        assert_eq!(handshake_response_user(&[0x00, 0x02]), None);
    }

    #[test]
    fn user_is_lossy_and_bounded() {
        let mut p = client_prefix(CLIENT_PROTOCOL_41);
        p.extend_from_slice(b"r\xffot\0");
        assert_eq!(handshake_response_user(&p).as_deref(), Some("r\u{fffd}ot"));

        let mut p = client_prefix(CLIENT_PROTOCOL_41);
        p.extend_from_slice(&[b'a'; 300]);
        p.push(0);
        assert_eq!(handshake_response_user(&p), Some("a".repeat(MAX_USER_LEN)));
    }

    #[test]
    fn err_packet_bytes() {
        let msg = "Access denied";
        let got = err_packet(2, 1045, "28000", msg);
        let mut want = vec![9 + 13, 0, 0, 2, 0xff, 0x15, 0x04, b'#'];
        want.extend_from_slice(b"28000");
        want.extend_from_slice(msg.as_bytes());
        assert_eq!(got, want);
    }

    #[test]
    fn err_packet_bad_sqlstate() {
        let got = err_packet(0, 2013, "nope", "");
        assert_eq!(
            got,
            vec![
                9, 0, 0, 0, 0xff, 0xdd, 0x07, b'#', b'H', b'Y', b'0', b'0', b'0'
            ]
        );
    }

    #[test]
    fn frame_and_header_round_trip() {
        let framed = frame(7, b"hello").expect("small payload frames");
        assert_eq!(framed, b"\x05\x00\x00\x07hello");
        let (len, seq) = decode_header([0x05, 0x00, 0x00, 0x07], MAX_PAYLOAD).expect("fits");
        assert_eq!((len, seq), (5, 7));
    }

    #[rstest]
    #[case::greeting_over_64k([0x01, 0x00, 0x01, 0x00], MAX_GREETING, 65_537)]
    #[case::over_caller_limit([0x00, 0x01, 0x00, 0x01], 255, 256)]
    #[case::max_header_against_greeting([0xff, 0xff, 0xff, 0x00], MAX_GREETING, MAX_PAYLOAD)]
    fn framing_rejects_oversize(
        #[case] header: [u8; 4],
        #[case] limit: usize,
        #[case] want_len: usize,
    ) {
        match decode_header(header, limit) {
            Err(Error::TooLarge { len, .. }) => assert_eq!(len, want_len),
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn framing_accepts_limits() {
        assert_eq!(
            decode_header([0x00, 0x00, 0x01, 0x00], MAX_GREETING).ok(),
            Some((65_536, 0))
        );
        assert_eq!(
            decode_header([0xff, 0xff, 0xff, 0x03], usize::MAX).ok(),
            Some((MAX_PAYLOAD, 3))
        );
        assert!(matches!(
            frame(0, &vec![0; MAX_PAYLOAD + 1]),
            Err(Error::TooLarge { .. })
        ));
    }

    #[tokio::test]
    async fn read_packet_from_bytes() {
        let bytes: &[u8] = b"\x03\x00\x00\x01abcrest";
        let mut r = bytes;
        let p = read_packet(&mut r, MAX_PAYLOAD).await.expect("one packet");
        assert_eq!(
            p,
            Packet {
                seq: 1,
                payload: b"abc".to_vec()
            }
        );
        assert_eq!(r, b"rest");
        assert_eq!(p.to_bytes().expect("frames"), b"\x03\x00\x00\x01abc");

        let mut empty: &[u8] = b"";
        assert!(matches!(
            read_packet(&mut empty, MAX_PAYLOAD).await,
            Err(Error::Closed)
        ));
        let mut short: &[u8] = b"\x05\x00\x00\x01ab";
        assert!(matches!(
            read_packet(&mut short, MAX_PAYLOAD).await,
            Err(Error::Truncated(_))
        ));
        let mut big: &[u8] = b"\x01\x00\x01\x00";
        assert!(matches!(
            read_packet(&mut big, MAX_GREETING).await,
            Err(Error::TooLarge { .. })
        ));
    }

    #[rstest]
    #[case::client_hello([0x16, 0x03, 0x01, 0x02, 0x00], Some(512))]
    #[case::largest([0x17, 0x03, 0x03, 0x48, 0x00], Some(18_432))]
    #[case::too_large([0x16, 0x03, 0x03, 0x48, 0x01], None)]
    #[case::not_tls([0x05, 0x00, 0x00, 0x01, 0x00], None)]
    fn tls_record_header(#[case] header: [u8; 5], #[case] want: Option<usize>) {
        assert_eq!(decode_tls_header(header).ok(), want);
    }

    #[tokio::test]
    async fn read_tls_record_from_bytes() {
        let bytes: &[u8] = b"\x16\x03\x01\x00\x02\x01\x00more";
        let mut r = bytes;
        let rec = read_tls_record(&mut r).await.expect("one record");
        assert_eq!(rec, b"\x16\x03\x01\x00\x02\x01\x00");
        assert_eq!(r, b"more");
        let mut cut: &[u8] = b"\x16\x03";
        assert!(matches!(
            read_tls_record(&mut cut).await,
            Err(Error::Truncated(_))
        ));
    }
}
