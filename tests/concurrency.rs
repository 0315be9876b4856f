//! Parallel runs into one credentials file never lose each other's profile.

use crate::support::*;

#[test]
fn twenty_logins_at_once_keep_every_profile() {
    let w = World::new();
    let before = "# shared file\n[default]\naws_access_key_id = AKIAKEEP\n\n[untouched]\nregion = eu-west-1\n";
    w.write_credentials(before);
    let children: Vec<std::process::Child> = (0..20)
        .map(|i| {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_aws-token"));
            c.args([
                "--config",
                w.config_path().to_str().unwrap(),
                "--username",
                "nomfa@example.com",
                "--role",
                "Admin",
                "--profile",
                &format!("p{i}"),
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
    let after = w.credentials();
    assert!(after.starts_with(before), "{after}");
    for i in 0..20 {
        assert!(
            ini_value(&after, &format!("p{i}"), "aws_session_token").is_some(),
            "p{i} lost:\n{after}"
        );
    }
    assert_eq!(after.matches("aws_session_token").count(), 20);
    let config = w.aws_config();
    for i in 0..20 {
        assert!(
            config.contains(&format!("[profile p{i}]\n")),
            "config lost p{i}"
        );
    }
}
