//! Parallel runs into one credentials file never lose each other's profile, and never change a byte
//! of anything else in it (comments, blank lines, CRLF lines, other sections); botocore reads the
//! result (issue 10.2).

use crate::support::*;

/// A file as people have them: comments of both kinds, blank lines, CRLF lines, other sections.
const SHARED: &str = "# shared file\n; old-style comment\n[default]\naws_access_key_id = AKIAKEEP\r\naws_secret_access_key = keep\r\n\n\n[untouched]\nregion = eu-west-1\n# trailing note\n";

/// Start one aws-token per profile at once; all must succeed.
fn logins_at_once(w: &World, profiles: &[String]) {
    let children: Vec<std::process::Child> = profiles
        .iter()
        .map(|p| {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_aws-token"));
            c.args([
                "--config",
                w.config_path().to_str().unwrap(),
                "--username",
                "nomfa@example.com",
                "--role",
                "Admin",
                "--profile",
                p,
                "-q",
            ])
            .env("HOME", w.home.path())
            .env("AWS_TOKEN_PASSWORD", PASSWORD)
            .env("AWS_ENDPOINT_URL_STS", w.sandbox.sts_url())
            .env_remove("AWS_SHARED_CREDENTIALS_FILE")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// What botocore should read for `profile`: the keys in the file, the region aws-token wrote.
fn expected_botocore_line(text: &str, profile: &str) -> String {
    format!(
        "{profile} {} {} {} us-east-1",
        ini_value(text, profile, "aws_access_key_id").unwrap(),
        ini_value(text, profile, "aws_secret_access_key").unwrap(),
        ini_value(text, profile, "aws_session_token").unwrap()
    )
}

#[test]
fn fifty_writers_of_fifty_profiles_lose_nothing_and_keep_every_byte() {
    let w = World::new();
    w.write_credentials(SHARED);
    let profiles: Vec<String> = (0..50).map(|i| format!("p{i}")).collect();
    logins_at_once(&w, &profiles);
    let after = w.credentials();
    // Every profile is appended after the untouched bytes.
    assert!(after.starts_with(SHARED), "{after}");
    for p in &profiles {
        assert!(
            ini_value(&after, p, "aws_session_token").is_some(),
            "{p} lost:\n{after}"
        );
    }
    assert_eq!(after.matches("aws_session_token").count(), 50);
    let config = w.aws_config();
    for p in &profiles {
        assert!(
            config.contains(&format!("[profile {p}]")),
            "config lost {p}"
        );
    }
    let names: Vec<&str> = profiles.iter().map(String::as_str).collect();
    let seen = botocore_reads(&w, &names);
    for (p, line) in names.iter().zip(&seen) {
        assert_eq!(line, &expected_botocore_line(&after, p));
    }
}

#[test]
fn twenty_writers_of_one_profile_leave_one_whole_section() {
    let w = World::new();
    w.write_credentials(SHARED);
    let profiles: Vec<String> = (0..20).map(|_| "shared".to_owned()).collect();
    logins_at_once(&w, &profiles);
    let after = w.credentials();
    assert!(after.starts_with(SHARED), "{after}");
    assert_eq!(after.matches("[shared]").count(), 1, "{after}");
    let section = &after[after.find("[shared]").unwrap()..];
    for key in [
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "x_security_token_expires",
    ] {
        assert_eq!(
            section.matches(&format!("{key} = ")).count(),
            1,
            "{key}:\n{after}"
        );
    }
    let seen = botocore_reads(&w, &["shared"]);
    assert_eq!(seen[0], expected_botocore_line(&after, "shared"));
}

/// The demo org (Classic, or Identity Engine) where demo@ (TOTP) has `n` roles, Role0..Role{n-1}
/// in account 111111111111, each known to the sandbox's STS.
fn many_roles(n: usize, identity_engine: bool) -> World {
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = identity_engine;
    // The embed link answers 300 ms late: a sign-in lasts long enough for every caller to be
    // started while the first one signs in.
    d.faults.embed_delay_ms = Some(300);
    let roles: Vec<String> = (0..n)
        .map(|i| format!("arn:aws:iam::111111111111:role/Role{i}"))
        .collect();
    for u in d.users.iter_mut().filter(|u| u.login == "demo@example.com") {
        u.apps.insert(DEMO_APP.to_owned(), roles.clone());
    }
    World::with_data(d)
}

/// `n` callers at once, one per role, as a Makefile or Terraform's providers start them: one
/// password and one code in all, and every caller gets its own role.
fn one_sign_in_for_many_callers(n: usize, identity_engine: bool) {
    let w = many_roles(n, identity_engine);
    let code = totp();
    let children: Vec<(usize, std::process::Child)> = (0..n)
        .map(|i| {
            let child = w
                .login("demo@example.com")
                .env("AWS_TOKEN_KEYRING", "file")
                .env("AWS_TOKEN_OTP", &code)
                .args(["--role", &format!("Role{i}"), "--profile", &format!("p{i}")])
                .spawn();
            (i, child)
        })
        .collect();
    let mut waited = 0;
    for (i, child) in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "caller {i}: {stderr}");
        assert!(
            stderr.contains(&format!("assumed-role/Role{i}/demo@example.com")),
            "caller {i} got another role: {stderr}"
        );
        if stderr.contains("Waiting for another aws-token signing in to") {
            waited += 1;
        }
    }
    let r = w.sandbox.requests();
    if identity_engine {
        assert_eq!((r.idx_passwords, r.idx_codes), (1, 1), "{r:?}");
    } else {
        assert_eq!((r.authn, r.code_verify), (1, 1), "{r:?}");
    }
    assert_eq!(r.assume_role_with_saml as usize, n, "{r:?}");
    // The callers that came while the first signed in said for whom they waited.
    assert!(waited >= 1, "nobody waited");
}

#[test]
fn one_sign_in_per_idp_user_three_callers_classic() {
    one_sign_in_for_many_callers(3, false);
}

#[test]
fn one_sign_in_per_idp_user_ten_callers_classic() {
    one_sign_in_for_many_callers(10, false);
}

#[test]
fn one_sign_in_per_idp_user_three_callers_identity_engine() {
    one_sign_in_for_many_callers(3, true);
}

#[test]
fn one_sign_in_per_idp_user_ten_callers_identity_engine() {
    one_sign_in_for_many_callers(10, true);
}
