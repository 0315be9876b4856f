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
