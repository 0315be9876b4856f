//! The local credential endpoint (issue 21.4): `exec --server` and `serve` answer the
//! container-credentials protocol, renew through the kept IdP session past the credentials'
//! lifetime (the sandbox issues credentials that live seconds), refuse what is not theirs, and say
//! "run aws-token login" when the session has ended.

use crate::support::*;
use std::io::{BufRead, Read, Write};
use std::time::{Duration, Instant};

/// The demo sandbox with credentials that live `seconds`.
fn short_lived(seconds: i64) -> World {
    let mut d = aws_token_sandbox::data::demo();
    d.faults.credential_lifetime_seconds = Some(seconds);
    World::with_data(d)
}

/// botocore's container provider, read every `every` seconds for `total` seconds; each read is
/// checked with GetCallerIdentity at the sandbox STS (which refuses expired credentials). Prints
/// `ACCESS_KEY ARN` per read.
const READER: &str = r#"
import botocore.session, os, sys, time
every, total = float(sys.argv[1]), float(sys.argv[2])
s = botocore.session.get_session()
creds = s.get_credentials()
assert creds.method == 'container-role', creds.method
end = time.time() + total
while time.time() < end:
    key = creds.get_frozen_credentials().access_key
    sts = s.create_client('sts', region_name='us-east-1', endpoint_url=os.environ['AWS_ENDPOINT_URL_STS'])
    print(key, sts.get_caller_identity()['Arn'], flush=True)
    time.sleep(every)
"#;

#[test]
fn exec_server_keeps_a_job_in_fresh_credentials_past_their_lifetime() {
    let w = short_lived(8);
    let python = venv().join("bin/python");
    let r = w
        .login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args([
            "exec",
            "--server",
            "--role",
            "Admin",
            "--refresh-margin",
            "0",
            "--",
        ])
        .arg(&python)
        .args(["-c", READER, "2", "20"])
        .expect(0);
    let out = r.stdout();
    let keys: std::collections::BTreeSet<&str> =
        out.lines().filter_map(|l| l.split(' ').next()).collect();
    assert!(out.lines().count() >= 8, "{out}");
    assert!(
        out.lines()
            .all(|l| l.ends_with(":assumed-role/Admin/nomfa@example.com")),
        "{out}"
    );
    // 20 s of 8-second credentials: renewed at least twice, never handed out expired (every
    // GetCallerIdentity above passed).
    assert!(keys.len() >= 3, "{out}");
    // Renewed through the kept session: the password was sent once.
    let requests = w.sandbox.requests();
    assert_eq!(requests.authn, 1, "{requests:?}");
    assert!(requests.assume_role_with_saml >= 3, "{requests:?}");
    assert!(!r.stderr().contains("could not renew"), "{}", r.stderr());
}

#[test]
fn exec_server_gives_the_command_an_endpoint_and_no_keys() {
    let w = World::new();
    let r = w
        .login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .env("AWS_ACCESS_KEY_ID", "AKIAOUTER")
        .env("AWS_PROFILE", "outer")
        .args(["exec", "--server", "--role", "Admin", "--"])
        .args([
            "sh",
            "-c",
            "echo ${AWS_ACCESS_KEY_ID:-none} ${AWS_SESSION_TOKEN:-none} ${AWS_PROFILE:-none} $AWS_REGION $AWS_CONTAINER_CREDENTIALS_FULL_URI ${#AWS_CONTAINER_AUTHORIZATION_TOKEN}",
        ])
        .expect(0);
    let out = r.stdout();
    let fields: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(&fields[..4], ["none", "none", "none", "us-east-1"], "{out}");
    assert!(
        fields[4].starts_with("http://127.0.0.1:") && fields[4].ends_with("/aws-token/credentials"),
        "{out}"
    );
    assert_eq!(fields[5], "64", "{out}");
}

/// A running `aws-token serve`, its two variables read from its stdout.
struct Serving {
    child: std::process::Child,
    url: String,
    token: String,
}

impl Serving {
    fn start(test: Test) -> Serving {
        let mut child = test.args(["serve", "--role", "Admin"]).spawn();
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let mut value = |name: &str| {
            let line = lines.next().unwrap().unwrap();
            line.strip_prefix(&format!("export {name}="))
                .unwrap_or_else(|| panic!("{line}"))
                .to_owned()
        };
        let url = value("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        assert_eq!(value("AWS_REGION"), "us-east-1");
        Serving { child, url, token }
    }

    fn port(&self) -> u16 {
        let rest = self.url.strip_prefix("http://127.0.0.1:").unwrap();
        rest.split('/').next().unwrap().parse().unwrap()
    }

    /// One raw HTTP/1.1 request: (status, body).
    fn get(&self, path: &str, host: &str, token: Option<&str>) -> (u16, String) {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port())).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        let auth = token.map_or(String::new(), |t| format!("Authorization: {t}\r\n"));
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let status = answer[9..12].parse().unwrap();
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
        (status, body)
    }

    fn stop(mut self) -> std::process::Output {
        rustix::process::kill_process(
            rustix::process::Pid::from_raw(self.child.id() as i32).unwrap(),
            rustix::process::Signal::TERM,
        )
        .unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = self.child.wait().unwrap();
        std::process::Output {
            status,
            stdout: Vec::new(),
            stderr: stderr.into_bytes(),
        }
    }
}

/// The local addresses the sockets listening on `port` are bound to, from /proc/net/tcp{,6}.
fn listening_addresses(port: u16) -> Vec<String> {
    let mut found = Vec::new();
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local_address is ADDR:PORT in hex; state 0A is LISTEN.
            let Some((addr, p)) = fields[1].split_once(':') else {
                continue;
            };
            if fields[3] == "0A" && u16::from_str_radix(p, 16).unwrap() == port {
                found.push(addr.to_owned());
            }
        }
    }
    found
}

#[test]
fn serve_answers_only_its_token_on_its_path_at_loopback() {
    let w = World::new();
    let serving = Serving::start(
        w.login("nomfa@example.com")
            .env("AWS_TOKEN_KEYRING", "file"),
    );
    let host = format!("127.0.0.1:{}", serving.port());
    let path = "/aws-token/credentials";
    assert!(serving.url.ends_with(path), "{}", serving.url);
    // Bound to 127.0.0.1 (0100007F) only.
    assert_eq!(listening_addresses(serving.port()), ["0100007F"]);

    let (status, body) = serving.get(path, &host, Some(&serving.token));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
        "{body}"
    );
    assert!(!v["SecretAccessKey"].as_str().unwrap().is_empty());
    assert!(!v["Token"].as_str().unwrap().is_empty());
    assert!(v["Expiration"].as_str().unwrap().ends_with('Z'), "{body}");
    // localhost is the same host.
    let localhost = format!("localhost:{}", serving.port());
    assert_eq!(serving.get(path, &localhost, Some(&serving.token)).0, 200);

    // No token, a wrong one, one that is the right one's prefix.
    assert_eq!(serving.get(path, &host, None).0, 401);
    assert_eq!(serving.get(path, &host, Some("wrong")).0, 401);
    assert_eq!(serving.get(path, &host, Some(&serving.token[..63])).0, 401);
    // Another path, with the right token.
    for other in [
        "/",
        "/aws-token/credentials/x",
        "/latest/meta-data/",
        "/aws-token",
    ] {
        let (status, body) = serving.get(other, &host, Some(&serving.token));
        assert_eq!(status, 404, "{other}: {body}");
        assert!(!body.contains("ASIA"), "{body}");
    }
    // A page that reached the port through another name (DNS rebinding).
    let (status, body) = serving.get(
        path,
        &format!("attacker.example:{}", serving.port()),
        Some(&serving.token),
    );
    assert_eq!(status, 403, "{body}");

    let token = serving.token.clone();
    let out = serving.stop();
    // SIGTERM is how serve is meant to be stopped: a normal end.
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Serving the credentials of staging"),
        "{stderr}"
    );
    assert!(!stderr.contains(&token), "{stderr}");
}

/// A login of nomfa@ in `w` (it keeps the session), then `serve` with no password of its own and
/// a refresh margin of 0.
fn serving_after_a_login(w: &World) -> Serving {
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin"])
        .expect(0);
    Serving::start(
        w.run()
            .env("AWS_TOKEN_KEYRING", "file")
            .args(["--refresh-margin", "0"]),
    )
}

#[test]
fn serve_answers_run_login_when_the_session_has_ended() {
    let w = short_lived(6);
    let serving = serving_after_a_login(&w);
    let host = format!("127.0.0.1:{}", serving.port());
    let path = "/aws-token/credentials";
    let (status, body) = serving.get(path, &host, Some(&serving.token));
    assert_eq!(status, 200, "{body}");
    w.sandbox.end_sessions();
    // Past the credentials' lifetime: the renewal finds no session and nobody to ask.
    std::thread::sleep(Duration::from_secs(7));
    let start = Instant::now();
    let (status, body) = serving.get(path, &host, Some(&serving.token));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(status, 503, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let message = v["Message"].as_str().unwrap();
    assert!(message.contains("aws-token login"), "{message}");
    assert!(!body.contains("ASIA"), "{body}");
    let out = serving.stop();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("could not renew"), "{stderr}");
    assert!(!stderr.contains(PASSWORD), "{stderr}");
}

/// `exec --server -- sleep SECONDS` for `user` in `w`, with the run's password and `extra`
/// variables; once its first login is done, `then` (ends the IdP session, say). What it printed.
fn renewing(
    w: &World,
    user: &str,
    extra: &[(&str, &str)],
    seconds: u32,
    then: impl FnOnce(&World),
) -> Run {
    let mut t = w
        .login(user)
        .env("AWS_TOKEN_KEYRING", "file")
        .args([
            "exec",
            "--server",
            "--role",
            "Admin",
            "--refresh-margin",
            "0",
            "--",
        ])
        .args(["sleep", &seconds.to_string()]);
    for (k, v) in extra {
        t = t.env(k, v);
    }
    let child = t.spawn();
    let start = Instant::now();
    while w.sandbox.requests().assume_role_with_saml == 0 {
        assert!(start.elapsed() < Duration::from_secs(30), "no first login");
        std::thread::sleep(Duration::from_millis(50));
    }
    then(w);
    let r = Run(child.wait_with_output().unwrap());
    assert_eq!(r.code(), 0, "{}", r.stderr());
    r
}

/// `exec --server --refresh-margin MARGIN -- sleep SECONDS` for nomfa@'s Admin in `w`.
fn serving_while_sleeping(w: &World, margin: &str, seconds: u32) -> Run {
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args([
            "exec",
            "--server",
            "--role",
            "Admin",
            "--refresh-margin",
            margin,
            "--",
        ])
        .args(["sleep", &seconds.to_string()])
        .expect(0)
}

#[test]
fn renewal_storm_credentials_no_longer_than_the_margin_are_renewed_at_half_their_lifetime() {
    let w = short_lived(30);
    let r = serving_while_sleeping(&w, "60", 6);
    // One login for the command; 30-second credentials are not due before 15 s.
    let requests = w.sandbox.requests();
    assert_eq!(requests.assume_role_with_saml, 1, "{requests:?}");
    assert_eq!(requests.embed, 1, "{requests:?}");
    r.stderr_has("the refresh margin (3600 s) is not shorter than the credentials' lifetime")
        .stderr_has_once("is not shorter than");
}

#[test]
fn renewals_that_lock_a_user_out_never_send_a_one_time_code_again() {
    let w = short_lived(6);
    let code = totp();
    let r = renewing(
        &w,
        "demo@example.com",
        &[("AWS_TOKEN_OTP", &code)],
        25,
        |w| w.sandbox.end_sessions(),
    );
    let requests = w.sandbox.requests();
    // The code was good once, at the first login; no renewal sends it (or any) again.
    assert_eq!(requests.code_verify, 1, "{requests:?}");
    // One renewal signed in with the password and stopped at MFA; none after it did.
    assert_eq!(requests.authn, 2, "{requests:?}");
    r.stderr_has("Run `aws-token login`")
        .stderr_has("sends no code")
        .stderr_has_once("could not renew");
}

#[test]
fn renewals_that_lock_a_user_out_never_start_a_push() {
    let w = short_lived(6);
    renewing(&w, "push@example.com", &[], 25, |w| {
        w.sandbox.end_sessions()
    })
    .stderr_has("starts no push");
    let requests = w.sandbox.requests();
    assert_eq!(requests.pushes, 1, "{requests:?}");
    assert_eq!(requests.authn, 2, "{requests:?}");
}

#[test]
fn renewals_that_lock_a_user_out_stop_after_the_password_is_refused() {
    let w = short_lived(6);
    renewing(&w, "nomfa@example.com", &[], 25, |w| {
        w.sandbox.change_password("nomfa@example.com", "a new one");
        w.sandbox.end_sessions();
    })
    .stderr_has("could not renew");
    // The first login and one renewal that met the refusal: no more tries towards a lockout.
    let requests = w.sandbox.requests();
    assert_eq!(requests.authn, 2, "{requests:?}");
}

#[test]
fn renewal_storm_credentials_that_live_a_second_are_renewed_no_more_than_every_few_seconds() {
    let w = short_lived(1);
    serving_while_sleeping(&w, "0", 7);
    // A login for the command, then one renewal at most every 5 s (not one every half second).
    let requests = w.sandbox.requests();
    assert!(requests.assume_role_with_saml <= 3, "{requests:?}");
}

/// Opens up to N silent connections to 127.0.0.1:PORT (its own open-files limit raised to the
/// hard one), prints how many, and holds them until its stdin closes.
const SILENT_CONNECTIONS: &str = r#"
import resource, socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held = []
for _ in range(n):
    try:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
    except OSError:
        break
print(len(held), flush=True)
sys.stdin.read()
"#;

/// CPU time (user + system) the process `pid` has used, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// A running `serve` for nomfa@, its open-files limit set to `limit` after it started (it raises
/// its own to the hard limit at start), and `n` silent connections held to it by a helper: the
/// serving process, the helper, and how many the helper opened.
fn held_open(w: &World, limit: u32, n: u32) -> (Serving, std::process::Child, usize) {
    let serving = Serving::start(
        w.login("nomfa@example.com")
            .env("AWS_TOKEN_KEYRING", "file"),
    );
    let pid = serving.child.id().to_string();
    let nofile = format!("--nofile={limit}:{limit}");
    assert!(
        std::process::Command::new("prlimit")
            .args(["--pid", &pid, &nofile])
            .status()
            .unwrap()
            .success()
    );
    let mut holder = std::process::Command::new(venv().join("bin/python"))
        .args(["-c", SILENT_CONNECTIONS])
        .arg(serving.port().to_string())
        .arg(n.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut count = String::new();
    std::io::BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut count)
        .unwrap();
    (serving, holder, count.trim().parse().unwrap())
}

/// CPU ticks `pid` uses in the next 2 s.
fn cpu_in_two_seconds(pid: u32) -> u64 {
    let before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(2));
    cpu_ticks(pid) - before
}

#[test]
fn the_endpoints_file_descriptors_silent_connections_never_keep_the_sdk_out() {
    let w = World::new();
    // More silent connections than the process may open files: the oldest are closed.
    let (serving, mut holder, opened) = held_open(&w, 256, 1050);
    assert!(opened >= 1000, "{opened}");
    let used = cpu_in_two_seconds(serving.child.id());
    assert!(used < 50, "{used} ticks of CPU in 2 s while idle");
    let host = format!("127.0.0.1:{}", serving.port());
    let (status, body) = serving.get("/aws-token/credentials", &host, Some(&serving.token));
    assert_eq!(status, 200, "{body}");
    drop(holder.stdin.take());
    let _ = holder.wait();
    serving.stop();
}

#[test]
fn the_endpoints_file_descriptors_running_out_never_spins() {
    let w = World::new();
    // Fewer files than the connection cap: accept() fails (EMFILE) while they are held.
    let (serving, mut holder, opened) = held_open(&w, 40, 200);
    assert!(opened >= 100, "{opened}");
    let used = cpu_in_two_seconds(serving.child.id());
    assert!(
        used < 50,
        "{used} ticks of CPU in 2 s with accept() failing"
    );
    drop(holder.stdin.take());
    let _ = holder.wait();
    serving.stop();
}

#[test]
fn a_slow_idp_never_makes_the_sdk_wait_while_the_held_credentials_are_valid() {
    let mut d = aws_token_sandbox::data::demo();
    d.faults.credential_lifetime_seconds = Some(24);
    d.faults.embed_delay_ms = Some(4000);
    let w = World::with_data(d);
    let serving = Serving::start(
        w.login("nomfa@example.com")
            .env("AWS_TOKEN_KEYRING", "file")
            .args(["--refresh-margin", "0"]),
    );
    let host = format!("127.0.0.1:{}", serving.port());
    let path = "/aws-token/credentials";
    let key = |body: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        v["AccessKeyId"].as_str().unwrap().to_owned()
    };
    let (_, first) = serving.get(path, &host, Some(&serving.token));
    // Past half their lifetime the renewal is due; botocore gives an attempt 1-2 s, the IdP
    // takes 4: the held credentials (valid 11 s more) are answered at once.
    std::thread::sleep(Duration::from_secs(13));
    let start = Instant::now();
    let (status, body) = serving.get(path, &host, Some(&serving.token));
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(key(&body), key(&first));
    // The renewal went on behind: new credentials a little later.
    let start = Instant::now();
    loop {
        let (status, body) = serving.get(path, &host, Some(&serving.token));
        assert_eq!(status, 200, "{body}");
        if key(&body) != key(&first) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "never renewed");
        std::thread::sleep(Duration::from_millis(500));
    }
    serving.stop();
}

#[test]
fn after_that_login_the_endpoint_goes_on_with_the_new_session() {
    let w = short_lived(6);
    let serving = serving_after_a_login(&w);
    let host = format!("127.0.0.1:{}", serving.port());
    let path = "/aws-token/credentials";
    w.sandbox.end_sessions();
    std::thread::sleep(Duration::from_secs(7));
    let (status, body) = serving.get(path, &host, Some(&serving.token));
    assert_eq!(status, 503, "{body}");
    // The user does as told: a login in a terminal keeps a new session...
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin", "--force"])
        .expect(0);
    // ...and the endpoint renews through it (after its retry pause), with no password of its own.
    let start = Instant::now();
    loop {
        let (status, _) = serving.get(path, &host, Some(&serving.token));
        if status == 200 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{status}");
        std::thread::sleep(Duration::from_millis(500));
    }
    let authn = w.sandbox.requests().authn;
    assert_eq!(authn, 2, "only the two logins sent the password");
    serving.stop();
}

#[test]
fn exec_server_removes_every_variable_an_sdk_would_prefer_to_its_endpoint() {
    let w = World::new();
    let names = [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        // botocore and the Rust SDK take the relative URI before the full one.
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ];
    let mut t = w
        .login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file");
    for n in names {
        t = t.env(n, "/outer");
    }
    let script: String = names
        .iter()
        .map(|n| format!("echo {n}=${{{n}:-none}}; "))
        .collect();
    let out = t
        .args([
            "exec", "--server", "--role", "Admin", "--", "sh", "-c", &script,
        ])
        .expect(0)
        .stdout();
    for n in names {
        assert!(
            out.contains(&format!("{n}=none\n")),
            "{n} passed on:\n{out}"
        );
    }
    // serve says the same to the shell that evals its lines.
    let mut child = w
        .login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["serve", "--role", "Admin"])
        .spawn();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let unset = loop {
        let line = lines.next().unwrap().unwrap();
        if line.starts_with("unset ") {
            break line;
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    for n in names {
        assert!(unset.split(' ').any(|w| w == n), "{n} not unset: {unset}");
    }
    assert!(
        !unset.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        "{unset}"
    );
}

#[test]
fn ctrl_c_or_sigterm_is_a_normal_stop_of_serve() {
    let w = World::new();
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin"])
        .expect(0);
    for signal in [rustix::process::Signal::TERM, rustix::process::Signal::INT] {
        let serving = Serving::start(w.run().env("AWS_TOKEN_KEYRING", "file"));
        let mut child = serving.child;
        rustix::process::kill_process(
            rustix::process::Pid::from_raw(child.id() as i32).unwrap(),
            signal,
        )
        .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{signal:?}");
    }
}
