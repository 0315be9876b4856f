//! A cache file, tampered or damaged, is read as cached credentials, kept secrets, the index and
//! the learnt pipelines without a panic; cached credentials are only ever served unexpired.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    aws_token::fuzzing::cache_file(data);
});
