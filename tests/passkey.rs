//! Security keys and passkeys in the browser providers (issue 22.3): the sandbox's Okta widgets
//! (Classic and Identity Engine) call WebAuthn as Okta's do, and Chromium answers with its virtual
//! authenticator (CDP WebAuthn domain) holding a credential the sandbox registered; a debug build
//! adds it only when a test names the key file (`AWS_TOKEN_TEST_VIRTUAL_AUTHENTICATOR`). Without
//! one, headless Chromium cannot reach a key, and aws-token says so at once.

use crate::browser::{assert_no_leftover_profiles, chromium, headless};
use crate::support::*;
use aws_token_sandbox::webauthn::test_key;

/// An org at either pipeline, reached as `localhost` (WebAuthn takes no IP address as rpId), with
/// provider `provider`.
fn org(identity_engine: bool, provider: &str) -> World {
    chromium();
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = identity_engine;
    let w = World::with_data(d);
    w.write_config(
        &w.config_with_provider(provider)
            .replace("127.0.0.1", "localhost"),
    );
    w
}

/// A key file holding the sandbox's test key `n`, registered at `rp_id`.
fn key_file(w: &World, n: u8, rp_id: &str) -> std::path::PathBuf {
    let v = test_key(n).key_file(rp_id);
    let path = w.home.path().join(format!("key{n}.json"));
    std::fs::write(&path, v.to_string()).unwrap();
    path
}

#[test]
fn okta_widgets_complete_a_security_key_in_chromium() {
    for identity_engine in [false, true] {
        let w = org(identity_engine, "okta-browser");
        let key = key_file(&w, 1, "localhost");
        let r = headless(&w, w.login("webauthn@example.com"))
            .env("AWS_TOKEN_TEST_VIRTUAL_AUTHENTICATOR", &key)
            .args(["--role", "Admin", "--verbose", "--mfa", "security-key"])
            .expect(0);
        r.stderr_has("assumed-role/Admin/webauthn@example.com");
        // The org checked Chromium's assertion: signature, origin, rpId hash, count.
        assert_eq!(w.sandbox.sign_count(&test_key(1).credential_id), Some(1));
        assert!(w.sandbox.webauthn_refusals().is_empty());
        assert_no_leftover_profiles(&w);
    }
}

#[test]
fn a_credential_the_org_does_not_know_is_refused_in_okta_s_words() {
    // Key 2's private half under key 1's id: Chromium signs, the org refuses.
    let w = org(true, "okta-browser");
    let key = key_file(&w, 2, "localhost");
    let text = std::fs::read_to_string(&key)
        .unwrap()
        .replace(&test_key(2).credential_id, &test_key(1).credential_id);
    std::fs::write(&key, text).unwrap();
    headless(&w, w.login("webauthn@example.com"))
        .env("AWS_TOKEN_TEST_VIRTUAL_AUTHENTICATOR", &key)
        .args(["--role", "Admin"])
        .expect(3)
        .stderr_has("Unable to verify your security key");
    assert_eq!(
        w.sandbox.webauthn_refusals(),
        ["the signature does not verify"]
    );
}

#[test]
fn headless_without_an_authenticator_names_the_browser_window_at_once() {
    for identity_engine in [false, true] {
        let w = org(identity_engine, "okta-browser");
        let start = std::time::Instant::now();
        headless(&w, w.login("webauthn@example.com"))
            .args(["--role", "Admin"])
            .expect(4)
            .stderr_has(r#"a security key needs the browser window: provider "browser""#);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            start.elapsed()
        );
        assert!(!w.credentials_path().exists());
        assert_no_leftover_profiles(&w);
    }
}

#[test]
fn a_plain_webauthn_page_completes_in_the_browser_window() {
    // The form IdP's security-key page (a few lines of script, no widget) after the password,
    // in provider "browser"'s window; the virtual authenticator is the user's key.
    let display = crate::browser_window::Display::start();
    let w = crate::browser_window::window_world(|w| {
        let base = w.sandbox.url().replace("127.0.0.1", "localhost");
        w.sandbox
            .form_webauthn_link(&base, "webauthn@example.com", DEMO_APP)
    });
    let key = key_file(&w, 1, "localhost");
    crate::browser_window::in_window(&w, &display)
        .env("AWS_TOKEN_TEST_VIRTUAL_AUTHENTICATOR", &key)
        .args(["--role", "Admin"])
        .expect(0)
        .stderr_has("assumed-role/Admin/webauthn@example.com");
    assert_eq!(w.sandbox.sign_count(&test_key(1).credential_id), Some(1));
    assert_no_leftover_profiles(&w);
}
