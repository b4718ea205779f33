//! The ssl-mode contract as data (`crates/verdict/contract.toml`): what each mode promises,
//! with the MySQL manual's words and where the manual is ambiguous, the policies that may
//! explain a refusal, and each client's documented DEFAULT.

use crate::facts::Policy;
use scenario::SslMode;
use serde::Deserialize;
use std::{collections::BTreeMap, sync::OnceLock};

/// The contract file, compiled in.
pub const CONTRACT_TOML: &str = include_str!("../contract.toml");

/// Whether a mode promises TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsPromise {
    /// DISABLED: plaintext only.
    Never,
    /// PREFERRED: TLS when the server offers it, else plaintext.
    IfOffered,
    /// REQUIRED and stricter: TLS or no connection.
    Always,
}

/// One mode's promise.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Promise {
    /// TLS never, when offered, or always.
    pub tls: TlsPromise,
    /// The chain must verify to the given CA (dates, constraints, signatures, revocation
    /// when a CRL is given).
    pub verify_chain: bool,
    /// The dialled host must match the certificate.
    pub verify_name: bool,
    /// The promise in one line.
    pub summary: String,
    /// Where the manual says it (URL with anchor).
    pub source: String,
    /// The manual's words.
    pub quote: String,
}

/// A named policy that explains a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyText {
    /// What it is and why it is sound.
    pub summary: String,
    /// The document that states it.
    pub source: String,
}

/// A client's documented behaviour with no TLS option at all.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultMode {
    /// Client name as in the matrix, e.g. `mysql-cli`.
    pub client: String,
    /// The mode its documentation makes the default.
    pub mode: SslMode,
    /// The document, with the words in `quote`.
    pub source: String,
    /// What the document says.
    pub quote: String,
}

/// Where the manual can be read two ways, and the reading the judge takes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ambiguity {
    /// The question.
    pub question: String,
    /// The reading taken, and why.
    pub reading: String,
}

/// The whole contract.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// The five modes by name (`DISABLED` … `VERIFY_IDENTITY`).
    pub mode: BTreeMap<String, Promise>,
    /// Policies by kebab-case name.
    pub policy: BTreeMap<String, PolicyText>,
    /// Documented defaults, one per client.
    #[serde(default)]
    pub default: Vec<DefaultMode>,
    /// Readings taken where the manual is ambiguous.
    #[serde(default)]
    pub ambiguity: Vec<Ambiguity>,
}

/// Errors of [`Contract::parse`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// Not valid TOML for the contract's shape.
    #[error("contract.toml: {0}")]
    Toml(#[from] toml::de::Error),
    /// A mode or policy is missing or DEFAULT is given a promise.
    #[error("contract.toml: {0}")]
    Incomplete(String),
}

impl Contract {
    /// The compiled-in contract, parsed once.
    ///
    /// Panics only if `contract.toml` is broken, which the crate's tests rule out.
    #[allow(clippy::expect_used)]
    pub fn builtin() -> &'static Contract {
        static CONTRACT: OnceLock<Contract> = OnceLock::new();
        CONTRACT.get_or_init(|| Contract::parse(CONTRACT_TOML).expect("contract.toml is valid"))
    }

    /// Parses and checks a contract: all five modes, every [`Policy`], no DEFAULT promise.
    pub fn parse(text: &str) -> Result<Contract, ContractError> {
        let contract: Contract = toml::from_str(text)?;
        for mode in SslMode::ALL {
            let has = contract.mode.contains_key(mode.as_str());
            if has == (mode == SslMode::Default) {
                return Err(ContractError::Incomplete(format!(
                    "[mode.{mode}] {}",
                    if has {
                        "must not exist: DEFAULT is judged by [[default]]"
                    } else {
                        "is missing"
                    }
                )));
            }
        }
        for policy in Policy::ALL {
            if !contract.policy.contains_key(policy.as_str()) {
                return Err(ContractError::Incomplete(format!(
                    "[policy.{policy}] is missing"
                )));
            }
        }
        for d in &contract.default {
            if d.mode == SslMode::Default {
                return Err(ContractError::Incomplete(format!(
                    "[[default]] {}: give one of the five modes",
                    d.client
                )));
            }
        }
        Ok(contract)
    }

    /// The promise of `mode` (one of the five; DEFAULT maps through [`Contract::default_for`]).
    ///
    /// Panics for DEFAULT, which has no promise of its own.
    #[allow(clippy::expect_used)]
    pub fn promise(&self, mode: SslMode) -> Promise {
        self.mode
            .get(mode.as_str())
            .cloned()
            .expect("parse checked all five modes")
    }

    /// The mode `client`'s documentation makes its default.
    pub fn default_for(&self, client: &str) -> Option<SslMode> {
        self.default
            .iter()
            .find(|d| d.client == client)
            .map(|d| d.mode)
    }
}
