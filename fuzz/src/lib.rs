//! The modules under fuzzing, compiled from aws-token's own sources (not copies): the SAML parser,
//! the credentials-file editor, the config parser, and the error and secret types they use.
#![allow(dead_code, unreachable_pub)]

#[path = "../../src/config.rs"]
pub mod config;
#[path = "../../src/credentials_file.rs"]
pub mod credentials_file;
#[path = "../../src/error.rs"]
pub mod error;
#[path = "../../src/saml.rs"]
pub mod saml;
#[path = "../../src/secret.rs"]
pub mod secret;
