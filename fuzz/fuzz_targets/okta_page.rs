//! The page an Okta embed link answers with (SAML form, step-up or sign-in page, errors) is read
//! as every status the flow meets, without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    aws_token::fuzzing::okta_page(data);
});
