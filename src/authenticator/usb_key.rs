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
                Err(e) => match Failure::of(&e.to_string()) {
                    // This key holds no such credential: the next key, or the appid.
                    Failure::NoCredentials => {}
                    failure => return Err(failed(failure.message(&name))),
                },
            }
        }
        Ok(None)
    }
}

/// What a key's failure means to the user. `ctap-hid-fido2` reports a CTAP status as error text
/// only (an `anyhow` message made from the status, "0x31 CTAP2_ERR_PIN_INVALID PIN Invalid."), no
/// error value: the status is read back from the CTAP2 specification's name for it, a whole word
/// of the message, never from a substring of other text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// CTAP2_ERR_NO_CREDENTIALS (0x2E): this key holds none of the allowed credentials.
    NoCredentials,
    /// CTAP2_ERR_PIN_INVALID (0x31).
    PinRefused,
    /// CTAP2_ERR_PIN_BLOCKED (0x32), CTAP2_ERR_PIN_AUTH_BLOCKED (0x34).
    PinBlocked,
    /// CTAP2_ERR_USER_ACTION_TIMEOUT (0x2F), CTAP2_ERR_OPERATION_DENIED (0x27).
    NotTouched,
    /// Anything else, as the library said it.
    Other(String),
}

impl Failure {
    fn of(said: &str) -> Failure {
        let word = |name: &str| {
            said.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| w == name)
        };
        if word("CTAP2_ERR_NO_CREDENTIALS") {
            Failure::NoCredentials
        } else if word("CTAP2_ERR_PIN_INVALID") {
            Failure::PinRefused
        } else if word("CTAP2_ERR_PIN_BLOCKED") || word("CTAP2_ERR_PIN_AUTH_BLOCKED") {
            Failure::PinBlocked
        } else if word("CTAP2_ERR_USER_ACTION_TIMEOUT") || word("CTAP2_ERR_OPERATION_DENIED") {
            Failure::NotTouched
        } else {
            Failure::Other(said.to_owned())
        }
    }

    fn message(&self, name: &str) -> String {
        match self {
            Failure::NoCredentials => {
                format!("the security key {name} holds no credential for this sign-in")
            }
            Failure::PinRefused => "the security key refused the PIN".to_owned(),
            Failure::PinBlocked => "the security key's PIN is blocked; unplug it, plug it in again, or reset it with the maker's tool".to_owned(),
            Failure::NotTouched => {
                "the security key was not touched in time, or the touch was refused".to_owned()
            }
            Failure::Other(said) => format!("the security key {name} failed: {said}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ctap_status_the_library_reports_is_mapped() {
        // The library's own texts (ctapdef.rs), as its errors carry them.
        let cases = [
            (
                "0x2E CTAP2_ERR_NO_CREDENTIALS    No valid credentials provided.",
                Failure::NoCredentials,
            ),
            (
                "0x31 CTAP2_ERR_PIN_INVALID   PIN Invalid.",
                Failure::PinRefused,
            ),
            (
                "0x32 CTAP2_ERR_PIN_BLOCKED PIN Blocked.",
                Failure::PinBlocked,
            ),
            (
                "0x34 CTAP2_ERR_PIN_AUTH_BLOCKED PIN authentication, pinAuth, blocked.Requires power recycle to reset.",
                Failure::PinBlocked,
            ),
            (
                "0x2F CTAP2_ERR_USER_ACTION_TIMEOUT   Timeout waiting for user interaction.",
                Failure::NotTouched,
            ),
            (
                "0x27 CTAP2_ERR_OPERATION_DENIED  Not authorized for requested operation.",
                Failure::NotTouched,
            ),
        ];
        for (said, want) in cases {
            assert_eq!(Failure::of(said), want, "{said}");
        }
        // A hex code inside other text is no status (the old substring rule took it for one).
        let other = "read err = 0x31 bytes from device 0x2E";
        assert_eq!(Failure::of(other), Failure::Other(other.into()));
        assert!(Failure::PinRefused.message("k").contains("refused the PIN"));
    }
}
