//! File assembly: encode certificates, keys and CRLs as PEM or DER, optionally encrypt keys,
//! then apply the scenario's byte-level fault. Pure functions over bytes.

use scenario::{Encoding, FileFault};

/// Certificates (DER each) as one file: PEM blocks concatenated, or DER bytes concatenated.
pub(crate) fn certs(ders: &[&[u8]], encoding: Encoding) -> Vec<u8> {
    ders.iter()
        .flat_map(|der| match encoding {
            Encoding::Pem => pem("CERTIFICATE", der).into_bytes(),
            Encoding::Der => der.to_vec(),
        })
        .collect()
}

/// RFC 7468 PEM with 64-column base64 lines and LF endings.
pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    use pkcs8::der::pem::{LineEnding, encode_string};
    encode_string(label, LineEnding::LF, der).expect("PEM labels here are valid")
}

/// A test key's PKCS#8 as a file; with `passphrase`, as an encrypted PKCS#8
/// (PBES2: PBKDF2-SHA256, 2048 iterations, AES-256-CBC) whose salt and IV derive from
/// `seed`, so the bytes are deterministic. Errors are messages for [`crate::Error::Key`].
pub(crate) fn key(
    pkcs8_pem: &str,
    encoding: Encoding,
    passphrase: Option<&str>,
    seed: &str,
) -> Result<Vec<u8>, String> {
    use pkcs8::{PrivateKeyInfo, SecretDocument, der::pem::LineEnding, pkcs5::pbes2};
    use sha2::{Digest, Sha256};
    let (_, doc) = SecretDocument::from_pem(pkcs8_pem).map_err(|e| e.to_string())?;
    let Some(passphrase) = passphrase else {
        return Ok(match encoding {
            Encoding::Pem => pem("PRIVATE KEY", doc.as_bytes()).into_bytes(),
            Encoding::Der => doc.as_bytes().to_vec(),
        });
    };
    let digest = Sha256::digest(format!("{seed}\0{passphrase}").as_bytes());
    let (salt, iv) = digest.split_at(16);
    let iv: [u8; 16] = iv.try_into().map_err(|_| "iv length".to_owned())?;
    let params =
        pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, salt, &iv).map_err(|e| e.to_string())?;
    let info = PrivateKeyInfo::try_from(doc.as_bytes()).map_err(|e| e.to_string())?;
    let encrypted = info
        .encrypt_with_params(params, passphrase)
        .map_err(|e| e.to_string())?;
    Ok(match encoding {
        Encoding::Pem => encrypted
            .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
            .map_err(|e| e.to_string())?
            .as_bytes()
            .to_vec(),
        Encoding::Der => encrypted.as_bytes().to_vec(),
    })
}

/// Applies `fault` to encoded `bytes`; `None` means the file is not written at all.
pub(crate) fn damage(bytes: Vec<u8>, fault: Option<FileFault>) -> Option<Vec<u8>> {
    let Some(fault) = fault else {
        return Some(bytes);
    };
    Some(match fault {
        FileFault::Truncated => bytes[..bytes.len() / 2].to_vec(),
        FileFault::Crlf => String::from_utf8_lossy(&bytes)
            .replace('\n', "\r\n")
            .into_bytes(),
        FileFault::Bom => [&[0xEF, 0xBB, 0xBF][..], &bytes].concat(),
        FileFault::GarbageBase64 => {
            let mut bytes = bytes;
            // The middle of the first base64 line after the BEGIN line, else the middle byte.
            let at = bytes
                .iter()
                .position(|&b| b == b'\n')
                .map(|nl| nl + 1 + 20)
                .filter(|&i| i < bytes.len())
                .unwrap_or(bytes.len() / 2);
            if let Some(b) = bytes.get_mut(at) {
                *b = b'!';
            }
            bytes
        }
        FileFault::LeadingText => {
            [&b"Here is the certificate you asked for:\n\n"[..], &bytes].concat()
        }
        FileFault::Empty => Vec::new(),
        FileFault::Missing => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &[u8] = b"-----BEGIN CERTIFICATE-----\nMIIBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END CERTIFICATE-----\n";

    #[test]
    fn faults_change_bytes_as_documented() {
        assert_eq!(damage(PEM.to_vec(), None).as_deref(), Some(PEM));
        assert_eq!(damage(PEM.to_vec(), Some(FileFault::Missing)), None);
        assert_eq!(damage(PEM.to_vec(), Some(FileFault::Empty)), Some(vec![]));
        assert_eq!(
            damage(PEM.to_vec(), Some(FileFault::Truncated)).map(|b| b.len()),
            Some(PEM.len() / 2)
        );
        assert!(
            damage(PEM.to_vec(), Some(FileFault::Bom))
                .expect("written")
                .starts_with(&[0xEF, 0xBB, 0xBF, b'-'])
        );
        let crlf = damage(PEM.to_vec(), Some(FileFault::Crlf)).expect("written");
        assert_eq!(crlf.windows(2).filter(|w| w == b"\r\n").count(), 3);
        let garbage = damage(PEM.to_vec(), Some(FileFault::GarbageBase64)).expect("written");
        assert_eq!(garbage[28 + 20], b'!');
    }
}
