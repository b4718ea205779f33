//! The external driver contract (drivers/CONTRACT.md, drivers/contract.schema.json) for the Rust
//! drivers: the hello/cell/result lines and `serve`, the loop that answers each cell line on stdin
//! with one result line on stdout (`invalid_cell` for a line that is not a valid cell).

use std::collections::BTreeMap;
use std::error::Error;
use std::io::{self, BufRead, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The status query run after connecting; its rows are `(Variable_name, Value)`.
pub const STATUS_SQL: &str =
    "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')";

/// A client `--ssl-mode`, MySQL's spelling on the wire, plus `DEFAULT`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SslMode {
    Disabled,
    Preferred,
    Required,
    VerifyCa,
    VerifyIdentity,
    /// `DEFAULT`: the library with no TLS option of any kind (no mode, CA, client certificate,
    /// TLS version or CRL), whatever it does out of the box. Never `unsupported`.
    Default,
}

impl SslMode {
    /// All six: MySQL's five weakest first, then `DEFAULT`.
    pub const ALL: [SslMode; 6] = [
        SslMode::Disabled,
        SslMode::Preferred,
        SslMode::Required,
        SslMode::VerifyCa,
        SslMode::VerifyIdentity,
        SslMode::Default,
    ];
}

/// How a driver expresses one ssl-mode: `{"options": …}` or `{"unsupported": …}`.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "lowercase")]
pub enum ModeMapping {
    Options(String),
    Unsupported(String),
}

/// The driver's self-description, written once before any cell is read.
#[derive(Serialize, Clone, Debug)]
pub struct Hello {
    pub driver: String,
    pub version: String,
    pub runtime: String,
    pub modes: BTreeMap<SslMode, ModeMapping>,
}

/// One connection attempt (one line on stdin).
#[derive(Deserialize, Clone, Debug)]
pub struct Cell {
    pub id: u64,
    pub ssl_mode: SslMode,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    #[serde(default)]
    pub ca: Option<PathBuf>,
    #[serde(default)]
    pub cert: Option<PathBuf>,
    #[serde(default)]
    pub key: Option<PathBuf>,
    /// `cert` and `key` packed as PKCS#12 (drivers/CONTRACT.md); absent file: not packable.
    #[serde(default)]
    pub pkcs12: Option<PathBuf>,
    /// Password of `pkcs12`.
    #[serde(default)]
    pub pkcs12_password: Option<String>,
    #[serde(default)]
    pub crl: Option<PathBuf>,
    #[serde(default)]
    pub tls_version: Option<String>,
    pub timeout_ms: u64,
}

impl Cell {
    /// `timeout_ms` as a duration (at least 1 ms: a zero socket timeout is invalid).
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.timeout_ms.max(1))
    }

    /// `unsupported` for a CRL or a TLS version: options `library` cannot express. Never for
    /// `DEFAULT`, which uses no TLS option (the harness sends them null; a driver ignores them).
    pub fn unsupported_options(&self, library: &str) -> Option<Outcome> {
        if self.ssl_mode == SslMode::Default {
            return None;
        }
        if self.crl.is_some() {
            return Some(Outcome::unsupported(format!("{library} has no CRL option")));
        }
        if self.tls_version.is_some() {
            return Some(Outcome::unsupported(format!(
                "{library} has no TLS version option"
            )));
        }
        None
    }
}

/// What a driver answers for one cell (without the id, which `serve` adds).
#[derive(Serialize, Clone, Debug)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Connected {
        tls_version: Option<String>,
        cipher: Option<String>,
    },
    Failed {
        code: Option<u16>,
        sqlstate: Option<String>,
        message: String,
        raw_type: String,
    },
    Unsupported {
        reason: String,
    },
    /// The answer to a line that is not a valid cell (`serve` writes it; no attempt is made).
    InvalidCell {
        message: String,
    },
}

impl Outcome {
    pub fn unsupported(reason: impl Into<String>) -> Self {
        Outcome::Unsupported {
            reason: reason.into(),
        }
    }

    /// `connected` from `SHOW SESSION STATUS` rows; empty values (plaintext) become null.
    pub fn connected(rows: impl IntoIterator<Item = (String, String)>) -> Self {
        let (mut tls_version, mut cipher) = (None, None);
        for (name, value) in rows {
            let value = Some(value).filter(|v| !v.is_empty());
            match name.as_str() {
                "Ssl_version" => tls_version = value,
                "Ssl_cipher" => cipher = value,
                _ => {}
            }
        }
        Outcome::Connected {
            tls_version,
            cipher,
        }
    }

    /// `failed` with the message as it surfaced (see `message_with_sources`).
    pub fn failed(
        message: String,
        raw_type: impl Into<String>,
        code: Option<u16>,
        sqlstate: Option<String>,
    ) -> Self {
        Outcome::Failed {
            code,
            sqlstate,
            message,
            raw_type: raw_type.into(),
        }
    }

    /// `failed` without a library error value (a timeout, a panic).
    pub fn failed_text(message: impl Into<String>, raw_type: impl Into<String>) -> Self {
        Outcome::Failed {
            code: None,
            sqlstate: None,
            message: message.into(),
            raw_type: raw_type.into(),
        }
    }
}

/// `err`'s Display, then each `source()` whose text the message does not already contain,
/// joined with ": " (`outer: inner`), as the contract asks for nested causes.
pub fn message_with_sources(err: &(dyn Error + 'static)) -> String {
    append_sources(err.to_string(), err.source())
}

/// `message`, then `first` and its `source()` chain, each only if its text is not in the message
/// yet (for errors that expose their cause through a variant rather than `source()`).
pub fn append_sources(mut message: String, first: Option<&(dyn Error + 'static)>) -> String {
    let mut source = first;
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = cause.source();
    }
    message
}

#[derive(Serialize)]
struct ResultLine<'a> {
    id: u64,
    #[serde(flatten)]
    outcome: &'a Outcome,
}

/// The cell on `line`, or the answer to a line that is not a valid cell (drivers/CONTRACT.md,
/// invalid lines): the line's id when it is an object with an unsigned integer `id` (else 0)
/// and what is wrong with it, naming the field.
pub fn parse_cell(line: &[u8]) -> Result<Cell, (u64, String)> {
    let text = std::str::from_utf8(line).map_err(|_| (0, "not JSON: not UTF-8".to_owned()))?;
    let value: Value = serde_json::from_str(text).map_err(|e| (0, format!("not JSON: {e}")))?;
    let Value::Object(fields) = &value else {
        return Err((0, format!("not a JSON object: {value}")));
    };
    let id = fields.get("id").and_then(Value::as_u64).unwrap_or(0);
    for name in REQUIRED_FIELDS {
        if !fields.contains_key(name) {
            return Err((id, format!("missing field `{name}`")));
        }
    }
    for (name, field) in fields {
        if let Err(e) = check_field(name, field) {
            return Err((id, format!("field `{name}`: {e}")));
        }
    }
    serde_json::from_value(value).map_err(|e| (id, format!("not a cell: {e}")))
}

/// The fields a cell must have (drivers/contract.schema.json); the others may be absent (null).
const REQUIRED_FIELDS: [&str; 7] = [
    "id",
    "ssl_mode",
    "host",
    "port",
    "user",
    "password",
    "timeout_ms",
];

/// Whether `value` has the type of the cell's field `name` (unknown fields are ignored).
fn check_field(name: &str, value: &Value) -> Result<(), serde_json::Error> {
    match name {
        "id" | "timeout_ms" => u64::deserialize(value).map(drop),
        "port" => u16::deserialize(value).map(drop),
        "ssl_mode" => SslMode::deserialize(value).map(drop),
        "host" | "user" | "password" => String::deserialize(value).map(drop),
        "ca" | "cert" | "key" | "pkcs12" | "pkcs12_password" | "crl" | "tls_version" => {
            Option::<String>::deserialize(value).map(drop)
        }
        _ => Ok(()),
    }
}

/// Runs the contract: writes the hello line, then answers each cell line on stdin with the result
/// of `attempt`, flushing after every line. A panic inside `attempt` (a library bug) becomes a
/// `failed` result with raw type `panic`; a line that is not a valid cell gets an `invalid_cell`
/// answer (no attempt) and the loop reads on; blank lines get no answer. Returns an error (the
/// caller exits non-zero) only when stdin cannot be read or stdout is gone.
pub fn serve(hello: &Hello, mut attempt: impl FnMut(&Cell) -> Outcome) -> Result<(), String> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    write_line(&mut out, &serde_json::json!({ "hello": hello }))?;
    for line in io::stdin().lock().split(b'\n') {
        let line = line.map_err(|e| format!("reading stdin: {e}"))?;
        if String::from_utf8_lossy(&line).trim().is_empty() {
            continue;
        }
        let cell = match parse_cell(&line) {
            Ok(cell) => cell,
            Err((id, message)) => {
                eprintln!("{}: invalid cell line: {message}", hello.driver);
                let outcome = Outcome::InvalidCell { message };
                write_line(
                    &mut out,
                    &ResultLine {
                        id,
                        outcome: &outcome,
                    },
                )?;
                continue;
            }
        };
        let outcome =
            panic::catch_unwind(AssertUnwindSafe(|| attempt(&cell))).unwrap_or_else(|payload| {
                let text = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic with a non-string payload".to_string());
                Outcome::failed_text(text, "panic")
            });
        write_line(
            &mut out,
            &ResultLine {
                id: cell.id,
                outcome: &outcome,
            },
        )?;
    }
    Ok(())
}

fn write_line(out: &mut impl Write, value: &impl Serialize) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| format!("encoding a line: {e}"))?;
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| format!("writing stdout: {e}"))
}

/// `main` for a driver: `serve`, and when stdin or stdout fails a message on stderr and exit
/// status 2.
pub fn run(hello: &Hello, attempt: impl FnMut(&Cell) -> Outcome) -> std::process::ExitCode {
    match serve(hello, attempt) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{}: {message}", hello.driver);
            std::process::ExitCode::from(2)
        }
    }
}

/// A mapping table from the six `(mode, mapping)` pairs (MySQL's five and `DEFAULT`).
pub fn modes(entries: [(SslMode, ModeMapping); 6]) -> BTreeMap<SslMode, ModeMapping> {
    let table: BTreeMap<_, _> = entries.into_iter().collect();
    assert_eq!(
        table.len(),
        SslMode::ALL.len(),
        "the mapping table names each of the six ssl-modes once"
    );
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_match_the_schema_shapes() {
        let cell: Cell = serde_json::from_str(
            r#"{"id":3,"ssl_mode":"VERIFY_CA","host":"127.0.0.1","port":3306,"user":"u","password":"p",
                "ca":"/ca.pem","cert":null,"key":null,"crl":null,"tls_version":null,"timeout_ms":10}"#,
        )
        .expect("a cell");
        assert_eq!(cell.ssl_mode, SslMode::VerifyCa);
        let failed = Outcome::failed_text("m", "t");
        let line = serde_json::to_string(&ResultLine {
            id: 3,
            outcome: &failed,
        })
        .expect("json");
        assert_eq!(
            line,
            r#"{"id":3,"outcome":"failed","code":null,"sqlstate":null,"message":"m","raw_type":"t"}"#
        );
        let table = modes([
            (SslMode::VerifyIdentity, ModeMapping::Options("o".into())),
            (SslMode::Disabled, ModeMapping::Unsupported("u".into())),
            (SslMode::Preferred, ModeMapping::Options("o".into())),
            (SslMode::Required, ModeMapping::Options("o".into())),
            (SslMode::VerifyCa, ModeMapping::Options("o".into())),
            (SslMode::Default, ModeMapping::Options("d".into())),
        ]);
        let text = serde_json::to_string(&table).expect("json");
        assert!(
            text.starts_with(r#"{"DISABLED":{"unsupported":"u"},"PREFERRED""#),
            "{text}"
        );
        assert!(text.ends_with(r#""DEFAULT":{"options":"d"}}"#), "{text}");
    }

    #[test]
    fn invalid_lines_are_answered_with_their_id_or_zero() {
        let cell = |text: &str| parse_cell(text.as_bytes()).map(|c| c.id);
        let full = r#"{"id":4,"ssl_mode":"DISABLED","host":"h","port":1,"user":"u","password":"p","timeout_ms":9,"extra":true}"#;
        assert_eq!(
            cell(full),
            Ok(4),
            "optional fields may be absent, unknown ones are ignored"
        );
        assert!(matches!(cell("not json"), Err((0, m)) if m.starts_with("not JSON")));
        assert!(matches!(cell("[1]"), Err((0, m)) if m.starts_with("not a JSON object")));
        assert!(matches!(parse_cell(b"\xff"), Err((0, m)) if m.contains("UTF-8")));
        assert!(
            matches!(cell(&full.replace(r#""ssl_mode":"DISABLED","#, "")),
            Err((4, m)) if m == "missing field `ssl_mode`")
        );
        assert!(matches!(cell(&full.replace(r#""id":4"#, r#""id":-4"#)),
            Err((0, m)) if m.starts_with("field `id`")));
        assert!(
            matches!(cell(&full.replace(r#""port":1"#, r#""port":70000"#)),
            Err((4, m)) if m.starts_with("field `port`"))
        );
        assert!(
            matches!(cell(&full.replace(r#""host":"h""#, r#""host":null"#)),
            Err((4, m)) if m.starts_with("field `host`"))
        );
        assert!(matches!(cell(&full.replace("DISABLED", "BOGUS")),
            Err((4, m)) if m.starts_with("field `ssl_mode`")));
        let mut default =
            parse_cell(full.replace("DISABLED", "DEFAULT").as_bytes()).expect("DEFAULT");
        assert_eq!(default.ssl_mode, SslMode::Default);
        default.crl = Some("/crl.pem".into());
        default.tls_version = Some("TLSv1.2".into());
        assert!(
            default.unsupported_options("lib").is_none(),
            "DEFAULT is never unsupported"
        );
        let line = serde_json::to_string(&ResultLine {
            id: 0,
            outcome: &Outcome::InvalidCell {
                message: "m".into(),
            },
        })
        .expect("json");
        assert_eq!(line, r#"{"id":0,"outcome":"invalid_cell","message":"m"}"#);
    }
}
