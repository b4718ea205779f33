//! Minting: issue every certificate of a scenario (issuers first), then assemble the files.

use crate::{CertEntry, Error, FileEntry, Manifest, keys};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_RSA_SHA256, SanType, SerialNumber,
};
use scenario::{CertSpec, Encoding, Scenario, SubjectAltName};
use sha2::{Digest, Sha256};
use std::{collections::BTreeMap, path::Path};
use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};

/// The generated fixture directory, in memory: file name → bytes, plus its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixtures {
    /// File name (e.g. `server-cert.pem`) → exact bytes to write.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Description of every certificate and file.
    pub manifest: Manifest,
}

impl Fixtures {
    /// Writes every file plus `manifest.json` into `dir` (created if missing). Returns
    /// [`Error::Io`] naming the path that failed.
    pub fn write_to(&self, dir: &Path) -> Result<(), Error> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        for (name, bytes) in &self.files {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(io(&path))?;
        }
        let path = dir.join("manifest.json");
        let mut json =
            serde_json::to_string_pretty(&self.manifest).expect("manifest is plain data");
        json.push('\n');
        std::fs::write(&path, json).map_err(io(&path))
    }
}

struct Minted {
    params: CertificateParams,
    key: KeyPair,
    der: Vec<u8>,
    pem: String,
    entry: CertEntry,
}

/// Mints the scenario's certificates with validity resolved against `now` (truncated to whole
/// seconds) and assembles its files. Same scenario and `now` give byte-identical output.
///
/// Errors: [`Error::UnknownKey`] for a key name not in [`keys::TEST_KEYS`], [`Error::Mint`] when
/// rcgen refuses a certificate, [`Error::DateRange`] for offsets outside X.509's dates.
pub fn generate(scenario: &Scenario, now: OffsetDateTime) -> Result<Fixtures, Error> {
    let now = now.replace_nanosecond(0).expect("0 is a valid nanosecond");
    let mut minted: BTreeMap<String, Minted> = BTreeMap::new();
    for name in scenario.certs.keys() {
        mint_with_issuers(scenario, name, now, &mut minted)?;
    }
    let mut files = BTreeMap::new();
    let mut file_entries = Vec::new();
    for (file, spec) in &scenario.files {
        let bytes = match &spec.key {
            Some(key) => {
                let pair = key_pair(scenario, &format!("files.\"{file}\".key"), key)?;
                match spec.encoding {
                    Encoding::Pem => pair.serialize_pem().into_bytes(),
                    Encoding::Der => pair.serialize_der(),
                }
            }
            None => spec
                .certs
                .iter()
                .flat_map(|c| match spec.encoding {
                    Encoding::Pem => minted[c].pem.as_bytes().to_vec(),
                    Encoding::Der => minted[c].der.clone(),
                })
                .collect(),
        };
        files.insert(file.clone(), bytes);
        file_entries.push(FileEntry {
            name: file.clone(),
            certs: spec.certs.clone(),
            key: spec.key.clone(),
            encoding: match spec.encoding {
                Encoding::Pem => "pem".into(),
                Encoding::Der => "der".into(),
            },
        });
    }
    Ok(Fixtures {
        files,
        manifest: Manifest {
            scenario: scenario.id.clone(),
            now: now.format(&Rfc3339).expect("UTC dates format"),
            certs: minted.into_values().map(|m| m.entry).collect(),
            files: file_entries,
        },
    })
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
    let key = key_pair(scenario, &format!("certs.{name}.key"), &spec.key)?;
    let mint_err = |source| Error::Mint {
        scenario: scenario.id.clone(),
        cert: name.to_owned(),
        source,
    };
    let (cert, issuer_dn) = match &spec.issuer {
        None => (
            params.self_signed(&key).map_err(mint_err)?,
            subject_of(spec),
        ),
        Some(issuer) => {
            let up = &minted[issuer];
            let signer = Issuer::from_params(&up.params, &up.key);
            (
                params.signed_by(&key, &signer).map_err(mint_err)?,
                up.entry.subject.clone(),
            )
        }
    };
    let der = cert.der().to_vec();
    let entry = CertEntry {
        name: name.to_owned(),
        subject: subject_of(spec),
        issuer: issuer_dn,
        serial: hex(&serial_for(name)),
        not_before: params
            .not_before
            .format(&Rfc3339)
            .expect("UTC dates format"),
        not_after: params.not_after.format(&Rfc3339).expect("UTC dates format"),
        san: spec.san.iter().map(ToString::to_string).collect(),
        is_ca: spec.is_ca,
        key: spec.key.clone(),
        sha256: hex(&Sha256::digest(&der)),
    };
    minted.insert(
        name.to_owned(),
        Minted {
            params,
            key,
            pem: cert.pem(),
            der,
            entry,
        },
    );
    Ok(())
}

fn params_for(
    scenario: &Scenario,
    name: &str,
    spec: &CertSpec,
    now: OffsetDateTime,
) -> Result<CertificateParams, Error> {
    let at = |offset: scenario::Offset| {
        now.checked_add(Duration::seconds(offset.seconds))
            .ok_or_else(|| Error::DateRange {
                scenario: scenario.id.clone(),
                cert: name.to_owned(),
            })
    };
    let mut params = CertificateParams::default();
    params.not_before = at(spec.not_before)?;
    params.not_after = at(spec.not_after)?;
    params.serial_number = Some(SerialNumber::from_slice(&serial_for(name)));
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
    if spec.is_ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
    } else {
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
    }
    params.use_authority_key_identifier_extension = spec.issuer.is_some();
    Ok(params)
}

fn key_pair(scenario: &Scenario, field: &str, name: &str) -> Result<KeyPair, Error> {
    let unknown = || Error::UnknownKey {
        scenario: scenario.id.clone(),
        field: field.to_owned(),
        key: name.to_owned(),
        available: keys::available(),
    };
    let pem = keys::test_key_pem(name).ok_or_else(unknown)?;
    KeyPair::from_pem_and_sign_algo(pem, &PKCS_RSA_SHA256).map_err(|_| unknown())
}

fn subject_of(spec: &CertSpec) -> String {
    format!("CN={}", spec.subject_cn)
}

/// 16-byte positive serial derived from the certificate's scenario name.
fn serial_for(name: &str) -> Vec<u8> {
    let mut serial = Sha256::digest(name.as_bytes())[..16].to_vec();
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    serial
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
