//! provider "form": the sandbox's plain HTML form IdP (password, one-time code, errors, a page with
//! nothing to fill in) and the npm package saml-idp (see tests/saml_idp.rs).

use crate::support::*;

fn form_world() -> World {
    let w = World::new();
    w.write_config(&format!(
        r#"{{"provider": "form", "region": "us-east-1", "idpEntryUrl": "{}",
            "defaultAccount": "staging", "accounts": {{"staging": "111111111111"}}}}"#,
        w.sandbox.form_login(DEMO_APP)
    ));
    w
}

#[test]
fn password_form_without_mfa() {
    let w = form_world();
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0)
        .stdout_is("export AWS_PROFILE=staging\nexport AWS_DEFAULT_REGION=us-east-1\n")
        .stderr_has("assumed-role/Admin/nomfa@example.com");
}

#[test]
fn password_then_code_page() {
    let w = form_world();
    w.login("demo@example.com")
        .args(["--role", "ReadOnly", "--otp", &totp()])
        .expect(0);
}

#[test]
fn wrong_password_shows_the_idps_message() {
    let w = form_world();
    w.run()
        .args(["--username", "demo@example.com", "--role", "Admin"])
        .env("AWS_TOKEN_PASSWORD", "wrong")
        .expect(3)
        .stderr_has("the IdP says: Invalid username or password.");
    assert!(!w.credentials_path().exists());
}

#[test]
fn wrong_code_shows_the_idps_message() {
    let w = form_world();
    w.login("demo@example.com")
        .args(["--role", "Admin", "--otp", "000000"])
        .expect(3)
        .stderr_has("the IdP says: Invalid code. Try again.");
}

#[test]
fn missing_code_without_a_terminal() {
    let w = form_world();
    w.login("demo@example.com")
        .args(["--role", "Admin"])
        .expect(2)
        .stderr_has("--otp CODE");
}

#[test]
fn a_page_with_nothing_to_fill_in_names_the_url() {
    let w = form_world();
    let empty = format!("{}/form/empty", w.sandbox.url());
    let cfg = std::fs::read_to_string(w.config_path()).unwrap();
    w.write_config(&cfg.replace(&w.sandbox.form_login(DEMO_APP), &empty));
    w.login("nomfa@example.com")
        .expect(4)
        .stderr_has(&format!("{empty} (HTTP 200): found no login form"));
}

#[test]
fn not_assigned_user() {
    let w = form_world();
    w.login("unassigned@example.com")
        .expect(4)
        .stderr_has("found no login form");
}

#[test]
fn field_names_from_config() {
    let w = form_world();
    // Names that the heuristics would not pick: the username field named by config wins.
    let cfg = std::fs::read_to_string(w.config_path()).unwrap().replacen(
        '{',
        r#"{"form": {"usernameField": "username", "passwordField": "password", "codeField": "otp"},"#,
        1,
    );
    w.write_config(&cfg);
    w.login("demo@example.com")
        .args(["--role", "Admin", "--otp", &totp()])
        .expect(0);
    w.write_config(
        &cfg.replace(
            r#""usernameField": "username""#,
            r#""usernameField": "nosuch""#,
        )
        .replace(
            r#""passwordField": "password""#,
            r#""passwordField": "nosuch""#,
        ),
    );
    // With the wrong names configured, the heuristics still find the fields.
    w.login("demo@example.com")
        .args(["--role", "Admin", "--otp", &totp()])
        .expect(0);
}

#[test]
fn unknown_form_key_is_named() {
    let w = form_world();
    let cfg = std::fs::read_to_string(w.config_path()).unwrap().replacen(
        '{',
        r#"{"form": {"userField": "u"},"#,
        1,
    );
    w.write_config(&cfg);
    w.login("demo@example.com")
        .expect(2)
        .stderr_has("unknown field `userField`");
}

/// One raw HTTP/1.1 exchange with the sandbox: status line and the whole answer.
fn exchange(w: &World, request: &str) -> String {
    use std::io::{Read, Write};
    let addr = w.sandbox.url().trim_start_matches("http://").to_owned();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn post_login(w: &World, body: &str, cookie: Option<&str>) -> String {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    exchange(
        w,
        &format!(
            "POST /form/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n{cookie}Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// The CSRF token of a freshly served login page, and the page.
fn issued_token(w: &World) -> (String, String) {
    let page = exchange(
        w,
        "GET /form/login?app=0oaawsdemo0000000001 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let token = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (token, page)
}

#[test]
fn the_sandbox_form_idp_takes_only_a_csrf_token_it_issued_with_its_cookie() {
    let w = World::new();
    let creds = "username=nomfa%40example.com&password=correct+horse&app=0oaawsdemo0000000001";
    // Made up: refused.
    let r = post_login(&w, &format!("csrf_token=AAAAAAAAAAAAAAAA&{creds}"), None);
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    // Issued, but without the cookie its page set: refused.
    let (token, page) = issued_token(&w);
    assert!(page.contains(&format!("FORMCSRF={token}")), "{page}");
    let r = post_login(&w, &format!("csrf_token={token}&{creds}"), None);
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    // A fresh one with its cookie: signed in (the SAML form).
    let (token, _) = issued_token(&w);
    let r = post_login(
        &w,
        &format!("csrf_token={token}&{creds}"),
        Some(&format!("FORMCSRF={token}")),
    );
    assert!(
        r.starts_with("HTTP/1.1 200") && r.contains("SAMLResponse"),
        "{r}"
    );
    // Used once: the same token again is refused.
    let r = post_login(
        &w,
        &format!("csrf_token={token}&{creds}"),
        Some(&format!("FORMCSRF={token}")),
    );
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
}
