//! Any HTML page is read as the form provider reads a login page (forms, fields, submission,
//! the SAML form and where it posts, the IdP's error text, consent) without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    aws_token::fuzzing::html_page(data);
});
