//! The seed's flags: help, version, and never waiting for input that cannot come.

use crate::support::*;

#[test]
fn help_lists_the_seed_flags() {
    let w = World::new();
    let r = w.run_bare().arg("--help").expect(0);
    for flag in [
        "--username",
        "--password",
        "--otp",
        "--role",
        "--account",
        "--profile",
        "--durationSeconds",
        "--version",
    ] {
        assert!(r.stdout().contains(flag), "help lacks {flag}");
    }
    w.run_bare().arg("-h").expect(0);
}

#[test]
fn version_short_and_long() {
    let w = World::new();
    for flag in ["-v", "-V", "--version"] {
        let r = w.run_bare().arg(flag).expect(0);
        let out = r.stdout();
        assert!(
            out.starts_with(&format!("aws-token {} (commit ", env!("CARGO_PKG_VERSION"))),
            "{out}"
        );
        assert!(
            out.trim_end()
                .ends_with("; no embedded config; USB security keys)"),
            "{out}"
        );
        assert!(!out.contains("(commit unknown;"), "{out}");
    }
}

#[test]
fn bad_flag_is_a_usage_error() {
    let w = World::new();
    w.run().arg("--nope").expect(2);
    w.run()
        .args(["--durationSeconds", "60"])
        .expect(2)
        .stderr_has("900");
    w.run().args(["--output", "yaml"]).expect(2);
}

#[test]
fn missing_username_without_a_terminal_fails_fast() {
    let w = World::new();
    w.run().expect(2).stderr_has(
        "Okta username is needed but standard input is not a terminal: pass --username",
    );
    assert_eq!(w.credentials(), "");
}

#[test]
fn missing_password_without_a_terminal_fails_fast() {
    let w = World::new();
    w.run()
        .args(["--username", "demo@example.com"])
        .expect(2)
        .stderr_has("--password or AWS_TOKEN_PASSWORD");
}

#[test]
fn missing_code_without_a_terminal_fails_fast() {
    let w = World::new();
    w.login("demo@example.com")
        .expect(2)
        .stderr_has("--otp CODE");
}

#[test]
fn password_on_the_command_line_is_warned_about_once() {
    let w = World::new();
    let r = w
        .run()
        .args([
            "--username",
            "nomfa@example.com",
            "--password",
            PASSWORD,
            "--role",
            "Admin",
        ])
        .expect(0);
    assert_eq!(r.stderr().matches("visible to other users").count(), 1);
    let r = w
        .login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    assert!(!r.stderr().contains("visible to other users"));
}

#[test]
fn options_are_read_from_the_environment() {
    let w = World::new();
    w.run()
        .env("AWS_TOKEN_USERNAME", "demo@example.com")
        .env("AWS_TOKEN_PASSWORD", PASSWORD)
        .env("AWS_TOKEN_OTP", totp())
        .env("AWS_TOKEN_ROLE", "ReadOnly")
        .env("AWS_TOKEN_PROFILE", "from-env")
        .expect(0)
        .stdout_is("export AWS_PROFILE=from-env\nexport AWS_DEFAULT_REGION=us-east-1\n");
}

#[test]
fn quiet_prints_nothing_on_stderr() {
    let w = World::new();
    let r = w
        .login("nomfa@example.com")
        .args(["--role", "Admin", "-q"])
        .expect(0);
    assert_eq!(r.stderr(), "");
}

#[test]
fn show_config_prints_the_config_and_its_source() {
    let w = World::new();
    let r = w.run().arg("--show-config").expect(0);
    let shown: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    let file: serde_json::Value = serde_json::from_str(&w.default_config()).unwrap();
    assert_eq!(shown, file);
    r.stderr_has(&format!("config from {}", w.config_path().display()));
}

#[test]
fn show_config_without_any_config_says_where_it_looked() {
    let w = World::new();
    std::fs::remove_file(w.config_path()).unwrap();
    w.run_bare()
        .arg("--show-config")
        .expect(2)
        .stderr_has("no config file found");
}

#[test]
fn completions_and_man_page() {
    let w = World::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let r = w.run_bare().args(["completions", shell]).expect(0);
        assert!(r.stdout().contains("durationSeconds"), "{shell}");
    }
    w.run_bare().args(["completions", "tcsh"]).expect(2);
    let r = w.run_bare().arg("man").expect(0);
    assert!(r.stdout().contains(".TH aws-token 1"), "{}", r.stdout());
}
