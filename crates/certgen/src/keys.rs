//! The committed test keys (see `test-keys/README.md`): public test material, never real keys.
//! Each key becomes a [`Signer`] that rcgen can sign with. Signing is deterministic for every
//! key type: RSA PKCS#1 v1.5 (RustCrypto `rsa`, any size, also SHA-1/MD5), ECDSA P-256 with
//! RFC 6979 nonces (RustCrypto `p256`), Ed25519 (ring via rcgen).

use p256::pkcs8::DecodePrivateKey as _;
use rcgen::{
    KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ED25519, PKCS_RSA_SHA256, PKCS_RSA_SHA384,
    PKCS_RSA_SHA512, PublicKeyData, SignatureAlgorithm, SigningKey,
};
use rsa::{
    pkcs1::EncodeRsaPublicKey as _,
    pkcs1v15,
    signature::{SignatureEncoding as _, Signer as _},
};
use scenario::SignatureHash;

/// `(name, PKCS#8 PEM)` of every committed test key; scenario files refer to them by name.
pub const TEST_KEYS: &[(&str, &str)] = &[
    ("ed25519-1", include_str!("../test-keys/ed25519-1.pem")),
    ("p256-1", include_str!("../test-keys/p256-1.pem")),
    ("rsa1024-1", include_str!("../test-keys/rsa1024-1.pem")),
    ("rsa2048-1", include_str!("../test-keys/rsa2048-1.pem")),
    ("rsa2048-2", include_str!("../test-keys/rsa2048-2.pem")),
    ("rsa2048-3", include_str!("../test-keys/rsa2048-3.pem")),
    ("rsa2048-4", include_str!("../test-keys/rsa2048-4.pem")),
    ("rsa2048-5", include_str!("../test-keys/rsa2048-5.pem")),
    ("rsa2048-6", include_str!("../test-keys/rsa2048-6.pem")),
    ("rsa4096-1", include_str!("../test-keys/rsa4096-1.pem")),
    ("rsa512-1", include_str!("../test-keys/rsa512-1.pem")),
];

/// The PKCS#8 PEM of test key `name`, or `None` if there is no such key.
pub fn test_key_pem(name: &str) -> Option<&'static str> {
    TEST_KEYS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, pem)| *pem)
}

/// Comma-separated key names, for error messages.
pub(crate) fn available() -> String {
    TEST_KEYS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A test key able to sign certificates and CRLs for rcgen, with a chosen hash for RSA.
pub(crate) enum Signer {
    Rsa {
        key: rsa::RsaPrivateKey,
        public: Vec<u8>,
        hash: SignatureHash,
    },
    P256 {
        key: p256::ecdsa::SigningKey,
        public: Vec<u8>,
    },
    Ed25519(KeyPair),
}

impl Signer {
    /// Loads test key `name`; `None` if unknown or unparsable. `hash` selects the RSA
    /// signature hash (SHA-1/MD5 make rcgen emit a SHA-256 placeholder that
    /// [`crate::rewrite`] replaces).
    pub(crate) fn load(name: &str, hash: SignatureHash) -> Option<Signer> {
        let pem = test_key_pem(name)?;
        if let Ok(key) = rsa::RsaPrivateKey::from_pkcs8_pem(pem) {
            let public = key.to_public_key().to_pkcs1_der().ok()?.as_bytes().to_vec();
            return Some(Signer::Rsa { key, public, hash });
        }
        if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_pem(pem) {
            let public = key
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec();
            return Some(Signer::P256 { key, public });
        }
        KeyPair::from_pem_and_sign_algo(pem, &PKCS_ED25519)
            .ok()
            .map(Signer::Ed25519)
    }

    /// Signs `msg` with `hash` (RSA: any; P-256: SHA-256 only; Ed25519: its own). `None` when
    /// the key type cannot sign with that hash.
    pub(crate) fn sign_with(&self, msg: &[u8], hash: SignatureHash) -> Option<Vec<u8>> {
        match self {
            Signer::Rsa { key, .. } => Some(match hash {
                SignatureHash::Sha256 => pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone())
                    .sign(msg)
                    .to_vec(),
                SignatureHash::Sha384 => pkcs1v15::SigningKey::<sha2::Sha384>::new(key.clone())
                    .sign(msg)
                    .to_vec(),
                SignatureHash::Sha512 => pkcs1v15::SigningKey::<sha2::Sha512>::new(key.clone())
                    .sign(msg)
                    .to_vec(),
                SignatureHash::Sha1 => pkcs1v15::SigningKey::<sha1::Sha1>::new(key.clone())
                    .sign(msg)
                    .to_vec(),
                SignatureHash::Md5 => pkcs1v15::SigningKey::<md5::Md5>::new(key.clone())
                    .sign(msg)
                    .to_vec(),
            }),
            Signer::P256 { key, .. } if hash == SignatureHash::Sha256 => {
                let sig: p256::ecdsa::Signature = key.sign(msg);
                Some(sig.to_der().as_bytes().to_vec())
            }
            Signer::Ed25519(pair) if hash == SignatureHash::Sha256 => pair.sign(msg).ok(),
            _ => None,
        }
    }

    /// Key type and size for the manifest, e.g. `RSA-2048`, `P-256`, `Ed25519`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Signer::Rsa { key, .. } => {
                format!("RSA-{}", rsa::traits::PublicKeyParts::size(key) * 8)
            }
            Signer::P256 { .. } => "P-256".into(),
            Signer::Ed25519(_) => "Ed25519".into(),
        }
    }
}

impl PublicKeyData for Signer {
    fn der_bytes(&self) -> &[u8] {
        match self {
            Signer::Rsa { public, .. } | Signer::P256 { public, .. } => public,
            Signer::Ed25519(pair) => pair.der_bytes(),
        }
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self {
            Signer::Rsa {
                hash: SignatureHash::Sha384,
                ..
            } => &PKCS_RSA_SHA384,
            Signer::Rsa {
                hash: SignatureHash::Sha512,
                ..
            } => &PKCS_RSA_SHA512,
            Signer::Rsa { .. } => &PKCS_RSA_SHA256,
            Signer::P256 { .. } => &PKCS_ECDSA_P256_SHA256,
            Signer::Ed25519(_) => &PKCS_ED25519,
        }
    }
}

impl SigningKey for Signer {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let hash = match self {
            Signer::Rsa {
                hash: h @ (SignatureHash::Sha384 | SignatureHash::Sha512),
                ..
            } => *h,
            _ => SignatureHash::Sha256,
        };
        self.sign_with(msg, hash)
            .ok_or(rcgen::Error::RingUnspecified)
    }
}
