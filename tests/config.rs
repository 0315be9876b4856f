//! config.json as the seed wrote it, where it is looked for, and every way it can be wrong.

use crate::support::*;

#[test]
fn seed_config_with_both_account_forms_logs_in() {
    let w = World::new();
    let r = w
        .login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    r.stdout_is("export AWS_PROFILE=staging\nexport AWS_DEFAULT_REGION=us-east-1\n");
    assert!(
        ini_value(&w.credentials(), "staging", "aws_access_key_id")
            .unwrap()
            .starts_with("ASIA")
    );
    assert_eq!(
        ini_value(&w.aws_config(), "profile staging", "region").as_deref(),
        Some("us-east-1")
    );
    assert_eq!(
        ini_value(&w.aws_config(), "profile staging", "output").as_deref(),
        Some("json")
    );
}

#[test]
fn old_readme_spelling_idp_entry_url() {
    let w = World::new();
    w.write_config(
        &w.default_config()
            .replace("\"idpEntryUrl\": \"http", "\"idPEntryUrl\": \"http"),
    );
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0);
}

#[test]
fn aws_config_path_is_joined_to_home() {
    let w = World::new();
    w.write_config(
        &w.default_config()
            .replace("/.aws/credentials", "/creds/aws"),
    );
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    assert!(w.home.path().join("creds/aws").exists());
    assert!(!w.credentials_path().exists());
}

#[test]
fn aws_shared_credentials_file_wins() {
    let w = World::new();
    let elsewhere = w.home.path().join("elsewhere/creds");
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .env("AWS_SHARED_CREDENTIALS_FILE", &elsewhere)
        .expect(0);
    assert!(elsewhere.exists());
    assert!(!w.credentials_path().exists());
}

#[test]
fn config_is_found_in_the_working_directory_and_by_env() {
    let w = World::new();
    w.run_bare()
        .args(["--username", "nomfa@example.com", "--role", "Admin"])
        .env("AWS_TOKEN_PASSWORD", PASSWORD)
        .expect(0);
    let other = tempfile::tempdir().unwrap();
    w.run_bare()
        .current_dir(other.path())
        .args(["--username", "nomfa@example.com", "--role", "Admin"])
        .env("AWS_TOKEN_PASSWORD", PASSWORD)
        .env("AWS_TOKEN_CONFIG", w.config_path())
        .expect(0);
}

#[test]
fn config_in_xdg_config_home() {
    let w = World::new();
    let xdg = w.home.path().join("xdg");
    std::fs::create_dir_all(xdg.join("aws-token")).unwrap();
    std::fs::rename(w.config_path(), xdg.join("aws-token/config.json")).unwrap();
    w.run_bare()
        .args(["--username", "nomfa@example.com", "--role", "Admin"])
        .env("AWS_TOKEN_PASSWORD", PASSWORD)
        .env("XDG_CONFIG_HOME", &xdg)
        .expect(0);
}

fn assert_config_error(w: &World, needle: &str) {
    w.write_credentials("[keep]\naws_access_key_id = K\n");
    let r = w.login("nomfa@example.com").expect(2);
    r.stderr_has(needle);
    assert_eq!(
        r.stderr().lines().filter(|l| l.contains("error")).count(),
        1,
        "{}",
        r.stderr()
    );
    assert_eq!(w.credentials(), "[keep]\naws_access_key_id = K\n");
}

#[test]
fn unknown_key_is_named() {
    let w = World::new();
    w.write_config(&w.default_config().replace("\"region\"", "\"regoin\""));
    assert_config_error(&w, "unknown field `regoin`");
}

#[test]
fn bad_json_names_the_file() {
    let w = World::new();
    w.write_config("{ \"accounts\": ");
    assert_config_error(&w, "config.json: invalid config.json");
}

#[test]
fn missing_file_names_it() {
    let w = World::new();
    std::fs::remove_file(w.config_path()).unwrap();
    assert_config_error(&w, "config.json: cannot read the config file");
}

#[test]
fn no_config_anywhere_says_where_it_looked() {
    let w = World::new();
    std::fs::remove_file(w.config_path()).unwrap();
    w.run_bare()
        .args(["--username", "x"])
        .expect(2)
        .stderr_has("no config file found (looked in");
}

#[test]
fn unknown_account_lists_the_accounts() {
    let w = World::new();
    w.write_credentials("[keep]\naws_access_key_id = K\n");
    w.login("nomfa@example.com")
        .args(["--account", "prod"])
        .expect(2)
        .stderr_has(
            "unknown account \"prod\"; accounts: dev-direct, development, other-app, staging",
        );
    assert_eq!(w.credentials(), "[keep]\naws_access_key_id = K\n");
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let w = World::new();
    w.write_config(
        &w.default_config()
            .replace("http://127.0.0.1", "http://example.com"),
    );
    assert_config_error(&w, "only https:// is allowed");
}

#[test]
fn bad_account_number_is_named() {
    let w = World::new();
    w.write_config(&w.default_config().replace(
        "\"development\": \"222222222222\"",
        "\"development\": \"2222\"",
    ));
    assert_config_error(
        &w,
        "\"development\": account number \"2222\" must be 12 digits",
    );
}
