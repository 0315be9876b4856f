//! What goes to stdout for each --output, and which runs write the credentials file.

use crate::support::*;

#[test]
fn env_output_prints_the_keys_and_writes_no_file() {
    let w = World::new();
    let r = w
        .login("nomfa@example.com")
        .args(["--role", "Admin", "--output", "env"])
        .expect(0);
    let out = r.stdout();
    let keys: Vec<&str> = out.lines().map(|l| l.split('=').next().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "export AWS_ACCESS_KEY_ID",
            "export AWS_SECRET_ACCESS_KEY",
            "export AWS_SESSION_TOKEN",
            "export AWS_CREDENTIAL_EXPIRATION",
            "export AWS_DEFAULT_REGION"
        ]
    );
    assert!(out.contains("export AWS_ACCESS_KEY_ID=ASIA"));
    assert!(!w.credentials_path().exists());
    r.stderr_has("Credentials for arn:aws:sts::111111111111:assumed-role/Admin/");
}

#[test]
fn json_output_is_credential_process_v1() {
    let w = World::new();
    let r = w
        .login("nomfa@example.com")
        .args(["--role", "Admin", "--output", "json"])
        .expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(v["Version"], 1);
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(v["SecretAccessKey"].as_str().unwrap().len(), 40);
    assert!(v["SessionToken"].as_str().unwrap().len() > 100);
    let exp = v["Expiration"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(exp).is_ok(), "{exp}");
    assert!(!w.credentials_path().exists());
}

#[test]
fn none_output_writes_the_file_quietly() {
    let w = World::new();
    w.login("nomfa@example.com")
        .args(["--role", "Admin", "--output", "none"])
        .expect(0)
        .stdout_is("");
    assert!(ini_value(&w.credentials(), "staging", "aws_access_key_id").is_some());
}

#[test]
fn profile_output_is_evalable_and_summarised() {
    let w = World::new();
    let r = w
        .login("nomfa@example.com")
        .args(["--role", "Admin", "--profile", "mine"])
        .expect(0);
    r.stdout_is("export AWS_PROFILE=mine\nexport AWS_DEFAULT_REGION=us-east-1\n");
    let line = r
        .stderr()
        .lines()
        .find(|l| l.starts_with("Profile mine updated"))
        .unwrap()
        .to_owned();
    assert!(
        line.contains("arn:aws:sts::111111111111:assumed-role/Admin/nomfa@example.com"),
        "{line}"
    );
    assert!(line.contains("expires 20"), "{line}");
    let sh = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{}\necho \"$AWS_PROFILE $AWS_DEFAULT_REGION\"",
            r.stdout()
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&sh.stdout), "mine us-east-1\n");
}
