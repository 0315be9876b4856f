//! Duo behind Okta (issue 24): the Universal Prompt walked in the terminal against the sandbox's
//! Duo (another origin: `localhost` beside the org's `127.0.0.1`) — push, passcode, phone call,
//! several devices, Duo's refusals with Duo's words, and the retired iframe refused by name.

use crate::support::*;

/// A login as `user` with the password (even while the profile is valid), the session kept in
/// a file of the test's HOME.
fn duo(w: &World, user: &str) -> Test {
    w.login(user)
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin", "--force"])
}

#[test]
fn a_duo_push_signs_in_and_the_session_is_kept() {
    let w = World::new();
    let r = duo(&w, "duo@example.com").expect(0);
    r.stderr_has("Duo Push sent to Phone 1 (XXX-XXX-1111): approve it on the device");
    r.stderr_has("assumed-role/Admin/duo@example.com");
    assert!(w.credentials().contains("aws_session_token"));
    // Polled until Duo allowed: two "pushed", then "allow".
    assert_eq!(w.sandbox.requests().duo_status, 3);
    // The Okta session Duo's exit opened is kept: the next run asks nothing of Duo.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "ReadOnly", "--profile", "ro", "--verbose"])
        .expect(0)
        .stderr_has("signed in with the kept Okta session");
    assert_eq!(w.sandbox.requests().duo_status, 3);
    assert_eq!(w.sandbox.requests().authn, 1);
}

#[test]
fn a_denied_or_unanswered_push_fails_with_duos_words() {
    let w = World::new();
    let r = duo(&w, "duo-deny@example.com").expect(3);
    r.stderr_has("the Duo push was denied (Login request denied. User declined)");
    assert!(!w.credentials_path().exists());
    // Not answered within --mfa-timeout: given up on, exit 3.
    let r = duo(&w, "duo@example.com")
        .args(["--mfa-timeout", "1"])
        .expect(3);
    r.stderr_has("was not answered within 1 s (--mfa-timeout)");
}

#[test]
fn a_duo_passcode_is_sent_once() {
    let w = World::new();
    // Wrong: refused with Duo's words, and not sent again.
    let r = duo(&w, "duo@example.com")
        .args(["--mfa", "duo-passcode", "--otp", "000000"])
        .expect(3);
    r.stderr_has("Duo did not accept the passcode (Incorrect passcode. Please try again.)");
    assert_eq!(w.sandbox.requests().duo_passcode, 1);
    // Right (--otp alone means a passcode when Duo is the factor).
    duo(&w, "duo@example.com")
        .args(["--otp", "246810"])
        .expect(0)
        .stderr_has("assumed-role/Admin/duo@example.com");
    assert_eq!(w.sandbox.requests().duo_passcode, 2);
    // Duo's passcodes are good once.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    duo(&w, "duo@example.com")
        .args(["--mfa", "totp", "--otp", "246810"])
        .expect(3)
        .stderr_has("Incorrect passcode");
    assert_eq!(w.sandbox.requests().duo_passcode, 3);
}

#[test]
fn a_duo_phone_call_and_mfa_names_for_duo() {
    let w = World::new();
    duo(&w, "duo@example.com")
        .args(["--mfa", "duo-call"])
        .expect(0)
        .stderr_has("Duo is calling Phone 1 (XXX-XXX-1111)");
    // A factor the user does not have is named, with what is enrolled.
    duo(&w, "duo-deny@example.com")
        .args(["--mfa", "sms"])
        .expect(2)
        .stderr_has(
            "--mfa sms: no such factor is enrolled; enrolled: Duo (push, call or passcode)",
        );
}

#[test]
fn several_duo_devices_are_chosen_by_flag_or_named_without_a_terminal() {
    let w = World::new();
    let r = duo(&w, "duo-two@example.com").expect(2);
    r.stderr_has("--duo-device NAME");
    r.stderr_has("Phone 2 (XXX-XXX-2222) (phone2)");
    // Phone 2 approves and phone 1 denies: the flag is honoured, by name or by key.
    duo(&w, "duo-two@example.com")
        .args(["--duo-device", "phone 2"])
        .expect(0)
        .stderr_has("Duo Push sent to Phone 2 (XXX-XXX-2222)");
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    duo(&w, "duo-two@example.com")
        .env("AWS_TOKEN_DUO_DEVICE", "phone1")
        .expect(3)
        .stderr_has("denied");
    duo(&w, "duo-two@example.com")
        .args(["--duo-device", "watch"])
        .expect(2)
        .stderr_has("--duo-device watch: Duo has no such device");
}

#[test]
fn a_device_duo_blocks_and_the_retired_iframe_are_not_authorised() {
    let w = World::new();
    duo(&w, "duo-blocked@example.com").expect(4).stderr_has(
        "Duo refused the sign-in: Your account is disabled and cannot access this application.",
    );
    duo(&w, "duo-iframe@example.com")
        .expect(4)
        .stderr_has("Duo's traditional prompt, which Duo retired on 2024-03-30 (your Okta admin must move it to the Duo Universal Prompt)");
}

#[test]
fn duo_devices_are_picked_on_a_terminal() {
    let w = World::new();
    let config = w.config_path();
    let bin = env!("CARGO_BIN_EXE_aws-token");
    let (status, screen) = crate::tty::run_in_terminal(
        &w,
        &[
            bin,
            "--config",
            config.to_str().unwrap(),
            "--username",
            "duo-two@example.com",
            "--role",
            "Admin",
        ],
        serde_json::json!([
            ["Okta password", format!("{PASSWORD}\r")],
            ["Choose the Duo device", "\x1b[B\r"],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(
        screen.contains("Duo Push sent to Phone 2 (XXX-XXX-2222)"),
        "{screen}"
    );
}

/// The demo sandbox as an Okta Identity Engine org.
fn identity_engine() -> World {
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = true;
    World::with_data(d)
}

#[test]
fn duo_as_an_identity_engine_idp_authenticator() {
    let w = identity_engine();
    let r = duo(&w, "duo@example.com").args(["--verbose"]).expect(0);
    r.stderr_has("Okta IDX offers [\"redirect-idp\"]");
    r.stderr_has("Duo Push sent to Phone 1 (XXX-XXX-1111)");
    r.stderr_has("assumed-role/Admin/duo@example.com");
    // The session Duo's exit opened (sid and idx) is kept.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "ReadOnly", "--profile", "ro", "--verbose"])
        .expect(0)
        .stderr_has("signed in with the kept Okta session");
    // A passcode, and a device Duo denies, there too.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    duo(&w, "duo@example.com")
        .args(["--mfa", "duo-passcode", "--otp", "246810"])
        .expect(0);
    assert_eq!(w.sandbox.requests().duo_passcode, 1);
    duo(&w, "duo-deny@example.com")
        .expect(3)
        .stderr_has("Login request denied.");
}

/// The demo world with `faults` changed.
fn with_faults(faults: impl FnOnce(&mut aws_token_sandbox::data::Faults)) -> World {
    let mut d = aws_token_sandbox::data::demo();
    faults(&mut d.faults);
    World::with_data(d)
}

#[test]
fn duo_origin_checks_a_plugin_form_posting_to_another_origin_gets_nothing() {
    let recorder = crate::hostile::Hostile::recorder();
    let to = format!("{}/steal", recorder.url());
    let w = with_faults(|f| f.duo_plugin_action = Some(to.clone()));
    duo(&w, "duo@example.com").expect(6).stderr_has(&to);
    assert!(recorder.seen().is_empty());
}

#[test]
fn duo_origin_checks_a_prompt_posting_to_another_origin_never_gets_the_passcode() {
    let recorder = crate::hostile::Hostile::recorder();
    let to = format!("{}/steal", recorder.url());
    let w = with_faults(|f| f.duo_prompt_action = Some(to.clone()));
    duo(&w, "duo@example.com")
        .args(["--otp", "246810"])
        .expect(6)
        .stderr_has(&to);
    assert!(recorder.seen().is_empty(), "the passcode went elsewhere");
    assert_eq!(w.sandbox.requests().duo_passcode, 0);
}

#[test]
fn duo_origin_checks_an_exit_that_does_not_lead_back_to_okta_is_refused() {
    let recorder = crate::hostile::Hostile::recorder();
    let w = with_faults(|f| f.duo_exit_location = Some(format!("{}/elsewhere", recorder.url())));
    duo(&w, "duo@example.com")
        .expect(6)
        .stderr_has("Duo's exit did not lead back to the Okta org");
    assert!(!w.credentials_path().exists());
}

#[test]
fn a_duo_passcode_whose_answer_is_lost_is_not_sent_again() {
    // Duo took the passcode and the answer was lost (503): sending it again could count as a
    // second attempt, so it is not.
    let w = with_faults(|f| f.duo_passcode_server_errors = 1);
    duo(&w, "duo@example.com")
        .args(["--otp", "246810"])
        .expect(6);
    assert_eq!(w.sandbox.requests().duo_passcode, 1);
}

#[test]
fn a_duo_user_with_only_a_hardware_token_signs_in_with_its_passcode() {
    // No device in Duo's list and no preferred_device input (gimme-aws-creds #478).
    let w = World::new();
    duo(&w, "duo-token@example.com")
        .args(["--otp", "112233"])
        .expect(0)
        .stderr_has("assumed-role/Admin/duo-token@example.com");
    // Without a code and without a terminal: the passcode is what is missing, said so.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    duo(&w, "duo-token@example.com")
        .expect(2)
        .stderr_has("Duo passcode");
}
