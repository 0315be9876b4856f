//! Okta Identity Engine (issue 12): the same config.json logs in at an Identity Engine org through
//! the IDX API — the pipeline learnt from the org's well-known document and remembered, or from the
//! embed link when the document cannot be had, or forced by `oktaPipeline`; identifier-first and
//! password-on-the-first-form policies; TOTP, Okta Verify code and push with number challenge, SMS
//! and email codes; Okta's messages and Classic's exit codes; the session kept for later runs.
//! (Prompts at a terminal, and a rejected code typed again: tests/tty.rs.)

use crate::support::*;
use aws_token_sandbox::data::{self, Data, Factor};

/// The demo users at an Identity Engine org; `one_page`: the password is on the first form.
fn oie(one_page: bool) -> Data {
    let mut d = data::demo();
    d.identity_engine = true;
    d.one_page_sign_in = one_page;
    d
}

/// Another role with neither password nor code: only the kept session can sign it in.
fn another_role_with_the_kept_session(w: &World) {
    w.run()
        .args([
            "--username",
            "demo@example.com",
            "--role",
            "ReadOnly",
            "--profile",
            "ro",
            "--verbose",
        ])
        .expect(0)
        .stderr_has("signed in with the kept Okta session: no password, no MFA");
}

fn admin(t: Test) -> Test {
    t.args(["--role", "Admin"])
}

/// A TOTP login at `w` that must succeed through the IDX API, not the Authn API.
fn totp_login(w: &World) -> Run {
    let r = admin(w.login("demo@example.com"))
        .args(["--otp", &totp(), "--verbose"])
        .expect(0);
    let n = w.sandbox.requests();
    assert_eq!(n.authn, 0, "the Classic Authn API was called");
    assert!(n.idx >= 3, "introspect, identify/answer, code: {n:?}");
    assert!(ini_value(&w.credentials(), "staging", "aws_session_token").is_some());
    r
}

#[test]
fn identifier_first_policy_logs_in_with_password_and_totp() {
    let w = World::with_data(oie(false));
    let r = totp_login(&w);
    r.stderr_has("runs Okta Identity Engine (IDX API)")
        .stderr_has(r#"Okta IDX offers ["identify"]"#)
        .stderr_has(r#"Okta IDX offers ["challenge-authenticator"]"#);
    // introspect, identify, password, code: one request each.
    assert_eq!(w.sandbox.requests().idx, 4);
}

#[test]
fn password_on_the_first_form_policy_logs_in() {
    let w = World::with_data(oie(true));
    totp_login(&w);
    // introspect, identify with the password, code.
    assert_eq!(w.sandbox.requests().idx, 3);
}

#[test]
fn the_pipeline_is_learnt_once_and_remembered_per_org() {
    let w = World::with_data(oie(false));
    totp_login(&w);
    assert_eq!(w.sandbox.requests().well_known, 1);
    let remembered =
        std::fs::read_to_string(w.home.path().join(".cache/aws-token/pipelines.json")).unwrap();
    assert!(
        remembered.contains(&format!("\"{}/\": \"idx\"", w.sandbox.url())),
        "{remembered}"
    );
    // logout forgets it (orgs move to Identity Engine)...
    w.run().args(["logout"]).expect(0);
    let after = std::fs::read_to_string(w.home.path().join(".cache/aws-token/pipelines.json"))
        .unwrap_or_default();
    assert!(
        !after.contains(&w.sandbox.url()),
        "logout kept the pipeline: {after}"
    );
    // ...and a later login with it remembered (the kept session dropped so that it signs in
    // again) asks no more.
    std::fs::write(
        w.home.path().join(".cache/aws-token/pipelines.json"),
        &remembered,
    )
    .unwrap();
    admin(w.login("demo@example.com"))
        .args(["--otp", &next_totp(), "--force"])
        .expect(0);
    assert_eq!(w.sandbox.requests().well_known, 1, "asked the org again");
}

#[test]
fn without_the_well_known_document_the_embed_link_decides() {
    for status in [404, 503] {
        let mut d = oie(false);
        d.faults.well_known_status = Some(status);
        let w = World::with_data(d);
        totp_login(&w).stderr_has(&format!("answered HTTP {status} without a pipeline"));
        // Only a hint: not asked again after a 5xx.
        assert_eq!(w.sandbox.requests().well_known, 1);
        let remembered =
            std::fs::read_to_string(w.home.path().join(".cache/aws-token/pipelines.json")).unwrap();
        assert!(remembered.contains("\"idx\""), "{remembered}");
    }
    // And a Classic org behind the same proxy logs in through the Authn API.
    let mut d = data::demo();
    d.faults.well_known_status = Some(404);
    let w = World::with_data(d);
    admin(w.login("demo@example.com"))
        .args(["--otp", &totp(), "--verbose"])
        .expect(0)
        .stderr_has("the sign-in page carries no stateToken: signing in as at Okta Classic");
    assert_eq!(w.sandbox.requests().authn, 1);
    assert_eq!(w.sandbox.requests().idx, 0);
    // That guess is not remembered (a wrong one would refuse every later login); an Identity
    // Engine sign-in page, a sure sign, is.
    let remembered = std::fs::read_to_string(w.home.path().join(".cache/aws-token/pipelines.json"))
        .unwrap_or_default();
    assert!(!remembered.contains("v1"), "{remembered}");
}

#[test]
fn config_can_force_the_pipeline() {
    let w = World::with_data(oie(false));
    w.write_config(&w.default_config().replace(
        r#""provider": "okta","#,
        r#""provider": "okta", "oktaPipeline": "idx","#,
    ));
    totp_login(&w);
    assert_eq!(w.sandbox.requests().well_known, 0);
    // Forced Classic at an Identity Engine org: Okta's Authn API refuses, as such orgs do.
    w.write_config(&w.default_config().replace(
        r#""provider": "okta","#,
        r#""provider": "okta", "oktaPipeline": "v1","#,
    ));
    admin(w.login("nomfa@example.com"))
        .arg("--force")
        .expect(3)
        .stderr_has("(E0000004)");
    // provider "okta-idx" is the same as oktaPipeline "idx"; a contradiction is refused.
    w.write_config(&w.default_config().replace(
        r#""provider": "okta","#,
        r#""provider": "okta-idx", "oktaPipeline": "v1","#,
    ));
    w.run().expect(2).stderr_has("contradicts");
    w.write_config(&w.default_config().replace(
        r#""provider": "okta","#,
        r#""provider": "okta", "oktaPipeline": "v3","#,
    ));
    w.run()
        .expect(2)
        .stderr_has(r#""oktaPipeline": unknown pipeline "v3""#);
}

#[test]
fn okta_verify_push_shows_the_number_and_waits_the_given_interval() {
    let w = World::with_data(oie(false));
    let r = admin(w.login("push@example.com")).expect(0);
    r.stderr_has("Okta Verify: tap 42 on your phone");
    // introspect, identify, password, select push, then the polls (two waiting, one approved).
    assert_eq!(w.sandbox.requests().idx, 7);
    // At the interval Okta gave (refresh 1000 ms), measured where the polls arrived.
    let polls = w.sandbox.poll_times();
    assert_eq!(polls.len(), 3);
    for pair in polls.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= std::time::Duration::from_millis(900),
            "polled after {gap:?}"
        );
    }
}

#[test]
fn okta_verify_code_goes_in_credentials_totp() {
    let w = World::with_data(oie(true));
    admin(w.login("verify@example.com"))
        .args(["--mfa", "totp", "--otp", &totp()])
        .expect(0);
    // --otp alone picks the code method too.
    let w = World::with_data(oie(true));
    admin(w.login("verify@example.com"))
        .args(["--otp", &totp()])
        .expect(0);
}

#[test]
fn sms_and_email_codes_and_mfa_chooses_among_several() {
    let w = World::with_data(oie(false));
    admin(w.login("sms@example.com"))
        .args(["--otp", "424242"])
        .expect(0)
        .stderr_has("Sending: SMS code to +1 XXX-XXX-0042");
    // A lone phone: Okta asks how to reach it (authenticator-verification-data); --mfa call.
    w.run().arg("logout").expect(0);
    admin(w.login("sms@example.com"))
        .args(["--mfa", "call", "--otp", "424242", "--force", "--verbose"])
        .expect(0)
        .stderr_has(r#"Okta IDX offers ["authenticator-verification-data"]"#)
        .stderr_has("Sending: phone call to +1 XXX-XXX-0042");
    w.run().arg("logout").expect(0);
    admin(w.login("sms@example.com"))
        .args(["--mfa", "push", "--force"])
        .expect(2)
        .stderr_has("--mfa push: Okta offers only SMS code to +1 XXX-XXX-0042, phone call to +1 XXX-XXX-0042");
    admin(w.login("email@example.com"))
        .args(["--otp", "135790", "--force"])
        .expect(0)
        .stderr_has("Sending: email code to e...l@example.com");
    admin(w.login("multi@example.com"))
        .args(["--mfa", "push", "--force"])
        .expect(0)
        .stderr_has("Okta Verify push: approve it on your phone");
    // Each login below signs in afresh: the kept session would answer otherwise.
    let fresh = |w: &World| w.run().arg("logout").expect(0);
    fresh(&w);
    admin(w.login("multi@example.com"))
        .args(["--mfa", "call", "--otp", "424242", "--force"])
        .expect(0)
        .stderr_has("Sending: phone call to");
    fresh(&w);
    admin(w.login("multi@example.com"))
        .args(["--mfa", "email", "--force"])
        .expect(2)
        .stderr_has("--mfa email: no such factor is enrolled");
    // Several and no --mfa, no terminal: say what to pass.
    fresh(&w);
    admin(w.login("multi@example.com"))
        .arg("--force")
        .expect(2)
        .stderr_has("--mfa totp|push|sms|email|call");
}

#[test]
fn refusals_carry_oktas_message_and_classics_exit_code() {
    let mut d = oie(false);
    d.apps[1].access_denied = true;
    let mut denied = d.users[0].clone();
    denied.login = "denied@example.com".into();
    denied.apps = [(
        OTHER_APP.to_owned(),
        vec!["arn:aws:iam::111111111111:role/Admin".to_owned()],
    )]
    .into();
    d.users.push(denied);
    let w = World::with_data(d);
    let cases: &[(&str, &[&str], i32, &str)] = &[
        (
            "demo@example.com",
            &["--password", "wrong"],
            3,
            r#"wrong username or password (Okta: "Password is incorrect" (incorrectPassword))"#,
        ),
        ("nobody@example.com", &[], 3, "Password is incorrect"),
        (
            "demo@example.com",
            &["--otp", "000000"],
            3,
            "Your code doesn't match our records",
        ),
        ("locked@example.com", &[], 3, "Your account is locked"),
        (
            "reject@example.com",
            &[],
            3,
            "the Okta Verify push was rejected on the phone",
        ),
        (
            "timeout@example.com",
            &[],
            3,
            "Your push notification has expired",
        ),
        ("expired@example.com", &[], 3, "the password has expired"),
        (
            "unassigned@example.com",
            &[],
            4,
            "User is not assigned to this application",
        ),
        // FastPass (preferred) is turned down, then the security key: none is plugged in here.
        (
            "webauthn@example.com",
            &[],
            3,
            "the sign-in asks for a security key and none is plugged in",
        ),
    ];
    for (user, args, code, text) in cases {
        let r = admin(w.login(user)).args(*args).arg("--force").output();
        assert_eq!(r.code(), *code, "{user}: {}", r.stderr());
        assert!(r.stderr().contains(text), "{user}: {}", r.stderr());
        assert_eq!(r.stderr().matches("error:").count(), 1, "{}", r.stderr());
        assert!(!w.credentials().contains("aws_session_token"), "{user}");
    }
    let other = w.default_config();
    w.write_config(&other.replace(
        r#""defaultAccount": "staging""#,
        r#""defaultAccount": "other-app""#,
    ));
    admin(w.login("denied@example.com"))
        .arg("--force")
        .expect(4)
        .stderr_has("Okta's policy denies access to this app");
    assert_eq!(w.sandbox.requests().authn, 0);
}

#[test]
fn input_that_cannot_come_is_exit_2() {
    let w = World::with_data(oie(false));
    admin(w.run())
        .expect(2)
        .stderr_has("Okta username")
        .stderr_has("--username or AWS_TOKEN_USERNAME");
    admin(w.run().args(["--username", "demo@example.com"]))
        .expect(2)
        .stderr_has("--password or AWS_TOKEN_PASSWORD");
    admin(w.login("demo@example.com"))
        .expect(2)
        .stderr_has("--otp CODE or AWS_TOKEN_OTP");
}

#[test]
fn rate_limits_are_waited_out_and_server_errors_end_in_exit_6() {
    let mut d = oie(false);
    d.faults.authn_rate_limited = 1;
    let w = World::with_data(d);
    admin(w.login("nomfa@example.com"))
        .expect(0)
        .stderr_has("rate limiting (HTTP 429)");
    let mut d = oie(false);
    d.faults.authn_server_errors = 10;
    let w = World::with_data(d);
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("server error 503");
}

#[test]
fn the_session_is_kept_and_an_ended_one_means_a_fresh_login() {
    let w = World::with_data(oie(false));
    totp_login(&w);
    let idx = w.sandbox.requests().idx;
    // Another role and another account: no password, no code, no IDX call.
    another_role_with_the_kept_session(&w);
    w.run()
        .args([
            "--username",
            "demo@example.com",
            "credential-process",
            "--account",
            "dev-direct",
            "--role",
            "Developer",
        ])
        .expect(0);
    assert_eq!(
        w.sandbox.requests().idx,
        idx,
        "a kept session made an IDX call"
    );
    assert_eq!(w.sandbox.requests().authn, 0);
    w.sandbox.end_sessions();
    admin(w.login("demo@example.com"))
        .args(["--otp", &next_totp(), "--force"])
        .expect(0)
        .stderr_has("The kept Okta session has ended; signing in again");
    assert!(w.sandbox.requests().idx > idx);
}

#[test]
fn the_sandbox_refuses_an_old_state_handle() {
    // The client must send the newest stateHandle: the sandbox, as Okta, takes no other.
    let w = World::with_data(oie(false));
    let script = r#"
import json, re, sys, urllib.request, urllib.error
org, link = sys.argv[1], sys.argv[2]
page = urllib.request.urlopen(link).read().decode()
token = re.search(r"var stateToken = '([^']*)'", page).group(1).replace('\\x2D', '-')
def post(path, body):
    req = urllib.request.Request(org + path, json.dumps(body).encode(), {'Content-Type': 'application/ion+json; okta-version=1.0.0'})
    try:
        r = urllib.request.urlopen(req); return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
s, a = post('/idp/idx/introspect', {'stateToken': token})
old = a['stateHandle']
s, b = post('/idp/idx/identify', {'identifier': 'demo@example.com', 'stateHandle': old})
assert s == 200 and b['stateHandle'] != old, (s, b)
s, c = post('/idp/idx/identify', {'identifier': 'demo@example.com', 'stateHandle': old})
print(s, c['messages']['value'][0]['i18n']['key'])
"#;
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            script,
            &w.sandbox.url(),
            &w.sandbox.embed_link(DEMO_APP),
        ])
        .output()
        .expect("python3 runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "401 idx.session.expired",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_security_key_with_none_plugged_in_says_so() {
    // No test key is named: the USB keys are asked, and this machine has none.
    let mut d = oie(true);
    d.users[0].factors = vec![Factor::security_key(1)];
    let w = World::with_data(d);
    admin(w.login("demo@example.com"))
        .expect(3)
        .stderr_has("the sign-in asks for a security key and none is plugged in");
}

#[test]
fn an_app_that_steps_up_gets_its_mfa_after_the_sign_in() {
    // The org's policy asks for the password only; the AWS app asks for MFA at its embed link,
    // with a sign-in page for an MFA-only transaction.
    let mut d = oie(false);
    d.password_only_sessions = true;
    d.apps[0].step_up = true;
    let w = World::with_data(d);
    admin(w.login("demo@example.com"))
        .args(["--otp", &totp(), "--verbose"])
        .expect(0)
        .stderr_has("The AWS app asks for extra verification (step-up MFA)");
    assert_eq!(w.sandbox.requests().authn, 0);
    // The stepped-up session is kept: the next run needs neither password nor code.
    another_role_with_the_kept_session(&w);
}

#[test]
fn a_kept_session_is_stepped_up_without_the_password() {
    // Signed in to another app (password only); the AWS app then asks for MFA alone: the kept
    // session is not "ended", no password is asked, only the code.
    let mut d = oie(false);
    d.password_only_sessions = true;
    d.apps[0].step_up = true;
    d.users[0].apps.insert(
        OTHER_APP.to_owned(),
        vec!["arn:aws:iam::111111111111:role/Admin".to_owned()],
    );
    let w = World::with_data(d);
    admin(w.login("demo@example.com"))
        .args(["--account", "other-app"])
        .expect(0);
    let r = w
        .run()
        .args([
            "--username",
            "demo@example.com",
            "--role",
            "Admin",
            "--otp",
            &totp(),
            "--verbose",
        ])
        .expect(0);
    r.stderr_has("The AWS app asks for extra verification (step-up MFA)");
    assert!(!r.stderr().contains("has ended"), "{}", r.stderr());
}

#[test]
fn the_sandbox_takes_an_identity_engine_session_only_with_its_idx_cookie() {
    let w = World::with_data(oie(false));
    let keyring = |t: Test| t.env("AWS_TOKEN_KEYRING", "file");
    keyring(admin(w.login("demo@example.com")).args(["--otp", &totp()])).expect(0);
    let file = w.home.path().join(".cache/aws-token/secrets.json");
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    for v in map.values_mut() {
        let cookies = v.as_str().unwrap().to_owned();
        assert!(cookies.contains("idx="), "{cookies}");
        // The sid alone.
        let sid: Vec<&str> = cookies
            .split(';')
            .map(str::trim)
            .filter(|c| c.starts_with("sid="))
            .collect();
        *v = serde_json::Value::String(sid.join("; "));
    }
    std::fs::write(&file, serde_json::to_vec(&map).unwrap()).unwrap();
    keyring(admin(w.run()).args(["--username", "demo@example.com", "--force"]))
        .expect(2)
        .stderr_has("The kept Okta session has ended");
}
