//! Regression tests for the defects a hostile review found (issue 10), one per defect, named after
//! it: special files at the credentials path, STS values that would break the INI file, a session
//! token in an error, temp files left by a kill, a half-written result, plain-http STS, vague
//! answers, non-XML SAML, silent servers, and the smaller ones. Each checks the exit code, the one
//! line on stderr and that the credentials file is untouched.

use crate::support::*;
use aws_token_sandbox::data::{self, StsFault};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

fn admin(t: Test) -> Test {
    t.args(["--role", "Admin"])
}

fn with_faults(f: impl FnOnce(&mut data::Faults)) -> World {
    let mut d = data::demo();
    f(&mut d.faults);
    World::with_data(d)
}

fn mknod(path: &Path, kind: &str) {
    let args: Vec<&str> = match kind {
        "c" => vec!["-m", "666", path.to_str().unwrap(), "c", "1", "3"],
        _ => vec![path.to_str().unwrap(), "p"],
    };
    let ok = std::process::Command::new("mknod")
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mknod {kind} {}", path.display());
}

#[test]
fn a_device_at_the_credentials_path_is_refused_and_stays_a_device() {
    let w = World::new();
    let dev = w.home.path().join("null-copy");
    mknod(&dev, "c");
    let r = admin(w.login("nomfa@example.com"))
        .env("AWS_SHARED_CREDENTIALS_FILE", &dev)
        .expect(7);
    r.stderr_has("is a character device");
    assert!(
        std::fs::metadata(&dev)
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn a_fifo_at_the_credentials_path_is_refused_without_hanging() {
    let w = World::new();
    let fifo = w.home.path().join("pipe");
    mknod(&fifo, "p");
    let started = Instant::now();
    admin(w.login("nomfa@example.com"))
        .env("AWS_SHARED_CREDENTIALS_FILE", &fifo)
        .expect(7)
        .stderr_has("is a named pipe (FIFO)");
    // Opening a FIFO for writing would block forever: well within 20 s means it never did.
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn an_access_key_with_an_injected_section_is_not_written() {
    let w = with_faults(|f| f.sts_answer = Some(StsFault::InjectedNewline));
    w.write_credentials("[default]\naws_access_key_id = MINE\n");
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("AccessKeyId holds characters no AWS credential has");
    assert_eq!(w.credentials(), "[default]\naws_access_key_id = MINE\n");
}

#[test]
fn an_sts_answer_without_a_secret_key_is_refused() {
    let w = with_faults(|f| f.sts_answer = Some(StsFault::NoSecret));
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("SecretAccessKey is missing");
    assert!(!w.credentials_path().exists());
}

#[test]
fn credentials_that_already_expired_are_refused() {
    let w = with_faults(|f| f.sts_answer = Some(StsFault::Expired));
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("expired already");
    assert!(!w.credentials_path().exists());
}

#[test]
fn a_truncated_embed_page_does_not_print_the_session_token() {
    let w = with_faults(|f| f.embed_truncated = true);
    let r = admin(w.login("nomfa@example.com"))
        .arg("--verbose")
        .expect(6);
    r.stderr_has("reading the answer failed");
    assert!(!r.stderr().contains("sessionToken"), "{}", r.stderr());
}

#[test]
fn temp_files_left_by_a_killed_run_are_removed_by_the_next() {
    let w = World::new();
    let aws = w.home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    for name in [".aws-token-Ab12Cd", ".aws-token-zzzzzz"] {
        std::fs::write(aws.join(name), "[staging]\naws_secret_access_key = OLD\n").unwrap();
    }
    std::fs::write(aws.join(".aws-token-notes.txt"), "not ours").unwrap();
    admin(w.login("nomfa@example.com")).expect(0);
    let mut left: Vec<String> = std::fs::read_dir(&aws)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, [".aws-token-notes.txt", "config", "credentials"]);
}

#[test]
fn a_config_file_that_is_a_directory_fails_before_the_login_and_changes_nothing() {
    let w = World::new();
    w.write_credentials("# mine\n[staging]\naws_access_key_id = OLD\n");
    std::fs::create_dir_all(w.home.path().join(".aws/config")).unwrap();
    let r = admin(w.login("demo@example.com")).expect(7);
    r.stderr_has(".aws/config: is a directory");
    // Failed before the IdP: no code was asked for (demo@ needs TOTP and got none).
    assert!(!r.stderr().contains("code"), "{}", r.stderr());
    assert_eq!(
        w.credentials(),
        "# mine\n[staging]\naws_access_key_id = OLD\n"
    );
}

#[test]
fn plain_http_to_a_remote_sts_is_refused() {
    let w = World::new();
    admin(w.login("nomfa@example.com"))
        .env("AWS_ENDPOINT_URL_STS", "http://sts.invalid/")
        .expect(2)
        .stderr_has("AWS_ENDPOINT_URL_STS: \"http://sts.invalid/\" uses http://");
}

#[test]
fn an_sts_endpoint_that_is_not_a_url_is_a_usage_error() {
    let w = World::new();
    admin(w.login("nomfa@example.com"))
        .env("AWS_ENDPOINT_URL_STS", "not a url")
        .expect(2)
        .stderr_has("AWS_ENDPOINT_URL_STS: \"not a url\" is not a URL");
}

#[test]
fn an_html_answer_from_sts_is_named() {
    let w = with_faults(|f| f.sts_answer = Some(StsFault::Html));
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("answered with HTTP 502 Bad Gateway and an HTML page titled \"502 Bad Gateway\", not an STS response");
    assert!(!w.credentials_path().exists());
}

#[test]
fn a_garbage_answer_from_sts_is_named() {
    let w = with_faults(|f| f.sts_answer = Some(StsFault::Garbage));
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("answered with HTTP 200 OK and 12 bytes of text/xml, not an STS response");
}

#[test]
fn http_413_from_sts_is_named() {
    let w = with_faults(|f| f.sts_answer = Some(StsFault::TooLarge));
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("HTTP 413 Payload Too Large and an empty body");
}

#[test]
fn a_refused_sts_connection_says_why() {
    let w = World::new();
    admin(w.login("nomfa@example.com"))
        .env(
            "AWS_ENDPOINT_URL_STS",
            format!("http://127.0.0.1:{}/", free_port()),
        )
        .expect(6)
        .stderr_has("Connection refused");
}

#[test]
fn a_saml_response_that_is_not_xml_is_named() {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode("hello, not XML");
    let w = with_faults(|f| f.saml_response = Some(text));
    admin(w.login("nomfa@example.com"))
        .expect(6)
        .stderr_has("is not a SAML Response document");
}

/// A server that accepts connections, reads what is sent and never answers; counts requests.
fn silent_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while s.read(&mut buf).is_ok_and(|n| n > 0) {}
            });
        }
    });
    (url, count)
}

#[test]
fn a_silent_idp_fails_after_one_read_timeout_and_gets_the_password_once() {
    let w = World::new();
    let (url, requests) = silent_server();
    w.write_config(&w.default_config().replace(&w.sandbox.url(), &url));
    let started = Instant::now();
    admin(w.login("nomfa@example.com"))
        .args(["--read-timeout", "3"])
        .expect(6)
        .stderr_has("no answer within 3 s (--read-timeout, AWS_TOKEN_READ_TIMEOUT)");
    // One timeout (3 s), not four (12 s): a margin for a loaded machine either way.
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn a_silent_sts_fails_within_its_timeouts() {
    let w = World::new();
    let (url, _) = silent_server();
    let started = Instant::now();
    admin(w.login("nomfa@example.com"))
        .env("AWS_ENDPOINT_URL_STS", &url)
        .args(["--read-timeout", "2", "--connect-timeout", "2"])
        .expect(6)
        .stderr_has("got no answer within 4 s");
    // One operation timeout (4 s), not the SDK's three attempts (12 s).
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(!w.credentials_path().exists());
}

#[test]
fn a_config_json_that_is_an_array_says_it_must_be_an_object() {
    let w = World::new();
    w.write_config("[1, 2]");
    w.login("nomfa@example.com")
        .expect(2)
        .stderr_has("config.json must be one JSON object");
}

#[test]
fn a_duplicated_target_section_is_refused_and_left_alone() {
    let w = World::new();
    let before =
        "[staging]\naws_access_key_id = A\n\n[other]\nk = v\n\n[staging]\naws_access_key_id = B\n";
    w.write_credentials(before);
    admin(w.login("nomfa@example.com"))
        .expect(7)
        .stderr_has("has [staging] more than once (lines 1, 7)");
    assert_eq!(w.credentials(), before);
}

#[test]
fn a_read_only_credentials_file_is_refused_not_made_writable() {
    let w = World::new();
    w.write_credentials("[default]\naws_access_key_id = MINE\n");
    let p = w.credentials_path();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o400)).unwrap();
    admin(w.login("nomfa@example.com"))
        .expect(7)
        .stderr_has("is read-only (mode 0400)");
    assert_eq!(
        std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o400
    );
    assert_eq!(w.credentials(), "[default]\naws_access_key_id = MINE\n");
}
