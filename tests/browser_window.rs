//! provider "browser": Chromium opens the entry URL in a window (here on an Xvfb display, installed
//! by tests/setup.sh) and aws-token takes the SAMLResponse the page posts to AWS, whatever login the
//! user went through. "The user" is played by a session made through the Authn API beforehand, so
//! the window goes straight to the auto-posting SAML page.

use crate::browser::{assert_no_leftover_profiles, chromium};
use crate::support::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

/// An Xvfb server on a free display number, stopped on drop.
pub struct Display {
    server: Child,
    number: String,
}

impl Display {
    pub fn start() -> Display {
        let mut server = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs: run tests/setup.sh (apt-get install xvfb)");
        let mut number = String::new();
        BufReader::new(server.stdout.take().unwrap())
            .read_line(&mut number)
            .unwrap();
        let number = number.trim().to_owned();
        assert!(!number.is_empty(), "Xvfb printed no display number");
        Display { server, number }
    }

    pub fn name(&self) -> String {
        format!(":{}", self.number)
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// A sessionToken for `user`, from the sandbox's Authn API (a user without MFA).
fn session_token(w: &World, user: &str) -> String {
    let body = serde_json::json!({"username": user, "password": PASSWORD}).to_string();
    let addr = w.sandbox.url().trim_start_matches("http://").to_owned();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /api/v1/authn HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(json).expect(&answer);
    v["sessionToken"].as_str().expect(&answer).to_owned()
}

pub(crate) fn window_world(entry: impl Fn(&World) -> String) -> World {
    chromium();
    let w = World::new();
    let config = w
        .default_config()
        .replace("\"provider\": \"okta\"", "\"provider\": \"browser\"");
    let config = config.replacen(
        &format!("\"idpEntryUrl\": \"{}\"", w.sandbox.embed_link(DEMO_APP)),
        &format!("\"idpEntryUrl\": \"{}\"", entry(&w)),
        1,
    );
    w.write_config(&config);
    w
}

pub(crate) fn in_window(w: &World, display: &Display) -> Test {
    let tmp = w.home.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    w.run()
        .env("TMPDIR", &tmp)
        .env("DISPLAY", display.name())
        .env("WAYLAND_DISPLAY", "")
}

#[test]
fn a_login_finished_in_the_window_is_taken() {
    let display = Display::start();
    let w = window_world(|w| {
        let token = session_token(w, "nomfa@example.com");
        let embed: String =
            url::form_urlencoded::byte_serialize(w.sandbox.embed_link(DEMO_APP).as_bytes())
                .collect();
        format!(
            "{}/login/sessionCookieRedirect?token={token}&redirectUrl={embed}",
            w.sandbox.url()
        )
    });
    let r = in_window(&w, &display)
        .args(["--role", "ReadOnly"])
        .expect(0);
    r.stderr_has("Finish the login in the browser window")
        .stderr_has("assumed-role/ReadOnly/nomfa@example.com");
    assert!(ini_value(&w.credentials(), "staging", "aws_session_token").is_some());
    assert_no_leftover_profiles(&w);
}

#[test]
fn a_login_not_finished_in_time_is_an_authentication_error() {
    let display = Display::start();
    let w = window_world(|w| w.sandbox.embed_link(DEMO_APP));
    in_window(&w, &display)
        .args(["--mfa-timeout", "1"])
        .expect(3)
        .stderr_has("the login was not finished in the browser within 1 s");
    assert!(!w.credentials_path().exists());
    assert_no_leftover_profiles(&w);
}

#[test]
fn no_display_is_a_usage_error_that_names_the_alternative() {
    let w = window_world(|w| w.sandbox.embed_link(DEMO_APP));
    w.run()
        .env("DISPLAY", "")
        .env("WAYLAND_DISPLAY", "")
        .expect(2)
        .stderr_has("there is no display")
        .stderr_has("okta-browser");
}
