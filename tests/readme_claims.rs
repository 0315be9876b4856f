//! Claims the README makes that no other test checked (issue 25.5): botocore itself resolving a
//! `credential_process` profile, the `AWS_ENDPOINT_URL` fall-back, `--output env|json` sharing the
//! cache, and `AWS_CA_BUNDLE` added to the trusted roots rather than replacing them.

use crate::support::*;

fn admin(t: Test) -> Test {
    t.args(["--role", "Admin"])
}

#[test]
fn botocore_resolves_a_credential_process_profile_through_aws_token() {
    let w = World::new();
    admin(w.login("nomfa@example.com")).expect(0);
    let aws = w.home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("config"),
        format!(
            "[profile staging-readonly]\ncredential_process = {} credential-process --config {} --role ReadOnly\nregion = eu-west-1\n",
            env!("CARGO_BIN_EXE_aws-token"),
            w.config_path().display()
        ),
    )
    .unwrap();
    let script = r#"
import botocore.session
s = botocore.session.Session(profile="staging-readonly")
c = s.get_credentials().get_frozen_credentials()
print(c.access_key[:4], bool(c.secret_key), bool(c.token), s.get_config_variable("region"))
"#;
    let out = std::process::Command::new(venv().join("bin/python"))
        .args(["-c", script])
        .env_clear()
        .env("HOME", w.home.path())
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_ENDPOINT_URL_STS", w.sandbox.sts_url())
        .current_dir("/")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ASIA True True eu-west-1\n"
    );
    // Signed in with the session the first login kept: one password for the day.
    assert_eq!(w.sandbox.requests().authn, 1);
}

#[test]
fn aws_endpoint_url_is_the_fall_back_for_sts() {
    let w = World::new();
    admin(w.login("nomfa@example.com"))
        .env_remove("AWS_ENDPOINT_URL_STS")
        .env("AWS_ENDPOINT_URL", w.sandbox.sts_url())
        .expect(0);
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 1);
}

#[test]
fn output_env_and_json_share_the_cache() {
    let w = World::new();
    let env = admin(w.login("nomfa@example.com"))
        .args(["--output", "env"])
        .expect(0)
        .stdout();
    let json = admin(w.login("nomfa@example.com"))
        .args(["--output", "json"])
        .expect(0)
        .stdout();
    assert_eq!(
        w.sandbox.requests().assume_role_with_saml,
        1,
        "STS asked twice"
    );
    let key = json
        .split("\"AccessKeyId\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(
        env.contains(&format!("AWS_ACCESS_KEY_ID={key}")),
        "{env}\n{json}"
    );
}

#[test]
fn aws_ca_bundle_is_added_to_the_trusted_roots_not_put_in_their_place() {
    let w = World::tls();
    // Another CA, unrelated to the sandbox's.
    let other = World::tls();
    // The sandbox's CA from SSL_CERT_FILE still counts with AWS_CA_BUNDLE naming another one...
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .env("SSL_CERT_FILE", w.ca_path())
        .env("AWS_CA_BUNDLE", other.ca_path())
        .expect(0);
    // ...and the other way round.
    w.login("nomfa@example.com")
        .args(["--role", "Admin", "--force"])
        .env("SSL_CERT_FILE", other.ca_path())
        .env("AWS_CA_BUNDLE", w.ca_path())
        .expect(0);
}
