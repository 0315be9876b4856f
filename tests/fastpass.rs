//! Okta FastPass from the terminal (issue 22.1) at the sandbox's Identity Engine org: the
//! challenge-poll of Okta Verify's signed_nonce is answered through the loopback service of the
//! sandbox's stand-in Okta Verify (sandbox/src/okta_verify.rs), which checks the Origin and tells
//! the org; ports are probed in order, a 503 (another OS user's Okta Verify) moves on, an error or
//! no answer cancels the transaction with Okta's reason.

use crate::support::*;
use aws_token_sandbox::okta_verify::Behaviour;

/// An Identity Engine org whose FastPass challenges list `ports`.
fn org(ports: &[u16]) -> World {
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = true;
    d.okta_verify_ports = ports.to_vec();
    World::with_data(d)
}

fn fastpass(w: &World) -> Test {
    w.login("fastpass@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin", "--force"])
}

#[test]
fn fastpass_through_okta_verify_on_this_device() {
    let (busy_port, port) = (free_port(), free_port());
    let w = org(&[busy_port, port]);
    let busy = w
        .sandbox
        .okta_verify(busy_port, Behaviour::OtherUser)
        .unwrap();
    let ov = w.sandbox.okta_verify(port, Behaviour::Approve).unwrap();
    let r = fastpass(&w).expect(0);
    r.stderr_has("Okta FastPass: approve in Okta Verify on this device");
    r.stderr_has("assumed-role/Admin/fastpass@example.com");
    // Another OS user's Okta Verify (503) was passed over; this user's got the org's Origin.
    assert_eq!(busy.challenges(), 1);
    assert_eq!(ov.origins(), [w.sandbox.url()]);
    assert!(w.sandbox.fastpass_cancels().is_empty());
    // --mfa fastpass names it.
    fastpass(&w).args(["--mfa", "fastpass"]).expect(0);
}

#[test]
fn fastpass_without_okta_verify_cancels_with_okta_s_reason() {
    // Nothing listens: OV_UNREACHABLE_BY_LOOPBACK.
    let w = org(&[free_port()]);
    let r = fastpass(&w).expect(4);
    r.stderr_has("Okta FastPass: Okta Verify did not answer on this device");
    r.stderr_has("provider \"okta-browser\"");
    assert_eq!(w.sandbox.fastpass_cancels(), ["OV_UNREACHABLE_BY_LOOPBACK"]);
    // An Okta Verify whose probe never answers in time: the same.
    let port = free_port();
    let w = org(&[port]);
    let _silent = w.sandbox.okta_verify(port, Behaviour::Silent).unwrap();
    let start = std::time::Instant::now();
    fastpass(&w).expect(4);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(w.sandbox.fastpass_cancels(), ["OV_UNREACHABLE_BY_LOOPBACK"]);
    // One that answers an error: OV_RETURNED_ERROR with its status.
    let port = free_port();
    let w = org(&[port]);
    let _broken = w.sandbox.okta_verify(port, Behaviour::Error).unwrap();
    fastpass(&w).expect(4).stderr_has("HTTP 500");
    assert_eq!(w.sandbox.fastpass_cancels(), ["OV_RETURNED_ERROR 500"]);
    assert!(!w.credentials_path().exists());
}

#[test]
fn silent_device_probing_signs_in_with_fastpass_or_falls_back_to_the_password() {
    let port = free_port();
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = true;
    d.okta_verify_ports = vec![port];
    d.device_probing = Some("fastpass@example.com".into());
    let w = World::with_data(d);
    let ov = w.sandbox.okta_verify(port, Behaviour::Approve).unwrap();
    // No username, no password: Okta Verify on this device vouches for its user.
    let r = w
        .run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin", "--verbose"])
        .expect(0);
    r.stderr_has("Okta probes for Okta Verify on this device (FastPass)");
    r.stderr_has("assumed-role/Admin/fastpass@example.com");
    assert_eq!(ov.challenges(), 1);
    assert_eq!(w.sandbox.requests().authn, 0);
    drop(ov);
    // Without Okta Verify the probe is cancelled and the sign-in goes on as usual.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin", "--force"])
        .expect(0)
        .stderr_has("assumed-role/Admin/nomfa@example.com");
    assert_eq!(w.sandbox.fastpass_cancels(), ["OV_UNREACHABLE_BY_LOOPBACK"]);
}

/// A fake `xdg-open` in `w`'s HOME that writes the link it is given to the file `opened` and,
/// when `launched_on` is given, hands the link's challenge to the Okta Verify there (as Okta
/// Verify, started by its link, does): the PATH to use.
fn fake_opener(w: &World, launched_on: Option<u16>) -> (String, std::path::PathBuf) {
    let bin = w.home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opened = w.home.path().join("opened");
    let answer = match launched_on {
        Some(port) => format!(
            r#"q = urllib.parse.parse_qs(link.split("?", 1)[1])
req = urllib.request.Request("http://127.0.0.1:{port}/challenge",
    data=json.dumps({{"challengeRequest": q["challengeRequest"][0]}}).encode(),
    headers={{"Origin": {origin:?}, "Content-Type": "application/json"}})
urllib.request.urlopen(req).read()
"#,
            origin = w.sandbox.url(),
        ),
        None => String::new(),
    };
    let script = format!(
        "#!/usr/bin/env python3\nimport json, sys, urllib.parse, urllib.request\nlink = sys.argv[1]\nopen({opened:?}, \"w\").write(link)\n{answer}",
        opened = opened.to_str().unwrap(),
    );
    std::fs::write(bin.join("xdg-open"), script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("xdg-open"), std::fs::Permissions::from_mode(0o755)).unwrap();
    (
        format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        opened,
    )
}

/// An Identity Engine org whose FastPass challenge is a CUSTOM_URI (widget mock
/// authenticator-verification-okta-verify-signed-nonce-custom-uri.json), with `href` in place of
/// Okta Verify's link when given.
fn custom_uri_org(href: Option<&str>) -> World {
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = true;
    d.okta_verify_ports = vec![free_port()];
    d.fastpass_challenge_method = Some("CUSTOM_URI".into());
    d.fastpass_launch_href = href.map(str::to_owned);
    World::with_data(d)
}

#[test]
fn fastpass_launches_okta_verify_by_its_custom_uri_link() {
    let launched_on = free_port();
    let w = custom_uri_org(None);
    let ov = w
        .sandbox
        .okta_verify(launched_on, Behaviour::Approve)
        .unwrap();
    let (path, opened) = fake_opener(&w, Some(launched_on));
    let r = fastpass(&w)
        .env("PATH", &path)
        .env("DISPLAY", ":0")
        .expect(0);
    r.stderr_has("Okta FastPass: opening Okta Verify; approve the sign-in there");
    r.stderr_has("assumed-role/Admin/fastpass@example.com");
    let link = std::fs::read_to_string(&opened).unwrap();
    assert!(
        link.starts_with("com-okta-authenticator:/deviceChallenge?challengeRequest=")
            && link.ends_with("&login_hint=fastpass%40example.com"),
        "{link}"
    );
    assert_eq!(ov.challenges(), 1);
    // No desktop to launch it from: said, exit 4.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    fastpass(&w)
        .env("PATH", &path)
        .expect(4)
        .stderr_has("launching it needs a desktop");
}

#[test]
fn fastpass_opens_no_launch_link_but_okta_verifys() {
    // A hostile org's CUSTOM_URI challenge names an https link (or another program's scheme):
    // nothing is handed to the system's opener.
    for href in [
        "https://evil.example/okta-verify/?challengeRequest=x",
        "file:///tmp/x?challengeRequest=x",
        "com-okta-authenticatorx:/deviceChallenge?challengeRequest=x",
    ] {
        let w = custom_uri_org(Some(href));
        let (path, opened) = fake_opener(&w, None);
        fastpass(&w)
            .env("PATH", &path)
            .env("DISPLAY", ":0")
            .expect(4)
            .stderr_has("is not Okta Verify's");
        assert!(!opened.exists(), "{href} was opened");
    }
}

#[test]
fn fastpass_hands_the_challenge_to_loopback_hosts_only() {
    // A hostile org names a host that is not this machine (0.0.0.0 reaches a listener here, as a
    // remote host would get the connection): the challenge is never sent there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = true;
    d.okta_verify_ports = vec![port];
    d.fastpass_domain = Some("https://0.0.0.0".into());
    d.fastpass_https_domain = Some("https://0.0.0.0".into());
    let w = World::with_data(d);
    fastpass(&w)
        .expect(4)
        .stderr_has("Okta Verify did not answer on this device");
    assert!(
        listener.accept().is_err(),
        "aws-token connected to a host that is not loopback"
    );
    assert_eq!(w.sandbox.fastpass_cancels(), ["OV_UNREACHABLE_BY_LOOPBACK"]);
}

#[test]
fn fastpass_is_preferred_when_offered_and_the_others_follow_when_okta_verify_is_not_here() {
    let port = free_port();
    let w = org(&[port]);
    let user = |w: &World| {
        w.login("fastpass-push@example.com")
            .env("AWS_TOKEN_KEYRING", "file")
            .args(["--role", "Admin", "--force"])
    };
    // Okta Verify answers: FastPass, no push.
    let ov = w.sandbox.okta_verify(port, Behaviour::Approve).unwrap();
    user(&w)
        .expect(0)
        .stderr_has("Okta FastPass: approve in Okta Verify on this device");
    assert_eq!(ov.challenges(), 1);
    drop(ov);
    // Not here (and no desktop to launch it from): the push, after Okta is told.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    let r = user(&w).expect(0);
    r.stderr_has("Okta FastPass: Okta Verify did not answer on this device");
    r.stderr_has("using another method");
    r.stderr_has("push: approve it on your phone");
    assert_eq!(w.sandbox.fastpass_cancels(), ["OV_UNREACHABLE_BY_LOOPBACK"]);
}

#[test]
fn a_changed_fastpass_challenge_is_handed_to_okta_verify_again() {
    let port = free_port();
    let w = org(&[port]);
    let ov = w
        .sandbox
        .okta_verify(port, Behaviour::ChangedChallenge)
        .unwrap();
    fastpass(&w)
        .args(["--verbose"])
        .expect(0)
        .stderr_has("Okta sent a new FastPass challenge: asking Okta Verify again");
    assert_eq!(ov.challenges(), 2);
}

#[test]
fn sign_in_with_okta_fastpass_is_taken_at_the_sign_in_form_when_asked_for() {
    let port = free_port();
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = true;
    d.okta_verify_ports = vec![port];
    d.fastpass_sign_in = Some("fastpass@example.com".into());
    let w = World::with_data(d);
    let ov = w.sandbox.okta_verify(port, Behaviour::Approve).unwrap();
    // --mfa fastpass: the launch-authenticator beside identify, nothing typed.
    let r = w
        .run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin", "--mfa", "fastpass", "--verbose"])
        .expect(0);
    r.stderr_has("taking Okta's \"Sign in with Okta FastPass\"");
    r.stderr_has("Okta FastPass: approve in Okta Verify on this device");
    r.stderr_has("assumed-role/Admin/fastpass@example.com");
    assert_eq!(ov.challenges(), 1);
    assert_eq!(ov.origins(), [w.sandbox.url()]);
    drop(ov);
    // Without --mfa fastpass the form is filled as usual and the button is left alone.
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin", "--force"])
        .expect(0)
        .stderr_has("assumed-role/Admin/nomfa@example.com");
    // Asked for, with no Okta Verify answering: cancelled with Okta's reason, exit 4.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("logout")
        .expect(0);
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin", "--mfa", "fastpass", "--force"])
        .expect(4)
        .stderr_has("Okta FastPass: Okta Verify did not answer on this device");
    assert_eq!(w.sandbox.fastpass_cancels(), ["OV_UNREACHABLE_BY_LOOPBACK"]);
}

#[test]
fn fastpass_as_a_port_scanner_probes_no_more_than_ten_ports() {
    // An org listing many ports, this device's Okta Verify on the thirteenth: never probed
    // (aws-token is no port scanner of this machine for an org), so FastPass cannot be answered.
    let port = free_port();
    let mut ports: Vec<u16> = (0..12).map(|_| free_port()).collect();
    ports.push(port);
    let w = org(&ports);
    let ov = w.sandbox.okta_verify(port, Behaviour::Approve).unwrap();
    fastpass(&w).expect(4);
    assert_eq!(ov.challenges(), 0);
    assert_eq!(w.sandbox.fastpass_cancels(), ["OV_UNREACHABLE_BY_LOOPBACK"]);
    // Within the first ten it is found.
    drop(ov);
    let w = org(&[ports[0], ports[1], port]);
    let ov = w.sandbox.okta_verify(port, Behaviour::Approve).unwrap();
    fastpass(&w).expect(0);
    assert_eq!(ov.challenges(), 1);
}

#[test]
fn fastpass_never_goes_through_a_proxy() {
    // A proxy in the environment (without localhost in NO_PROXY) would be handed the probe and
    // the challenge; nothing for a loopback host goes through one.
    let port = free_port();
    let w = org(&[port]);
    let ov = w.sandbox.okta_verify(port, Behaviour::Approve).unwrap();
    let proxy = crate::hostile::Hostile::recorder();
    fastpass(&w)
        .env("HTTP_PROXY", proxy.url())
        .env("HTTPS_PROXY", proxy.url())
        .env("ALL_PROXY", proxy.url())
        .env("NO_PROXY", "example.com")
        .expect(0);
    assert_eq!(ov.challenges(), 1);
    assert!(
        proxy.seen().is_empty(),
        "{} requests went to the proxy",
        proxy.seen().len()
    );
}
