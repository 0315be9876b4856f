//! Okta Classic Authn API: primary auth, each MFA factor, each refusal with its exit code, and
//! the HTTP client's retries.

use crate::support::*;
use aws_token_sandbox::data;

fn admin(t: Test) -> Test {
    t.args(["--role", "Admin"])
}

#[test]
fn totp_code_from_flag() {
    let w = World::new();
    admin(w.login("demo@example.com"))
        .args(["--otp", &totp()])
        .expect(0);
    assert!(ini_value(&w.credentials(), "staging", "aws_session_token").is_some());
}

#[test]
fn no_mfa_user() {
    let w = World::new();
    admin(w.login("nomfa@example.com")).expect(0);
}

#[test]
fn push_shows_the_number_challenge_once() {
    let w = World::new();
    let r = admin(w.login("push@example.com")).expect(0);
    r.stderr_has("Okta Verify push to Sandbox Phone");
    assert_eq!(r.stderr().matches("tap 42").count(), 1, "{}", r.stderr());
    // Polled once a second (Classic gives no interval), measured where the polls arrived.
    let polls = w.sandbox.poll_times();
    assert_eq!(polls.len(), 2);
    let gap = polls[1] - polls[0];
    assert!(
        gap >= std::time::Duration::from_millis(900),
        "polled after {gap:?}"
    );
}

#[test]
fn push_rejected() {
    let w = World::new();
    admin(w.login("reject@example.com"))
        .expect(3)
        .stderr_has("rejected on the phone (REJECTED)");
    assert!(!w.credentials_path().exists());
}

#[test]
fn push_timed_out_by_okta() {
    let w = World::new();
    admin(w.login("timeout@example.com"))
        .expect(3)
        .stderr_has("(TIMEOUT)");
}

#[test]
fn push_not_answered_within_our_limit() {
    let mut d = data::demo();
    d.users.push(data::User {
        login: "slow@example.com".into(),
        password: PASSWORD.into(),
        status: "ACTIVE".into(),
        factors: vec![data::Factor::Push {
            result: "approve".into(),
            after_polls: 1000,
            number_challenge: None,
            device: "Phone".into(),
            totp_secret: None,
        }],
        apps: [(
            DEMO_APP.to_owned(),
            vec!["arn:aws:iam::111111111111:role/Admin".to_owned()],
        )]
        .into(),
    });
    let w = World::with_data(d);
    admin(w.login("slow@example.com"))
        .args(["--mfa-timeout", "2"])
        .expect(3)
        .stderr_has("not answered within 2 s");
}

#[test]
fn sms_code() {
    let w = World::new();
    admin(w.login("sms@example.com"))
        .args(["--otp", "424242"])
        .expect(0)
        .stderr_has("SMS code to +1 XXX-XXX-0042");
}

#[test]
fn email_code() {
    let w = World::new();
    admin(w.login("email@example.com"))
        .args(["--otp", "135790"])
        .expect(0);
}

#[test]
fn wrong_sms_code() {
    let w = World::new();
    admin(w.login("sms@example.com"))
        .args(["--otp", "111111"])
        .expect(3)
        .stderr_has("E0000068");
}

#[test]
fn several_factors_chosen_by_flag() {
    let w = World::new();
    admin(w.login("multi@example.com"))
        .args(["--mfa", "push"])
        .expect(0);
    admin(w.login("multi@example.com"))
        .args(["--mfa", "sms", "--otp", "424242"])
        .expect(0);
}

#[test]
fn several_factors_and_a_code_mean_totp() {
    let w = World::new();
    admin(w.login("multi@example.com"))
        .args(["--otp", &totp()])
        .expect(0);
}

#[test]
fn several_factors_without_a_terminal_ask_for_mfa_flag() {
    let w = World::new();
    admin(w.login("multi@example.com"))
        .expect(2)
        .stderr_has("--mfa totp|push|sms|email|call");
}

#[test]
fn mfa_flag_for_a_factor_not_enrolled() {
    let w = World::new();
    admin(w.login("demo@example.com"))
        .args(["--mfa", "push"])
        .expect(2)
        .stderr_has("no such factor is enrolled");
}

#[test]
fn wrong_password() {
    let w = World::new();
    w.write_credentials("[keep]\nk = v\n");
    admin(
        w.run()
            .args(["--username", "demo@example.com"])
            .env("AWS_TOKEN_PASSWORD", "nope"),
    )
    .expect(3)
    .stderr_has("wrong username or password (E0000004)");
    assert_eq!(w.credentials(), "[keep]\nk = v\n");
}

#[test]
fn wrong_code() {
    let w = World::new();
    admin(w.login("demo@example.com"))
        .args(["--otp", "000000"])
        .expect(3)
        .stderr_has("the MFA code was rejected (E0000068)");
    assert!(!w.credentials_path().exists());
    // A --otp code is sent once: never again after a rejection.
    assert_eq!(w.sandbox.requests().code_verify, 1);
}

#[test]
fn locked_out() {
    let w = World::new();
    admin(w.login("locked@example.com"))
        .expect(3)
        .stderr_has("locked out (LOCKED_OUT)");
}

#[test]
fn password_expired() {
    let w = World::new();
    admin(w.login("expired@example.com"))
        .expect(3)
        .stderr_has("password has expired (PASSWORD_EXPIRED)");
}

#[test]
fn not_assigned_to_the_app() {
    let w = World::new();
    w.login("unassigned@example.com")
        .expect(4)
        .stderr_has("you are not assigned to this AWS app (HTTP 403)");
}

#[test]
fn unknown_app_is_explained() {
    let w = World::new();
    w.write_config(&w.default_config().replace(DEMO_APP, "0oanosuchapp00000000"));
    w.login("nomfa@example.com")
        .expect(4)
        .stderr_has("app was not found (HTTP 404)");
}

#[test]
fn rate_limit_is_waited_out() {
    let mut d = data::demo();
    d.faults.authn_rate_limited = 1;
    let w = World::with_data(d);
    admin(w.login("nomfa@example.com"))
        .expect(0)
        .stderr_has("rate limiting (HTTP 429)");
}

#[test]
fn a_server_error_on_the_password_post_is_not_resent() {
    // The server may have taken the password before failing: sending it again could count as a
    // second wrong attempt (issue 10.7). A refused connection or a 429 is resent (not taken).
    let mut d = data::demo();
    d.faults.authn_server_errors = 1;
    let w = World::with_data(d);
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("server error 503 Service Unavailable (not sent again: it carried a password or code the server may have seen)");
}

#[test]
fn unreachable_idp_is_a_network_error() {
    let w = World::new();
    let port = free_port();
    w.write_config(
        &w.default_config()
            .replace(&w.sandbox.url(), &format!("http://127.0.0.1:{port}")),
    );
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("connection failed");
}

#[test]
fn step_up_page_is_answered_with_mfa() {
    let mut d = data::demo();
    d.apps[0].step_up = true;
    let w = World::with_data(d);
    // (An SMS code: a TOTP code given with --otp is good once, and the step-up asks again.)
    admin(w.login("sms@example.com"))
        .args(["--otp", "424242"])
        .expect(0)
        .stderr_has("asks for extra verification (step-up MFA)");
    // A user without MFA is stepped up without a factor.
    admin(w.login("nomfa@example.com")).expect(0);
}

#[test]
fn https_to_a_plain_http_server_is_a_network_error() {
    // An https IdP loads the system's trust roots; the sandbox speaks plain http, so TLS fails.
    let w = World::new();
    w.write_config(
        &w.default_config()
            .replace("http://127.0.0.1", "https://127.0.0.1"),
    );
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("could not reach https://127.0.0.1");
}

/// POST `body` (JSON) to `path` on the sandbox; the status code and the JSON answer.
fn post_json(w: &World, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    use std::io::{Read, Write};
    let body = body.to_string();
    let addr = w.sandbox.url().trim_start_matches("http://").to_owned();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out[9..12].parse().unwrap();
    let json = out.split("\r\n\r\n").nth(1).unwrap_or("");
    (
        status,
        serde_json::from_str(json).unwrap_or(serde_json::Value::Null),
    )
}

#[test]
fn the_sandbox_takes_an_sms_code_only_after_it_was_sent() {
    let w = World::new();
    let (_, tx) = post_json(
        &w,
        "/api/v1/authn",
        &serde_json::json!({"username": "sms@example.com", "password": PASSWORD}),
    );
    let token = tx["stateToken"].as_str().unwrap().to_owned();
    let verify = tx["_embedded"]["factors"][0]["_links"]["verify"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = &verify[verify.find("/api/").unwrap()..];
    // The right code, but never sent: refused.
    let (status, answer) = post_json(
        &w,
        path,
        &serde_json::json!({"stateToken": token, "passCode": "424242"}),
    );
    assert_eq!(
        (status, answer["errorCode"].as_str()),
        (403, Some("E0000068"))
    );
    // Sent, then taken.
    let (status, _) = post_json(&w, path, &serde_json::json!({"stateToken": token}));
    assert_eq!(status, 200);
    let (status, answer) = post_json(
        &w,
        path,
        &serde_json::json!({"stateToken": token, "passCode": "424242"}),
    );
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("SUCCESS")),
        "{answer}"
    );
}

#[test]
fn a_totp_code_used_once_is_refused_again_as_okta_does() {
    for identity_engine in [false, true] {
        let mut d = data::demo();
        d.identity_engine = identity_engine;
        let w = World::with_data(d);
        let code = totp();
        admin(w.login("demo@example.com"))
            .args(["--otp", &code])
            .expect(0);
        w.sandbox.end_sessions();
        let r = admin(w.login("demo@example.com"))
            .args(["--otp", &code, "--force"])
            .expect(3);
        assert!(r.stderr().contains("E0000082"), "{}", r.stderr());
        // The next window's code (one step of skew) is taken.
        admin(w.login("demo@example.com"))
            .args(["--otp", &next_totp(), "--force"])
            .expect(0);
    }
}

#[test]
fn classic_offers_a_call_and_okta_verifys_code_as_okta_enrolls_them() {
    let w = World::new();
    // The phone of an SMS factor takes a call too.
    admin(w.login("sms@example.com"))
        .args(["--mfa", "call", "--otp", "424242", "--verbose"])
        .expect(0)
        .stderr_has("call");
    // Okta Verify's code (token:software:totp from OKTA) beside its push.
    admin(w.login("verify@example.com"))
        .args(["--mfa", "totp", "--otp", &totp(), "--verbose"])
        .expect(0)
        .stderr_has("Okta Verify code");
}
