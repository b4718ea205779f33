//! Minting: issue every certificate of a scenario (issuers first), then assemble the files.

use crate::{CertEntry, CrlEntry, Error, FileEntry, Manifest, encode, keys, keys::Signer, rewrite};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyUsagePurpose, RevocationReason,
    RevokedCertParams, SanType, SerialNumber,
};
use scenario::{
    CertSpec, CrlSpec, ExtendedKeyUsage, FileSpec, KeyUsage, Scenario, SignatureHash,
    SubjectAltName,
};
use sha2::{Digest, Sha256};
use std::{collections::BTreeMap, path::Path};
use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};

/// One fixture file: exact bytes and Unix permission bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureFile {
    /// Bytes to write.
    pub bytes: Vec<u8>,
    /// Permission bits, e.g. `0o644`; `0o000` makes it unreadable to a non-root server.
    pub mode: u32,
}

/// The generated fixture directory, in memory: file name → file, plus its manifest. Files
/// whose fault is `missing` are absent here and marked `written: false` in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixtures {
    /// File name (e.g. `server-cert.pem`) → contents and mode, as booted.
    pub files: BTreeMap<String, FixtureFile>,
    /// Files written over `files` before a TLS reload (empty without `[reload]`); written to
    /// `reload/` by [`Fixtures::write_to`].
    pub reload: BTreeMap<String, FixtureFile>,
    /// Description of every certificate and file.
    pub manifest: Manifest,
}

impl Fixtures {
    /// Writes every file (with its mode) plus `manifest.json` into `dir` (created if missing).
    /// Returns [`Error::Io`] naming the path that failed.
    pub fn write_to(&self, dir: &Path) -> Result<(), Error> {
        write_files(dir, &self.files)?;
        if !self.reload.is_empty() {
            write_files(&dir.join("reload"), &self.reload)?;
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        let path = dir.join("manifest.json");
        let mut json =
            serde_json::to_string_pretty(&self.manifest).expect("manifest is plain data");
        json.push('\n');
        std::fs::write(&path, json).map_err(io(&path))
    }
}

/// Writes a file set into `dir` (created if missing), each file with its permission bits.
/// Every name must be a plain file name ([`scenario::is_plain_file_name`]); all are checked
/// before anything is written.
///
/// Errors: [`Error::UnsafeFileName`] for a name that could leave `dir`, [`Error::Io`] naming
/// the path that failed.
pub fn write_files(dir: &Path, files: &BTreeMap<String, FixtureFile>) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt as _;
    if let Some(name) = files.keys().find(|n| !scenario::is_plain_file_name(n)) {
        return Err(Error::UnsafeFileName {
            dir: dir.to_path_buf(),
            name: name.clone(),
        });
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for (name, file) in files {
        let path = dir.join(name);
        std::fs::write(&path, &file.bytes).map_err(io(&path))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(file.mode))
            .map_err(io(&path))?;
    }
    Ok(())
}

struct Minted {
    params: CertificateParams,
    der: Vec<u8>,
    entry: CertEntry,
}

/// Mints the scenario's certificates with validity resolved against `now` (truncated to whole
/// seconds) and assembles its files. Same scenario and `now` give byte-identical output.
///
/// Errors: [`Error::UnknownKey`] for a key name not in [`keys::TEST_KEYS`], [`Error::Mint`] when
/// rcgen refuses a certificate or CRL, [`Error::Rewrite`] when a v1/weak-hash certificate cannot
/// be re-signed (e.g. SHA-1 with a non-RSA issuer), [`Error::DateRange`], [`Error::Key`].
pub fn generate(scenario: &Scenario, now: OffsetDateTime) -> Result<Fixtures, Error> {
    let now = now.replace_nanosecond(0).expect("0 is a valid nanosecond");
    let mut minted: BTreeMap<String, Minted> = BTreeMap::new();
    for name in scenario.certs.keys() {
        mint_with_issuers(scenario, name, now, &mut minted)?;
    }
    let (files, entries) = assemble(scenario, &scenario.files, now, &minted)?;
    let (reload, reload_entries) = match &scenario.reload {
        Some(r) => assemble(scenario, &r.files, now, &minted)?,
        None => (BTreeMap::new(), Vec::new()),
    };
    Ok(Fixtures {
        files,
        reload,
        manifest: Manifest {
            reload_files: reload_entries,
            scenario: scenario.id.clone(),
            now: now.format(&Rfc3339).expect("UTC dates format"),
            certs: minted.into_values().map(|m| m.entry).collect(),
            files: entries,
        },
    })
}

/// One encoded file set (boot or reload) and its manifest entries.
type FileSet = (BTreeMap<String, FixtureFile>, Vec<FileEntry>);

/// Encodes, damages and permissions the files of `specs`.
fn assemble(
    scenario: &Scenario,
    specs: &BTreeMap<String, FileSpec>,
    now: OffsetDateTime,
    minted: &BTreeMap<String, Minted>,
) -> Result<FileSet, Error> {
    let mut files = BTreeMap::new();
    let mut entries = Vec::new();
    for (file, spec) in specs {
        let bytes = file_bytes(scenario, file, spec, now, minted)?;
        let mode = spec
            .mode
            .as_deref()
            .map_or(0o644, |m| u32::from_str_radix(m, 8).unwrap_or(0o644));
        let written = encode::damage(bytes, spec.fault);
        entries.push(FileEntry {
            name: file.clone(),
            certs: spec.certs.clone(),
            key: spec.key.clone(),
            crl: spec.crl.as_ref().map(|c| CrlEntry {
                issuer: c.issuer.clone(),
                revoked: c.revoked.clone(),
            }),
            encoding: format!("{:?}", spec.encoding).to_lowercase(),
            encrypted: spec.passphrase.is_some(),
            fault: spec.fault.map(|f| {
                serde_json::to_value(f)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
            mode: format!("{mode:04o}"),
            written: written.is_some(),
        });
        if let Some(bytes) = written {
            files.insert(file.clone(), FixtureFile { bytes, mode });
        }
    }
    Ok((files, entries))
}

fn file_bytes(
    scenario: &Scenario,
    file: &str,
    spec: &FileSpec,
    now: OffsetDateTime,
    minted: &BTreeMap<String, Minted>,
) -> Result<Vec<u8>, Error> {
    if let Some(key) = &spec.key {
        let pem = keys::test_key_pem(key)
            .ok_or_else(|| unknown_key(scenario, &format!("files.\"{file}\".key"), key))?;
        return encode::key(
            pem,
            spec.encoding,
            spec.passphrase.as_deref(),
            &format!("{}/{file}", scenario.id),
        )
        .map_err(|message| Error::Key {
            scenario: scenario.id.clone(),
            file: file.to_owned(),
            message,
        });
    }
    if let Some(crl) = &spec.crl {
        let der = crl_der(scenario, file, crl, now, minted)?;
        return Ok(match spec.encoding {
            scenario::Encoding::Pem => encode::pem("X509 CRL", &der).into_bytes(),
            scenario::Encoding::Der => der,
        });
    }
    let ders: Vec<&[u8]> = spec
        .certs
        .iter()
        .map(|c| minted[c].der.as_slice())
        .collect();
    Ok(encode::certs(&ders, spec.encoding))
}

fn crl_der(
    scenario: &Scenario,
    file: &str,
    crl: &CrlSpec,
    now: OffsetDateTime,
    minted: &BTreeMap<String, Minted>,
) -> Result<Vec<u8>, Error> {
    let field = format!("files.\"{file}\".crl");
    let at = |o: scenario::Offset| offset(scenario, &field, now, o);
    let revoked_certs = crl
        .revoked
        .iter()
        .map(|name| {
            Ok(RevokedCertParams {
                serial_number: SerialNumber::from_slice(&serial_for(name, &scenario.certs[name])),
                revocation_time: at(scenario::Offset::days(-1))?,
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let params = CertificateRevocationListParams {
        this_update: at(crl.this_update)?,
        next_update: at(crl.next_update)?,
        crl_number: SerialNumber::from_slice(&[1]),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let issuer_spec = &scenario.certs[&crl.issuer];
    let signer = signer(
        scenario,
        &format!("certs.{}.key", crl.issuer),
        &issuer_spec.key,
        SignatureHash::Sha256,
    )?;
    let issuer = Issuer::from_params(&minted[&crl.issuer].params, &signer);
    let list = params.signed_by(&issuer).map_err(|source| Error::Mint {
        scenario: scenario.id.clone(),
        cert: field.clone(),
        source,
    })?;
    Ok(list.der().to_vec())
}

/// Mints `name` after its issuer chain (the scenario was validated to be acyclic).
fn mint_with_issuers(
    scenario: &Scenario,
    name: &str,
    now: OffsetDateTime,
    minted: &mut BTreeMap<String, Minted>,
) -> Result<(), Error> {
    if minted.contains_key(name) {
        return Ok(());
    }
    let spec = &scenario.certs[name];
    if let Some(issuer) = &spec.issuer {
        mint_with_issuers(scenario, issuer, now, minted)?;
    }
    let params = params_for(scenario, name, spec, now)?;
    let subject_key = signer(
        scenario,
        &format!("certs.{name}.key"),
        &spec.key,
        spec.signature,
    )?;
    let mint_err = |source| Error::Mint {
        scenario: scenario.id.clone(),
        cert: name.to_owned(),
        source,
    };
    let (issuer_key_name, issuer_dn) = match &spec.issuer {
        None => (spec.key.as_str(), subject_of(spec)),
        Some(issuer) => (
            scenario.certs[issuer].key.as_str(),
            minted[issuer].entry.subject.clone(),
        ),
    };
    let issuer_field = format!("certs.{}.key", spec.issuer.as_deref().unwrap_or(name));
    let issuer_key = signer(scenario, &issuer_field, issuer_key_name, spec.signature)?;
    let cert = match &spec.issuer {
        None => params.self_signed(&subject_key).map_err(mint_err)?,
        Some(issuer) => {
            let signer = Issuer::from_params(&minted[issuer].params, &issuer_key);
            params.signed_by(&subject_key, &signer).map_err(mint_err)?
        }
    };
    let mut der = cert.der().to_vec();
    if rewrite::needed(spec.version, spec.signature) {
        der = rewrite::rewrite(&der, spec.version, spec.signature, &issuer_key).map_err(
            |message| Error::Rewrite {
                scenario: scenario.id.clone(),
                cert: name.to_owned(),
                message,
            },
        )?;
    }
    let entry = CertEntry {
        name: name.to_owned(),
        subject: subject_of(spec),
        issuer: issuer_dn,
        serial: hex::encode(serial_for(name, spec)),
        not_before: params
            .not_before
            .format(&Rfc3339)
            .expect("UTC dates format"),
        not_after: params.not_after.format(&Rfc3339).expect("UTC dates format"),
        san: spec.san.iter().map(ToString::to_string).collect(),
        is_ca: spec.is_ca,
        key: spec.key.clone(),
        key_type: subject_key.describe(),
        version: spec.version.into(),
        signature: signature_name(&issuer_key, spec.signature),
        sha256: hex::encode(Sha256::digest(&der)),
    };
    minted.insert(name.to_owned(), Minted { params, der, entry });
    Ok(())
}

fn params_for(
    scenario: &Scenario,
    name: &str,
    spec: &CertSpec,
    now: OffsetDateTime,
) -> Result<CertificateParams, Error> {
    let field = format!("certs.{name}");
    let mut params = CertificateParams::default();
    params.not_before = offset(scenario, &field, now, spec.not_before)?;
    params.not_after = offset(scenario, &field, now, spec.not_after)?;
    params.serial_number = Some(SerialNumber::from_slice(&serial_for(name, spec)));
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, spec.subject_cn.as_str());
    params.distinguished_name = dn;
    params.subject_alt_names = spec
        .san
        .iter()
        .map(|san| match san {
            SubjectAltName::Dns(name) => name.clone().try_into().map(SanType::DnsName),
            SubjectAltName::Ip(ip) => Ok(SanType::IpAddress(*ip)),
        })
        .collect::<Result<_, _>>()
        .map_err(|source| Error::Mint {
            scenario: scenario.id.clone(),
            cert: name.to_owned(),
            source,
        })?;
    params.is_ca = match (spec.is_ca, spec.path_len) {
        (true, Some(n)) => IsCa::Ca(BasicConstraints::Constrained(n)),
        (true, None) => IsCa::Ca(BasicConstraints::Unconstrained),
        (false, _) => IsCa::ExplicitNoCa,
    };
    params.key_usages = match &spec.key_usage {
        Some(bits) => bits.iter().map(|&b| key_usage(b)).collect(),
        None if spec.is_ca => vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ],
        None => vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ],
    };
    params.extended_key_usages = spec.eku.iter().map(|&e| eku(e)).collect();
    params.use_authority_key_identifier_extension = spec.issuer.is_some();
    Ok(params)
}

fn key_usage(bit: KeyUsage) -> KeyUsagePurpose {
    match bit {
        KeyUsage::DigitalSignature => KeyUsagePurpose::DigitalSignature,
        KeyUsage::ContentCommitment => KeyUsagePurpose::ContentCommitment,
        KeyUsage::KeyEncipherment => KeyUsagePurpose::KeyEncipherment,
        KeyUsage::DataEncipherment => KeyUsagePurpose::DataEncipherment,
        KeyUsage::KeyAgreement => KeyUsagePurpose::KeyAgreement,
        KeyUsage::KeyCertSign => KeyUsagePurpose::KeyCertSign,
        KeyUsage::CRLSign => KeyUsagePurpose::CrlSign,
        KeyUsage::EncipherOnly => KeyUsagePurpose::EncipherOnly,
        KeyUsage::DecipherOnly => KeyUsagePurpose::DecipherOnly,
    }
}

fn eku(purpose: ExtendedKeyUsage) -> ExtendedKeyUsagePurpose {
    match purpose {
        ExtendedKeyUsage::ServerAuth => ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsage::ClientAuth => ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsage::CodeSigning => ExtendedKeyUsagePurpose::CodeSigning,
        ExtendedKeyUsage::EmailProtection => ExtendedKeyUsagePurpose::EmailProtection,
        ExtendedKeyUsage::TimeStamping => ExtendedKeyUsagePurpose::TimeStamping,
        ExtendedKeyUsage::OCSPSigning => ExtendedKeyUsagePurpose::OcspSigning,
    }
}

fn signature_name(issuer_key: &Signer, hash: SignatureHash) -> String {
    match (issuer_key, hash) {
        (Signer::Rsa { .. }, SignatureHash::Sha256) => "sha256WithRSAEncryption",
        (Signer::Rsa { .. }, SignatureHash::Sha384) => "sha384WithRSAEncryption",
        (Signer::Rsa { .. }, SignatureHash::Sha512) => "sha512WithRSAEncryption",
        (Signer::Rsa { .. }, SignatureHash::Sha1) => "sha1WithRSAEncryption",
        (Signer::Rsa { .. }, SignatureHash::Md5) => "md5WithRSAEncryption",
        (Signer::P256 { .. }, _) => "ecdsa-with-SHA256",
        (Signer::Ed25519(_), _) => "ED25519",
    }
    .to_owned()
}

fn offset(
    scenario: &Scenario,
    field: &str,
    now: OffsetDateTime,
    o: scenario::Offset,
) -> Result<OffsetDateTime, Error> {
    now.checked_add(Duration::seconds(o.seconds))
        .ok_or_else(|| Error::DateRange {
            scenario: scenario.id.clone(),
            cert: field.to_owned(),
        })
}

fn signer(
    scenario: &Scenario,
    field: &str,
    name: &str,
    hash: SignatureHash,
) -> Result<Signer, Error> {
    Signer::load(name, hash).ok_or_else(|| unknown_key(scenario, field, name))
}

fn unknown_key(scenario: &Scenario, field: &str, name: &str) -> Error {
    Error::UnknownKey {
        scenario: scenario.id.clone(),
        field: field.to_owned(),
        key: name.to_owned(),
        available: keys::available(),
    }
}

fn subject_of(spec: &CertSpec) -> String {
    format!("CN={}", spec.subject_cn)
}

/// The certificate's serial: the scenario's hex override, else 16 bytes derived from its name.
fn serial_for(name: &str, spec: &CertSpec) -> Vec<u8> {
    if let Some(hex) = &spec.serial {
        let padded = if hex.len() % 2 == 1 {
            format!("0{hex}")
        } else {
            hex.clone()
        };
        return (0..padded.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&padded[i..i + 2], 16).ok())
            .collect();
    }
    let mut serial = Sha256::digest(name.as_bytes())[..16].to_vec();
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    serial
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_files_refuses_names_that_leave_the_directory_and_writes_nothing() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("fixtures");
        let file = FixtureFile {
            bytes: b"x".to_vec(),
            mode: 0o644,
        };
        for name in ["../escaped.pem", "/tmp/absolute.pem", "sub/dir.pem", ".."] {
            let files = BTreeMap::from([
                ("ca.pem".to_owned(), file.clone()),
                (name.to_owned(), file.clone()),
            ]);
            let err = write_files(&dir, &files).expect_err(name);
            assert!(matches!(err, Error::UnsafeFileName { .. }), "{name}: {err}");
            assert!(
                !dir.exists(),
                "{name}: nothing written, not even the directory"
            );
        }
        assert!(!tmp.path().join("escaped.pem").exists());
        let ok = BTreeMap::from([("ca.pem".to_owned(), file)]);
        write_files(&dir, &ok).expect("a plain name is written");
        assert!(dir.join("ca.pem").is_file());
    }
}
