//! What rcgen cannot emit, made by re-encoding its output with RustCrypto's `x509-cert`:
//! X.509 version 1 certificates (no extensions) and SHA-1/MD5 RSA signatures. The TBS is
//! changed, then re-signed by the issuer's key; no hand-written ASN.1.

use crate::keys::Signer;
use scenario::{SignatureHash, X509Version};
use x509_cert::{
    Certificate,
    certificate::Version,
    der::{
        Decode as _, Encode as _,
        asn1::{BitString, Null},
        oid::ObjectIdentifier,
    },
    spki::AlgorithmIdentifierOwned,
};

const SHA1_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
const MD5_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.4");

/// Whether a certificate with this version and hash needs rewriting after rcgen.
pub(crate) fn needed(version: X509Version, hash: SignatureHash) -> bool {
    version == X509Version::V1 || matches!(hash, SignatureHash::Sha1 | SignatureHash::Md5)
}

/// Re-encodes `der` as `version` with a `hash` signature by `issuer`. Errors are messages for
/// [`crate::Error::Rewrite`].
pub(crate) fn rewrite(
    der: &[u8],
    version: X509Version,
    hash: SignatureHash,
    issuer: &Signer,
) -> Result<Vec<u8>, String> {
    let weak = matches!(hash, SignatureHash::Sha1 | SignatureHash::Md5);
    if weak && !matches!(issuer, Signer::Rsa { .. }) {
        return Err(format!("{hash:?} signatures need an RSA issuer key"));
    }
    let mut cert = Certificate::from_der(der).map_err(|e| format!("decoding rcgen output: {e}"))?;
    if version == X509Version::V1 {
        cert.tbs_certificate.version = Version::V1;
        cert.tbs_certificate.extensions = None;
        cert.tbs_certificate.issuer_unique_id = None;
        cert.tbs_certificate.subject_unique_id = None;
    }
    let weak_oid = match hash {
        SignatureHash::Sha1 => Some(SHA1_WITH_RSA),
        SignatureHash::Md5 => Some(MD5_WITH_RSA),
        _ => None,
    };
    if let Some(oid) = weak_oid {
        let alg = AlgorithmIdentifierOwned {
            oid,
            parameters: Some(Null.into()),
        };
        cert.tbs_certificate.signature = alg.clone();
        cert.signature_algorithm = alg;
    }
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| format!("encoding TBS: {e}"))?;
    let sig = issuer
        .sign_with(&tbs, hash)
        .ok_or_else(|| format!("the issuer key cannot sign with {hash:?}"))?;
    cert.signature = BitString::from_bytes(&sig).map_err(|e| format!("signature bits: {e}"))?;
    cert.to_der()
        .map_err(|e| format!("encoding certificate: {e}"))
}
