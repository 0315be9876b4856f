//! `aws-token status` (issue 21.3): the profiles aws-token wrote with their role and time left,
//! the cached credentials, the kept IdP session (where, since when), remembered passwords (where,
//! never the value) and the config in effect; in text and JSON; without a network call.

use crate::support::*;

fn status_json(w: &World) -> serde_json::Value {
    let out = w
        .run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["status", "--output", "json"])
        .expect(0)
        .stdout();
    serde_json::from_str(&out).unwrap()
}

#[test]
fn status_shows_profiles_cache_sessions_and_config_without_a_request() {
    let w = World::new();
    // Nothing yet: says so.
    let r = w
        .run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("status")
        .expect(0);
    r.stderr_is_empty();
    let text = r.stdout();
    assert!(text.contains("none written by aws-token"), "{text}");
    assert!(
        text.contains("none kept (the next login asks for the password)"),
        "{text}"
    );

    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin"])
        .expect(0);
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "ReadOnly", "--profile", "ro", "--output", "json"])
        .expect(0);
    // A profile somebody else wrote is not aws-token's.
    let mut creds = w.credentials();
    creds.push_str("\n[static]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = x\n");
    w.write_credentials(&creds);
    let before = w.sandbox.requests();

    let r = w
        .run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("status")
        .expect(0);
    let text = r.stdout();
    let line = |start: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line {start}:\n{text}"))
            .to_owned()
    };
    let staging = line("staging ");
    assert!(
        staging.contains("arn:aws:iam::111111111111:role/Admin"),
        "{text}"
    );
    assert!(
        staging.contains("in 0h59m") || staging.contains("in 1h00m"),
        "{text}"
    );
    assert!(
        !text.contains("[static]") && !text.contains("  static"),
        "{text}"
    );
    assert!(
        line("arn:aws:iam::111111111111:role/ReadOnly").contains("us-east-1"),
        "{text}"
    );
    let session = line(&format!("{}/", w.sandbox.url()));
    assert!(session.contains("nomfa@example.com"), "{text}");
    assert!(session.contains("secrets.json"), "{text}");
    assert!(
        text.contains(&format!("Config {}", w.config_path().display())),
        "{text}"
    );
    // Never a secret.
    let file = w.credentials();
    for key in [
        "aws_secret_access_key",
        "aws_session_token",
        "aws_access_key_id",
    ] {
        let v = ini_value(&file, "staging", key).unwrap();
        assert!(!text.contains(&v), "{key} in status");
    }
    for secret in w.sandbox.handed_out() {
        assert!(!text.contains(&secret), "a secret in status");
    }

    let v = status_json(&w);
    assert_eq!(v["config"]["account"], "staging");
    assert_eq!(v["config"]["provider"], "okta");
    let profiles = v["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 1, "{v}");
    assert_eq!(profiles[0]["profile"], "staging");
    let left = profiles[0]["secondsLeft"].as_i64().unwrap();
    assert!((3500..=3600).contains(&left), "{v}");
    let cached = v["cachedCredentials"].as_array().unwrap();
    assert_eq!(cached.len(), 1, "{v}");
    assert_eq!(
        cached[0]["roleArn"],
        "arn:aws:iam::111111111111:role/ReadOnly"
    );
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{v}");
    assert_eq!(sessions[0]["username"], "nomfa@example.com");
    assert!(sessions[0]["ageSeconds"].as_i64().unwrap() < 60, "{v}");

    // No request reached the sandbox.
    let after = w.sandbox.requests();
    assert_eq!(
        (
            after.authn,
            after.embed,
            after.assume_role_with_saml,
            after.well_known
        ),
        (
            before.authn,
            before.embed,
            before.assume_role_with_saml,
            before.well_known
        )
    );

    // Logout: nothing left to show.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    let v = status_json(&w);
    assert_eq!(v["sessions"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["cachedCredentials"].as_array().unwrap().len(), 0, "{v}");
}

#[test]
fn status_names_where_a_remembered_password_is_and_never_the_password() {
    let w = World::new();
    let r = w
        .login("nomfa@example.com")
        .args(["--role", "Admin", "--remember"])
        .output();
    if r.code() != 0 {
        // No OS keyring here: --remember refuses, and the suite's keyring run covers this.
        assert!(
            std::env::var_os("CI").is_none()
                && std::env::var("AWS_TOKEN_TEST_KEYRING").as_deref() != Ok("required"),
            "--remember failed where a keyring must answer: {}",
            r.stderr()
        );
        return;
    }
    let out = w
        .run()
        .args(["status", "--output", "json"])
        .expect(0)
        .stdout();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let passwords = v["passwords"].as_array().unwrap();
    let mine: Vec<&serde_json::Value> = passwords
        .iter()
        .filter(|p| p["org"] == format!("{}/", w.sandbox.url()))
        .collect();
    assert_eq!(mine.len(), 1, "{v}");
    assert_eq!(mine[0]["username"], "nomfa@example.com");
    assert!(
        mine[0]["keptIn"].as_str().unwrap().contains("keyring"),
        "{v}"
    );
    assert!(!out.contains(PASSWORD));
    let text = w.run().arg("status").expect(0).stdout();
    assert!(!text.contains(PASSWORD));
    w.run().args(["logout"]).expect(0);
}

/// `status` with AWS_SHARED_CREDENTIALS_FILE at `path`: its stdout, which must come at once.
fn status_of(w: &World, path: &std::path::Path) -> String {
    let start = std::time::Instant::now();
    let out = w
        .run()
        .env("AWS_TOKEN_KEYRING", "file")
        .env("AWS_SHARED_CREDENTIALS_FILE", path)
        .arg("status")
        .expect(0)
        .stdout();
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    out
}

#[test]
fn status_reads_the_credentials_file_by_its_rules_never_a_fifo_or_a_device() {
    let w = World::new();
    let fifo = w.home.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let text = status_of(&w, &fifo);
    assert!(
        text.contains("cannot be read") && text.contains("named pipe"),
        "{text}"
    );
    // A copy of /dev/zero made here (never the real one), behind a symlink.
    let zero = w.home.path().join("zero");
    assert!(
        std::process::Command::new("mknod")
            .arg(&zero)
            .args(["c", "1", "5"])
            .status()
            .unwrap()
            .success(),
        "mknod (the tests run as root)"
    );
    let link = w.home.path().join("credentials-link");
    std::os::unix::fs::symlink(&zero, &link).unwrap();
    let text = status_of(&w, &link);
    assert!(
        text.contains("cannot be read") && text.contains("character device"),
        "{text}"
    );
}

#[test]
fn status_prints_control_characters_from_the_file_in_printable_form() {
    let w = World::new();
    w.write_credentials(
        "[evil\u{1b}]2;pwned\u{7}\u{1b}[2J]\naws_access_key_id = ASIAX\nx_security_token_expires = 2099-01-01T00:00:00Z\n",
    );
    let text = status_of(&w, &w.credentials_path());
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(
        text.contains("evil\\u{1b}]2;pwned\\u{7}\\u{1b}[2J"),
        "{text}"
    );
}
