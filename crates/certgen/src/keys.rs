//! The committed test keys (see `test-keys/README.md`): public test material, never real keys.

/// `(name, PKCS#8 PEM)` of every committed test key; scenario files refer to them by name.
pub const TEST_KEYS: &[(&str, &str)] = &[
    ("rsa2048-1", include_str!("../test-keys/rsa2048-1.pem")),
    ("rsa2048-2", include_str!("../test-keys/rsa2048-2.pem")),
    ("rsa2048-3", include_str!("../test-keys/rsa2048-3.pem")),
    ("rsa2048-4", include_str!("../test-keys/rsa2048-4.pem")),
    ("rsa2048-5", include_str!("../test-keys/rsa2048-5.pem")),
    ("rsa2048-6", include_str!("../test-keys/rsa2048-6.pem")),
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
