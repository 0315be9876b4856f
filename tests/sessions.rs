//! One sign-in for the day (issue 14): the Okta session a login makes is kept (the OS keyring, else
//! a 0600 file) and tried first by every later run for another account or role of the org — no
//! password, no MFA, no Authn call, counted in the sandbox; a session the org ended is dropped and
//! the normal login runs; `logout` forgets it all. scripts/test.sh runs the suite in a session
//! keyring of its own (keyctl), so the kernel keyring is the store here as on a desktop.

use crate::support::*;

fn first_login(w: &World) -> Run {
    w.login("demo@example.com")
        .args(["--otp", &totp(), "--role", "Admin", "--verbose"])
        .expect(0)
}

/// A run with neither password nor code: only a kept session can sign it in.
fn without_secrets(w: &World, args: &[&str]) -> Test {
    w.run()
        .args(["--username", "demo@example.com", "--verbose"])
        .args(args)
}

#[test]
fn a_kept_session_signs_in_other_accounts_and_roles_without_password_or_mfa() {
    let w = World::new();
    first_login(&w);
    assert_eq!(w.sandbox.requests().authn, 1);
    without_secrets(&w, &["--role", "ReadOnly", "--profile", "readonly"])
        .expect(0)
        .stderr_has("signed in with the kept Okta session: no password, no MFA");
    without_secrets(&w, &["--account", "dev-direct", "--role", "Developer"]).expect(0);
    without_secrets(
        &w,
        &[
            "credential-process",
            "--account",
            "development",
            "--role",
            "Admin",
        ],
    )
    .expect(0);
    without_secrets(&w, &["roles"]).expect(0);
    assert_eq!(
        w.sandbox.requests().authn,
        1,
        "a kept session made an Authn call"
    );
    let creds = w.credentials();
    for p in ["staging", "readonly", "dev-direct"] {
        assert!(ini_value(&creds, p, "aws_session_token").is_some(), "{p}");
    }
}

#[test]
fn the_session_is_kept_in_the_os_keyring_when_one_answers() {
    let w = World::new();
    let r = first_login(&w);
    let secrets_file = w.home.path().join(".cache/aws-token/secrets.json");
    if r.stderr().contains("no keyring answers here") {
        // A machine without a session keyring: the fall-back is the 0600 file.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the tests in a kernel session keyring (scripts/test.sh); none answered"
        );
        assert!(secrets_file.exists());
    } else {
        assert!(
            !secrets_file.exists(),
            "the session went to a file beside a working keyring"
        );
    }
}

#[test]
fn the_file_store_is_private_and_holds_the_session() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    w.login("demo@example.com")
        .args(["--otp", &totp(), "--role", "Admin"])
        .env("AWS_TOKEN_KEYRING", "file")
        .expect(0);
    let file = w.home.path().join(".cache/aws-token/secrets.json");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(std::fs::read_to_string(&file).unwrap().contains("sid="));
    without_secrets(&w, &["--role", "ReadOnly"])
        .env("AWS_TOKEN_KEYRING", "file")
        .expect(0);
    assert_eq!(w.sandbox.requests().authn, 1);
}

#[test]
fn a_session_the_org_ended_is_dropped_and_the_normal_login_runs() {
    let w = World::new();
    first_login(&w);
    w.sandbox.end_sessions();
    // Without a password the normal login cannot run: the message says why, and the flag.
    without_secrets(&w, &["--role", "ReadOnly"])
        .expect(2)
        .stderr_has("The kept Okta session has ended; signing in again")
        .stderr_has("--password");
    // The dropped session is not tried again; a login with the password keeps a new one.
    let r = w
        .login("demo@example.com")
        .args(["--otp", &totp(), "--role", "ReadOnly", "--verbose"])
        .expect(0);
    assert!(!r.stderr().contains("kept Okta session"), "{}", r.stderr());
    without_secrets(&w, &["--role", "Admin"]).expect(0);
    assert_eq!(w.sandbox.requests().authn, 2);
}

#[test]
fn logout_forgets_the_session_and_the_cached_credentials() {
    let w = World::new();
    first_login(&w);
    without_secrets(&w, &["credential-process", "--role", "ReadOnly"]).expect(0);
    w.run()
        .arg("logout")
        .expect(0)
        .stderr_has(&format!(
            "Logged out of {}/: forgot 1 IdP session",
            w.sandbox.url()
        ))
        .stderr_has("and 1 set of cached credentials");
    // Nothing kept: signing in needs the password again.
    without_secrets(&w, &["credential-process", "--role", "ReadOnly"])
        .expect(2)
        .stderr_has("--password");
    w.run()
        .args(["logout", "--all-orgs"])
        .expect(0)
        .stderr_has("Logged out of every IdP: forgot 0 IdP sessions");
}

#[test]
fn all_writes_a_profile_per_role_with_one_login_and_reports_a_refused_one() {
    let w = World::new();
    let r = w
        .login("demo@example.com")
        .args(["--otp", &totp(), "--all"])
        .expect(0);
    // Named after the account logged in to directly (staging, dev-direct), not other-app.
    assert_eq!(
        r.stdout(),
        "staging-Admin\nstaging-ReadOnly\ndev-direct-Developer\n"
    );
    let creds = w.credentials();
    for p in ["staging-Admin", "staging-ReadOnly", "dev-direct-Developer"] {
        assert!(ini_value(&creds, p, "aws_session_token").is_some(), "{p}");
    }
    let n = w.sandbox.requests();
    assert_eq!((n.authn, n.assume_role_with_saml), (1, 3), "{n:?}");

    // A role whose trust policy refuses the IdP: reported, the others written, exit 5.
    let mut d = aws_token_sandbox::data::demo();
    d.roles
        .get_mut("arn:aws:iam::111111111111:role/ReadOnly")
        .unwrap()
        .trust_denied = true;
    let w = World::with_data(d);
    let r = w
        .login("demo@example.com")
        .args(["--otp", &totp(), "--all"])
        .expect(5);
    r.stderr_has("staging-ReadOnly: STS AssumeRoleWithSAML for arn:aws:iam::111111111111:role/ReadOnly failed: AccessDenied")
        .stderr_has("1 of 3 roles were refused");
    assert_eq!(r.stdout(), "staging-Admin\ndev-direct-Developer\n");
    assert!(ini_value(&w.credentials(), "staging-ReadOnly", "aws_session_token").is_none());
}

#[test]
fn remember_keeps_the_password_in_the_os_keyring_and_forgets_it_when_refused() {
    let w = World::new();
    let login = |role: &str| {
        w.run()
            .args(["--username", "nomfa@example.com", "--role", role])
    };
    let r = login("Admin")
        .arg("--remember")
        .env("AWS_TOKEN_PASSWORD", PASSWORD)
        .output();
    if r.stderr().contains("no keyring answers here") {
        // Never a file for a password: without a keyring --remember is refused.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the tests in a kernel session keyring (scripts/test.sh); none answered"
        );
        assert_eq!(r.code(), 2, "{}", r.stderr());
        return;
    }
    assert_eq!(r.code(), 0, "{}", r.stderr());
    r.stderr_has("The password of nomfa@example.com is remembered in the kernel keyring");
    let secrets = std::fs::read_to_string(w.home.path().join(".cache/aws-token/secrets.json"))
        .unwrap_or_default();
    assert!(!secrets.contains(PASSWORD), "the password reached a file");
    // With the kept session ended, the remembered password signs in: no prompt, no flag.
    w.sandbox.end_sessions();
    login("ReadOnly").expect(0);
    assert_eq!(w.sandbox.requests().authn, 2);
    // The password changes at the IdP: the remembered one is refused, forgotten, and said so.
    w.sandbox.end_sessions();
    w.sandbox.change_password("nomfa@example.com", "new horse");
    login("Admin").expect(3).stderr_has(
        "the password remembered for nomfa@example.com was refused, so it is forgotten",
    );
    login("Admin").expect(2).stderr_has("--password");
    w.run().arg("logout").expect(0);
}

#[test]
fn the_form_providers_idp_session_is_kept_and_dropped_when_ended() {
    let w = World::new();
    w.write_config(
        &w.default_config()
            .replace("\"provider\": \"okta\"", "\"provider\": \"form\"")
            .replace(
                &w.sandbox.embed_link(DEMO_APP),
                &w.sandbox.form_login(DEMO_APP),
            ),
    );
    w.login("demo@example.com")
        .args(["--otp", &totp(), "--role", "Admin"])
        .expect(0);
    assert_eq!(w.sandbox.requests().form_login, 1);
    // No password, no code: the IdP's session cookie signs in.
    without_secrets(&w, &["--role", "ReadOnly", "--profile", "ro"])
        .expect(0)
        .stderr_has("signed in with the kept IdP session: no password, no MFA");
    assert_eq!(w.sandbox.requests().form_login, 1);
    w.sandbox.end_sessions();
    without_secrets(&w, &["--role", "ReadOnly", "--profile", "ro", "--force"])
        .expect(2)
        .stderr_has("The kept IdP session has ended; signing in again");
    w.login("demo@example.com")
        .args(["--otp", &totp(), "--role", "Admin", "--force"])
        .expect(0);
    assert_eq!(w.sandbox.requests().form_login, 2);
}

#[test]
fn the_browser_providers_idp_session_is_kept() {
    crate::browser::chromium();
    let w = World::new();
    w.write_config(
        &w.default_config()
            .replace("\"provider\": \"okta\"", "\"provider\": \"okta-browser\""),
    );
    let tmp = w.home.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    w.login("demo@example.com")
        .args(["--otp", &totp(), "--role", "Admin"])
        .env("TMPDIR", &tmp)
        .env("DISPLAY", "")
        .expect(0);
    assert_eq!(w.sandbox.requests().authn, 1);
    // A new Chromium, a new profile: the kept cookies open the app without the sign-in page.
    without_secrets(&w, &["--role", "ReadOnly", "--profile", "ro"])
        .env("TMPDIR", &tmp)
        .env("DISPLAY", "")
        .expect(0);
    assert_eq!(w.sandbox.requests().authn, 1, "the browser signed in again");
    crate::browser::assert_no_leftover_profiles(&w);
    w.sandbox.end_sessions();
    without_secrets(&w, &["--role", "ReadOnly", "--profile", "ro", "--force"])
        .env("TMPDIR", &tmp)
        .env("DISPLAY", "")
        .expect(2)
        .stderr_has("The kept IdP session has ended; signing in again");
}
