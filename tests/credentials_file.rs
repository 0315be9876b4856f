//! The credentials file: only the profile's keys change, everything else stays byte for byte, the
//! file is 0600, a symlink is followed, and botocore reads the result.

use crate::support::*;
use std::os::unix::fs::PermissionsExt;

const BEFORE: &str = "# my credentials, keep this comment\n\
[default]\n\
aws_access_key_id = AKIADEFAULT\n\
aws_secret_access_key = keepme\n\
\n\
; another comment\n\
[staging]\n\
region=eu-central-1\n\
aws_access_key_id = OLD\n\
aws_security_token = STALE\n\
\n\
[zzz]\n\
x = 1\n";

#[test]
fn only_the_profiles_keys_change() {
    let w = World::new();
    w.write_credentials(BEFORE);
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    let after = w.credentials();
    let token = ini_value(&after, "staging", "aws_session_token").unwrap();
    let key = ini_value(&after, "staging", "aws_access_key_id").unwrap();
    let secret = ini_value(&after, "staging", "aws_secret_access_key").unwrap();
    let expires = ini_value(&after, "staging", "x_security_token_expires").unwrap();
    let expected = BEFORE
        .replace("aws_access_key_id = OLD\n", &format!("aws_access_key_id = {key}\n"))
        .replace(
            "aws_security_token = STALE\n",
            &format!(
                "aws_security_token = {token}\naws_secret_access_key = {secret}\naws_session_token = {token}\nx_security_token_expires = {expires}\n"
            ),
        );
    assert_eq!(after, expected);
}

#[test]
fn file_is_private_even_when_it_was_not() {
    let w = World::new();
    w.write_credentials("[other]\nk = v\n");
    std::fs::set_permissions(w.credentials_path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    let mode = std::fs::metadata(w.credentials_path())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(w.home.path().join(".aws"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".aws-token-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_symlink_is_followed_and_kept() {
    let w = World::new();
    let real = w.home.path().join("dotfiles/credentials");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, "[other]\nk = v\n").unwrap();
    std::fs::create_dir_all(w.home.path().join(".aws")).unwrap();
    std::os::unix::fs::symlink(&real, w.credentials_path()).unwrap();
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    assert!(
        std::fs::symlink_metadata(w.credentials_path())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(text.starts_with("[other]\nk = v\n\n[staging]\n"), "{text}");
}

#[test]
fn config_file_keeps_what_it_had() {
    let w = World::new();
    std::fs::create_dir_all(w.home.path().join(".aws")).unwrap();
    std::fs::write(
        w.home.path().join(".aws/config"),
        "[default]\nregion = eu-west-2\n\n[profile staging]\ncli_pager =\nregion = ap-south-1\n",
    )
    .unwrap();
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    assert_eq!(
        w.aws_config(),
        "[default]\nregion = eu-west-2\n\n[profile staging]\ncli_pager =\nregion = us-east-1\noutput = json\n"
    );
}

#[test]
fn unwritable_directory_is_a_file_error() {
    let w = World::new();
    // A file where the .aws directory should be.
    std::fs::write(w.home.path().join(".aws"), "not a dir").unwrap();
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(7)
        .stderr_has(".aws");
}

#[test]
fn botocore_reads_what_was_written() {
    let w = World::new();
    w.write_credentials(BEFORE);
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    w.login("nomfa@example.com")
        .args(["--role", "ReadOnly", "--profile", "second"])
        .expect(0);
    let creds = w.credentials();
    let lines = botocore_reads(&w, &["staging", "second", "default"]);
    // botocore lets a `region` in the credentials file's section (the user's, kept) win over ~/.aws/config.
    for (i, (p, region)) in [("staging", "eu-central-1"), ("second", "us-east-1")]
        .iter()
        .enumerate()
    {
        let expected = format!(
            "{p} {} {} {} {region}",
            ini_value(&creds, p, "aws_access_key_id").unwrap(),
            ini_value(&creds, p, "aws_secret_access_key").unwrap(),
            ini_value(&creds, p, "aws_session_token").unwrap()
        );
        assert_eq!(lines[i], expected);
    }
    assert_eq!(lines[2], "default AKIADEFAULT keepme None None");
}

/// `aws configure set` as every configparser tool does it: read ~/.aws/config, change a key,
/// rewrite the file in place (truncate, then write; here with 2 ms between), no lock, in a loop.
/// Exits 3 ("LOST") when the section it keeps a long-term key in has gone; stops at a whole
/// rewrite once the file named second exists.
const IN_PLACE_WRITER: &str = r#"
import configparser, os, sys, time
path, stop = sys.argv[1], sys.argv[2]
end, n = time.time() + 120, 0
while time.time() < end and not os.path.exists(stop):
    cp = configparser.RawConfigParser()
    cp.read(path)
    if not cp.has_section('profile keep'):
        print('LOST after', n, 'rewrites', flush=True)
        sys.exit(3)
    n += 1
    cp.set('profile keep', 'n', str(n))
    with open(path, 'w') as f:
        f.flush()
        time.sleep(0.002)
        cp.write(f)
    if n == 1:
        print('started', flush=True)
    time.sleep(0.005)
print('rewrites', n)
"#;

#[test]
fn a_concurrent_in_place_writer_never_loses_the_users_file() {
    let w = World::new();
    let config = w.home.path().join(".aws/config");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "[profile keep]\naws_access_key_id = AKIAKEEPKEEPKEEPKEEP\naws_secret_access_key = long-term\nn = 0\n",
    )
    .unwrap();
    let mut writer = std::process::Command::new(venv().join("bin/python"))
        .args(["-c", IN_PLACE_WRITER])
        .arg(&config)
        .arg(w.home.path().join("stop"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = std::io::BufReader::new(writer.stdout.take().unwrap());
    let mut started = String::new();
    std::io::BufRead::read_line(&mut said, &mut started).unwrap();
    assert_eq!(started, "started\n");
    // Sixty logins, each rewriting ~/.aws/config (the profile's region and output).
    for _ in 0..60 {
        w.login("nomfa@example.com")
            .args(["--role", "Admin", "--force"])
            .expect(0);
        if !std::fs::read_to_string(&config)
            .unwrap()
            .contains("[profile keep]")
        {
            break;
        }
    }
    std::fs::write(w.home.path().join("stop"), "").unwrap();
    writer.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut said, &mut rest).unwrap();
    assert!(!rest.contains("LOST"), "{rest}");
    assert!(rest.starts_with("rewrites "), "{rest}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("aws_access_key_id = AKIAKEEPKEEPKEEPKEEP"),
        "{text}"
    );
    assert!(text.contains("[profile staging]"), "{text}");
}
