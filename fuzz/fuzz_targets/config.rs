//! The config.json parser never panics: any text is a Config or an error naming the file.
#![no_main]

use aws_token::config::Config;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match Config::parse(text, Path::new("config.json")) {
            Ok(c) => {
                let _ = serde_json::to_string(&c);
            }
            Err(e) => assert!(e.to_string().starts_with("config.json: "), "{e}"),
        }
    }
});
