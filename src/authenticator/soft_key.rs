//! A software security key, for tests only (debug builds, `AWS_TOKEN_TEST_SECURITY_KEY`): one
//! ES256 credential in a JSON file (`credentialId` base64url, `privateKey` PKCS#8 in base64,
//! `rpId`, `signCount`, optional `pin`), answering as a CTAP2 key would: nothing for another rpId
//! or credential, the PIN asked when user verification is wanted, a sign count that grows with
//! each use and is written back.

use super::key_file::KeyFile;
use super::webauthn::{SecurityKey, Signed, Ui, UserVerification};
use crate::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// The key file.
#[derive(Debug)]
pub(super) struct SoftKey {
    path: PathBuf,
}

impl SoftKey {
    pub(super) fn new(path: PathBuf) -> Self {
        SoftKey { path }
    }
}

impl SecurityKey for SoftKey {
    fn get_assertion(
        &self,
        rp_id: &str,
        client_data: &[u8],
        allow: &[Vec<u8>],
        uv: UserVerification,
        ui: &Ui<'_>,
    ) -> Result<Option<Signed>> {
        let mut file = KeyFile::read(&self.path)?;
        let id = file.credential_id(&self.path)?;
        if file.rp_id != rp_id || !(allow.is_empty() || allow.contains(&id)) {
            return Ok(None);
        }
        let key = STANDARD
            .decode(&file.private_key)
            .ok()
            .and_then(|der| SigningKey::from_pkcs8_der(&der).ok())
            .ok_or_else(|| Error::File {
                path: self.path.clone(),
                message: "not a test security key: privateKey".into(),
            })?;
        let pin = file.pin.clone();
        let mut flags = 0x01u8;
        let verify = match uv {
            UserVerification::Required => true,
            UserVerification::Preferred => pin.is_some(),
            UserVerification::Discouraged => false,
        };
        if verify {
            let Some(pin) = pin else {
                return Err(Error::Authentication {
                    url: ui.org.to_owned(),
                    message: "the sign-in requires user verification and the security key has no PIN set; set one with the key maker's tool".into(),
                });
            };
            let typed = ui
                .prompter
                .secret("Security key PIN", "a terminal to type the PIN on")?;
            if typed.expose() != &pin {
                return Err(Error::Authentication {
                    url: ui.org.to_owned(),
                    message: "the security key refused the PIN (CTAP2_ERR_PIN_INVALID)".into(),
                });
            }
            flags |= 0x04;
        }
        ui.reporter.attention("Touch your security key");
        file.sign_count += 1;
        let count = file.sign_count;
        file.write(&self.path)?;
        let mut authenticator_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        authenticator_data.push(flags);
        authenticator_data.extend_from_slice(&count.to_be_bytes());
        let mut signed = authenticator_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data));
        let signature: Signature = key.sign(&signed);
        Ok(Some(Signed {
            authenticator_data,
            signature: signature.to_der().as_bytes().to_vec(),
            user_handle: None,
        }))
    }
}
