//! aws-token's integration tests: one binary, one file per feature. Every test runs the real
//! `aws-token` against a sandbox on a random loopback port (or moto's STS) with HOME in a temp dir.

// The harness is shared by the feature files of this one crate.
#![allow(unreachable_pub)]

mod support;

mod bad_input;
mod browser;
mod browser_network;
mod browser_window;
mod cache_safety;
mod cli;
mod concurrency;
mod config;
mod configure;
mod crash;
mod credential_server;
mod credentials_file;
mod duo;
mod entra;
mod fastpass;
mod form;
mod hostile;
mod hostile_idp;
mod hostile_roles;
mod identity_engine;
mod lifecycle;
mod moto;
mod okta;
mod output;
mod passkey;
mod readme_claims;
mod reliability;
mod roles;
mod saml_idp;
mod second_day;
mod secrets;
mod security_key;
mod sessions;
mod status;
mod sts;
mod tls;
mod tty;
mod wrapper;
