//! A verdict per cell: the outcome against what the ssl-mode promises, given the facts.

use crate::{
    contract::{Contract, Promise, TlsPromise},
    facts::{Facts, Policy},
};
use outcome::Outcome;
use scenario::SslMode;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The promise an insecure connection broke.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Broken {
    /// Plaintext where the mode promises TLS (REQUIRED or stricter, or PREFERRED when the
    /// server offers TLS).
    Plaintext,
    /// A chain that does not verify to the client's CA, under VERIFY_CA or stricter.
    Chain,
    /// A certificate for another name, under VERIFY_IDENTITY.
    Name,
    /// A TLS version the client was told not to use (`--tls-version`), offered by an
    /// attacker in the middle (`[attack] kind = "downgrade"`).
    Version,
}

impl Broken {
    /// Kebab-case name, as in the reviewed-violations file.
    pub fn as_str(self) -> &'static str {
        match self {
            Broken::Plaintext => "plaintext",
            Broken::Chain => "chain",
            Broken::Name => "name",
            Broken::Version => "version",
        }
    }
}

/// How a cell's outcome measures against its ssl-mode's promise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// What the mode promises happened: connected as promised, or refused where it promises a
    /// refusal.
    Conforms,
    /// Connected where the mode promises a refusal, or with less protection than it promises.
    Insecure {
        /// The promise broken.
        broken: Broken,
        /// What happened, e.g. `connected with TLS although the chain is invalid (expired: server)`.
        why: String,
    },
    /// Refused (or hung) where the mode promises a connection, with no policy to explain it;
    /// or TLS where DISABLED promises none.
    Strict {
        /// What happened.
        why: String,
    },
    /// Refused where the mode promises a connection, but a named, sound policy explains it.
    Policy {
        /// The policies that apply.
        policies: Vec<Policy>,
    },
    /// The client has no equivalent of the mode (`unsupported`), no documented DEFAULT, or no
    /// implementation of the server's authentication plugin (error 1251).
    NotApplicable,
    /// The server let in a login the facts say it refuses: the facts are wrong, not the client.
    FactsContradicted {
        /// What happened.
        why: String,
    },
}

impl Verdict {
    /// Short kebab-case class: `conforms`, `insecure`, `strict`, `policy`, `not-applicable`,
    /// `facts-contradicted`.
    pub fn class(&self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::Insecure { .. } => "insecure",
            Verdict::Strict { .. } => "strict",
            Verdict::Policy { .. } => "policy",
            Verdict::NotApplicable => "not-applicable",
            Verdict::FactsContradicted { .. } => "facts-contradicted",
        }
    }
}

impl fmt::Display for Verdict {
    /// The snapshot column: `conforms`, `VIOLATION · insecure · chain`, `violation · strict`,
    /// `stricter by policy · weak-key`, `not applicable`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Conforms => f.write_str("conforms"),
            Verdict::Insecure { broken, .. } => {
                write!(f, "VIOLATION · insecure · {}", broken.as_str())
            }
            Verdict::Strict { .. } => f.write_str("violation · strict"),
            Verdict::Policy { policies } => {
                let names: Vec<&str> = policies.iter().map(|p| p.as_str()).collect();
                write!(f, "stricter by policy · {}", names.join(", "))
            }
            Verdict::NotApplicable => f.write_str("not applicable"),
            Verdict::FactsContradicted { .. } => f.write_str("facts contradicted"),
        }
    }
}

/// What the promise of a mode expects in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    /// A login, over TLS or not.
    Connect { tls: bool },
    /// A refusal by the client, keeping this promise.
    ClientRefuses(Broken, String),
    /// A refusal by the server (it demands TLS or a client certificate, or no TLS version or
    /// suite is common).
    ServerRefuses,
}

/// What an interposer saw the client send during one cell: the evidence an attack succeeded
/// even when the login then failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exposure {
    /// A HandshakeResponse (user name, auth data) crossed the wire in plaintext.
    pub login_in_plaintext: bool,
    /// The client completed TLS with the interposer's own chain and sent its login inside.
    pub login_to_interposer: bool,
}

/// [`judge`] with what an interposer saw: a login sent in plaintext where the mode promises
/// TLS, or sent over TLS to a chain or name the mode promises to refuse, is an insecure
/// violation whatever the outcome (the attacker has the login; CVE-2017-3305 "Riddle" shows
/// the user an attacker's error after it). Under a network fault (`facts.fault`) a client
/// that did not connect is not applicable: no mode promises a connection over a broken
/// network.
pub fn judge_exposed(
    contract: &Contract,
    facts: &Facts,
    client: &str,
    mode: SslMode,
    outcome: &Outcome,
    exposure: Exposure,
) -> Verdict {
    let base = judge(contract, facts, client, mode, outcome);
    if matches!(base, Verdict::NotApplicable | Verdict::Insecure { .. }) {
        return base;
    }
    let Some((promise, system_store)) = promise_of(contract, client, mode) else {
        return base;
    };
    if exposure.login_in_plaintext && promise.tls == TlsPromise::Always {
        return Verdict::Insecure {
            broken: Broken::Plaintext,
            why:
                "sent its login (user name, auth data) in plaintext although the mode promises TLS"
                    .into(),
        };
    }
    if exposure.login_to_interposer
        && let Expect::ClientRefuses(broken @ (Broken::Chain | Broken::Name), why) =
            expect(&promise, facts, mode.takes_tls_options(), system_store)
    {
        let reason = why
            .strip_prefix("connected with TLS although ")
            .unwrap_or(&why);
        return Verdict::Insecure {
            broken,
            why: format!("sent its login inside the interposer's TLS although {reason}"),
        };
    }
    if facts.downgraded
        && mode.takes_tls_options()
        && !facts.common_tls_version
        && matches!(outcome, Outcome::Connected { tls: Some(_) })
    {
        return Verdict::Insecure {
            broken: Broken::Version,
            why: "accepted the older TLS version an attacker offered, outside its --tls-version"
                .into(),
        };
    }
    if facts.fault && !matches!(outcome, Outcome::Connected { .. }) {
        return Verdict::NotApplicable;
    }
    base
}

/// The verdict of `outcome` for `client` in `mode` under `contract`, given `facts`.
///
/// DEFAULT is judged as the client's documented default ([`Contract::default_for`]), with
/// the system trust store as its anchors (no CA is given, and the store holds none of the
/// scenario's CAs); a client without a documented default is not applicable there.
pub fn judge(
    contract: &Contract,
    facts: &Facts,
    client: &str,
    mode: SslMode,
    outcome: &Outcome,
) -> Verdict {
    if matches!(outcome, Outcome::Unsupported { .. }) || lacks_auth_plugin(outcome) {
        return Verdict::NotApplicable;
    }
    let Some((promise, system_store)) = promise_of(contract, client, mode) else {
        return Verdict::NotApplicable;
    };
    let options = mode.takes_tls_options();
    let expect = expect(&promise, facts, options, system_store);
    let policies = || relevant_policies(facts, &promise, options);
    match (expect, outcome) {
        (_, Outcome::Unsupported { .. }) => Verdict::NotApplicable,
        (Expect::Connect { tls }, Outcome::Connected { tls: got }) => match (tls, got) {
            (true, Some(_)) | (false, None) => Verdict::Conforms,
            (true, None) => Verdict::Insecure {
                broken: Broken::Plaintext,
                why: "connected in plaintext although the server offers TLS".into(),
            },
            (false, Some(_)) => Verdict::Strict {
                why: "connected with TLS although the mode promises none".into(),
            },
        },
        (Expect::Connect { .. }, Outcome::Failed { .. } | Outcome::Hang { .. }) => {
            let policies = policies();
            if policies.is_empty() {
                Verdict::Strict {
                    why: "refused although the mode promises a connection".into(),
                }
            } else {
                Verdict::Policy { policies }
            }
        }
        (Expect::ClientRefuses(broken, why), Outcome::Connected { tls }) => {
            // Only TLS-always promises expect a client refusal; plaintext while the server
            // offers TLS breaks the TLS promise before any chain or name one.
            if tls.is_none() && facts.server_tls {
                Verdict::Insecure {
                    broken: Broken::Plaintext,
                    why: "connected in plaintext although the mode promises TLS".into(),
                }
            } else {
                Verdict::Insecure { broken, why }
            }
        }
        (Expect::ServerRefuses, Outcome::Connected { tls }) => {
            if tls.is_some() && promise.tls == TlsPromise::Never {
                Verdict::Strict {
                    why: "connected with TLS although the mode promises none".into(),
                }
            } else if tls.is_none() && promise.tls == TlsPromise::Always {
                Verdict::Insecure {
                    broken: Broken::Plaintext,
                    why: "connected in plaintext although the mode promises TLS".into(),
                }
            } else {
                Verdict::FactsContradicted {
                    why: "the server accepted a login the facts say it refuses".into(),
                }
            }
        }
        (
            Expect::ClientRefuses(..) | Expect::ServerRefuses,
            Outcome::Failed { .. } | Outcome::Hang { .. },
        ) => Verdict::Conforms,
    }
}

/// The promise `client` makes in `mode`, and whether its anchors are the system trust store:
/// DEFAULT is the client's documented default ([`Contract::default_for`]) with no CA given;
/// `None` for a DEFAULT the contract does not document.
fn promise_of(contract: &Contract, client: &str, mode: SslMode) -> Option<(Promise, bool)> {
    match mode {
        SslMode::Default => contract
            .default_for(client)
            .map(|equivalent| (contract.promise(equivalent), true)),
        mode => Some((contract.promise(mode), false)),
    }
}

/// Error 1251 `ER_NOT_SUPPORTED_AUTH_MODE` (mysqld_error.h): the client has no
/// implementation of the account's authentication plugin (mysqljs and `caching_sha2_password`),
/// so it cannot log in to this server in any mode and the TLS promise cannot be judged.
fn lacks_auth_plugin(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Failed {
            code: Some(1251),
            ..
        }
    )
}

/// The outcome `promise` expects given `facts`; `options`: the mode hands the client the
/// scenario's TLS options (CA, certificate, version); `system_store`: no CA is given.
fn expect(promise: &Promise, facts: &Facts, options: bool, system_store: bool) -> Expect {
    let versions_meet = !options || facts.common_tls_version;
    let identity_refused = facts.identity_required && !(options && facts.identity_accepted);
    match promise.tls {
        TlsPromise::Never => {
            if facts.plaintext_refused {
                Expect::ServerRefuses
            } else {
                Expect::Connect { tls: false }
            }
        }
        TlsPromise::IfOffered => {
            if facts.server_tls {
                if !versions_meet || identity_refused {
                    Expect::ServerRefuses
                } else {
                    Expect::Connect { tls: true }
                }
            } else if facts.plaintext_refused {
                Expect::ServerRefuses
            } else {
                Expect::Connect { tls: false }
            }
        }
        TlsPromise::Always => {
            if !facts.server_tls {
                return Expect::ClientRefuses(
                    Broken::Plaintext,
                    "connected in plaintext: the server offers no TLS and the mode promises TLS or no connection".into(),
                );
            }
            if !versions_meet {
                return Expect::ServerRefuses;
            }
            if promise.verify_chain && (system_store || !facts.chain.is_valid()) {
                let why = if system_store {
                    crate::facts::ChainDefect::SystemTrustStore.to_string()
                } else {
                    facts_chain(facts)
                };
                return Expect::ClientRefuses(
                    Broken::Chain,
                    format!("connected with TLS although the chain does not verify ({why})"),
                );
            }
            if promise.verify_name && !facts.name.matches() {
                return Expect::ClientRefuses(
                    Broken::Name,
                    format!(
                        "connected with TLS although the certificate does not name {}",
                        facts.host
                    ),
                );
            }
            if identity_refused {
                return Expect::ServerRefuses;
            }
            Expect::Connect { tls: true }
        }
    }
}

fn facts_chain(facts: &Facts) -> String {
    match &facts.chain {
        crate::facts::ChainFact::Invalid { defects } => defects
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        crate::facts::ChainFact::Valid { .. } => "valid".into(),
    }
}

/// The policies of `facts` that may explain a refusal under `promise`: those a TLS stack
/// applies before or without verification (key size, signature hash — TLS 1.3 servers pick a
/// certificate by the client's `signature_algorithms_cert` —, X.509 v1, which webpki cannot
/// parse at all, TLS version, suites, the client's own files) wherever TLS is attempted; the
/// trust anchor's own checks only where the chain is verified; `cn-only` only where the name is.
fn relevant_policies(facts: &Facts, promise: &Promise, options: bool) -> Vec<Policy> {
    if promise.tls == TlsPromise::Never || !facts.server_tls {
        return Vec::new();
    }
    facts
        .policies
        .iter()
        .copied()
        .filter(|p| match p {
            Policy::WeakKey
            | Policy::WeakSignature
            | Policy::X509V1
            | Policy::LegacyTlsVersion
            | Policy::SuiteRestriction => true,
            Policy::ClientFileFormat | Policy::ClientFileUnusable => options,
            Policy::TrustAnchorChecks => promise.verify_chain,
            Policy::CnOnly => promise.verify_name,
        })
        .collect()
}
