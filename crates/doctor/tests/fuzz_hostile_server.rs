//! Fuzz target: the doctor against a hostile server. A listener on 127.0.0.1 plays what
//! proptest chose on every connection the doctor makes: greetings that are oversized,
//! truncated, foreign or error packets, bogus capability flags, a byte at a time, stalls, and
//! after the SSLRequest TLS records of any kind — fatal alerts at every step, garbage, records
//! that claim more than they carry, and a TLS 1.2 handshake carrying a certificate chain of the
//! fuzzer's choice (mutated real certificates, random bytes, empty, long, looping). The doctor
//! must answer with a diagnosis or an error within the bound its connections promise, never a
//! panic or a hang, and its text must carry no raw control character from the server.
//!
//! The doctor never logs in, so it reads one packet before TLS and no auth-switch can loop.
//! Cases per property: `PROPTEST_CASES`, else the defaults below (CI); `cargo xtask fuzz` runs
//! longer. A failing input is shrunk and saved in `tests/fuzz-regressions/`.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

fn config(ci_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ci_cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fuzz-regressions/fuzz_hostile_server.txt"
        )))),
        ..ProptestConfig::default()
    }
}

/// The doctor's per-phase timeout in these cases.
const TIMEOUT: Duration = Duration::from_millis(250);
/// Connections a diagnosis may open (one as a client, two version probes, nine suites) times
/// the phases each is bounded in (connect + greeting, TLS handshake, client-certificate
/// verdict, close), with room for a loaded machine: past this the doctor hangs.
const DIAGNOSIS_BOUND: Duration = Duration::from_secs(12 * 4 + 10);

/// One thing the server does on a connection, in order.
#[derive(Debug, Clone)]
enum Act {
    /// Writes bytes.
    Send(Vec<u8>),
    /// Writes bytes one at a time, this many milliseconds apart.
    Drip(Vec<u8>, u8),
    /// Reads up to this many bytes from the client (briefly; nothing read is fine).
    Read(u16),
    /// Waits this many milliseconds.
    Stall(u16),
    /// Closes the connection.
    Close,
}

/// A MySQL protocol packet: 3-byte length, sequence id, payload.
fn packet(seq: u8, payload: &[u8]) -> Vec<u8> {
    let len = payload.len().min(0xFF_FFFF) as u32;
    let mut out = len.to_le_bytes()[..3].to_vec();
    out.push(seq);
    out.extend_from_slice(payload);
    out
}

/// A protocol-v10 greeting payload with `capabilities` and `version`.
fn greeting(capabilities: u32, version: &[u8]) -> Vec<u8> {
    let mut p = vec![10u8];
    p.extend_from_slice(version);
    p.push(0);
    p.extend_from_slice(&7u32.to_le_bytes());
    p.extend_from_slice(b"abcdefgh\0");
    p.extend_from_slice(&(capabilities as u16).to_le_bytes());
    p.push(255);
    p.extend_from_slice(&2u16.to_le_bytes());
    p.extend_from_slice(&((capabilities >> 16) as u16).to_le_bytes());
    p.push(21);
    p.extend_from_slice(&[0u8; 10]);
    p.extend_from_slice(b"ijklmnopqrst\0caching_sha2_password\0");
    p
}

const CLIENT_SSL: u32 = 0x0800;

/// The server's first packet: mostly greetings that offer TLS (so the TLS phase is reached).
fn first_packet() -> impl Strategy<Value = Vec<u8>> {
    let version = prop_oneof![
        Just(b"9.4.0".to_vec()),
        "[ -~]{0,40}".prop_map(String::into_bytes),
        Just(b"9.4.0\x1b[2J\x1b]0;pwned\x07\r\xe2\x80\xae".to_vec()),
        Just(vec![b'9'; 20_000]),
        prop::collection::vec(1u8.., 0..64),
    ];
    prop_oneof![
        6 => (any::<u32>(), version.clone()).prop_map(|(caps, v)| packet(0, &greeting(caps | CLIENT_SSL, &v))),
        1 => (any::<u32>(), version).prop_map(|(caps, v)| packet(0, &greeting(caps & !CLIENT_SSL, &v))),
        1 => (any::<prop::sample::Index>(), any::<u32>()).prop_map(|(cut, caps)| {
            let full = greeting(caps | CLIENT_SSL, b"9.4.0");
            packet(0, &full[..cut.index(full.len() + 1)])
        }),
        1 => (any::<u16>(), "[ -~\u{1b}\r\n]{0,60}").prop_map(|(code, m)| {
            let mut p = vec![0xFF];
            p.extend_from_slice(&code.to_le_bytes());
            p.extend_from_slice(b"#HY000");
            p.extend_from_slice(m.as_bytes());
            packet(0, &p)
        }),
        1 => (0u32..0x100_0000, prop::collection::vec(any::<u8>(), 0..32)).prop_map(|(len, tail)| {
            let mut out = len.to_le_bytes()[..3].to_vec();
            out.push(0);
            out.extend(tail);
            out
        }),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ]
}

/// A TLS record of `content_type` (21 alert, 22 handshake) carrying `body`, split into
/// records of at most 16 KiB.
fn records(content_type: u8, version: [u8; 2], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in body.chunks(16_384) {
        out.push(content_type);
        out.extend_from_slice(&version);
        out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// A handshake message: type, 3-byte length, body.
fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

/// TLS 1.2 ServerHello (ECDHE-RSA-AES128-GCM-SHA256), Certificate with `chain`, an ECDHE
/// ServerKeyExchange with a junk signature (the doctor records, it does not verify) and
/// ServerHelloDone: enough for the doctor to collect and analyze `chain`.
fn tls12_flight(chain: &[Vec<u8>]) -> Vec<u8> {
    let mut hello = vec![3, 3];
    hello.extend_from_slice(&[0x42; 32]); // server random
    hello.push(0); // empty session id
    hello.extend_from_slice(&[0xC0, 0x2F]);
    hello.push(0); // no compression
    let mut list = Vec::new();
    for cert in chain {
        list.extend_from_slice(&(cert.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(cert);
    }
    let mut certificate = (list.len() as u32).to_be_bytes()[1..].to_vec();
    certificate.extend(list);
    let mut kx = vec![3, 0x00, 0x1d, 32];
    kx.extend_from_slice(&[9u8; 32]); // an x25519 point
    kx.extend_from_slice(&[0x08, 0x04, 0, 64]); // rsa_pss_rsae_sha256, 64-byte signature
    kx.extend_from_slice(&[7u8; 64]);
    let mut body = handshake(2, &hello);
    body.extend(handshake(11, &certificate));
    body.extend(handshake(12, &kx));
    body.extend(handshake(14, &[]));
    records(22, [3, 3], &body)
}

/// Real certificates (a CA and a leaf for localhost), DER, from certgen.
fn real_chain() -> &'static [Vec<u8>] {
    static CHAIN: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CHAIN.get_or_init(|| {
        let text = r#"
            description = "fuzz seed chain"
            [certs.ca]
            subject_cn = "Fuzz CA"
            is_ca = true
            key = "rsa2048-1"
            [certs.server]
            subject_cn = "localhost"
            issuer = "ca"
            key = "p256-1"
            san = ["DNS:localhost", "IP:127.0.0.1"]
            [files]
            "server.der" = { certs = ["server"], encoding = "der" }
            "ca.der" = { certs = ["ca"], encoding = "der" }
        "#;
        let scenario = scenario::parse(std::path::Path::new("fuzz-seed.toml"), text)
            .expect("the seed scenario parses");
        let fixtures = certgen::generate(&scenario, time::OffsetDateTime::now_utc())
            .expect("the seed chain generates");
        ["server.der", "ca.der"]
            .iter()
            .map(|name| fixtures.files[*name].bytes.clone())
            .collect()
    })
}

/// A chain the fuzzer chose.
fn chain() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let flipped = (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<u8>(),
    )
        .prop_map(|(which, at, bits)| {
            let chain = real_chain();
            let mut cert = chain[which.index(chain.len())].clone();
            let i = at.index(cert.len());
            cert[i] ^= bits | 1;
            cert
        });
    let truncated =
        (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(which, at)| {
            let chain = real_chain();
            let cert = &chain[which.index(chain.len())];
            cert[..at.index(cert.len())].to_vec()
        });
    let one = prop_oneof![
        3 => flipped,
        2 => truncated,
        2 => Just(()).prop_map(|_| real_chain()[0].clone()),
        1 => Just(()).prop_map(|_| real_chain()[1].clone()),
        1 => prop::collection::vec(any::<u8>(), 0..300),
        1 => Just(Vec::new()),
    ];
    prop_oneof![
        4 => prop::collection::vec(one.clone(), 0..4),
        1 => one.clone().prop_map(|c| vec![c; 40]),
        1 => Just(()).prop_map(|_| vec![real_chain()[1].clone(); 3]),
        1 => Just(()).prop_map(|_| real_chain().iter().rev().cloned().collect()),
    ]
}

/// What the server sends once the client asked for TLS.
fn tls_phase() -> impl Strategy<Value = Vec<Act>> {
    let alert =
        (1u8..=2, any::<u8>()).prop_map(|(level, d)| Act::Send(records(21, [3, 3], &[level, d])));
    prop_oneof![
        4 => chain().prop_map(|c| vec![Act::Read(4096), Act::Send(tls12_flight(&c)), Act::Read(4096)]),
        1 => chain().prop_map(|c| {
            let flight = tls12_flight(&c);
            let cut = flight.len() / 2;
            vec![Act::Read(4096), Act::Send(flight[..cut].to_vec()), Act::Close]
        }),
        2 => alert.clone().prop_map(|a| vec![a]),
        2 => alert.prop_map(|a| vec![Act::Read(4096), a]),
        1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| vec![Act::Read(4096), Act::Send(b)]),
        1 => (any::<u8>(), any::<u16>()).prop_map(|(t, len)| {
            vec![Act::Read(4096), Act::Send(vec![t, 3, 3, (len >> 8) as u8, len as u8, 1, 2, 3])]
        }),
        1 => Just(vec![Act::Read(4096), Act::Close]),
        1 => Just(vec![Act::Read(4096), Act::Stall(2000)]),
    ]
}

/// A whole connection: first packet (sent at once, a byte at a time, or after a stall), then
/// the TLS phase after reading the SSLRequest.
fn connection() -> impl Strategy<Value = Vec<Act>> {
    let delivery = prop_oneof![8 => Just(0u8), 1 => Just(40u8), 1 => Just(200u8)];
    (first_packet(), delivery, tls_phase()).prop_map(|(first, drip, tls)| {
        let mut acts = if drip == 200 {
            vec![Act::Stall(2000), Act::Send(first)]
        } else if drip > 0 {
            vec![Act::Drip(first, drip)]
        } else {
            vec![Act::Send(first)]
        };
        acts.push(Act::Read(36));
        acts.extend(tls);
        acts
    })
}

async fn play(mut socket: TcpStream, acts: Arc<Vec<Act>>) {
    for act in acts.iter() {
        let ok = match act {
            Act::Send(bytes) => socket.write_all(bytes).await.is_ok(),
            Act::Drip(bytes, ms) => {
                let mut ok = true;
                for b in bytes {
                    if socket.write_all(&[*b]).await.is_err() {
                        ok = false;
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(u64::from(*ms))).await;
                }
                ok
            }
            Act::Read(n) => {
                let mut buf = vec![0u8; usize::from(*n)];
                let read = tokio::time::timeout(Duration::from_millis(500), socket.read(&mut buf));
                !matches!(read.await, Ok(Ok(0)) | Ok(Err(_)))
            }
            Act::Stall(ms) => {
                tokio::time::sleep(Duration::from_millis(u64::from(*ms))).await;
                true
            }
            Act::Close => false,
        };
        if !ok {
            return;
        }
    }
    // Hold the connection a moment, then close: the doctor's own deadlines must end it.
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// Serves `acts` on every connection to a fresh loopback port until dropped.
async fn hostile_server(acts: Vec<Act>) -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback listener");
    let port = listener.local_addr().expect("local address").port();
    let acts = Arc::new(acts);
    let task = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(play(socket, Arc::clone(&acts)));
        }
    });
    (port, task)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A raw control character (other than `\n` and `\t`) or bidi control in the doctor's text.
fn raw_control(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && !matches!(c, '\n' | '\t'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

fn diagnose(acts: Vec<Act>, probe_ciphers: bool) -> Result<(), TestCaseError> {
    runtime().block_on(async {
        let (port, server) = hostile_server(acts).await;
        let mut request = doctor::Request::new("127.0.0.1", port);
        request.timeout = TIMEOUT;
        request.probe_ciphers = probe_ciphers;
        request.server_name = Some("localhost".into());
        let started = Instant::now();
        let result = tokio::time::timeout(DIAGNOSIS_BOUND, doctor::diagnose(&request)).await;
        server.abort();
        let text = match result {
            Err(_) => {
                return Err(TestCaseError::fail(format!(
                    "the diagnosis hung for {:?}",
                    started.elapsed()
                )));
            }
            Ok(Ok(diagnosis)) => doctor::render_text(&diagnosis),
            Ok(Err(e)) => e.to_string(),
        };
        if let Some(c) = raw_control(&text) {
            return Err(TestCaseError::fail(format!("raw {c:?} in:\n{text}")));
        }
        Ok(())
    })
}

proptest! {
    #![proptest_config(config(150))]

    /// Any server, no cipher probing (three connections at most): a diagnosis or an error.
    #[test]
    fn hostile_servers_get_a_diagnosis_or_an_error(acts in connection()) {
        diagnose(acts, false)?;
    }
}

proptest! {
    #![proptest_config(config(12))]

    /// With cipher probing (twelve connections at most), still bounded.
    #[test]
    fn hostile_servers_with_cipher_probing_stay_bounded(acts in connection()) {
        diagnose(acts, true)?;
    }
}

/// The doctor's diagnosis of a server playing `acts` (per-phase timeout [`TIMEOUT`]).
fn diagnosis_of(acts: Vec<Act>, probe_ciphers: bool) -> Result<doctor::Diagnosis, doctor::Error> {
    runtime().block_on(async {
        let (port, server) = hostile_server(acts).await;
        let mut request = doctor::Request::new("127.0.0.1", port);
        request.timeout = TIMEOUT;
        request.probe_ciphers = probe_ciphers;
        let diagnosis = doctor::diagnose(&request).await;
        server.abort();
        diagnosis
    })
}

/// The generator reaches the chain analysis: a server sending the real chain in the crafted
/// TLS 1.2 flight gets it collected and described, leaf first.
#[test]
fn the_crafted_flight_delivers_its_chain_to_the_doctor() {
    let acts = vec![
        Act::Send(packet(0, &greeting(CLIENT_SSL | 0x0200, b"9.4.0"))),
        Act::Read(36),
        Act::Read(4096),
        Act::Send(tls12_flight(real_chain())),
        Act::Read(4096),
    ];
    let diagnosis = diagnosis_of(acts, false).expect("a diagnosis");
    let subjects: Vec<&str> = diagnosis.chain.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(subjects[0].contains("localhost"), "{subjects:?}");
    assert!(subjects[1].contains("Fuzz CA"), "{subjects:?}");
}

/// A server that greets, takes the SSLRequest and then never answers the ClientHello is named
/// after the first attempt: one handshake-failed cause, and no version or cipher probe waits
/// out the same bound again (12 attempts × the timeout before).
#[test]
fn a_server_stalling_in_tls_is_diagnosed_after_one_attempt() {
    let acts = vec![
        Act::Send(packet(0, &greeting(CLIENT_SSL | 0x0200, b"9.4.0"))),
        Act::Read(36),
        Act::Stall(5_000),
    ];
    let diagnosis = diagnosis_of(acts, true).expect("a diagnosis");
    // The probes were skipped: no version or suite was tried.
    assert!(diagnosis.tls_versions.is_empty() && diagnosis.cipher_suites.is_empty());
    let kinds: Vec<String> = diagnosis
        .causes
        .iter()
        .map(|c| format!("{:?}", c.cause))
        .collect();
    assert_eq!(kinds, ["HandshakeFailed"], "{kinds:?}");
    assert!(
        diagnosis.causes[0].evidence[0].contains("answers no TLS ClientHello"),
        "{:?}",
        diagnosis.causes[0].evidence
    );
}
