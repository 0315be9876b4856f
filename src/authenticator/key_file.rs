//! The test security key's file, as `aws-token-sandbox security-key` prints it: one ES256
//! credential (`credentialId` base64url, `privateKey` PKCS#8 in standard base64, the `rpId` it was
//! registered at, `signCount`, an optional `pin`). Debug builds only: the software key
//! (`soft_key.rs`) and the browser providers' virtual authenticator read it.

use crate::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::path::Path;

/// The file's contents. No `Debug`: it holds a private key and maybe a PIN.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyFile {
    pub credential_id: String,
    pub private_key: String,
    pub rp_id: String,
    #[serde(default)]
    pub sign_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
}

impl KeyFile {
    pub fn read(path: &Path) -> Result<KeyFile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::file(path, "cannot read the test security key", &e))?;
        serde_json::from_str(&text).map_err(|e| Error::File {
            path: path.to_owned(),
            message: format!("not a test security key: {e}"),
        })
    }

    /// Write it back (the software key's grown sign count).
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string(self)
            .map_err(|e| Error::Internal(format!("cannot encode the test security key: {e}")))?;
        std::fs::write(path, text)
            .map_err(|e| Error::file(path, "cannot write the test security key", &e))
    }

    /// The credential id's bytes.
    pub fn credential_id(&self, path: &Path) -> Result<Vec<u8>> {
        URL_SAFE_NO_PAD
            .decode(&self.credential_id)
            .map_err(|e| Error::File {
                path: path.to_owned(),
                message: format!("not a test security key: credentialId: {e}"),
            })
    }
}
