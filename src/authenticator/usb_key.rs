//! USB security keys (CTAP2 over HID, the `ctap-hid-fido2` crate; cargo feature `usb-keys`,
//! which links libudev on Linux): each plugged-in key is asked in turn; the PIN is asked when the
//! sign-in requires user verification, or prefers it and the key has a PIN set (as browsers do);
//! "Touch your security key" goes to stderr before the key waits for the touch.

use super::webauthn::{SecurityKey, Signed, Ui, UserVerification};
use crate::error::{Error, Result};
use ctap_hid_fido2::fidokey::get_assertion::get_assertion_params::GetAssertionArgsBuilder;
use ctap_hid_fido2::fidokey::get_info::InfoOption;
use ctap_hid_fido2::{FidoKeyHidFactory, LibCfg};

/// Every USB FIDO key plugged in.
#[derive(Debug)]
pub(super) struct UsbKeys;

/// The library's settings: nothing printed by it (aws-token says what to do, on stderr).
fn quiet() -> LibCfg {
    let mut cfg = LibCfg::init();
    cfg.enable_log = false;
    cfg.enable_keep_alive_msg = false;
    cfg.keep_alive_msg = String::new();
    cfg.keep_alive_msg_to_stderr = true;
    cfg
}

impl SecurityKey for UsbKeys {
    fn get_assertion(
        &self,
        rp_id: &str,
        client_data: &[u8],
        allow: &[Vec<u8>],
        uv: UserVerification,
        ui: &Ui<'_>,
    ) -> Result<Option<Signed>> {
        let failed = |message: String| Error::Authentication {
            url: ui.org.to_owned(),
            message,
        };
        let devices = ctap_hid_fido2::get_fidokey_devices();
        if devices.is_empty() {
            return Err(failed("the sign-in asks for a security key and none is plugged in (no USB FIDO device found, or no permission to open /dev/hidraw*: see the README); plug it in and run aws-token again".into()));
        }
        let cfg = quiet();
        for device in devices {
            let name = device.product_string.clone();
            let key = FidoKeyHidFactory::create_by_params(&[device.param], &cfg)
                .map_err(|e| failed(format!("cannot open the security key {name}: {e}")))?;
            let has_pin = key
                .enable_info_option(&InfoOption::ClientPin)
                .ok()
                .flatten()
                .unwrap_or(false);
            let pin = match uv {
                UserVerification::Required if !has_pin => {
                    return Err(failed(format!(
                        "the sign-in requires user verification and the security key {name} has no PIN set; set one with the key maker's tool"
                    )));
                }
                UserVerification::Required | UserVerification::Preferred if has_pin => {
                    Some(ui.prompter.secret(
                        &format!("Security key PIN ({name})"),
                        "a terminal to type the PIN on",
                    )?)
                }
                _ => None,
            };
            let mut args = GetAssertionArgsBuilder::new(rp_id, client_data);
            for id in allow {
                args = args.add_credential_id(id);
            }
            args = match &pin {
                Some(p) => args.pin(p.expose()),
                None => args.without_pin_and_uv(),
            };
            ui.reporter.attention("Touch your security key");
            match key.get_assertion_with_args(&args.build()) {
                Ok(found) => {
                    if let Some(a) = found.into_iter().next() {
                        let user_handle = (!a.user.id.is_empty()).then_some(a.user.id);
                        return Ok(Some(Signed {
                            authenticator_data: a.auth_data,
                            signature: a.signature,
                            user_handle,
                        }));
                    }
                }
                // This key holds no such credential: the next key, or the appid.
                Err(e) if e.to_string().contains("0x2E") => {}
                Err(e) => {
                    let said = e.to_string();
                    let why = if said.contains("0x31") {
                        "the security key refused the PIN".to_owned()
                    } else if said.contains("0x32") || said.contains("0x34") {
                        "the security key's PIN is blocked; unplug it, plug it in again, or reset it with the maker's tool".to_owned()
                    } else if said.contains("0x2F") || said.contains("0x27") {
                        "the security key was not touched in time, or the touch was refused"
                            .to_owned()
                    } else {
                        format!("the security key {name} failed: {said}")
                    };
                    return Err(failed(why));
                }
            }
        }
        Ok(None)
    }
}
