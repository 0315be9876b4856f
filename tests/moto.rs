//! The whole flow against moto's STS server instead of the sandbox STS: a single-role user (moto
//! accepts one Role value per assertion), moto started from the test virtualenv on a free port.

use crate::support::*;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Moto(Child, u16);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_moto() -> Moto {
    let port = free_port();
    let child = Command::new(venv().join("bin/moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let moto = Moto(child, port);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "moto_server did not listen on {port} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

#[test]
fn whole_flow_against_moto_sts() {
    let moto = start_moto();
    let w = World::new();
    w.write_config(&w.default_config().replace(
        "\"staging\": \"111111111111\"",
        "\"staging\": \"123456789012\"",
    ));
    let r = w
        .login("single@example.com")
        .args(["--otp", &totp()])
        .env(
            "AWS_ENDPOINT_URL_STS",
            format!("http://127.0.0.1:{}", moto.1),
        )
        .expect(0);
    r.stdout_is("export AWS_PROFILE=staging\nexport AWS_DEFAULT_REGION=us-east-1\n");
    r.stderr_has("arn:aws:sts::123456789012:assumed-role/Admin/single@example.com");
    let creds = w.credentials();
    let key = ini_value(&creds, "staging", "aws_access_key_id").unwrap();
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert_eq!(
        ini_value(&creds, "staging", "aws_secret_access_key")
            .unwrap()
            .len(),
        40
    );
    assert!(
        ini_value(&creds, "staging", "aws_session_token")
            .unwrap()
            .starts_with("FQoGZXIvYXdzE")
    );
}
