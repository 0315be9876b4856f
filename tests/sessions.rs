//! One sign-in for the day (issue 14): the Okta session a login makes is kept (the OS keyring, else
//! a 0600 file) and tried first by every later run for another account or role of the org — no
//! password, no MFA, no Authn call, counted in the sandbox; a session the org ended is dropped and
//! the normal login runs; `logout` forgets it all. scripts/test.sh runs the suite in a session
//! keyring of its own (keyctl), so the kernel keyring is the store here as on a desktop.

use crate::support::*;

/// Whether the suite runs where an OS keyring must answer: scripts/test.sh runs it in a kernel
/// session keyring and says so (AWS_TOKEN_TEST_KEYRING=required); a keyring test that finds none
/// then fails instead of taking the file fall-back.
fn keyring_required() -> bool {
    std::env::var("AWS_TOKEN_TEST_KEYRING").as_deref() == Ok("required")
        || std::env::var_os("CI").is_some()
}

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
            !keyring_required(),
            "scripts/test.sh runs the tests in a kernel session keyring; none answered"
        );
        assert!(secrets_file.exists());
    } else {
        assert!(
            !secrets_file.exists(),
            "the session went to a file beside a working keyring"
        );
        // It is in the kernel keyring, under the org and the username.
        let description = format!(
            "keyring-rs:session {}/ demo@example.com@aws-token",
            w.sandbox.url()
        );
        let found = std::process::Command::new("keyctl")
            .args(["search", "@s", "user", &description])
            .output()
            .unwrap();
        assert!(
            found.status.success(),
            "not in the session keyring: {description}"
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
        .args(["--otp", &next_totp(), "--role", "ReadOnly", "--verbose"])
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
        .forgot_sessions_of(&w.sandbox.url())
        .stderr_has("and 1 set of cached credentials");
    // Nothing kept: signing in needs the password again.
    without_secrets(&w, &["credential-process", "--role", "ReadOnly"])
        .expect(2)
        .stderr_has("--password");
    // Every org: nothing left in this HOME. (The file store: `--all-orgs` with the kernel keyring
    // would also forget the sessions of the tests running beside this one in the suite's shared
    // session keyring, as it does a user's every session.)
    w.run()
        .args(["logout", "--all-orgs"])
        .env("AWS_TOKEN_KEYRING", "file")
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
    // Named after the account logged in to directly (staging, dev-direct), not other-app; listed
    // as shell comments, so that `eval "$(aws-token --all)"` runs nothing.
    assert_eq!(
        r.stdout(),
        "# dev-direct-Developer\n# staging-Admin\n# staging-ReadOnly\n"
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
    assert_eq!(r.stdout(), "# dev-direct-Developer\n# staging-Admin\n");
    assert!(ini_value(&w.credentials(), "staging-ReadOnly", "aws_session_token").is_none());
}

#[test]
fn remember_keeps_the_password_in_the_os_keyring_and_forgets_it_when_refused() {
    remember_then_refused(World::new(), |w| w.sandbox.requests().authn);
}

/// The same at an Identity Engine org and with the form provider: their refusals of the password
/// are recognised too (Okta's incorrectPassword; the login form shown again).
#[test]
fn a_remembered_password_is_forgotten_when_refused_by_every_provider() {
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = true;
    remember_then_refused(World::with_data(d), |w| w.sandbox.requests().idx);
    let w = World::new();
    w.use_form_idp();
    remember_then_refused(w, |w| w.sandbox.requests().form_login);
}

/// `--remember`, a login with the remembered password (the session ended), then the password
/// changed at the IdP: refused, forgotten, said so. `logins` counts the IdP's sign-in requests.
fn remember_then_refused(w: World, logins: impl Fn(&World) -> u32) {
    let login = |role: &str| {
        w.run()
            .args(["--username", "nomfa@example.com", "--role", role, "--force"])
    };
    let r = login("Admin")
        .arg("--remember")
        .env("AWS_TOKEN_PASSWORD", PASSWORD)
        .output();
    if r.stderr().contains("no keyring answers here") {
        // Never a file for a password: without a keyring --remember is refused.
        assert!(
            !keyring_required(),
            "scripts/test.sh runs the tests in a kernel session keyring; none answered"
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
    let before = logins(&w);
    w.sandbox.end_sessions();
    login("ReadOnly").expect(0);
    assert!(logins(&w) > before, "it did not sign in again");
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
    w.use_form_idp();
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
        .args(["--otp", &next_totp(), "--role", "Admin", "--force"])
        .expect(0);
    assert_eq!(w.sandbox.requests().form_login, 2);
}

#[test]
fn the_browser_providers_idp_session_is_kept() {
    use crate::browser::headless;
    crate::browser::chromium();
    let w = World::new();
    w.write_config(&w.config_with_provider("okta-browser"));
    headless(&w, w.login("demo@example.com"))
        .args(["--otp", &totp(), "--role", "Admin"])
        .expect(0);
    assert_eq!(w.sandbox.requests().authn, 1);
    // A new Chromium, a new profile: the kept cookies open the app without the sign-in page.
    headless(
        &w,
        without_secrets(&w, &["--role", "ReadOnly", "--profile", "ro"]),
    )
    .expect(0);
    assert_eq!(w.sandbox.requests().authn, 1, "the browser signed in again");
    crate::browser::assert_no_leftover_profiles(&w);
    w.sandbox.end_sessions();
    headless(
        &w,
        without_secrets(&w, &["--role", "ReadOnly", "--profile", "ro", "--force"]),
    )
    .expect(2)
    .stderr_has("The kept IdP session has ended; signing in again");
}

/// A D-Bus "session bus" that accepts connections and never answers (a wedged desktop session).
fn silent_bus(dir: &std::path::Path) -> String {
    let path = dir.join("silent-bus.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    format!("unix:path={}", path.display())
}

#[test]
fn a_secret_service_that_never_answers_costs_a_bounded_wait_then_the_file() {
    let w = World::new();
    let bus = silent_bus(w.home.path());
    let started = std::time::Instant::now();
    first_login_with(&w, |t| {
        t.env("AWS_TOKEN_KEYRING", "secret-service")
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
    })
    .stderr_has("the Secret Service (GNOME Keyring, KWallet) did not answer within 3 s")
    .stderr_has("kept secrets go to a 0600 file");
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(8), "{took:?}");
    let file = w.home.path().join(".cache/aws-token/secrets.json");
    assert!(file.exists(), "the session was not kept in the file");
    // And without any bus at all the answer is immediate.
    let w = World::new();
    let started = std::time::Instant::now();
    first_login_with(&w, |t| {
        t.env("AWS_TOKEN_KEYRING", "secret-service").env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/aws-token-test-bus",
        )
    })
    .stderr_has("kept secrets go to a 0600 file");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

fn first_login_with(w: &World, f: impl FnOnce(Test) -> Test) -> Run {
    f(w.login("demo@example.com")
        .args(["--otp", &totp(), "--role", "Admin", "--verbose"]))
    .expect(0)
}

#[test]
fn the_secret_service_keeps_the_session_where_the_kernel_keyring_is_not_used() {
    // A real Secret Service (gnome-keyring, unlocked) on a private D-Bus session; two runs in it.
    let w = World::new();
    let bin = env!("CARGO_BIN_EXE_aws-token");
    let config = w.config_path();
    let script = format!(
        r#"set -u
echo -n test-keyring-password | gnome-keyring-daemon --unlock --components=secrets > /dev/null
"{bin}" --config "{config}" --username demo@example.com --otp "$1" --role Admin --verbose < /dev/null
echo "first: $?" >&2
unset AWS_TOKEN_PASSWORD
"{bin}" --config "{config}" --username demo@example.com --role ReadOnly --profile ro --verbose < /dev/null
echo "second: $?" >&2
"{bin}" --config "{config}" logout < /dev/null
echo "logout: $?" >&2
"#,
        config = config.display()
    );
    let out = in_dbus_session(&w, &script, &totp());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("first: 0"), "{stderr}");
    assert!(stderr.contains("second: 0"), "{stderr}");
    assert!(
        stderr.contains("signed in with the kept Okta session: no password, no MFA"),
        "{stderr}"
    );
    assert!(!stderr.contains("0600 file"), "{stderr}");
    assert!(
        stderr
            .contains("forgot 1 IdP session (kept in the Secret Service (GNOME Keyring, KWallet))"),
        "{stderr}"
    );
    assert!(stderr.contains("logout: 0"), "{stderr}");
    assert_eq!(w.sandbox.requests().authn, 1);
    assert!(!w.home.path().join(".cache/aws-token/secrets.json").exists());
}

/// Run `script` (bash, `$1` = `arg`) on a private D-Bus session bus with HOME the world's, the
/// sandbox's STS, the password in the environment and the Secret Service chosen as the keyring.
fn in_dbus_session(w: &World, script: &str, arg: &str) -> std::process::Output {
    std::process::Command::new("dbus-run-session")
        .args(["--", "bash", "-c", script, "bash", arg])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", w.home.path())
        .env("NO_COLOR", "1")
        .env("AWS_ENDPOINT_URL_STS", w.sandbox.sts_url())
        .env("AWS_TOKEN_PASSWORD", PASSWORD)
        .env("AWS_TOKEN_KEYRING", "secret-service")
        .current_dir(w.home.path())
        .output()
        .expect("dbus-run-session runs (tests/setup.sh installs dbus-daemon and gnome-keyring)")
}

#[test]
fn a_secret_service_without_a_usable_collection_means_the_file_at_once() {
    // gnome-keyring started but never unlocked: no default collection, no prompt can be shown.
    let w = World::new();
    let script = format!(
        r#"gnome-keyring-daemon --start --components=secrets > /dev/null 2>&1
"{}" --config "{}" --username demo@example.com --otp "$1" --role Admin --verbose < /dev/null
echo "login: $?" >&2
"#,
        env!("CARGO_BIN_EXE_aws-token"),
        w.config_path().display()
    );
    let started = std::time::Instant::now();
    let out = in_dbus_session(&w, &script, &totp());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("login: 0"), "{stderr}");
    assert!(
        stderr.contains("the Secret Service (GNOME Keyring, KWallet) is not usable here"),
        "{stderr}"
    );
    assert!(stderr.contains("0600 file"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert!(w.home.path().join(".cache/aws-token/secrets.json").exists());
}
