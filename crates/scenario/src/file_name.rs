//! File names a scenario gives (`[files]` keys, `server.ssl_*`, `client.ca/cert/key/crl`) name
//! files inside one fixture directory, and nothing else: no separators, no `..`, nothing a
//! shell or a command line could read as more than a name. Writers check again
//! ([`is_plain_file_name`]) so a bypassed validation still cannot write outside their directory.

/// Fixture file name reserved for the client's PKCS#12 bundle of `client.cert` and
/// `client.key`, which the harness derives for clients that take an identity only that way.
pub const PKCS12_FILE: &str = "client-identity.p12";

/// Longest file name accepted, in bytes (Linux's `NAME_MAX`).
pub const FILE_NAME_MAX: usize = 255;

/// Whether `name` is a plain file name: 1 to [`FILE_NAME_MAX`] bytes of `A–Z a–z 0–9 . _ -`,
/// not `.` or `..`, not starting with `-` (which a command line would read as an option).
pub fn is_plain_file_name(name: &str) -> bool {
    file_name_problem(name).is_none()
}

/// What is wrong with `name` as a plain file name, with the fix, or `None` when it is one.
pub(crate) fn file_name_problem(name: &str) -> Option<String> {
    let problem = if name.is_empty() {
        "an empty file name"
    } else if name.len() > FILE_NAME_MAX {
        "longer than 255 bytes"
    } else if name == "." || name == ".." {
        "`.` and `..` name directories"
    } else if name.contains('/') || name.contains('\\') {
        "a path, not a file name (no `/` or `\\`)"
    } else if name.starts_with('-') {
        "starts with `-`, which a command line reads as an option"
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        "has characters outside A-Z a-z 0-9 . _ -"
    } else {
        return None;
    };
    Some(format!(
        "`{}`: {problem}; use a plain file name such as \"server-cert.pem\" (it lives in the fixture directory)",
        name.escape_default()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rstest::rstest]
    #[case::traversal("../../../../tmp/x.pem")]
    #[case::absolute("/tmp/x.pem")]
    #[case::nested("sub/x.pem")]
    #[case::backslash("..\\x.pem")]
    #[case::dot(".")]
    #[case::dotdot("..")]
    #[case::empty("")]
    #[case::option("-rf")]
    #[case::space("server cert.pem")]
    #[case::newline("x.pem\nrm -rf /")]
    #[case::quote("x'.pem")]
    #[case::dollar("$(id).pem")]
    #[case::nul("x\0.pem")]
    #[case::unicode("ca\u{2215}x.pem")]
    fn unsafe_names_are_refused(#[case] name: &str) {
        assert!(!is_plain_file_name(name), "{name:?}");
        let problem = file_name_problem(name).expect("a reason");
        assert!(problem.contains("plain file name"), "{problem}");
    }

    #[test]
    fn long_names_are_refused_at_the_limit() {
        assert!(is_plain_file_name(&"a".repeat(FILE_NAME_MAX)));
        assert!(!is_plain_file_name(&"a".repeat(FILE_NAME_MAX + 1)));
    }

    #[rstest::rstest]
    #[case("ca.pem")]
    #[case("server-cert.pem")]
    #[case("client_key.der")]
    #[case(".hidden.pem")]
    #[case("CA-2.crl")]
    fn ordinary_names_pass(#[case] name: &str) {
        assert!(is_plain_file_name(name), "{name:?}");
    }
}
