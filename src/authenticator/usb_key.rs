//! USB security keys (CTAP2 over HID, the `ctap-hid-fido2` crate; cargo feature `usb-keys`, which
//! links libudev on Linux), asked in a helper process of their own: `aws-token-security-key` (next
//! to aws-token) is the only binary that links the HID stack, so every other run of aws-token
//! loads none of it (`UsbKeyHelper`, the `SecurityKey` aws-token uses, starts it when a key is
//! asked). The helper asks each plugged-in key in turn; the PIN is asked (by aws-token, on its
//! terminal) when the sign-in requires user verification, or prefers it and the key has a PIN set
//! (as browsers do); "Touch your security key" goes to stderr before the key waits for the touch.
//!
//! The helper's protocol, one JSON object a line: aws-token writes the request (`rpId`,
//! `clientData`, `allow`, `uv`, `pin`: base64 where bytes) on its stdin; the helper writes
//! `{"touch": NAME}` before each key waits, then one of `{"signed": {...}}`, `{"none": true}`
//! (no key holds such a credential), `{"pin": NAME}` (a key wants its PIN: ask, then again) or
//! `{"failed": MESSAGE}`.

use super::webauthn::{SecurityKey, Signed, Ui, UserVerification};
use crate::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ctap_hid_fido2::fidokey::get_assertion::get_assertion_params::GetAssertionArgsBuilder;
use ctap_hid_fido2::fidokey::get_info::InfoOption;
use ctap_hid_fido2::{FidoKeyHidFactory, LibCfg};
use serde_json::{Value, json};
use std::io::{BufRead, Write};

/// The helper binary's name, next to aws-token's own.
pub const HELPER: &str = "aws-token-security-key";

/// The `SecurityKey` aws-token uses: the helper process, started when a key is asked.
#[derive(Debug)]
pub(super) struct UsbKeyHelper;

impl SecurityKey for UsbKeyHelper {
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
        let helper = std::env::current_exe()
            .map(|exe| exe.with_file_name(HELPER))
            .map_err(|e| Error::Internal(format!("cannot find aws-token's own path: {e}")))?;
        let mut pin: Option<crate::secret::Secret<String>> = None;
        // Twice at most: without the PIN, then with it when a key asked for it.
        for _ in 0..2 {
            let mut request = json!({
                "rpId": rp_id,
                "clientData": STANDARD.encode(client_data),
                "allow": allow.iter().map(|a| STANDARD.encode(a)).collect::<Vec<_>>(),
                "uv": match uv {
                    UserVerification::Required => "required",
                    UserVerification::Preferred => "preferred",
                    UserVerification::Discouraged => "discouraged",
                },
            });
            if let Some(p) = &pin {
                request["pin"] = json!(p.expose());
            }
            let mut child = std::process::Command::new(&helper)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::inherit())
                .spawn()
                .map_err(|e| {
                    failed(format!(
                        "cannot start {} ({e}): it asks USB security keys for aws-token and is installed beside it (cargo install installs both)",
                        helper.display()
                    ))
                })?;
            if let Some(mut stdin) = child.stdin.take() {
                let line = format!("{request}\n");
                let _ = stdin.write_all(line.as_bytes());
            }
            drop(request);
            let Some(stdout) = child.stdout.take() else {
                return Err(Error::Internal(
                    "the security-key helper has no stdout".into(),
                ));
            };
            let mut answer = None;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(v) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if v.get("touch").is_some() {
                    ui.reporter.attention("Touch your security key");
                    continue;
                }
                answer = Some(v);
                break;
            }
            let _ = child.wait();
            let Some(v) = answer else {
                return Err(failed(format!(
                    "{} ended without an answer",
                    helper.display()
                )));
            };
            if let Some(name) = v.get("pin").and_then(Value::as_str) {
                if pin.is_some() {
                    return Err(failed("the security key asked for its PIN again".into()));
                }
                pin = Some(ui.prompter.secret(
                    &format!("Security key PIN ({})", crate::report::printable(name)),
                    "a terminal to type the PIN on",
                )?);
                continue;
            }
            if let Some(message) = v.get("failed").and_then(Value::as_str) {
                return Err(failed(message.to_owned()));
            }
            if v.get("none").is_some() {
                return Ok(None);
            }
            let bytes = |k: &str| {
                v.pointer(&format!("/signed/{k}"))
                    .and_then(Value::as_str)
                    .and_then(|b| STANDARD.decode(b).ok())
            };
            return match (bytes("authenticatorData"), bytes("signature")) {
                (Some(authenticator_data), Some(signature)) => Ok(Some(Signed {
                    authenticator_data,
                    signature,
                    user_handle: bytes("userHandle"),
                })),
                _ => Err(failed(
                    "the security-key helper's answer holds no signature".into(),
                )),
            };
        }
        Err(failed("the security key asked for its PIN again".into()))
    }
}

/// The helper's side: read one request on stdin, ask the keys, write the answer on stdout (see the
/// module doc). Used by the `aws-token-security-key` binary only.
pub fn serve_helper() -> std::process::ExitCode {
    let mut line = String::new();
    let out = |v: Value| {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{v}");
        let _ = stdout.flush();
    };
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        out(json!({"failed": "no request on stdin"}));
        return std::process::ExitCode::FAILURE;
    }
    let Ok(request) = serde_json::from_str::<Value>(&line) else {
        out(json!({"failed": "the request is not JSON"}));
        return std::process::ExitCode::FAILURE;
    };
    let text = |k: &str| request.get(k).and_then(Value::as_str).unwrap_or_default();
    let decode = |b: &str| STANDARD.decode(b).unwrap_or_default();
    let allow: Vec<Vec<u8>> = request
        .get("allow")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(decode)
        .collect();
    let uv = match text("uv") {
        "required" => UserVerification::Required,
        "discouraged" => UserVerification::Discouraged,
        _ => UserVerification::Preferred,
    };
    let pin = request.get("pin").and_then(Value::as_str);
    match ask_keys(
        text("rpId"),
        &decode(text("clientData")),
        &allow,
        uv,
        pin,
        &|name| out(json!({"touch": name})),
    ) {
        Ok(Asked::Signed(s)) => out(json!({"signed": {
            "authenticatorData": STANDARD.encode(&s.authenticator_data),
            "signature": STANDARD.encode(&s.signature),
            "userHandle": s.user_handle.as_ref().map(|h| STANDARD.encode(h)),
        }})),
        Ok(Asked::None) => out(json!({"none": true})),
        Ok(Asked::Pin(name)) => out(json!({"pin": name})),
        Err(message) => out(json!({"failed": message})),
    }
    std::process::ExitCode::SUCCESS
}

/// What asking the keys came to.
enum Asked {
    Signed(Signed),
    /// No key holds such a credential.
    None,
    /// The key named wants its PIN, and none was given.
    Pin(String),
}

/// The library's settings: nothing printed by it (aws-token says what to do, on stderr).
fn quiet() -> LibCfg {
    let mut cfg = LibCfg::init();
    cfg.enable_log = false;
    cfg.enable_keep_alive_msg = false;
    cfg.keep_alive_msg = String::new();
    cfg.keep_alive_msg_to_stderr = true;
    cfg
}

/// Ask every plugged-in key in turn for an assertion; `touch` is called before a key waits.
fn ask_keys(
    rp_id: &str,
    client_data: &[u8],
    allow: &[Vec<u8>],
    uv: UserVerification,
    pin: Option<&str>,
    touch: &dyn Fn(&str),
) -> std::result::Result<Asked, String> {
    let devices = ctap_hid_fido2::get_fidokey_devices();
    if devices.is_empty() {
        return Err("the sign-in asks for a security key and none is plugged in (no USB FIDO device found, or no permission to open /dev/hidraw*: see the README); plug it in and run aws-token again".into());
    }
    let cfg = quiet();
    for device in devices {
        let name = device.product_string.clone();
        let key = FidoKeyHidFactory::create_by_params(&[device.param], &cfg)
            .map_err(|e| format!("cannot open the security key {name}: {e}"))?;
        let has_pin = key
            .enable_info_option(&InfoOption::ClientPin)
            .ok()
            .flatten()
            .unwrap_or(false);
        let wants_pin = match uv {
            UserVerification::Required if !has_pin => {
                return Err(format!(
                    "the sign-in requires user verification and the security key {name} has no PIN set; set one with the key maker's tool"
                ));
            }
            UserVerification::Required | UserVerification::Preferred => has_pin,
            UserVerification::Discouraged => false,
        };
        if wants_pin && pin.is_none() {
            return Ok(Asked::Pin(name));
        }
        let mut args = GetAssertionArgsBuilder::new(rp_id, client_data);
        for id in allow {
            args = args.add_credential_id(id);
        }
        args = match pin.filter(|_| wants_pin) {
            Some(p) => args.pin(p),
            None => args.without_pin_and_uv(),
        };
        touch(&name);
        match key.get_assertion_with_args(&args.build()) {
            Ok(found) => {
                if let Some(a) = found.into_iter().next() {
                    let user_handle = (!a.user.id.is_empty()).then_some(a.user.id);
                    return Ok(Asked::Signed(Signed {
                        authenticator_data: a.auth_data,
                        signature: a.signature,
                        user_handle,
                    }));
                }
            }
            Err(e) => match Failure::of(&e.to_string()) {
                // This key holds no such credential: the next key, or the appid.
                Failure::NoCredentials => {}
                failure => return Err(failure.message(&name)),
            },
        }
    }
    Ok(Asked::None)
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
