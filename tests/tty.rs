//! On a terminal, what is missing is asked: username in clear, password and code masked, several
//! roles in a picker. The real binary runs in a pseudo-terminal driven by tests/pty_driver.py.

use crate::support::*;
use std::process::Command;

fn in_terminal(w: &World, args: &[&str], answers: serde_json::Value) -> (i32, String) {
    let config = w.config_path();
    let mut argv = vec![
        env!("CARGO_BIN_EXE_aws-token"),
        "--config",
        config.to_str().unwrap(),
    ];
    argv.extend_from_slice(args);
    run_in_terminal(w, &argv, answers)
}

pub fn run_in_terminal(w: &World, argv: &[&str], answers: serde_json::Value) -> (i32, String) {
    let mut cmd = Command::new(venv().join("bin/python"));
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pty_driver.py"))
        .args(argv)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
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
fn prompts_mask_the_password_show_the_code_and_pick_a_role() {
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
    // A one-time code is shown as typed, as every peer does: it is good once.
    assert!(screen.contains(&code), "code not shown:\n{screen}");
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
    // The rejected code and the good one: two verify POSTs.
    assert_eq!(w.sandbox.requests().code_verify, 2);
    // Three rejections end it: three verify POSTs, no fourth.
    w.sandbox.end_sessions();
    let (status, screen) = in_terminal(
        &w,
        &[
            "--username",
            "demo@example.com",
            "--role",
            "Admin",
            "--force",
        ],
        serde_json::json!([
            ["Okta password", format!("{PASSWORD}\r")],
            ["(MFA code)", "000000\r"],
            ["(MFA code)", "000001\r"],
            ["(MFA code)", "000002\r"],
        ]),
    );
    assert_eq!(status, 3, "{screen}");
    assert_eq!(w.sandbox.requests().code_verify, 5);
}

#[test]
fn identity_engine_prompts_in_order_and_a_rejected_code_can_be_typed_again() {
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = true;
    let w = World::with_data(d);
    let (status, screen) = in_terminal(
        &w,
        &["--role", "Admin"],
        serde_json::json!([
            ["Okta username", "demo@example.com\r"],
            ["Okta password", format!("{PASSWORD}\r")],
            ["(MFA code)", "000000\r"],
            ["doesn't match our records", ""],
            ["(MFA code)", format!("{}\r", totp())],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(!screen.contains(PASSWORD), "password echoed:\n{screen}");
    assert!(
        screen.contains("assumed-role/Admin/demo@example.com"),
        "{screen}"
    );
    assert_eq!(w.sandbox.requests().authn, 0);
}

#[test]
fn a_session_made_with_a_prompted_username_is_kept_under_that_name_too() {
    let w = World::new();
    let (status, screen) = in_terminal(
        &w,
        &["--role", "Admin"],
        serde_json::json!([
            ["Okta username", "demo@example.com\r"],
            ["Okta password", format!("{PASSWORD}\r")],
            ["(MFA code)", format!("{}\r", totp())],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    // Named on the command line, or not named (as the prompted run was): both find it.
    for args in [
        &[
            "--username",
            "demo@example.com",
            "--role",
            "ReadOnly",
            "--verbose",
        ][..],
        &["--role", "ReadOnly", "--profile", "ro", "--verbose"][..],
    ] {
        w.run()
            .args(args)
            .expect(0)
            .stderr_has("signed in with the kept Okta session: no password, no MFA");
    }
    assert_eq!(w.sandbox.requests().authn, 1);
}

/// Press `key` (a signal character) at the password prompt: aws-token says it was interrupted,
/// exits with `code`, and leaves the terminal's echo on. bash catches its own copy of the signal
/// (a trap, not an ignore, so aws-token gets the default) and then reports aws-token's status and
/// the terminal's echo setting.
fn signal_key_at_the_password_prompt(trap: &str, key: &str, code: i32) {
    let w = World::new();
    let script = format!(
        "trap 'true' {trap}; {} --config {} --username demo@example.com; echo EXIT=$?; stty -a",
        env!("CARGO_BIN_EXE_aws-token"),
        w.config_path().display()
    );
    let (_, screen) = run_in_terminal(
        &w,
        &["/bin/bash", "-c", &script],
        serde_json::json!([["Okta password", key]]),
    );
    assert!(screen.contains("aws-token: interrupted"), "{screen}");
    assert!(screen.contains(&format!("EXIT={code}")), "{screen}");
    let tokens: Vec<&str> = screen
        .split(|c: char| c.is_whitespace() || c == ';')
        .collect();
    assert!(
        tokens.contains(&"echo") && !tokens.contains(&"-echo"),
        "echo left off:\n{screen}"
    );
    assert!(!w.credentials_path().exists());
}

#[test]
fn ctrl_c_at_the_password_prompt_restores_echo_and_exits_130() {
    signal_key_at_the_password_prompt("INT", "\u{3}", 130);
}

#[test]
fn ctrl_backslash_sigquit_at_the_password_prompt_restores_echo() {
    signal_key_at_the_password_prompt("QUIT", "\u{1c}", 131);
}

#[test]
fn the_orgs_last_username_is_offered_and_remember_asks_for_one() {
    let w = World::new();
    // --remember without --username: the username is asked (not refused), then the password.
    let (status, screen) = in_terminal(
        &w,
        &["--remember", "--role", "Admin"],
        serde_json::json!([
            ["Username", "nomfa@example.com\r"],
            ["Okta password", format!("{PASSWORD}\r")],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(
        screen.contains("assumed-role/Admin/nomfa@example.com"),
        "{screen}"
    );
    // Next time, with the session ended, the prompt offers the username: Enter takes it, and the
    // remembered password signs in.
    w.sandbox.end_sessions();
    let (status, screen) = in_terminal(
        &w,
        &["--role", "Admin", "--force"],
        serde_json::json!([["Okta username [nomfa@example.com]", "\r"]]),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(
        screen.contains("assumed-role/Admin/nomfa@example.com"),
        "{screen}"
    );
}

#[test]
fn a_refused_password_is_asked_again_on_a_terminal() {
    let w = World::new();
    let (status, screen) = in_terminal(
        &w,
        &["--username", "nomfa@example.com", "--role", "Admin"],
        serde_json::json!([
            ["Okta password", "not the password\r"],
            ["Okta password", format!("{PASSWORD}\r")],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(
        screen.contains("assumed-role/Admin/nomfa@example.com"),
        "{screen}"
    );
    assert_eq!(w.sandbox.requests().authn, 2);
    // Three refusals end it, with the IdP's words (exit 3).
    w.sandbox.end_sessions();
    let (status, screen) = in_terminal(
        &w,
        &[
            "--username",
            "nomfa@example.com",
            "--role",
            "Admin",
            "--force",
        ],
        serde_json::json!([
            ["Okta password", "wrong 1\r"],
            ["Okta password", "wrong 2\r"],
            ["Okta password", "wrong 3\r"],
        ]),
    );
    assert_eq!(status, 3, "{screen}");
}

#[test]
fn a_code_that_cannot_be_one_is_asked_again_before_it_is_sent() {
    let w = World::new();
    let (status, screen) = in_terminal(
        &w,
        &["--username", "demo@example.com", "--role", "Admin"],
        serde_json::json!([
            ["Okta password", format!("{PASSWORD}\r")],
            ["(MFA code)", "12345\r"],
            ["6 to 8 digits", ""],
            ["(MFA code)", format!("{}\r", totp())],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(
        screen.contains("a code has 6 to 8 digits, this one 5"),
        "{screen}"
    );
}

#[test]
fn a_remembered_password_that_is_refused_is_asked_and_remembered_again() {
    let w = World::new();
    let args = [
        "--username",
        "nomfa@example.com",
        "--role",
        "Admin",
        "--force",
    ];
    let (status, screen) = in_terminal(
        &w,
        &[&args[..], &["--remember"]].concat(),
        serde_json::json!([["Okta password", format!("{PASSWORD}\r")]]),
    );
    assert_eq!(status, 0, "{screen}");
    w.sandbox
        .change_password("nomfa@example.com", "a new password");
    w.sandbox.end_sessions();
    let (status, screen) = in_terminal(
        &w,
        &args,
        serde_json::json!([
            ["type the new one", ""],
            ["Okta password", "a new password\r"]
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(
        screen.contains("The password of nomfa@example.com is remembered"),
        "{screen}"
    );
    // The new one is remembered: no prompt at all next time.
    w.sandbox.end_sessions();
    let (status, screen) = in_terminal(&w, &args, serde_json::json!([]));
    assert_eq!(status, 0, "{screen}");
}

#[test]
fn the_role_picker_filters_as_you_type_says_what_it_chains_from_and_esc_cancels() {
    let w = World::new();
    let args = ["--username", "demo@example.com", "--otp"];
    // Typing filters: "Read" leaves ReadOnly; Enter takes it.
    let (status, screen) = in_terminal(
        &w,
        &[&args[..], &[&totp()]].concat(),
        serde_json::json!([
            ["Okta password", format!("{PASSWORD}\r")],
            ["Esc to cancel", ""],
            ["Choose the AWS role", "Read"],
            ["ReadOnly", "\r"],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(
        screen.contains("assumed-role/ReadOnly/demo@example.com"),
        "{screen}"
    );
    // A chained account says which role it chains from; Esc cancels with the one line, exit 130.
    let (status, screen) = in_terminal(
        &w,
        &["--account", "development", "--force"],
        serde_json::json!([[
            "Choose the role to chain from into development (222222222222)",
            "\x1b"
        ]]),
    );
    assert_eq!(status, 130, "{screen}");
    assert!(screen.contains("aws-token: interrupted"), "{screen}");
}

#[test]
fn parallel_callers_show_one_prompt_at_a_time_and_ctrl_c_ends_every_waiter() {
    let w = World::new();
    let config = w.config_path();
    let bin = env!("CARGO_BIN_EXE_aws-token");
    let caller = |role: &str| {
        let account = if role == "Developer" {
            "dev-direct"
        } else {
            "staging"
        };
        format!(
            "{bin} --config {} --username demo@example.com --account {account} --role {role} --profile {role} --force > /dev/null",
            config.display()
        )
    };
    // Three callers for three roles on one terminal, as `make -j` starts them.
    let script = format!(
        "{} & {} & {} & wait; echo ALL-DONE",
        caller("Admin"),
        caller("ReadOnly"),
        caller("Developer")
    );
    let (status, screen) = run_in_terminal(
        &w,
        &["/bin/sh", "-c", &script],
        serde_json::json!([
            ["Okta password", format!("{PASSWORD}\r")],
            ["(MFA code)", format!("{}\r", totp())],
            ["ALL-DONE", ""],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    // One prompt of each (dialoguer redraws a prompt once it is answered).
    assert_eq!(
        screen.matches("Okta password: [hidden]").count(),
        1,
        "{screen}"
    );
    assert_eq!(screen.matches("(MFA code): ").count(), 2, "{screen}");
    assert!(
        screen.contains("Waiting for another aws-token signing in to"),
        "{screen}"
    );
    let creds = w.credentials();
    for role in ["Admin", "ReadOnly", "Developer"] {
        assert!(creds.contains(&format!("[{role}]")), "{role}: {creds}");
    }
    assert_eq!(w.sandbox.requests().authn, 1);
    // Ctrl-C at the one prompt ends the asking caller and every waiter.
    w.sandbox.end_sessions();
    let start = std::time::Instant::now();
    let (_, screen) = run_in_terminal(
        &w,
        &[
            "/bin/sh",
            "-c",
            &format!(
                "{} & {} & wait; echo ALL-DONE",
                caller("Admin"),
                caller("ReadOnly")
            ),
        ],
        serde_json::json!([["Okta password", "\u{3}"], ["ALL-DONE", ""]]),
    );
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "{screen}"
    );
    assert_eq!(screen.matches("Okta password").count(), 1, "{screen}");
    assert_eq!(w.sandbox.requests().authn, 1, "no password was sent");
}
