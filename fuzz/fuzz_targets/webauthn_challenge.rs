//! A security key's challenge data from Okta (any bytes) is made into the request a browser would
//! make, without a panic, and never for an rpId that is not the org's host or a parent of it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    aws_token::fuzzing::webauthn_challenge(data);
});
