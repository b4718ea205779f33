//! X.509 vocabulary used by certificate specs, spelled as OpenSSL spells it
//! (`keyCertSign`, `serverAuth`, `sha256`), so a scenario reads like `openssl x509 -text`.

use serde::{Deserialize, Serialize};

/// A `keyUsage` bit (RFC 5280 §4.2.1.3).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub enum KeyUsage {
    DigitalSignature,
    ContentCommitment,
    KeyEncipherment,
    DataEncipherment,
    KeyAgreement,
    KeyCertSign,
    CRLSign,
    EncipherOnly,
    DecipherOnly,
}

/// An `extendedKeyUsage` purpose (RFC 5280 §4.2.1.12).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub enum ExtendedKeyUsage {
    ServerAuth,
    ClientAuth,
    CodeSigning,
    EmailProtection,
    TimeStamping,
    OCSPSigning,
}

/// Hash of the issuer's signature over a certificate. `sha1` and `md5` exist to express the
/// weak-signature defect (rejected by OpenSSL at security level ≥ 1 and 0 respectively).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum SignatureHash {
    #[default]
    Sha256,
    Sha384,
    Sha512,
    Sha1,
    Md5,
}

/// X.509 certificate version. `1` has no extensions at all (no SAN, no basicConstraints).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum X509Version {
    /// Version 1 (RFC 1422 era): subject, issuer, validity, key; nothing else.
    V1,
    /// Version 3 with extensions.
    #[default]
    V3,
}

impl TryFrom<u8> for X509Version {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        match v {
            1 => Ok(X509Version::V1),
            3 => Ok(X509Version::V3),
            other => Err(format!(
                "X.509 version {other} is not supported; use 1 or 3"
            )),
        }
    }
}

impl From<X509Version> for u8 {
    fn from(v: X509Version) -> u8 {
        match v {
            X509Version::V1 => 1,
            X509Version::V3 => 3,
        }
    }
}

impl schemars::JsonSchema for X509Version {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "X509Version".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "integer", "enum": [1, 3], "description": "X.509 version, 1 or 3" })
    }
}
