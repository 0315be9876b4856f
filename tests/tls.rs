//! Logins over https (the sandbox served with a generated CA): the trust roots come from
//! SSL_CERT_FILE, SSL_CERT_DIR or AWS_CA_BUNDLE; an untrusted certificate fails at once (no retry),
//! exit 6, naming what is trusted and how to add a CA, and leaves no credentials behind.

use crate::support::*;
use std::time::{Duration, Instant};

fn login(w: &World) -> Test {
    w.login("nomfa@example.com").args(["--role", "Admin"])
}

#[test]
fn https_login_with_the_ca_in_ssl_cert_file() {
    let w = World::tls();
    assert!(w.sandbox.url().starts_with("https://"));
    login(&w).env("SSL_CERT_FILE", w.ca_path()).expect(0);
    assert!(ini_value(&w.credentials(), "staging", "aws_session_token").is_some());
}

#[test]
fn https_login_with_the_ca_in_aws_ca_bundle() {
    let w = World::tls();
    login(&w).env("AWS_CA_BUNDLE", w.ca_path()).expect(0);
}

#[test]
fn https_login_with_the_ca_in_ssl_cert_dir() {
    let w = World::tls();
    let dir = w.home.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(w.ca_path(), dir.join("corporate.pem")).unwrap();
    login(&w).env("SSL_CERT_DIR", &dir).expect(0);
}

#[test]
fn untrusted_certificate_fails_at_once_with_a_hint() {
    let w = World::tls();
    let started = Instant::now();
    let r = login(&w).expect(6);
    r.stderr_has("invalid peer certificate: UnknownIssuer")
        .stderr_has("point SSL_CERT_FILE or AWS_CA_BUNDLE at its PEM file");
    // Retrying a certificate that does not verify only delays the message (backoff is 250 ms+).
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert!(!w.credentials_path().exists());
}

#[test]
fn a_trust_file_that_is_missing_is_named() {
    let w = World::tls();
    login(&w)
        .env("SSL_CERT_FILE", w.home.path().join("nope.pem"))
        .expect(6)
        .stderr_has("SSL_CERT_FILE: ")
        .stderr_has("nope.pem");
}
