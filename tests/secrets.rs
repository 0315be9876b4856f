//! No secret reaches stderr, even with --verbose, and none reaches stdout unless asked for.

use crate::support::*;

#[test]
fn verbose_run_prints_no_secret() {
    let w = World::new();
    let code = totp();
    let r = w
        .run()
        .args([
            "--username",
            "demo@example.com",
            "--password",
            PASSWORD,
            "--otp",
            &code,
            "--role",
            "Admin",
            "--verbose",
        ])
        .expect(0);
    let err = r.stderr();
    let creds = w.credentials();
    for key in [
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
    ] {
        let v = ini_value(&creds, "staging", key).unwrap();
        assert!(!err.contains(&v), "{key} leaked to stderr");
        assert!(!r.stdout().contains(&v), "{key} leaked to stdout");
    }
    assert!(!err.contains(PASSWORD), "password leaked");
    assert!(!err.contains(&code), "otp leaked");
    assert!(!err.contains("sessionToken="), "session token leaked");
    assert!(
        err.contains("aws-token: Okta transaction status MFA_REQUIRED"),
        "{err}"
    );
}

#[test]
fn failing_runs_print_no_secret() {
    let w = World::new();
    let r = w
        .run()
        .args([
            "--username",
            "demo@example.com",
            "--password",
            "s3cr3t-pass",
            "--otp",
            "987654",
            "--verbose",
        ])
        .expect(3);
    assert!(!r.stderr().contains("s3cr3t-pass"));
    assert!(!r.stderr().contains("987654"));
}
