//! The host a scenario's clients dial (`client.host`): a loopback IP literal, `localhost`, or a
//! DNS name that the harness makes resolve to 127.0.0.1 for every client (containers: an
//! `/etc/hosts` entry; host-run drivers: nss_wrapper), so a name never reaches a resolver
//! that could send it beyond loopback.

use std::net::{IpAddr, Ipv4Addr};

/// The address every mapped name ([`DialedHost::Mapped`]) resolves to: 127.0.0.1.
pub const MAPPED_ADDRESS: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// What `client.host` is, once checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialedHost<'a> {
    /// An IP literal in 127.0.0.0/8 or `::1`, dialled as written.
    LoopbackIp(IpAddr),
    /// `localhost`, which every system resolves to loopback on its own.
    Localhost,
    /// Any other DNS name, e.g. `db.example.test`, mapped to [`MAPPED_ADDRESS`].
    Mapped(&'a str),
}

impl<'a> DialedHost<'a> {
    /// Classifies `host`.
    ///
    /// Errors: the problem with the fix, for an IP literal outside loopback and for anything
    /// that is not a DNS name in RFC 1123 syntax (labels of 1–63 `A–Z a–z 0–9 -`, not starting
    /// or ending with `-`, at most 253 bytes) whose last label has a letter (so that
    /// `inet_aton` cannot read it as an address, as it reads `10.1` or `0x7f.1`).
    pub fn parse(host: &'a str) -> Result<Self, String> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return if ip.is_loopback() {
                Ok(DialedHost::LoopbackIp(ip))
            } else {
                Err(format!(
                    "`{host}`: clients may only dial loopback: an IP in 127.0.0.0/8 or ::1, \
                     `localhost`, or a DNS name (mapped to {MAPPED_ADDRESS})"
                ))
            };
        }
        if host.eq_ignore_ascii_case("localhost") {
            return Ok(DialedHost::Localhost);
        }
        if let Some(problem) = dns_name_problem(host) {
            return Err(format!(
                "`{}`: {problem}; give a DNS name such as \"db.example.test\" (the harness maps \
                 it to {MAPPED_ADDRESS}), `localhost`, or a loopback IP",
                host.escape_default()
            ));
        }
        Ok(DialedHost::Mapped(host))
    }

    /// The name to map to [`MAPPED_ADDRESS`], if the host needs a mapping.
    pub fn mapped_name(self) -> Option<&'a str> {
        match self {
            DialedHost::Mapped(name) => Some(name),
            _ => None,
        }
    }
}

fn dns_name_problem(host: &str) -> Option<&'static str> {
    if host.is_empty() {
        return Some("an empty host");
    }
    if host.len() > 253 {
        return Some("longer than 253 bytes");
    }
    let labels: Vec<&str> = host.split('.').collect();
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Some("each label between dots must be 1 to 63 bytes");
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Some("a DNS name has only A-Z a-z 0-9 - and dots");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("a label may not start or end with `-`");
        }
    }
    let last = labels.last().expect("split yields one label at least");
    if !last.chars().any(|c| c.is_ascii_alphabetic()) {
        return Some("the last label is numeric, which resolvers read as an IPv4 address");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("127.0.0.1")]
    #[case("127.1.2.3")]
    #[case("::1")]
    fn loopback_ips_are_dialled_as_written(#[case] host: &str) {
        assert!(matches!(
            DialedHost::parse(host),
            Ok(DialedHost::LoopbackIp(_))
        ));
    }

    #[rstest]
    #[case("db.example.test")]
    #[case("a.db.example.test")]
    #[case("mysql-server")]
    #[case("DB.Example.Test")]
    #[case("xn--bcher-kva.example")]
    fn names_are_mapped(#[case] host: &str) {
        assert_eq!(DialedHost::parse(host), Ok(DialedHost::Mapped(host)));
    }

    #[rstest]
    #[case("10.0.0.5", "loopback")]
    #[case("::ffff:10.0.0.5", "loopback")]
    #[case("10.1", "numeric")]
    #[case("2130706433", "numeric")]
    #[case("0x7f.1", "numeric")]
    #[case("db_1.example.test", "A-Z a-z 0-9")]
    #[case("db.example.test.", "1 to 63")]
    #[case("-db.example.test", "start or end")]
    #[case("db example", "A-Z a-z 0-9")]
    #[case("db.example.test\n127.0.0.1", "A-Z a-z 0-9")]
    #[case("*.example.test", "A-Z a-z 0-9")]
    #[case("", "empty")]
    fn everything_else_is_refused(#[case] host: &str, #[case] why: &str) {
        let err = DialedHost::parse(host).expect_err("refused");
        assert!(err.contains(why), "{err}");
    }
}
