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
