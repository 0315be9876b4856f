//! A kept IdP session read back from a store is checked, split and put in a cookie jar as the
//! next login does, without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    aws_token::fuzzing::kept_session(data);
});
