//! What answers a phishing-resistant challenge without a browser: Okta FastPass through Okta Verify
//! on this device (`fastpass.rs`, its loopback service). WebAuthn security keys are to come here
//! too (shared/DESIGN.md).

pub mod fastpass;
