//! What answers a phishing-resistant challenge without a browser: Okta FastPass through Okta Verify
//! on this device (`fastpass.rs`, its loopback service), and WebAuthn security keys (`webauthn.rs`
//! builds the assertion; `usb_key.rs` signs with a USB key, in a helper process of its own
//! (`aws-token-security-key`, so that no other run loads the HID stack), `soft_key.rs` with the test key file
//! that `key_file.rs` reads, in tests).

pub mod fastpass;
#[cfg(debug_assertions)]
pub mod key_file;
#[cfg(debug_assertions)]
mod soft_key;
#[cfg(feature = "usb-keys")]
pub mod usb_key;
pub mod webauthn;
