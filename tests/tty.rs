//! On a terminal, what is missing is asked: username in clear, password and code masked, several
//! roles in a picker. The real binary runs in a pseudo-terminal driven by tests/pty_driver.py.

use crate::support::*;
use std::process::Command;

fn in_terminal(w: &World, args: &[&str], answers: serde_json::Value) -> (i32, String) {
    let mut cmd = Command::new(venv().join("bin/python"));
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pty_driver.py"))
        .arg(env!("CARGO_BIN_EXE_aws-token"))
        .args(["--config", w.config_path().to_str().unwrap()])
        .args(args)
        .env_clear()
        .env("HOME", w.home.path())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("AWS_ENDPOINT_URL_STS", w.sandbox.sts_url())
        .env("TTY_ANSWERS", answers.to_string());
    let out = cmd.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn prompts_mask_the_password_and_code_and_pick_a_role() {
    let w = World::new();
    let code = totp();
    let (status, screen) = in_terminal(
        &w,
        &[],
        serde_json::json!([
            ["Okta username", "demo@example.com\r"],
            ["Okta password", format!("{PASSWORD}\r")],
            ["(MFA code)", format!("{code}\r")],
            ["Choose the AWS role", "\x1b[B\r"],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("demo@example.com"), "{screen}");
    assert!(!screen.contains(PASSWORD), "password echoed:\n{screen}");
    assert!(!screen.contains(&code), "code echoed:\n{screen}");
    assert!(
        screen.contains("assumed-role/ReadOnly/demo@example.com"),
        "{screen}"
    );
    assert!(screen.contains("export AWS_PROFILE=staging"), "{screen}");
}

#[test]
fn a_rejected_prompted_code_can_be_typed_again() {
    let w = World::new();
    let (status, screen) = in_terminal(
        &w,
        &["--username", "demo@example.com", "--role", "Admin"],
        serde_json::json!([
            ["Okta password", format!("{PASSWORD}\r")],
            ["(MFA code)", "000000\r"],
            ["E0000068", ""],
            ["(MFA code)", format!("{}\r", totp())],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
}
