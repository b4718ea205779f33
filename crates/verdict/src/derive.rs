//! Facts derived from a scenario's certificate model: which chain the server sends (its
//! `ssl_cert` file, completed from its `ssl_ca` file as OpenSSL's automatic chain building
//! does when the file holds the leaf alone), whether it verifies against the client's CA file
//! (RFC 5280 §6 path validation over the scenario's `[certs]`), whether the dialled host
//! matches the leaf, what the account demands. Pure: nothing is minted or read from disk.

use crate::facts::{ChainDefect, ChainFact, Facts, NameFact, Policy};
use scenario::{
    AttackSpec, CertSpec, Encoding, ExtendedKeyUsage, FileFault, FileSpec, KeyUsage, Require,
    Scenario, SignatureHash, SubjectAltName, X509Version,
};
use std::{collections::BTreeMap, net::IpAddr};

/// What the server itself reported, the only run-time input of the facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerObservation {
    /// TLS on after boot (and after the reload, if the scenario has one).
    pub tls_enabled: bool,
    /// The scenario's reload was accepted (its files are what the server serves); `false` when
    /// it was refused or there is none.
    pub reload_accepted: bool,
}

/// The facts of `scenario` given what its server reported. Declared facts (`[facts]`) override
/// the derived chain and name.
pub fn derive(scenario: &Scenario, observed: ServerObservation) -> Facts {
    let model = Model::new(scenario, observed.reload_accepted);
    let mut policies = Vec::new();
    let (chain, name) = match model.sent_chain() {
        Some(sent) => {
            let chain = model.verify(&sent, &mut policies);
            let name = model.name(&sent[0], &mut policies);
            (chain, name)
        }
        None => (
            ChainFact::Invalid {
                defects: vec![ChainDefect::UnknownServerCertificate],
            },
            NameFact::Mismatch,
        ),
    };
    model.client_file_policies(&mut policies);
    let server = &scenario.server;
    if server.ssl_cipher.is_some() || server.tls_ciphersuites.is_some() {
        policies.push(Policy::SuiteRestriction);
    }
    let server_versions = versions(server.tls_version.as_deref());
    if !server_versions.is_empty() && server_versions.iter().all(|v| *v < 12) {
        policies.push(Policy::LegacyTlsVersion);
    }
    let common_tls_version = match scenario.client.tls_version.as_deref() {
        None => true,
        Some(client) => {
            let client = versions(Some(client));
            let server = if server_versions.is_empty() {
                vec![12, 13]
            } else {
                server_versions
            };
            client.iter().any(|v| server.contains(v))
        }
    };
    let require = server.account.as_ref().map(|a| &a.require);
    let identity_required = matches!(
        require,
        Some(Require::X509 | Require::Issuer(_) | Require::Subject(_))
    );
    policies.sort();
    policies.dedup();
    let mut facts = Facts {
        server_tls: observed.tls_enabled,
        chain,
        name,
        host: scenario.client.host.clone(),
        plaintext_refused: server.require_secure_transport
            || require.is_some_and(|r| *r != Require::None),
        identity_required,
        identity_accepted: identity_required && model.identity_accepted(require),
        common_tls_version,
        policies,
        declared: None,
        interposer: interposer_name(scenario),
        fault: scenario.fault.is_some(),
        downgraded: matches!(scenario.attack, Some(AttackSpec::Downgrade { .. })),
    };
    match &scenario.attack {
        // The client sees a greeting without CLIENT_SSL.
        Some(AttackSpec::StripTls) => facts.server_tls = false,
        // … and the attacker answers every login with an error.
        Some(AttackSpec::PlaintextError { .. }) => {
            facts.server_tls = false;
            facts.plaintext_refused = true;
        }
        // TLS 1.2 at most, whatever the server allows.
        Some(AttackSpec::Downgrade { .. }) => {
            if let Some(client) = scenario.client.tls_version.as_deref() {
                facts.common_tls_version = versions(Some(client)).contains(&12);
            }
            facts.policies.retain(|p| *p != Policy::LegacyTlsVersion);
        }
        _ => {}
    }
    if let Some(declared) = &scenario.facts {
        if let Some(valid) = declared.chain_valid {
            facts.chain = if valid {
                ChainFact::Valid { path: Vec::new() }
            } else {
                ChainFact::Invalid {
                    defects: vec![ChainDefect::Untrusted("declared".into())],
                }
            };
        }
        if let Some(matches) = declared.name_matches {
            facts.name = if matches {
                NameFact::Matches {
                    san: "declared".into(),
                }
            } else {
                NameFact::Mismatch
            };
        }
        facts.declared = Some(declared.why.clone());
    }
    facts
}

/// `attack: impersonate`, `fault: trickle`, … (the TOML `kind`), or `None`.
fn interposer_name(scenario: &Scenario) -> Option<String> {
    let kind = |v: serde_json::Value| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned);
    if let Some(attack) = &scenario.attack {
        return serde_json::to_value(attack)
            .ok()
            .and_then(kind)
            .map(|k| format!("attack: {k}"));
    }
    scenario
        .fault
        .as_ref()
        .and_then(|f| serde_json::to_value(f).ok())
        .and_then(kind)
        .map(|k| format!("fault: {k}"))
}

/// `"TLSv1.2,TLSv1.3"` → `[12, 13]` (`TLSv1` → 10); unknown entries are dropped.
fn versions(list: Option<&str>) -> Vec<u8> {
    list.unwrap_or("")
        .split(',')
        .filter_map(|v| match v.trim() {
            "TLSv1" | "TLSv1.0" => Some(10),
            "TLSv1.1" => Some(11),
            "TLSv1.2" => Some(12),
            "TLSv1.3" => Some(13),
            _ => None,
        })
        .collect()
}

/// The fixture files as the server and the client each see them.
struct Model<'a> {
    scenario: &'a Scenario,
    certs: &'a BTreeMap<String, CertSpec>,
    /// Files the server serves: the boot files, overlaid with the reload's when it was accepted.
    server_files: BTreeMap<&'a str, &'a FileSpec>,
    /// Files the client reads: the boot files, overlaid with the reload's whenever one ran
    /// (the files are written before the statement, accepted or not).
    client_files: BTreeMap<&'a str, &'a FileSpec>,
}

impl<'a> Model<'a> {
    fn new(scenario: &'a Scenario, reload_accepted: bool) -> Self {
        let boot: BTreeMap<&str, &FileSpec> = scenario
            .files
            .iter()
            .map(|(n, f)| (n.as_str(), f))
            .collect();
        let mut server_files = boot.clone();
        let mut client_files = boot;
        if let Some(reload) = &scenario.reload {
            for (name, file) in &reload.files {
                client_files.insert(name, file);
                if reload_accepted {
                    server_files.insert(name, file);
                }
            }
        }
        Model {
            scenario,
            certs: &scenario.certs,
            server_files,
            client_files,
        }
    }

    /// The certificates the server sends, leaf first, if its certificate and key files load
    /// (OpenSSL's PEM reader: PEM only, text before the block and CRLF tolerated, a byte-order
    /// mark on the BEGIN line not; the key matching the leaf, unencrypted, readable by the
    /// server's non-root user).
    fn sent_chain(&self) -> Option<Vec<String>> {
        let server = &self.scenario.server;
        match &self.scenario.attack {
            // The interposer (rustls) sends its files as they are: no chain completion.
            Some(AttackSpec::Impersonate { cert, key }) => return self.file_chain(cert, key),
            Some(AttackSpec::Downgrade { .. }) => {
                return self.file_chain(&server.ssl_cert, &server.ssl_key);
            }
            _ => {}
        }
        if !server.tls {
            return None;
        }
        let cert_file = self.server_files.get(server.ssl_cert.as_str())?;
        let key_file = self.server_files.get(server.ssl_key.as_str())?;
        if !server_loads(cert_file) || !server_loads(key_file) || key_file.passphrase.is_some() {
            return None;
        }
        let leaf = cert_file.certs.first()?;
        if key_file.key.as_deref() != Some(self.certs.get(leaf)?.key.as_str()) {
            return None;
        }
        let mut sent = cert_file.certs.clone();
        if sent.len() == 1 {
            // No chain in the file: OpenSSL builds one from the verify store (ssl_ca).
            if let Some(ca_file) = self
                .server_files
                .get(server.ssl_ca.as_str())
                .filter(|f| server_loads(f))
            {
                let mut current = leaf.clone();
                for _ in 0..8 {
                    let Some(issuer) = self.issuer_among(&current, &ca_file.certs) else {
                        break;
                    };
                    if sent.contains(&issuer) || issuer == current {
                        break;
                    }
                    sent.push(issuer.clone());
                    current = issuer;
                }
            }
        }
        Some(sent)
    }

    /// The certificates of file `cert` exactly as a rustls server sends them, when the file and
    /// its `key` load and match.
    fn file_chain(&self, cert: &str, key: &str) -> Option<Vec<String>> {
        let cert_file = self.scenario.files.get(cert)?;
        let key_file = self.scenario.files.get(key)?;
        let leaf = cert_file.certs.first()?;
        (key_file.key.as_deref() == Some(self.certs.get(leaf)?.key.as_str())
            && key_file.passphrase.is_none())
        .then(|| cert_file.certs.clone())
    }

    /// The certificate of `among` that issued `name`: same subject CN and the same key as its
    /// `issuer` (a signature verifies under the key, the name links the path).
    fn issuer_among(&self, name: &str, among: &[String]) -> Option<String> {
        let issuer = self.certs.get(self.certs.get(name)?.issuer.as_deref()?)?;
        among
            .iter()
            .find(|c| self.certs.get(*c).is_some_and(|c| same_identity(c, issuer)))
            .cloned()
    }

    /// Whether `name` is itself one of `anchors` (same subject and key).
    fn is_anchor(&self, name: &str, anchors: &[String]) -> bool {
        let Some(cert) = self.certs.get(name) else {
            return false;
        };
        anchors
            .iter()
            .any(|a| self.certs.get(a).is_some_and(|a| same_identity(a, cert)))
    }

    /// RFC 5280 path validation of `sent` against the client's CA file.
    fn verify(&self, sent: &[String], policies: &mut Vec<Policy>) -> ChainFact {
        let client = &self.scenario.client;
        let Some(ca_file) = self.client_files.get(client.ca.as_str()) else {
            return invalid(ChainDefect::CaFileUnusable(client.ca.clone()));
        };
        if !client_reads(ca_file) {
            return invalid(ChainDefect::CaFileUnusable(client.ca.clone()));
        }
        let anchors: Vec<String> = if ca_file.encoding == Encoding::Der {
            ca_file.certs.iter().take(1).cloned().collect()
        } else {
            ca_file.certs.clone()
        };
        // Build the path: leaf, then issuers from the anchors first, then from what was sent.
        let mut path = vec![sent[0].clone()];
        let mut defects = Vec::new();
        for _ in 0..8 {
            let current = path.last().cloned().unwrap_or_default();
            if self.is_anchor(&current, &anchors) {
                break;
            }
            if let Some(anchor) = self.issuer_among(&current, &anchors) {
                path.push(anchor);
                break;
            }
            if let Some(next) = self.issuer_among(&current, sent) {
                if path.contains(&next) {
                    defects.push(ChainDefect::Untrusted(current));
                    break;
                }
                path.push(next);
                continue;
            }
            let issuer = self.certs.get(&current).and_then(|c| c.issuer.clone());
            match issuer {
                Some(issuer) if issuer != current && self.chains_to(&issuer, &anchors) => {
                    defects.push(ChainDefect::MissingIntermediate(issuer))
                }
                _ => defects.push(ChainDefect::Untrusted(current)),
            }
            break;
        }
        let anchored = defects.is_empty();
        let last = path.len() - 1;
        for (i, name) in path.iter().enumerate() {
            let Some(cert) = self.certs.get(name) else {
                continue;
            };
            let is_anchor = anchored && i == last;
            let out_of_window = cert.not_after.seconds < 0 || cert.not_before.seconds > 0;
            if is_anchor {
                // An anchor that is not a root, its issuer not in the CA file either: OpenSSL
                // without X509_V_FLAG_PARTIAL_CHAIN looks for that issuer and fails.
                let partial = cert.issuer.as_deref().is_some_and(|issuer| issuer != name)
                    && self.issuer_among(name, &anchors).is_none();
                if out_of_window || partial {
                    policies.push(Policy::TrustAnchorChecks);
                }
            } else if cert.not_after.seconds < 0 {
                defects.push(ChainDefect::Expired(name.clone()));
            } else if cert.not_before.seconds > 0 {
                defects.push(ChainDefect::NotYetValid(name.clone()));
            }
            if !is_anchor && matches!(cert.signature, SignatureHash::Sha1 | SignatureHash::Md5) {
                policies.push(Policy::WeakSignature);
            }
            if cert.version == X509Version::V1 {
                policies.push(Policy::X509V1);
            }
            if rsa_bits(&cert.key).is_some_and(|bits| bits < 2048) {
                policies.push(Policy::WeakKey);
            }
            if i == 0 {
                if !cert.eku.is_empty() && !cert.eku.contains(&ExtendedKeyUsage::ServerAuth) {
                    defects.push(ChainDefect::EkuNotServerAuth(name.clone()));
                }
                if cert.key_usage.as_ref().is_some_and(|usage| {
                    !usage.is_empty()
                        && !usage.contains(&KeyUsage::DigitalSignature)
                        && !usage.contains(&KeyUsage::KeyEncipherment)
                }) {
                    defects.push(ChainDefect::KeyUsageUnsuitable(name.clone()));
                }
                continue;
            }
            // An issuer: a CA with keyCertSign whose pathlen covers the CAs below it.
            let mut issuer_defects = Vec::new();
            if cert.version == X509Version::V3 {
                if !cert.is_ca {
                    issuer_defects.push(ChainDefect::IssuerNotCa(name.clone()));
                }
                let usage_ok = match &cert.key_usage {
                    Some(usage) if !usage.is_empty() => usage.contains(&KeyUsage::KeyCertSign),
                    Some(_) => true,
                    None => cert.is_ca,
                };
                if !usage_ok && cert.is_ca {
                    issuer_defects.push(ChainDefect::IssuerWithoutKeyCertSign(name.clone()));
                }
                if cert.path_len.is_some_and(|len| usize::from(len) < i - 1) {
                    issuer_defects.push(ChainDefect::PathLenExceeded(name.clone()));
                }
            }
            if is_anchor {
                if !issuer_defects.is_empty() {
                    policies.push(Policy::TrustAnchorChecks);
                }
            } else {
                defects.extend(issuer_defects);
            }
        }
        if let Some(crl) = client
            .crl
            .as_deref()
            .and_then(|f| self.client_files.get(f))
            .and_then(|f| f.crl.as_ref())
        {
            for name in &path[..path.len() - usize::from(anchored)] {
                if crl.revoked.contains(name) {
                    defects.push(ChainDefect::Revoked(name.clone()));
                }
            }
        }
        if defects.is_empty() {
            ChainFact::Valid { path }
        } else {
            ChainFact::Invalid { defects }
        }
    }

    /// Whether `name` reaches one of `anchors` through its issuers (any certificate of the
    /// scenario), i.e. would verify had the server sent it.
    fn chains_to(&self, name: &str, anchors: &[String]) -> bool {
        let mut current = name.to_owned();
        for _ in 0..8 {
            if self.is_anchor(&current, anchors) {
                return true;
            }
            match self.certs.get(&current).and_then(|c| c.issuer.clone()) {
                Some(next) if next != current => current = next,
                _ => return false,
            }
        }
        false
    }

    /// The dialled host against `leaf` (RFC 6125 §6.4; the CN only without any SAN).
    fn name(&self, leaf: &str, policies: &mut Vec<Policy>) -> NameFact {
        let host = self.scenario.client.host.as_str();
        let Some(cert) = self.certs.get(leaf) else {
            return NameFact::Mismatch;
        };
        let sans: &[SubjectAltName] = if cert.version == X509Version::V1 {
            &[]
        } else {
            &cert.san
        };
        let ip: Option<IpAddr> = host.parse().ok();
        for san in sans {
            let hit = match (san, ip) {
                (SubjectAltName::Ip(san_ip), Some(ip)) => *san_ip == ip,
                (SubjectAltName::Dns(pattern), None) => dns_matches(pattern, host),
                _ => false,
            };
            if hit {
                return NameFact::Matches {
                    san: san.to_string(),
                };
            }
        }
        if sans.is_empty() && cert.subject_cn.eq_ignore_ascii_case(host) {
            policies.push(Policy::CnOnly);
            return NameFact::CnOnly;
        }
        NameFact::Mismatch
    }

    /// Policies for the client's own files: not plain PEM, or unreadable.
    fn client_file_policies(&self, policies: &mut Vec<Policy>) {
        let client = &self.scenario.client;
        let names = [
            Some(&client.ca),
            client.cert.as_ref(),
            client.key.as_ref(),
            client.crl.as_ref(),
        ];
        for name in names.into_iter().flatten() {
            match self.client_files.get(name.as_str()) {
                None => policies.push(Policy::ClientFileUnusable),
                Some(file) if !client_reads(file) => policies.push(Policy::ClientFileUnusable),
                Some(file) => {
                    if file.encoding == Encoding::Der
                        || matches!(
                            file.fault,
                            Some(FileFault::Bom | FileFault::Crlf | FileFault::LeadingText)
                        )
                        || file.passphrase.is_some()
                    {
                        policies.push(Policy::ClientFileFormat);
                    }
                }
            }
        }
    }

    /// Whether the server accepts the client certificate for `require`: it is given, its key
    /// file matches, it was issued by a certificate of the server's CA file and is in its
    /// validity window, and the `ISSUER`/`SUBJECT` DN (`/CN=…`) names it.
    fn identity_accepted(&self, require: Option<&Require>) -> bool {
        let client = &self.scenario.client;
        let (Some(cert_file), Some(key_file)) = (
            client
                .cert
                .as_deref()
                .and_then(|f| self.client_files.get(f)),
            client.key.as_deref().and_then(|f| self.client_files.get(f)),
        ) else {
            return false;
        };
        let Some(leaf_name) = cert_file.certs.first() else {
            return false;
        };
        let Some(leaf) = self.certs.get(leaf_name) else {
            return false;
        };
        if !client_reads(cert_file) || !client_reads(key_file) {
            return false;
        }
        if key_file.key.as_deref() != Some(leaf.key.as_str()) {
            return false;
        }
        let server_ca = self
            .server_files
            .get(self.scenario.server.ssl_ca.as_str())
            .map(|f| f.certs.clone())
            .unwrap_or_default();
        let in_window = leaf.not_after.seconds >= 0 && leaf.not_before.seconds <= 0;
        if !in_window || self.issuer_among(leaf_name, &server_ca).is_none() {
            return false;
        }
        let issuer_cn = leaf
            .issuer
            .as_deref()
            .and_then(|i| self.certs.get(i))
            .map(|i| i.subject_cn.as_str())
            .unwrap_or_default();
        match require {
            Some(Require::Issuer(dn)) => dn == &format!("/CN={issuer_cn}"),
            Some(Require::Subject(dn)) => dn == &format!("/CN={}", leaf.subject_cn),
            _ => true,
        }
    }
}

fn invalid(defect: ChainDefect) -> ChainFact {
    ChainFact::Invalid {
        defects: vec![defect],
    }
}

/// Same subject CN and same key: the one certifies what the other signed.
fn same_identity(a: &CertSpec, b: &CertSpec) -> bool {
    a.subject_cn == b.subject_cn && a.key == b.key
}

/// Whether a server-side file loads (OpenSSL PEM reader, non-root server).
fn server_loads(file: &FileSpec) -> bool {
    file.encoding == Encoding::Pem
        && !matches!(
            file.fault,
            Some(
                FileFault::Truncated
                    | FileFault::Empty
                    | FileFault::Missing
                    | FileFault::GarbageBase64
                    | FileFault::Bom
            )
        )
        && !file
            .mode
            .as_deref()
            .is_some_and(|m| u32::from_str_radix(m, 8).is_ok_and(|m| m & 0o044 == 0))
}

/// Whether a client-side file can be read at all by some parser (PEM or DER, tolerant of
/// text around the block): not missing, empty, truncated or with broken base64.
fn client_reads(file: &FileSpec) -> bool {
    !matches!(
        file.fault,
        Some(
            FileFault::Truncated | FileFault::Empty | FileFault::Missing | FileFault::GarbageBase64
        )
    )
}

/// RSA modulus size from a test-key name (`rsa1024-1` → 1024); `None` for EC and Ed25519.
fn rsa_bits(key: &str) -> Option<u32> {
    key.strip_prefix("rsa")?.split('-').next()?.parse().ok()
}

/// RFC 6125 §6.4.3: case-insensitive, a `*` only as the whole left-most label, matching
/// exactly one label (never the bare parent).
fn dns_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    match pattern.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
        None => pattern == host,
    }
}
