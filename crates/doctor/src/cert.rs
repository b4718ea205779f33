//! One certificate as the checks see it: parsed with x509-parser and described as plain data
//! ([`CertInfo`]: subject, dates, SAN, CA flags, usages, key, signature, fingerprint). Parsing
//! only; no judgement about what is acceptable.

use crate::CertInfo;
use std::net::IpAddr;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer as _, GeneralName, X509Certificate};

/// A parsed certificate and its description.
pub(crate) struct Parsed<'a> {
    pub(crate) der: &'a [u8],
    pub(crate) x509: X509Certificate<'a>,
    pub(crate) info: CertInfo,
}

impl Parsed<'_> {
    pub(crate) fn subject(&self) -> &str {
        &self.info.subject
    }

    pub(crate) fn self_issued(&self) -> bool {
        self.x509.subject().as_raw() == self.x509.issuer().as_raw()
    }

    pub(crate) fn issued(&self, child: &Parsed<'_>) -> bool {
        self.x509.subject().as_raw() == child.x509.issuer().as_raw()
    }
}

pub(crate) fn parse(der: &[u8]) -> Result<Parsed<'_>, String> {
    let (_, x509) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
    let info = describe_parsed(der, &x509);
    Ok(Parsed { der, x509, info })
}

/// Describes one DER certificate (subject, dates, SAN, CA flags, key, …).
///
/// Errors: the parser's message when the bytes are not an X.509 certificate.
pub fn describe(der: &[u8]) -> Result<CertInfo, String> {
    parse(der).map(|p| p.info)
}

pub(crate) fn rfc3339(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("@{ts}"))
}

fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ED25519",
        other => return other.to_owned(),
    }
    .to_owned()
}

fn describe_parsed(der: &[u8], x: &X509Certificate<'_>) -> CertInfo {
    let san = x.subject_alternative_name().ok().flatten().map(|ext| {
        ext.value
            .general_names
            .iter()
            .map(|name| match name {
                GeneralName::DNSName(d) => format!("DNS:{d}"),
                GeneralName::IPAddress(bytes) => match ip_from_bytes(bytes) {
                    Some(ip) => format!("IP:{ip}"),
                    None => format!("IP:<{} bytes>", bytes.len()),
                },
                other => format!("{other}"),
            })
            .collect()
    });
    let bc = x.basic_constraints().ok().flatten();
    let key_usage = x.key_usage().ok().flatten().map(|ku| {
        let ku = ku.value;
        [
            (ku.digital_signature(), "digitalSignature"),
            (ku.non_repudiation(), "nonRepudiation"),
            (ku.key_encipherment(), "keyEncipherment"),
            (ku.data_encipherment(), "dataEncipherment"),
            (ku.key_agreement(), "keyAgreement"),
            (ku.key_cert_sign(), "keyCertSign"),
            (ku.crl_sign(), "cRLSign"),
        ]
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| name.to_owned())
        .collect()
    });
    let eku = x.extended_key_usage().ok().flatten().map(|e| {
        let e = e.value;
        let mut out: Vec<String> = [
            (e.any, "any"),
            (e.server_auth, "serverAuth"),
            (e.client_auth, "clientAuth"),
            (e.code_signing, "codeSigning"),
            (e.email_protection, "emailProtection"),
            (e.time_stamping, "timeStamping"),
            (e.ocsp_signing, "OCSPSigning"),
        ]
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| name.to_owned())
        .collect();
        out.extend(e.other.iter().map(|oid| oid.to_id_string()));
        out
    });
    let spki = x.public_key();
    let key_alg = spki.algorithm.algorithm.to_id_string();
    let key = match (key_alg.as_str(), spki.parsed()) {
        ("1.3.101.112", _) => "Ed25519".to_owned(),
        ("1.3.101.113", _) => "Ed448".to_owned(),
        (_, Ok(x509_parser::public_key::PublicKey::RSA(rsa))) => format!("RSA-{}", rsa.key_size()),
        (_, Ok(x509_parser::public_key::PublicKey::EC(ec))) => format!("EC-{}", ec.key_size()),
        (oid, _) => oid.to_owned(),
    };
    CertInfo {
        subject: x.subject().to_string(),
        issuer: x.issuer().to_string(),
        serial: x.raw_serial_as_string(),
        not_before: rfc3339(x.validity().not_before.timestamp()),
        not_after: rfc3339(x.validity().not_after.timestamp()),
        san,
        is_ca: bc.as_ref().map(|b| b.value.ca),
        path_len: bc.and_then(|b| b.value.path_len_constraint),
        key_usage,
        eku,
        version: x.version().0 + 1,
        signature_algorithm: signature_name(&x.signature_algorithm.algorithm.to_id_string()),
        key,
        sha256: hex::encode(ring::digest::digest(&ring::digest::SHA256, der).as_ref()),
    }
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}
