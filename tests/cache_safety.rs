//! What aws-token keeps between runs, against tampering and parallel runs (issue 19, points 5-6):
//! the kept-secrets index and file store changed under a lock, logout finding entries the index
//! lost, a kept session that cannot be sent, a cache directory or file that others own or may
//! write, a symlink planted as a lock, and cached credentials keyed by username.

use crate::support::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn cache_dir(w: &World) -> PathBuf {
    w.home.path().join(".cache/aws-token")
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Files of the cache directory whose names start with `prefix` and end with `suffix`.
fn cache_files(w: &World, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cache_dir(w))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(prefix) && n.ends_with(suffix)
        })
        .collect();
    v.sort();
    v
}

fn json_keys(path: &Path) -> usize {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    match v {
        serde_json::Value::Object(m) => m.len(),
        serde_json::Value::Array(a) => a.len(),
        _ => 0,
    }
}

fn admin(t: Test) -> Test {
    t.args(["--role", "Admin"])
}

#[test]
fn parallel_logins_to_eight_orgs_lose_no_kept_entry() {
    let w = World::new();
    let orgs: Vec<aws_token_sandbox::Sandbox> = (0..8)
        .map(|_| aws_token_sandbox::Sandbox::start(aws_token_sandbox::data::demo(), 0).unwrap())
        .collect();
    let children: Vec<_> = orgs
        .iter()
        .enumerate()
        .map(|(i, org)| {
            let config = w.home.path().join(format!("org{i}.json"));
            std::fs::write(
                &config,
                w.default_config()
                    .replace(&w.sandbox.embed_link(DEMO_APP), &org.embed_link(DEMO_APP)),
            )
            .unwrap();
            admin(w.run_bare())
                .args(["--config", config.to_str().unwrap()])
                .args([
                    "--username",
                    "nomfa@example.com",
                    "--profile",
                    &format!("p{i}"),
                ])
                .env("AWS_TOKEN_PASSWORD", PASSWORD)
                .env("AWS_TOKEN_KEYRING", "file")
                .env("AWS_ENDPOINT_URL_STS", org.sts_url())
                .spawn()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(json_keys(&cache_dir(&w).join("kept.json")), 8);
    assert_eq!(json_keys(&cache_dir(&w).join("secrets.json")), 8);
    w.run()
        .args(["logout", "--all-orgs"])
        .env("AWS_TOKEN_KEYRING", "file")
        .expect(0)
        .stderr_has("forgot 8 IdP sessions");
    assert_eq!(json_keys(&cache_dir(&w).join("secrets.json")), 0);
}

/// A login that keeps its session in `keyring`, a damaged index, then logout: the next run must
/// not sign in with the session (no password given: exit 2 asking for one).
fn logout_with_a_damaged_index(keyring: &str) {
    let w = World::new();
    admin(w.login("nomfa@example.com"))
        .env("AWS_TOKEN_KEYRING", keyring)
        .expect(0);
    std::fs::write(cache_dir(&w).join("kept.json"), "{damaged").unwrap();
    w.run()
        .args(["logout"])
        .env("AWS_TOKEN_KEYRING", keyring)
        .expect(0)
        .forgot_sessions_of(&w.sandbox.url());
    admin(w.run())
        .args(["--username", "nomfa@example.com", "--force"])
        .env("AWS_TOKEN_KEYRING", keyring)
        .expect(2)
        .stderr_has("Okta password is needed");
}

#[test]
fn logout_with_a_damaged_index_forgets_the_session_in_the_file_store() {
    logout_with_a_damaged_index("file");
}

#[test]
fn logout_with_a_damaged_index_forgets_the_session_in_the_kernel_keyring() {
    logout_with_a_damaged_index("kernel");
}

#[test]
fn a_kept_session_that_cannot_be_sent_is_dropped_with_a_line() {
    let w = World::new();
    let login = || admin(w.login("nomfa@example.com")).env("AWS_TOKEN_KEYRING", "file");
    login().expect(0);
    let file = cache_dir(&w).join("secrets.json");
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    for v in map.values_mut() {
        *v = serde_json::Value::String("sid=a\r\nX-Injected: 1".into());
    }
    std::fs::write(&file, serde_json::to_vec(&map).unwrap()).unwrap();
    login()
        .arg("--force")
        .expect(0)
        .stderr_has("cannot be sent (it holds characters no HTTP header may carry)");
    // A new session replaced it: the next run signs in with it, no password.
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(map.values().all(|v| !v.as_str().unwrap().contains('\n')));
    // Too large is dropped the same way.
    let mut map = map;
    for v in map.values_mut() {
        *v = serde_json::Value::String(format!("sid={}", "a".repeat(40_000)));
    }
    std::fs::write(&file, serde_json::to_vec(&map).unwrap()).unwrap();
    login()
        .arg("--force")
        .expect(0)
        .stderr_has("cannot be sent (it is 40004 bytes");
}

#[test]
fn a_cache_directory_owned_by_another_user_is_refused() {
    let w = World::new();
    let dir = cache_dir(&w);
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::chown(&dir, Some(54321), Some(54321)).unwrap();
    admin(w.login("nomfa@example.com"))
        .expect(7)
        .stderr_has("belongs to user id 54321");
    assert_eq!(w.sandbox.requests().authn, 0, "refused before the login");
    assert!(!w.credentials_path().exists());
}

#[test]
fn a_cache_directory_open_to_others_is_made_private() {
    let w = World::new();
    let dir = cache_dir(&w);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    admin(w.login("nomfa@example.com"))
        .expect(0)
        .stderr_has("the cache directory was open to others (mode 777); it is now 0700");
    assert_eq!(mode(&dir), 0o700);
}

#[test]
fn a_dangling_symlink_planted_as_the_lock_is_never_followed() {
    let w = World::new();
    let process = || {
        admin(w.login("nomfa@example.com"))
            .arg("credential-process")
            .arg("--force")
    };
    process().expect(0);
    let locks = cache_files(&w, "credentials-", ".lock");
    assert_eq!(locks.len(), 1);
    let outside = w.home.path().join("outside");
    std::fs::remove_file(&locks[0]).unwrap();
    std::os::unix::fs::symlink(&outside, &locks[0]).unwrap();
    process()
        .expect(7)
        .stderr_has("the lock file is a symbolic link");
    assert!(!outside.exists(), "a file was created through the link");
}

#[test]
fn a_cache_file_others_may_write_is_ignored_and_one_they_may_read_is_tightened() {
    let w = World::new();
    let process = || admin(w.login("nomfa@example.com")).arg("credential-process");
    process().expect(0);
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 1);
    let cached = cache_files(&w, "credentials-", ".json");
    assert_eq!(cached.len(), 1);
    // Readable by others: tightened, and still used.
    std::fs::set_permissions(&cached[0], std::fs::Permissions::from_mode(0o644)).unwrap();
    process().expect(0);
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 1);
    assert_eq!(mode(&cached[0]), 0o600);
    // Writable by others: anyone could have planted it; not used.
    std::fs::set_permissions(&cached[0], std::fs::Permissions::from_mode(0o666)).unwrap();
    process().expect(0);
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 2);
}

#[test]
fn cached_credentials_are_never_another_usernames() {
    let w = World::new();
    let alice = admin(w.login("nomfa@example.com"))
        .arg("credential-process")
        .expect(0)
        .stdout();
    // Another user, no code given and no terminal: a login is needed, not alice's credentials.
    let r = admin(w.login("demo@example.com"))
        .arg("credential-process")
        .expect(2);
    assert!(r.stdout().is_empty(), "{}", r.stdout());
    assert!(!alice.is_empty());
}

#[test]
fn a_cache_file_larger_than_any_entry_is_not_read() {
    let w = World::new();
    let process = || admin(w.login("nomfa@example.com")).arg("credential-process");
    process().expect(0);
    let cached = cache_files(&w, "credentials-", ".json");
    // Still a valid entry (JSON allows trailing white space), but 2 MiB: not read, a new login.
    let mut bytes = std::fs::read(&cached[0]).unwrap();
    bytes.resize(bytes.len() + (2 << 20), b' ');
    std::fs::write(&cached[0], bytes).unwrap();
    process().expect(0);
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 2);
}
