//! Microsoft Entra ID in the terminal (issue 23) against the sandbox's tenant (sandbox/src/entra.rs):
//! the app's user access URL, `$Config` pages, GetCredentialType, the password, "stay signed in",
//! MFA through the SAS endpoints (Authenticator push with number matching, TOTP, SMS), the skippable
//! registration interrupt, a federated domain's ADFS, Entra's errors with their AADSTS codes, the
//! kept session; and provider "browser" completing the same pages in Chromium.

use crate::support::*;

const TENANT: &str = "5c6f1c2a-0b4e-4c59-9a8e-4f2d3b1a0e7d";
const APP: &str = "8a3e5b7c-1d2f-4e6a-9b0c-7d5e3f1a2b4c";

/// The demo sandbox with its Entra tenant as the config's IdP, through `link` (the
/// redirecttofederatedapplication.aspx link, or My Apps'). The tenant's sign-in host (localhost,
/// playing login.microsoftonline.com) and its ADFS (127.0.0.1) are the config's `passwordHosts`.
fn entra_world(my_apps: bool) -> World {
    entra_world_with(my_apps, &["localhost", "127.0.0.1"])
}

/// `entra_world` with `hosts` as the config's `passwordHosts`.
fn entra_world_with(my_apps: bool, hosts: &[&str]) -> World {
    let w = World::new();
    let link = if my_apps {
        format!("{}/signin/{APP}?tenantId={TENANT}", w.sandbox.url())
    } else {
        format!(
            "{}/applications/redirecttofederatedapplication.aspx?Operation=LinkedSignIn&applicationId={APP}",
            w.sandbox.url()
        )
    };
    w.write_config(&format!(
        r#"{{"region": "us-east-1", "provider": "entra", "idpEntryUrl": "{link}",
            "passwordHosts": {}, "defaultAccount": "prod", "accounts": {{"prod": "111111111111"}}}}"#,
        serde_json::json!(hosts)
    ));
    w
}

fn entra(w: &World, user: &str) -> Test {
    w.login(user)
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin", "--force"])
}

#[test]
fn entra_push_with_number_matching_then_the_kept_session() {
    let w = entra_world(false);
    let r = entra(&w, "push@entra.example.com").expect(0);
    r.stderr_has("Microsoft Authenticator: enter 47 on your phone");
    r.stderr_has("assumed-role/Admin/push@entra.example.com");
    assert_eq!(w.sandbox.requests().entra_password, 1);
    // "Stay signed in" kept the session: another role needs no password and no MFA.
    let r = w
        .run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "ReadOnly", "--profile", "ro", "--verbose"])
        .expect(0);
    r.stderr_has("signed in with the kept Entra session: no password, no MFA");
    assert_eq!(w.sandbox.requests().entra_password, 1);
    // credential-process and --all too, from the kept session.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["credential-process", "--role", "ReadOnly"])
        .expect(0);
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--all", "--durationSeconds", "3600"])
        .expect(0);
    let creds = w.credentials();
    assert!(
        creds.contains("[prod-Admin]") && creds.contains("[prod-ReadOnly]"),
        "{creds}"
    );
    assert_eq!(w.sandbox.requests().entra_password, 1);
    // logout forgets it: the next run signs in again.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    entra(&w, "push@entra.example.com").expect(0);
    assert_eq!(w.sandbox.requests().entra_password, 2);
}

#[test]
fn entra_codes_totp_and_sms_and_my_apps_link() {
    let w = entra_world(true);
    entra(&w, "totp@entra.example.com")
        .args(["--otp", &totp()])
        .expect(0)
        .stderr_has("assumed-role/Admin/totp@entra.example.com");
    // The code is sent once: a wrong one is refused with Entra's words, not sent again.
    let r = entra(&w, "sms@entra.example.com")
        .args(["--otp", "000000"])
        .expect(3);
    r.stderr_has("Entra sent an SMS code");
    r.stderr_has("AADSTS500121, SMSAuthFailedWrongCodeEntered");
    assert_eq!(w.sandbox.requests().entra_codes, 2);
    entra(&w, "sms@entra.example.com")
        .args(["--mfa", "sms", "--otp", "135246"])
        .expect(0);
    // A TOTP code used once is refused the second time (OathCodeDuplicate).
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    let code = next_totp();
    entra(&w, "totp@entra.example.com")
        .args(["--otp", &code])
        .expect(0);
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    entra(&w, "totp@entra.example.com")
        .args(["--otp", &code])
        .expect(3)
        .stderr_has("OathCodeDuplicate");
    // A method the user has not registered is named, with those they have.
    entra(&w, "push@entra.example.com")
        .args(["--mfa", "email"])
        .expect(2)
        .stderr_has(
            "--mfa email: Entra offers no such method; it offers Microsoft Authenticator push",
        );
}

#[test]
fn entra_errors_keep_their_aadsts_codes() {
    let w = entra_world(false);
    entra(&w, "push@entra.example.com")
        .env("AWS_TOKEN_PASSWORD", "wrong")
        .expect(3)
        .stderr_has("AADSTS50126");
    entra(&w, "locked@entra.example.com")
        .expect(3)
        .stderr_has("the account is locked (AADSTS50053");
    entra(&w, "deny@entra.example.com")
        .expect(3)
        .stderr_has("denied in Microsoft Authenticator (AADSTS500121, PhoneAppDenied");
    entra(&w, "unassigned@entra.example.com")
        .expect(4)
        .stderr_has("not assigned to this AWS app (AADSTS50105");
    let r = entra(&w, "blocked@entra.example.com").expect(4);
    r.stderr_has("Conditional Access policy blocks this sign-in (AADSTS53003");
    r.stderr_has("provider \"browser\"");
    entra(&w, "nobody@entra.example.com")
        .expect(3)
        .stderr_has("Entra knows no account nobody@entra.example.com");
    assert!(!w.credentials_path().exists());
}

#[test]
fn entra_registration_interrupt_and_a_federated_adfs_domain() {
    let w = entra_world(false);
    entra(&w, "proofup@entra.example.com")
        .expect(0)
        .stderr_has("Entra asks to register more MFA methods; skipping it for now");
    let r = entra(&w, "fed@adfs.example.com")
        .args(["--verbose"])
        .expect(0);
    r.stderr_has(
        "Entra sends fed@adfs.example.com's sign-in to 127.0.0.1, the sign-in server your organisation federates adfs.example.com to.",
    );
    r.stderr_has("federated domain: signing in at ")
        .stderr_has("/adfs/ls/");
    r.stderr_has("assumed-role/Admin/fed@adfs.example.com");
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    entra(&w, "fed@adfs.example.com")
        .env("AWS_TOKEN_PASSWORD", "wrong")
        .expect(3)
        .stderr_has("ADFS refused the sign-in: Incorrect user ID or password.");
    // Never a secret on stderr.
    let r = entra(&w, "push@entra.example.com")
        .args(["--verbose"])
        .expect(0);
    for secret in w.sandbox.handed_out() {
        assert!(!r.stderr().contains(&secret), "a secret on stderr");
    }
}

#[test]
fn entra_pages_complete_in_chromium_with_provider_browser() {
    // "The user" is the pages' autofill knob: Chromium runs Entra's sign-in pages (their scripts
    // call GetCredentialType, post the password, answer "stay signed in") and aws-token takes the
    // SAMLResponse they post to AWS.
    crate::browser::chromium();
    let mut d = aws_token_sandbox::data::demo();
    if let Some(t) = d.entra.as_mut() {
        t.autofill = Some(aws_token_sandbox::data::EntraAutofill {
            username: "nomfa@entra.example.com".into(),
            password: PASSWORD.into(),
        });
    }
    let w = World::with_data(d);
    let link = format!("{}/signin/{APP}?tenantId={TENANT}", w.sandbox.url());
    w.write_config(&format!(
        r#"{{"region": "us-east-1", "provider": "browser", "idpEntryUrl": "{link}",
            "defaultAccount": "prod", "accounts": {{"prod": "111111111111"}}}}"#
    ));
    let display = crate::browser_window::Display::start();
    w.run()
        .env("DISPLAY", display.name())
        .args(["--role", "Admin", "--mfa-timeout", "60"])
        .expect(0)
        .stderr_has("assumed-role/Admin/nomfa@entra.example.com");
    assert_eq!(w.sandbox.requests().entra_password, 1);
}

#[test]
fn an_entra_page_aws_token_does_not_know_is_named_and_kept_with_debug() {
    use crate::hostile::{Hostile, reply};
    let page = r#"<!DOCTYPE html><html><head><title>Something new</title></head><body><script>//<![CDATA[
$Config={"pgid":"ConvergedMystery","sFT":"flow-token-value","sCtx":"ctx"};
//]]></script></body></html>"#;
    let idp = Hostile::start(None, move |_| reply("200 OK", "text/html", page));
    let w = World::new();
    w.write_config(&format!(
        r#"{{"region": "us-east-1", "provider": "entra", "idpEntryUrl": "{}/signin/x",
            "defaultAccount": "prod", "accounts": {{"prod": "111111111111"}}}}"#,
        idp.url()
    ));
    let tmp = w.home.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let r = w
        .login("nomfa@entra.example.com")
        .env("TMPDIR", &tmp)
        .args(["--debug"])
        .expect(4);
    r.stderr_has("an Entra page aws-token cannot answer in a terminal");
    r.stderr_has("page id ConvergedMystery");
    r.stderr_has("debug: the page is saved as ");
    let saved: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().collect();
    assert_eq!(saved.len(), 1);
    assert!(
        std::fs::read_to_string(saved[0].path())
            .unwrap()
            .contains("ConvergedMystery")
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        saved[0].metadata().unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Without --debug nothing is kept.
    std::fs::remove_file(saved[0].path()).unwrap();
    w.login("nomfa@entra.example.com")
        .env("TMPDIR", &tmp)
        .expect(4);
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
}

#[test]
fn entra_where_the_password_goes_only_microsofts_hosts_or_the_configs() {
    // The tenant's sign-in host is not Microsoft's and not in passwordHosts: no password leaves.
    let w = entra_world_with(false, &[]);
    let r = entra(&w, "push@entra.example.com").expect(6);
    r.stderr_has("would send the password to localhost")
        .stderr_has("login.microsoftonline.com")
        .stderr_has("\"passwordHosts\"");
    assert_eq!(w.sandbox.requests().entra_password, 0);
    assert!(!r.stderr().contains(PASSWORD));
}

#[test]
fn entra_where_the_password_goes_a_new_federation_server_is_named_and_asked_first() {
    // The ADFS (127.0.0.1) is in no list: refused without a terminal, naming it and what to do.
    let w = entra_world_with(false, &["localhost"]);
    entra(&w, "fed@adfs.example.com")
        .expect(6)
        .stderr_has("the sign-in server your organisation federates adfs.example.com to")
        .stderr_has("add \"127.0.0.1\" to config.json's \"passwordHosts\"");
    assert_eq!(w.sandbox.requests().entra_password, 0);
    // On a terminal it is asked; a no sends nothing...
    let config = w.config_path();
    let argv = [
        env!("CARGO_BIN_EXE_aws-token"),
        "--config",
        config.to_str().unwrap(),
        "--username",
        "fed@adfs.example.com",
        "--role",
        "Admin",
    ];
    let (status, screen) = crate::tty::run_in_terminal(
        &w,
        &argv,
        serde_json::json!([["Send the password there?", "\x1b[B\r"]]),
    );
    assert_eq!(status, 6, "{screen}");
    assert_eq!(w.sandbox.requests().entra_password, 0);
    // ...a yes goes on (the password asked after it), and is remembered for this app.
    let (status, screen) = crate::tty::run_in_terminal(
        &w,
        &argv,
        serde_json::json!([
            ["Send the password there?", "\r"],
            ["Password", format!("{PASSWORD}\r")],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    assert_eq!(w.sandbox.requests().entra_password, 1);
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    entra(&w, "fed@adfs.example.com")
        .expect(0)
        .stderr_has("federates adfs.example.com to.");
    assert_eq!(w.sandbox.requests().entra_password, 2);
}

#[test]
fn the_kept_entra_session_has_ended_signs_in_again() {
    let w = entra_world(false);
    entra(&w, "totp@entra.example.com")
        .args(["--otp", &totp()])
        .expect(0);
    // Kept: the next run needs nothing.
    entra(&w, "totp@entra.example.com").expect(0);
    assert_eq!(w.sandbox.requests().entra_password, 1);
    // Ended at Entra: said, and signed in again with the password and a code.
    w.sandbox.end_sessions();
    entra(&w, "totp@entra.example.com")
        .args(["--otp", &next_totp()])
        .expect(0)
        .stderr_has("The kept Entra session has ended; signing in again");
    assert_eq!(w.sandbox.requests().entra_password, 2);
}
