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

/// Every file under `dir` but the credentials file and aws-token's cache, with its bytes.
fn files_outside_the_vault(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        let name = p.to_string_lossy();
        if name.ends_with(".aws/credentials") || name.ends_with(".cache/aws-token") {
            continue;
        }
        let t = entry.file_type().unwrap();
        if t.is_dir() {
            files_outside_the_vault(&p, out);
        } else if t.is_file() {
            out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
        }
    }
}

/// Run `t` (with --verbose) and check that nothing the sandbox handed out, nor the password or
/// `code`, is on stderr, on stdout, or in any file under HOME but the credentials file and cache.
fn assert_nothing_leaks(w: &World, t: Test, code: Option<&str>, expected_exit: i32) {
    let r = t.arg("--verbose").output();
    assert_eq!(r.code(), expected_exit, "{}", r.stderr());
    let mut secrets = w.sandbox.handed_out();
    secrets.push(PASSWORD.to_owned());
    secrets.extend(code.map(str::to_owned));
    assert!(
        secrets.len() > 1,
        "the flow handed out nothing: the test proves nothing"
    );
    let mut files = Vec::new();
    files_outside_the_vault(w.home.path(), &mut files);
    for s in &secrets {
        let shown: String = s.chars().take(12).collect();
        assert!(
            !r.stderr().contains(s.as_str()),
            "{shown}... on stderr:\n{}",
            r.stderr()
        );
        assert!(!r.stdout().contains(s.as_str()), "{shown}... on stdout");
        for (path, bytes) in &files {
            assert!(
                !bytes.windows(s.len()).any(|win| win == s.as_bytes()),
                "{shown}... in {}",
                path.display()
            );
        }
    }
}

fn admin(w: &World, user: &str) -> Test {
    w.login(user).args(["--role", "Admin"])
}

#[test]
fn no_flow_leaks_a_secret_with_verbose() {
    use aws_token_sandbox::data::{self, StsFault};
    let code = totp();
    let w = World::new();
    assert_nothing_leaks(
        &w,
        admin(&w, "demo@example.com").args(["--otp", &code]),
        Some(&code),
        0,
    );
    let w = World::new();
    assert_nothing_leaks(&w, admin(&w, "push@example.com"), None, 0);
    let w = World::new();
    assert_nothing_leaks(
        &w,
        admin(&w, "sms@example.com").args(["--mfa", "sms", "--otp", "424242"]),
        Some("424242"),
        0,
    );
    let w = World::new();
    assert_nothing_leaks(
        &w,
        admin(&w, "email@example.com").args(["--mfa", "email", "--otp", "135790"]),
        Some("135790"),
        0,
    );
    let w = World::new();
    assert_nothing_leaks(
        &w,
        admin(&w, "demo@example.com").args(["--otp", &code, "--account", "development"]),
        Some(&code),
        0,
    );
    // Identity Engine: stateTokens, every stateHandle, the success-redirect's token, idx and sid.
    for one_page in [false, true] {
        let mut d = data::demo();
        d.identity_engine = true;
        d.one_page_sign_in = one_page;
        let code = totp();
        let w = World::with_data(d.clone());
        assert_nothing_leaks(
            &w,
            admin(&w, "demo@example.com").args(["--otp", &code]),
            Some(&code),
            0,
        );
        let w = World::with_data(d.clone());
        assert_nothing_leaks(&w, admin(&w, "push@example.com"), None, 0);
        let w = World::with_data(d);
        assert_nothing_leaks(
            &w,
            admin(&w, "demo@example.com").args(["--otp", "987650"]),
            Some("987650"),
            3,
        );
    }
    // Failures: wrong code, locked, not assigned, STS refusals, a truncated page.
    let w = World::new();
    assert_nothing_leaks(
        &w,
        admin(&w, "demo@example.com").args(["--otp", "987650"]),
        Some("987650"),
        3,
    );
    let w = World::new();
    assert_nothing_leaks(&w, admin(&w, "unassigned@example.com"), None, 4);
    for fault in [
        StsFault::InjectedNewline,
        StsFault::Html,
        StsFault::NoSecret,
    ] {
        let mut d = data::demo();
        d.faults.sts_answer = Some(fault);
        let w = World::with_data(d);
        assert_nothing_leaks(&w, admin(&w, "nomfa@example.com"), None, 6);
    }
    let mut d = data::demo();
    d.faults.embed_truncated = true;
    let w = World::with_data(d);
    assert_nothing_leaks(&w, admin(&w, "nomfa@example.com"), None, 6);
    // The form provider, and a browser login (its profile, with the IdP's cookies, under HOME).
    let w = World::new();
    w.use_form_idp();
    assert_nothing_leaks(&w, admin(&w, "nomfa@example.com"), None, 0);
    let w = World::new();
    w.write_config(&w.config_with_provider("okta-browser"));
    let tmp = w.home.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let code = totp();
    assert_nothing_leaks(
        &w,
        admin(&w, "demo@example.com")
            .args(["--otp", &code])
            .env("TMPDIR", &tmp)
            .env("DISPLAY", ""),
        Some(&code),
        0,
    );
}
