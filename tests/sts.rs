//! STS: DurationSeconds passed through and refused above the role's maximum, the assertion's
//! SessionDuration, chaining limits, and an unreachable STS.

use crate::support::*;
use aws_token_sandbox::data;
use chrono::{DateTime, Utc};

fn expires_in(w: &World, profile: &str) -> i64 {
    let t =
        ini_value(&w.credentials(), profile, "x_security_token_expires").expect("expiry written");
    let t: DateTime<Utc> = DateTime::parse_from_rfc3339(&t)
        .unwrap()
        .with_timezone(&Utc);
    (t - Utc::now()).num_seconds()
}

#[test]
fn duration_seconds_is_passed_through() {
    let w = World::new();
    w.login("nomfa@example.com")
        .args(["--role", "ReadOnly", "--durationSeconds", "7200"])
        .expect(0);
    let s = expires_in(&w, "staging");
    assert!((7100..=7200).contains(&s), "{s}");
    w.login("nomfa@example.com")
        .args(["--role", "ReadOnly", "--duration", "900"])
        .expect(0);
    let s = expires_in(&w, "staging");
    assert!((800..=900).contains(&s), "{s}");
}

#[test]
fn duration_above_the_roles_maximum_is_retried_once_with_one_hour() {
    // STS does not say the role's maximum; one hour is what every role allows (issue 13.8).
    let w = World::new();
    w.login("nomfa@example.com")
        .args(["--role", "Admin", "--durationSeconds", "7200"])
        .expect(0)
        .stderr_has("the role's maximum session is shorter than 7200 s (--durationSeconds); asking for 3600 s");
    let s = expires_in(&w, "staging");
    assert!((3500..=3600).contains(&s), "{s}");
}

#[test]
fn session_duration_from_the_idp_is_used_and_falls_back_when_too_long() {
    let mut d = data::demo();
    d.apps[0].session_duration = Some(28800);
    let w = World::with_data(d);
    w.login("nomfa@example.com")
        .args(["--role", "ReadOnly"])
        .expect(0);
    let s = expires_in(&w, "staging");
    assert!((28700..=28800).contains(&s), "{s}");
    // Admin allows 1 hour only: the IdP's 8 hours are refused, and one hour is asked for.
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0)
        .stderr_has("shorter than 28800 s (the SessionDuration the IdP sent); asking for 3600 s");
    let s = expires_in(&w, "staging");
    assert!((3500..=3600).contains(&s), "{s}");
}

#[test]
fn chained_sessions_are_capped_at_one_hour() {
    let w = World::new();
    w.login("nomfa@example.com")
        .args([
            "--account",
            "development",
            "--role",
            "Admin",
            "--durationSeconds",
            "7200",
        ])
        .expect(0)
        .stderr_has("chained role sessions to 1 hour");
    let s = expires_in(&w, "development");
    assert!((3500..=3600).contains(&s), "{s}");
}

#[test]
fn unreachable_sts_is_a_network_error() {
    let w = World::new();
    let port = free_port();
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .env("AWS_ENDPOINT_URL_STS", format!("http://127.0.0.1:{port}"))
        .expect(6)
        .stderr_has("could not reach");
}

#[test]
fn region_comes_from_the_config_or_the_partition() {
    let w = World::new();
    w.write_config(
        &w.default_config()
            .replace("\"region\": \"us-east-1\",", "\"region\": \"eu-west-1\","),
    );
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0)
        .stdout_is("export AWS_PROFILE=staging\nexport AWS_DEFAULT_REGION=eu-west-1\n");
    w.write_config(&w.default_config().replace("\"region\": \"us-east-1\",", ""));
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0)
        .stdout_is("export AWS_PROFILE=staging\nexport AWS_DEFAULT_REGION=us-east-1\n");
}
