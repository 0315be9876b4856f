//! An answer of Okta's IDX API (any bytes, as a hostile org or proxy may send) is read and asked
//! everything the Identity Engine walk asks, without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    aws_token::fuzzing::idx_answer(data);
});
