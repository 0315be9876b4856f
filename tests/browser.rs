//! provider "okta-browser": Debian's Chromium fills the sandbox's JavaScript-only Okta sign-in page.
//! tests/setup.sh installs Chromium; a missing one fails these tests.

use crate::support::*;
use aws_token_sandbox::data;

pub fn chromium() -> String {
    for p in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if std::path::Path::new(p).exists() {
            return p.to_owned();
        }
    }
    panic!("no Chromium: run tests/setup.sh (apt-get install chromium)");
}

fn browser_world(d: data::Data) -> World {
    chromium();
    as_browser_world(World::with_data(d))
}

fn as_browser_world(w: World) -> World {
    w.write_config(&w.config_with_provider("okta-browser"));
    w
}

/// A login with the browser's temp files in a directory of the test's own, to check clean-up.
fn login(w: &World, user: &str) -> Test {
    headless(w, w.login(user))
}

/// `t` without a display, with the browser's temp files in the test's own directory.
pub fn headless(w: &World, t: Test) -> Test {
    let tmp = w.home.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    t.env("TMPDIR", &tmp).env_remove_display()
}

trait NoDisplay {
    fn env_remove_display(self) -> Self;
}

impl NoDisplay for Test {
    /// Headless, as in CI, even where the developer has a desktop.
    fn env_remove_display(self) -> Self {
        self.env("DISPLAY", "").env("WAYLAND_DISPLAY", "")
    }
}

fn leftover_profiles(w: &World) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(w.home.path().join("tmp")) else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("aws-token-chromium-"))
        .collect()
}

/// Chromium's temporary profile (the IdP's session cookies) is gone.
pub fn assert_no_leftover_profiles(w: &World) {
    let left = leftover_profiles(w);
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn two_step_sign_in_with_totp() {
    let w = browser_world(data::demo());
    login(&w, "demo@example.com")
        .args(["--otp", &totp(), "--role", "Admin"])
        .expect(0)
        .stdout_is("export AWS_PROFILE=staging\nexport AWS_DEFAULT_REGION=us-east-1\n")
        .stderr_has("assumed-role/Admin/demo@example.com");
    assert!(ini_value(&w.credentials(), "staging", "aws_session_token").is_some());
    assert_no_leftover_profiles(&w);
}

#[test]
fn one_page_sign_in() {
    let mut d = data::demo();
    d.one_page_sign_in = true;
    let w = browser_world(d);
    login(&w, "nomfa@example.com")
        .args(["--role", "ReadOnly"])
        .expect(0);
}

#[test]
fn push_with_number_challenge() {
    let w = browser_world(data::demo());
    let r = login(&w, "push@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    r.stderr_has("Okta Verify push sent");
    assert_eq!(r.stderr().matches("tap 42").count(), 1, "{}", r.stderr());
}

#[test]
fn push_rejected() {
    let w = browser_world(data::demo());
    login(&w, "reject@example.com")
        .args(["--role", "Admin"])
        .expect(3)
        .stderr_has("the sign-in page says: You have chosen to reject this login.");
}

#[test]
fn wrong_password() {
    let w = browser_world(data::demo());
    login(&w, "demo@example.com")
        .env("AWS_TOKEN_PASSWORD", "wrong")
        .expect(3)
        .stderr_has("the sign-in page says: Unable to sign in");
    assert!(!w.credentials_path().exists());
    assert_no_leftover_profiles(&w);
}

#[test]
fn wrong_code() {
    let w = browser_world(data::demo());
    login(&w, "demo@example.com")
        .args(["--otp", "000000"])
        .expect(3)
        .stderr_has("Your code doesn't match our records");
}

#[test]
fn not_assigned_to_the_app() {
    let w = browser_world(data::demo());
    login(&w, "unassigned@example.com")
        .expect(4)
        .stderr_has("You are not allowed to access this app.");
}

#[test]
fn debug_keeps_a_screenshot_and_the_html_of_the_failing_page() {
    let w = browser_world(data::demo());
    let r = login(&w, "demo@example.com")
        .env("AWS_TOKEN_PASSWORD", "wrong")
        .arg("--debug")
        .expect(3);
    let line = r
        .stderr()
        .lines()
        .find(|l| l.starts_with("debug: the failing page is saved as "))
        .unwrap_or_else(|| panic!("{}", r.stderr()))
        .to_owned();
    let rest = line.trim_start_matches("debug: the failing page is saved as ");
    let (png, html) = rest.split_once(" and ").unwrap();
    assert!(std::fs::read(png).unwrap().starts_with(b"\x89PNG"), "{png}");
    assert!(
        std::fs::read_to_string(html)
            .unwrap()
            .contains("Unable to sign in"),
        "{html}"
    );
}

#[test]
fn missing_browser_says_how_to_install_one() {
    let w = browser_world(data::demo());
    login(&w, "demo@example.com")
        .env("PATH", "/nonexistent")
        .expect(2)
        .stderr_has("apt install chromium");
    login(&w, "demo@example.com")
        .args(["--browser", "/nonexistent/chrome"])
        .expect(2)
        .stderr_has("--browser /nonexistent/chrome: no such file");
}

#[test]
fn the_page_needs_javascript() {
    // The same sign-in page defeats a plain HTML client: there is no form in its HTML.
    let w = browser_world(data::demo());
    w.write_config(&w.config_with_provider("form"));
    w.login("demo@example.com")
        .expect(4)
        .stderr_has("found no login form");
}

/// Chromium processes whose command line names `dir` (its profile lives there).
fn chromium_processes_using(dir: &std::path::Path) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&needle) && !c.contains("aws-token "))
        .collect()
}

#[test]
fn ctrl_c_while_waiting_on_the_page_stops_chromium_and_deletes_its_profile() {
    signal_while_waiting_on_the_page("INT", 130, "aws-token: interrupted");
}

#[test]
fn sigterm_and_sighup_clean_up_the_same_way() {
    signal_while_waiting_on_the_page("TERM", 143, "aws-token: terminated");
    signal_while_waiting_on_the_page("HUP", 129, "aws-token: the terminal went away");
}

/// Sends SIG`signal` to aws-token while the page waits on a push that never comes.
fn signal_while_waiting_on_the_page(signal: &str, code: i32, says: &str) {
    use std::io::{BufRead, BufReader};
    let mut d = data::demo();
    for u in d.users.iter_mut().filter(|u| u.login == "push@example.com") {
        for f in &mut u.factors {
            if let data::Factor::Push { after_polls, .. } = f {
                *after_polls = 1_000_000;
            }
        }
    }
    let w = browser_world(d);
    let mut child = login(&w, "push@example.com")
        .args(["--role", "Admin"])
        .spawn();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("Okta Verify push sent") {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "ended early: {seen}"
        );
        seen.push_str(&line);
    }
    let tmp = w.home.path().join("tmp");
    assert_eq!(leftover_profiles(&w).len(), 1);
    assert!(!chromium_processes_using(&tmp).is_empty());
    // To aws-token alone (not its process group, as a terminal's Ctrl-C would): it must stop
    // Chromium itself.
    let killed = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(code), "{seen}{rest}");
    assert!(rest.contains(says), "{rest}");
    assert_no_leftover_profiles(&w);
    assert_eq!(chromium_processes_using(&tmp), Vec::<String>::new());
    assert!(!w.credentials_path().exists());
}

/// okta-browser at an app whose link shows a page aws-token does not know ("Maintenance").
fn unexpected_page_world() -> World {
    let w = browser_world(data::demo());
    w.write_config(
        &w.default_config()
            .replace("\"provider\": \"okta\"", "\"provider\": \"okta-browser\"")
            .replace(
                &w.sandbox.embed_link(DEMO_APP),
                &format!("{}/form/empty", w.sandbox.url()),
            ),
    );
    w
}

#[test]
fn an_unexpected_page_is_named_within_the_step_timeout() {
    let w = unexpected_page_world();
    let started = std::time::Instant::now();
    login(&w, "demo@example.com")
        .args(["--browser-timeout", "1"])
        .expect(4)
        .stderr_has("/form/empty: the page (\"Maintenance\")")
        .stderr_has("within 1 s (--browser-timeout); run with --debug to see it");
    // Not the default 30 s: the step's own timeout, plus Chromium's start.
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert!(!w.credentials_path().exists());
}

#[test]
fn a_slow_chromium_start_is_not_cut_by_the_step_timeout() {
    // Chromium that takes 3 s to start (a loaded machine), with --browser-timeout 1: the start
    // has its own bound, and the page step's timeout is what ends the run, in its own words.
    let w = unexpected_page_world();
    let slow = w.home.path().join("slow-chromium");
    std::fs::write(
        &slow,
        format!("#!/bin/sh\nsleep 3\nexec {} \"$@\"\n", chromium()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
    login(&w, "demo@example.com")
        .args(["--browser-timeout", "1", "--browser"])
        .arg(&slow)
        .expect(4)
        .stderr_has("within 1 s (--browser-timeout)");
}

/// The demo users at an Identity Engine org, whose sign-in page is the IDX widget.
fn oie(one_page: bool) -> data::Data {
    let mut d = data::demo();
    d.identity_engine = true;
    d.one_page_sign_in = one_page;
    d
}

#[test]
fn identity_engine_widget_identifier_first_with_totp() {
    let w = browser_world(oie(false));
    login(&w, "demo@example.com")
        .args(["--otp", &totp(), "--role", "Admin", "--verbose"])
        .expect(0)
        .stderr_has("page state: username")
        .stderr_has("page state: password")
        .stderr_has("page state: code")
        .stderr_has("assumed-role/Admin/demo@example.com");
    assert_eq!(w.sandbox.requests().authn, 0);
    assert!(w.sandbox.requests().idx >= 4);
    assert_no_leftover_profiles(&w);
}

#[test]
fn identity_engine_widget_one_page_and_okta_verify_code() {
    let w = browser_world(oie(true));
    login(&w, "verify@example.com")
        .args([
            "--mfa",
            "totp",
            "--otp",
            &totp(),
            "--role",
            "Admin",
            "--verbose",
        ])
        .expect(0)
        .stderr_has("page state: authenticator list")
        .stderr_has("(okta_verify-totp)");
}

#[test]
fn identity_engine_widget_authenticator_list_push_with_number() {
    let w = browser_world(oie(false));
    let r = login(&w, "multi@example.com")
        .args(["--mfa", "push", "--role", "Admin"])
        .expect(0);
    r.stderr_has("Okta Verify push sent");
    let w = browser_world(oie(false));
    let r = login(&w, "push@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    assert_eq!(r.stderr().matches("tap 42").count(), 1, "{}", r.stderr());
    // Several authenticators and no --mfa, no terminal: say what to pass.
    login(&w, "multi@example.com")
        .args(["--role", "Admin", "--force"])
        .expect(2)
        .stderr_has("--mfa totp|push|sms|email|call");
}

#[test]
fn identity_engine_widget_errors() {
    let w = browser_world(oie(false));
    login(&w, "demo@example.com")
        .env("AWS_TOKEN_PASSWORD", "wrong")
        .expect(3)
        .stderr_has("the sign-in page says: Password is incorrect");
    login(&w, "unassigned@example.com")
        .expect(4)
        .stderr_has("User is not assigned to this application");
    login(&w, "webauthn@example.com")
        .args(["--role", "Admin"])
        .expect(4)
        .stderr_has(r#"a security key needs the browser window: provider "browser""#);
    assert!(!w.credentials_path().exists());
    assert_no_leftover_profiles(&w);
}

#[test]
fn identity_engine_widget_phone_sms_or_call() {
    let w = browser_world(oie(false));
    login(&w, "sms@example.com")
        .args(["--otp", "424242", "--role", "Admin", "--verbose"])
        .expect(0)
        .stderr_has("page state: send a code")
        .stderr_has("Okta is sending a code");
    let w = browser_world(oie(false));
    login(&w, "sms@example.com")
        .args(["--mfa", "call", "--otp", "424242", "--role", "Admin"])
        .expect(0)
        .stderr_has("Okta is sending a phone call");
}

#[test]
fn duo_behind_okta_in_chromium_push_passcode_and_denial() {
    let w = browser_world(data::demo());
    let r = login(&w, "duo@example.com")
        .args(["--role", "Admin", "--verbose"])
        .expect(0);
    r.stderr_has("page state: duo prompt");
    r.stderr_has("Duo Push sent to Phone 1 (XXX-XXX-1111)");
    r.stderr_has("assumed-role/Admin/duo@example.com");
    assert!(w.sandbox.requests().duo_status >= 3);
    // A passcode typed into Duo's page, on the device --duo-device names.
    login(&w, "duo-two@example.com")
        .args(["--role", "Admin", "--force", "--duo-device", "phone 2"])
        .args(["--mfa", "duo-passcode", "--otp", "246810"])
        .expect(0)
        .stderr_has("assumed-role/Admin/duo-two@example.com");
    assert_eq!(w.sandbox.requests().duo_passcode, 1);
    // Denied: Duo's words, exit 3.
    login(&w, "duo-deny@example.com")
        .args(["--role", "Admin", "--force"])
        .expect(3)
        .stderr_has("Login request denied.");
    assert_no_leftover_profiles(&w);
}

#[test]
fn duo_at_an_identity_engine_org_in_chromium() {
    let mut d = data::demo();
    d.identity_engine = true;
    let w = browser_world(d);
    login(&w, "duo@example.com")
        .args(["--role", "Admin"])
        .expect(0)
        .stderr_has("Duo Push sent to Phone 1 (XXX-XXX-1111)");
}
