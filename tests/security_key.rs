//! WebAuthn security keys from the terminal (issue 22.2), at the sandbox's Classic and Identity
//! Engine orgs. aws-token builds the assertion itself; a software key (a debug build's
//! `AWS_TOKEN_TEST_SECURITY_KEY` file, holding a test key the sandbox registered) signs it; the
//! sandbox checks the signature, challenge, origin, rpId hash, flags and sign counter as a relying
//! party does, and refuses what is wrong.

use crate::support::*;
use aws_token_sandbox::webauthn::test_key;

/// A key file holding the sandbox's test key `n`, registered at `rp_id`.
fn key_file(w: &World, name: &str, n: u8, rp_id: &str, pin: Option<&str>) -> std::path::PathBuf {
    let mut v = test_key(n).key_file(rp_id);
    if let Some(p) = pin {
        v["pin"] = p.into();
    }
    let path = w.home.path().join(name);
    std::fs::write(&path, v.to_string()).unwrap();
    path
}

fn sign_count(path: &std::path::Path) -> u64 {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["signCount"].as_u64().unwrap()
}

/// The demo org at either pipeline; FastPass challenges (webauthn@ has FastPass too) name a
/// loopback port where no Okta Verify listens.
fn org(identity_engine: bool) -> World {
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = identity_engine;
    d.okta_verify_ports = vec![free_port()];
    World::with_data(d)
}

/// Forget the kept Okta session, so that the next login asks for the key again.
fn logout(w: &World) {
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
}

fn with_key(w: &World, user: &str, key: &std::path::Path) -> Test {
    w.login(user)
        .env("AWS_TOKEN_KEYRING", "file")
        .env("AWS_TOKEN_TEST_SECURITY_KEY", key)
        .args(["--role", "Admin", "--force"])
}

#[test]
fn a_security_key_signs_in_at_both_pipelines_and_its_count_grows() {
    for identity_engine in [false, true] {
        let w = org(identity_engine);
        let key = key_file(&w, "key.json", 1, "127.0.0.1", None);
        let credential = test_key(1).credential_id;
        let r = with_key(&w, "webauthn@example.com", &key)
            .args(["--mfa", "security-key"])
            .expect(0);
        r.stderr_has("Touch your security key");
        r.stderr_has("assumed-role/Admin/webauthn@example.com");
        assert_eq!(w.sandbox.sign_count(&credential), Some(1));
        assert!(w.sandbox.webauthn_refusals().is_empty());
        // Again (no kept session: a new login), with `webauthn` as the --mfa alias; without
        // --mfa at Identity Engine, FastPass (offered too) is tried first and passed over.
        logout(&w);
        let mut second = with_key(&w, "webauthn@example.com", &key);
        if !identity_engine {
            second = second.args(["--mfa", "webauthn"]);
        }
        second.expect(0);
        assert_eq!(sign_count(&key), 2);
        assert_eq!(
            w.sandbox.sign_count(&credential),
            Some(2),
            "pipeline ie={identity_engine}"
        );
    }
}

/// key-pin@'s login (even while its profile is valid) in a pseudo-terminal with the software key
/// `key`, typing the password and `pin`: the exit code and the screen.
fn with_key_on_a_terminal(w: &World, key: &std::path::Path, pin: &str) -> (i32, String) {
    let config = w.config_path();
    let env_key = format!("AWS_TOKEN_TEST_SECURITY_KEY={}", key.display());
    crate::tty::run_in_terminal(
        w,
        &[
            "/usr/bin/env",
            &env_key,
            "AWS_TOKEN_KEYRING=file",
            env!("CARGO_BIN_EXE_aws-token"),
            "--config",
            config.to_str().unwrap(),
            "--username",
            "key-pin@example.com",
            "--role",
            "Admin",
            "--force",
        ],
        serde_json::json!([
            ["Okta password", format!("{PASSWORD}\r")],
            ["Security key PIN", format!("{pin}\r")]
        ]),
    )
}

#[test]
fn a_u2f_key_answers_at_the_appid_and_a_pin_is_asked_when_verification_is_required() {
    for identity_engine in [false, true] {
        let w = org(identity_engine);
        // Registered through the U2F API: it knows only the appid (the org's origin).
        let key = key_file(&w, "u2f.json", 2, &w.sandbox.url(), None);
        with_key(&w, "u2f@example.com", &key).expect(0);
        assert_eq!(sign_count(&key), 1);
    }
    // userVerification "required": the PIN is asked on the terminal, and the key sets UV.
    let w = org(true);
    let key = key_file(&w, "pin.json", 3, "127.0.0.1", Some("4711"));
    let (status, screen) = with_key_on_a_terminal(&w, &key, "4711");
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("Touch your security key"), "{screen}");
    assert!(!screen.contains("4711"), "the PIN was echoed: {screen}");
    // A wrong PIN: the key refuses it, exit 3 as the README says, nothing sent to Okta.
    logout(&w);
    let (status, screen) = with_key_on_a_terminal(&w, &key, "1234");
    assert_eq!(status, 3, "{screen}");
    assert!(screen.contains("refused the PIN"), "{screen}");
    assert!(w.sandbox.webauthn_refusals().is_empty());
    // Without a terminal the PIN cannot be asked: a clear failure, nothing sent.
    logout(&w);
    let r = with_key(&w, "key-pin@example.com", &key).expect(2);
    r.stderr_has("Security key PIN is needed but standard input is not a terminal");
    assert!(w.sandbox.webauthn_refusals().is_empty());
}

#[test]
fn a_wrong_key_a_replayed_count_and_a_missing_key_are_refused() {
    for identity_engine in [false, true] {
        let w = org(identity_engine);
        // Key 2's private half under key 1's credential id: the signature does not verify.
        let forged = key_file(&w, "forged.json", 2, "127.0.0.1", None);
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&forged).unwrap()).unwrap();
        v["credentialId"] = test_key(1).credential_id.into();
        std::fs::write(&forged, v.to_string()).unwrap();
        let r = with_key(&w, "webauthn@example.com", &forged)
            .args(["--mfa", "security-key"])
            .expect(3);
        r.stderr_has("Okta refused the security key's answer");
        assert_eq!(
            w.sandbox.webauthn_refusals(),
            ["the signature does not verify"]
        );
        // The right key, then its count wound back (a cloned key): refused.
        let key = key_file(&w, "key.json", 1, "127.0.0.1", None);
        with_key(&w, "webauthn@example.com", &key)
            .args(["--mfa", "security-key"])
            .expect(0);
        std::fs::write(
            &key,
            std::fs::read_to_string(&key)
                .unwrap()
                .replace("\"signCount\":1", "\"signCount\":0"),
        )
        .unwrap();
        logout(&w);
        with_key(&w, "webauthn@example.com", &key)
            .args(["--mfa", "security-key"])
            .expect(3);
        assert!(w.sandbox.webauthn_refusals()[1].contains("sign count 1 is not above 1"));
        // A key that holds another credential: nothing is sent, and the error says so.
        let other = key_file(&w, "other.json", 3, "127.0.0.1", None);
        let r = with_key(&w, "webauthn@example.com", &other)
            .args(["--mfa", "security-key"])
            .expect(3);
        r.stderr_has("the security key holds no credential enrolled for this user");
        assert_eq!(w.sandbox.webauthn_refusals().len(), 2);
        assert!(!r.stderr().contains(&test_key(1).private_key_pkcs8));
    }
}

#[test]
fn an_org_naming_another_site_s_rp_id_gets_nothing_signed() {
    // A hostile org asks for an assertion for another site (whose key the user holds): as a
    // browser would, aws-token refuses before the key is asked.
    for identity_engine in [false, true] {
        let mut d = aws_token_sandbox::data::demo();
        d.identity_engine = identity_engine;
        d.faults.webauthn_rp_id = Some("bank.example".into());
        let w = World::with_data(d);
        let key = key_file(&w, "key.json", 1, "bank.example", None);
        let r = with_key(&w, "webauthn@example.com", &key)
            .args(["--mfa", "security-key"])
            .expect(6);
        r.stderr_has(r#"rpId "bank.example", which is neither the org's host 127.0.0.1"#);
        assert_eq!(sign_count(&key), 0, "the key was asked");
        assert!(!r.stderr().contains("Touch your security key"));
    }
}

#[test]
fn a_preferred_fastpass_with_no_okta_verify_here_gives_way_to_the_security_key() {
    // Okta answers the preferred FastPass with its loopback challenge; nothing answers on this
    // device. The cancel goes where Okta puts it (currentAuthenticator.value.cancel), Okta offers
    // the authenticators again, and the security key follows.
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = true;
    d.okta_verify_ports = vec![free_port()];
    let w = World::with_data(d);
    let key = key_file(&w, "key.json", 1, "127.0.0.1", None);
    with_key(&w, "webauthn@example.com", &key)
        .expect(0)
        .stderr_has("Okta FastPass: Okta Verify did not answer on this device")
        .stderr_has("Touch your security key");
    assert_eq!(w.sandbox.fastpass_cancels(), ["OV_UNREACHABLE_BY_LOOPBACK"]);
    // Asked for by name, it is the end (exit 4).
    logout(&w);
    with_key(&w, "webauthn@example.com", &key)
        .args(["--mfa", "fastpass"])
        .expect(4)
        .stderr_has("Okta Verify did not answer on this device");
}
