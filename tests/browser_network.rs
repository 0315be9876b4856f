//! What Chromium is allowed to do during a browser login (issue 15): check the IdP's certificate
//! (no switch turns that off), receive every switch aws-token passes as written, and talk to no host
//! but the IdP. The sandbox is served over https with a generated CA for the certificate tests; the
//! CA is trusted the way Chromium on Linux trusts a corporate CA, in the NSS database under HOME.

use crate::browser::{assert_no_leftover_profiles, chromium};
use crate::support::*;
use std::path::Path;
use std::process::Command;

fn okta_browser(w: World) -> World {
    w.write_config(&w.config_with_provider("okta-browser"));
    w
}

fn login(w: &World) -> Test {
    chromium();
    let tmp = w.home.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    w.login("demo@example.com")
        .args(["--otp", &totp(), "--role", "Admin"])
        .env("TMPDIR", &tmp)
        .env("DISPLAY", "")
        .env("WAYLAND_DISPLAY", "")
}

/// `~/.pki/nssdb` holding `ca` as a trusted CA (Debian's libnss3-tools `certutil`).
fn trust_in_nssdb(home: &Path, ca: &Path) {
    let db = home.join(".pki/nssdb");
    std::fs::create_dir_all(&db).unwrap();
    let db_arg = format!("sql:{}", db.display());
    let run = |args: &[&str]| {
        let out = Command::new("certutil")
            .args(args)
            .output()
            .expect("certutil (Debian package libnss3-tools; tests/setup.sh installs it)");
        assert!(
            out.status.success(),
            "certutil {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["-d", &db_arg, "-N", "--empty-password"]);
    run(&[
        "-d",
        &db_arg,
        "-A",
        "-t",
        "C,,",
        "-n",
        "aws-token sandbox CA",
        "-i",
        ca.to_str().unwrap(),
    ]);
}

#[test]
fn a_certificate_chromium_does_not_trust_is_refused() {
    let w = okta_browser(World::tls());
    // aws-token's own client trusts the CA (STS is on the sandbox too); Chromium does not.
    let r = login(&w).env("SSL_CERT_FILE", w.ca_path()).expect(6);
    r.stderr_has("Chromium refused the certificate of 127.0.0.1")
        .stderr_has("ERR_CERT_AUTHORITY_INVALID")
        .stderr_has(".pki/nssdb");
    assert!(!w.credentials_path().exists());
    assert_no_leftover_profiles(&w);
}

#[test]
fn a_ca_in_the_users_nss_database_is_trusted() {
    let w = okta_browser(World::tls());
    trust_in_nssdb(w.home.path(), &w.ca_path());
    login(&w).env("SSL_CERT_FILE", w.ca_path()).expect(0);
    assert!(ini_value(&w.credentials(), "staging", "aws_session_token").is_some());
}

/// A `--browser` that records the command line it was started with and has Chromium write a NetLog
/// (every DNS query, connection and request), then runs Debian's Chromium with it.
fn recording_browser(dir: &Path) -> std::path::PathBuf {
    let script = dir.join("chromium-recorder");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{dir}/argv'\nexec {chromium} --log-net-log='{dir}/netlog.json' \"$@\"\n",
            dir = dir.display(),
            chromium = chromium()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    script
}

/// The NetLog's event-type names and its events, read line by line: Chromium is killed once the
/// SAML POST is captured, so the file may end mid-event. Its first line is the constants object.
fn netlog_events(path: &Path) -> (serde_json::Value, Vec<serde_json::Value>) {
    let text = std::fs::read_to_string(path).expect("Chromium wrote a NetLog");
    let mut lines = text.lines();
    let first = lines.next().expect("a NetLog line").trim_end_matches(',');
    let constants: serde_json::Value =
        serde_json::from_str(&format!("{first}}}")).expect("NetLog constants");
    let events = lines
        .filter_map(|l| serde_json::from_str(l.trim_end_matches(',')).ok())
        .collect();
    (constants["constants"]["logEventTypes"].clone(), events)
}

#[test]
fn every_switch_reaches_chromium_and_nothing_leaves_for_another_host() {
    let w = okta_browser(World::new());
    let rec = w.home.path().join("rec");
    std::fs::create_dir_all(&rec).unwrap();
    let browser = recording_browser(&rec);
    login(&w).arg("--browser").arg(&browser).expect(0);

    let argv = std::fs::read_to_string(rec.join("argv")).unwrap();
    let args: Vec<&str> = argv.lines().collect();
    assert!(
        !args.iter().any(|a| a.starts_with("---")),
        "mangled switches: {args:?}"
    );
    for switch in aws_token::idp::browser::QUIET_SWITCHES {
        assert!(
            args.contains(&format!("--{switch}").as_str()),
            "--{switch} missing: {args:?}"
        );
    }
    let features: Vec<&str> = args
        .iter()
        .filter_map(|a| a.strip_prefix("--disable-features="))
        .collect();
    assert_eq!(features.len(), 1, "one merged --disable-features: {args:?}");
    for f in aws_token::idp::browser::DISABLED_FEATURES {
        assert!(
            features[0].split(',').any(|x| x == *f),
            "{f} not disabled: {}",
            features[0]
        );
    }
    let rules = format!(
        "--host-resolver-rules={}",
        aws_token::idp::browser::host_resolver_rules(aws_token::idp::browser::Mode::Okta)
    );
    assert!(args.contains(&rules.as_str()), "{args:?}");

    let (constants, events) = netlog_events(&rec.join("netlog.json"));
    let type_id = |name: &str| constants[name].as_u64().unwrap();
    let (dns, tcp) = (
        type_id("DNS_TRANSACTION_QUERY"),
        type_id("TCP_CONNECT_ATTEMPT"),
    );
    let idp = w.sandbox.url().trim_start_matches("http://").to_owned();
    let mut outside = Vec::new();
    for e in &events {
        let t = e["type"].as_u64();
        if t == Some(dns) {
            outside.push(format!("DNS query {}", e["params"]["qname"]));
        }
        if t == Some(tcp)
            && let Some(address) = e["params"]["address"].as_str()
            && address != idp
        {
            outside.push(format!("TCP connection to {address}"));
        }
    }
    assert!(
        events.len() > 50,
        "the NetLog holds the login: {} events",
        events.len()
    );
    assert!(
        outside.is_empty(),
        "Chromium reached beyond the IdP {idp}: {outside:?}"
    );
    assert_no_leftover_profiles(&w);
}
