//! The SAML parser never panics, whatever the IdP sends: the input as the form's SAMLResponse value
//! (first byte 0: raw text, not base64) or as the XML it decodes to (anything else).
#![no_main]

use aws_token::saml::{Assertion, SamlResponse};
use aws_token::secret::Secret;
use base64::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let value = if mode == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        base64::engine::general_purpose::STANDARD.encode(rest)
    };
    if let Ok(a) = Assertion::parse(&SamlResponse(Secret::new(value))) {
        let _ = a.partition();
        for r in &a.roles {
            assert!(!r.role_arn.is_empty() && !r.principal_arn.is_empty());
        }
    }
});
