//! provider "form" against the npm package saml-idp: a real SAML IdP that signs its responses
//! (RSA-SHA256, exclusive c14n) with a certificate generated here; the sandbox STS trusts that
//! certificate as an IAM SAML provider and verifies the signature. tests/setup.sh installs it.

use crate::support::*;
use aws_token_sandbox::data;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/TestIdP";

struct SamlIdp {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
    cert: String,
}

impl Drop for SamlIdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_saml_idp(roles: &[&str]) -> SamlIdp {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/saml-idp");
    assert!(
        here.join("node_modules/saml-idp").is_dir(),
        "saml-idp is not installed in {}: run tests/setup.sh",
        here.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=aws-token test IdP",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl could not make a certificate");
    let values: Vec<String> = roles
        .iter()
        .map(|r| format!("{PROVIDER},arn:aws:iam::111111111111:role/{r}"))
        .collect();
    let port = free_port();
    let child = Command::new("node")
        .arg(here.join("run.js"))
        .arg(port.to_string())
        .arg(&cert)
        .arg(&key)
        .arg(values.join("|"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs");
    let idp = SamlIdp {
        child,
        port,
        cert: std::fs::read_to_string(&cert).unwrap(),
        _dir: dir,
    };
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "saml-idp did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    idp
}

fn world(idp: &SamlIdp, trust: bool) -> World {
    let mut d = data::demo();
    if trust {
        d.saml_providers.push(data::SamlProvider {
            arn: PROVIDER.into(),
            certificate: idp.cert.clone(),
        });
    }
    let w = World::with_data(d);
    w.write_config(&format!(
        r#"{{"provider": "form", "region": "us-east-1", "idpEntryUrl": "http://127.0.0.1:{}/",
            "defaultAccount": "staging", "accounts": {{"staging": "111111111111"}}}}"#,
        idp.port
    ));
    w
}

#[test]
fn signed_assertion_goes_through_role_choice_to_sts() {
    let idp = start_saml_idp(&["Admin", "ReadOnly"]);
    let w = world(&idp, true);
    // Two roles and no terminal: the choice is listed.
    w.run()
        .args(["--username", "jane@example.com"])
        .expect(2)
        .stderr_has("one of: Admin (111111111111), ReadOnly (111111111111)");
    // saml-idp has no password field: none is asked for.
    let r = w
        .run()
        .args(["--username", "jane@example.com", "--role", "ReadOnly"])
        .expect(0);
    r.stdout_is("export AWS_PROFILE=staging\nexport AWS_DEFAULT_REGION=us-east-1\n");
    r.stderr_has("arn:aws:sts::111111111111:assumed-role/ReadOnly/saml.jackson@example.com");
    assert!(ini_value(&w.credentials(), "staging", "aws_session_token").is_some());
}

#[test]
fn sts_refuses_an_idp_it_does_not_trust() {
    let idp = start_saml_idp(&["Admin"]);
    let w = world(&idp, false);
    w.run()
        .args(["--username", "jane@example.com"])
        .expect(5)
        .stderr_has("InvalidIdentityToken: Issuer not present in specified provider");
}

#[test]
fn sts_refuses_a_signature_by_another_certificate() {
    let idp = start_saml_idp(&["Admin"]);
    let other = start_saml_idp(&["Admin"]);
    let w = world(&other, true);
    // Trust `other`'s certificate but log in at `idp`.
    w.write_config(
        &std::fs::read_to_string(w.config_path())
            .unwrap()
            .replace(&other.port.to_string(), &idp.port.to_string()),
    );
    w.run()
        .args(["--username", "jane@example.com"])
        .expect(5)
        .stderr_has("InvalidIdentityToken: Response signature invalid");
}
