//! The credential lifecycle (issue 13): credential-process with a cache shared by parallel callers
//! behind one login, the default login skipping the IdP while the profile is valid, exec, console,
//! roles, and the duration retry. Logins and STS calls are counted in the sandbox.

use crate::support::*;
use aws_token_sandbox::data;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

fn creds_json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout()).unwrap_or_else(|e| panic!("{e}: {}", r.stdout()))
}

fn process(w: &World) -> Test {
    w.login("nomfa@example.com")
        .args(["credential-process", "--role", "Admin"])
}

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn credential_process_prints_v1_json_caches_it_and_writes_no_profile() {
    let w = World::new();
    let first = creds_json(&process(&w).expect(0));
    assert_eq!(first["Version"], 1);
    for k in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ] {
        assert!(
            first[k].as_str().is_some_and(|v| !v.is_empty()),
            "{k}: {first}"
        );
    }
    assert!(
        !w.credentials_path().exists(),
        "credential-process wrote the credentials file"
    );
    let cache = w.home.path().join(".cache/aws-token");
    assert_eq!(mode(&cache), 0o700);
    for e in std::fs::read_dir(&cache).unwrap() {
        assert_eq!(mode(&e.unwrap().path()), 0o600);
    }
    let before = w.sandbox.requests();
    let second = creds_json(&process(&w).expect(0));
    assert_eq!(first, second);
    assert_eq!(
        w.sandbox.requests(),
        before,
        "a cached answer made requests"
    );
    // Another role is another entry: a login of its own.
    let other = creds_json(
        &w.login("nomfa@example.com")
            .args(["credential-process", "--role", "ReadOnly"])
            .expect(0),
    );
    assert_ne!(other["AccessKeyId"], first["AccessKeyId"]);
    assert_eq!(
        w.sandbox.requests().assume_role_with_saml,
        before.assume_role_with_saml + 1
    );
}

#[test]
fn the_cache_lives_under_xdg_cache_home_when_set() {
    let w = World::new();
    let xdg = w.home.path().join("xdg-cache");
    process(&w).env("XDG_CACHE_HOME", &xdg).expect(0);
    assert!(xdg.join("aws-token").is_dir());
    assert!(!w.home.path().join(".cache").exists());
}

#[test]
fn credentials_inside_the_refresh_margin_are_renewed() {
    let w = World::new();
    let first = creds_json(&process(&w).expect(0));
    // The sandbox issues one-hour credentials: a 60-minute margin makes them due at once.
    let renewed = creds_json(&process(&w).args(["--refresh-margin", "60"]).expect(0));
    assert_ne!(first["AccessKeyId"], renewed["AccessKeyId"]);
    // The same from config.json.
    w.write_config(
        &w.default_config()
            .replacen('{', "{\"refreshMarginMinutes\": 60,", 1),
    );
    let again = creds_json(&process(&w).expect(0));
    assert_ne!(again["AccessKeyId"], renewed["AccessKeyId"]);
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 3);
}

#[test]
fn twenty_parallel_callers_share_one_login_and_one_sts_call() {
    let w = World::new();
    let children: Vec<_> = (0..20).map(|_| process(&w).spawn()).collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        })
        .collect();
    assert!(
        outputs.iter().all(|o| *o == outputs[0]),
        "callers got different credentials"
    );
    let r = w.sandbox.requests();
    assert_eq!((r.authn, r.assume_role_with_saml), (1, 1), "{r:?}");
}

fn slow_push_world() -> World {
    let mut d = data::demo();
    d.users.push(data::User {
        login: "slowpush@example.com".into(),
        password: PASSWORD.into(),
        status: "ACTIVE".into(),
        factors: vec![data::Factor::Push {
            result: "approve".into(),
            after_polls: 10_000,
            number_challenge: None,
            device: "Phone".into(),
            totp_secret: None,
        }],
        apps: d.users[0].apps.clone(),
    });
    World::with_data(d)
}

/// Another credential-process of the lock holder's user and role.
fn waiter(w: &World) -> Test {
    w.login("slowpush@example.com")
        .args(["credential-process", "--role", "Admin"])
}

/// A credential-process for Admin that holds the lock while it waits for a push that never comes.
fn lock_holder(w: &World) -> std::process::Child {
    let holder = w
        .login("slowpush@example.com")
        .args(["credential-process", "--role", "Admin"])
        .spawn();
    while w.sandbox.requests().authn == 0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    holder
}

#[test]
fn a_killed_login_never_leaves_the_lock_held() {
    let w = slow_push_world();
    let mut holder = lock_holder(&w);
    holder.kill().unwrap();
    holder.wait().unwrap();
    let started = Instant::now();
    // The same user and role (the lock's key): it gets the lock and reaches the push, which
    // never comes (the sandbox answers it after 10,000 polls).
    waiter(&w)
        .args(["--mfa-timeout", "1"])
        .expect(3)
        .stderr_has("push");
    // A held lock would be waited on for 51 s (--mfa-timeout + connect + 2 reads).
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_lock_held_too_long_is_a_clear_error() {
    let w = slow_push_world();
    let mut holder = lock_holder(&w);
    waiter(&w)
        .args([
            "--mfa-timeout",
            "1",
            "--connect-timeout",
            "1",
            "--read-timeout",
            "1",
        ])
        .expect(7)
        .stderr_has("another aws-token has been logging in for the same role for more than 4 s");
    holder.kill().unwrap();
    holder.wait().unwrap();
}

#[test]
fn without_any_terminal_missing_input_names_the_flag() {
    let w = World::new();
    w.run()
        .args([
            "credential-process",
            "--username",
            "nomfa@example.com",
            "--role",
            "Admin",
        ])
        .expect(2)
        .stderr_has("--password or AWS_TOKEN_PASSWORD");
}

#[test]
fn prompts_and_the_push_number_reach_the_terminal_when_stdout_and_stderr_are_taken() {
    // As botocore runs it: stdout and stderr piped (here: files), a terminal behind them.
    let w = World::new();
    let out = w.home.path().join("out");
    let err = w.home.path().join("err");
    let script = format!(
        "AWS_ENDPOINT_URL_STS={sts} {bin} credential-process --config {config} --username push@example.com --role Admin > {out} 2> {err}; echo EXIT=$?",
        sts = w.sandbox.sts_url(),
        bin = env!("CARGO_BIN_EXE_aws-token"),
        config = w.config_path().display(),
        out = out.display(),
        err = err.display(),
    );
    let python = venv().join("bin/python");
    let driven = std::process::Command::new(&python)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pty_driver.py"))
        .args(["/bin/sh", "-c", &script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", w.home.path())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env(
            "TTY_ANSWERS",
            serde_json::json!([["Okta password", format!("{PASSWORD}\r")]]).to_string(),
        )
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&driven.stdout);
    assert!(
        screen.contains("EXIT=0"),
        "{screen}\nstderr file: {}",
        std::fs::read_to_string(&err).unwrap_or_default()
    );
    assert!(
        screen.contains("tap 42"),
        "the push number did not reach the terminal:\n{screen}"
    );
    assert!(
        !screen.contains(PASSWORD),
        "the password was echoed:\n{screen}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(json["Version"], 1);
}

#[test]
fn the_default_login_skips_the_idp_while_the_profile_is_valid() {
    let w = World::new();
    let login = |extra: &[&str]| {
        w.login("nomfa@example.com")
            .args(["--role", "Admin"])
            .args(extra)
            .expect(0)
    };
    let first = login(&[]);
    let creds = w.credentials();
    let again = login(&[]);
    again
        .stderr_has("Profile staging in")
        .stderr_has("is still valid");
    assert_eq!(again.stdout(), first.stdout());
    assert_eq!(w.credentials(), creds, "the file was rewritten");
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 1);
    login(&["--force"]);
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 2);
    assert_ne!(w.credentials(), creds);
    // Another role into the same profile is another login.
    w.login("nomfa@example.com")
        .args(["--role", "ReadOnly"])
        .expect(0);
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 3);
    // A profile edited by hand since is not taken for ours.
    let edited = w
        .credentials()
        .replace("aws_access_key_id = ASIA", "aws_access_key_id = AKIA");
    w.write_credentials(&edited);
    w.login("nomfa@example.com")
        .args(["--role", "ReadOnly"])
        .expect(0);
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 4);
}

fn exec(w: &World, cmd: &[&str]) -> Test {
    w.login("nomfa@example.com")
        .args(["exec", "--role", "Admin", "--"])
        .args(cmd)
}

#[test]
fn exec_runs_the_command_with_the_credentials_and_without_aws_profile() {
    let w = World::new();
    let r = exec(
        &w,
        &["sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_REGION $AWS_DEFAULT_REGION ${AWS_PROFILE:-none} ${AWS_SESSION_TOKEN:+token} $AWS_CREDENTIAL_EXPIRATION; cat"],
    )
    .env("AWS_PROFILE", "someone-else")
    .stdin("from stdin\n")
    .expect(0);
    let out = r.stdout();
    let fields: Vec<&str> = out.split_whitespace().collect();
    assert!(fields[0].starts_with("ASIA"), "{out}");
    assert_eq!(
        &fields[1..5],
        ["us-east-1", "us-east-1", "none", "token"],
        "{out}"
    );
    assert!(fields[5].ends_with('Z'), "{out}");
    assert!(out.ends_with("from stdin\n"), "{out}");
    assert!(!w.credentials_path().exists());
}

#[test]
fn exec_exits_as_the_command_does() {
    let w = World::new();
    exec(&w, &["sh", "-c", "exit 3"]).expect(3);
    exec(&w, &["sh", "-c", "kill -9 $$"]).expect(128 + 9);
    // As a shell says it: not found 127, found but not runnable 126.
    exec(&w, &["/nonexistent/command"])
        .expect(127)
        .stderr_has("/nonexistent/command: command not found");
    exec(&w, &["no-such-command-anywhere"])
        .expect(127)
        .stderr_has("no-such-command-anywhere: command not found");
    let script = w.home.path().join("not-executable.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
    exec(&w, &[script.to_str().unwrap()])
        .expect(126)
        .stderr_has("cannot run it");
}

#[test]
fn a_signal_to_exec_reaches_the_command() {
    let w = World::new();
    process(&w).expect(0); // cached: the exec below starts its command at once
    let mut child = exec(
        &w,
        &[
            "sh",
            "-c",
            "trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done",
        ],
    )
    .spawn();
    let pid = child.id().to_string();
    // Signalled once the command said it is ready (its trap is set), not after a guessed sleep.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line, "ready\n");
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(42),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn exec_keeps_aws_tokens_own_inputs_from_the_command() {
    let w = World::new();
    let r = exec(&w, &["env"])
        .env("AWS_TOKEN_OTP", "123456")
        .env("AWS_TOKEN_MFA_TIMEOUT", "30")
        .expect(0);
    let out = r.stdout();
    assert!(!out.contains(PASSWORD), "the password reached the command");
    assert!(
        !out.contains("AWS_TOKEN_PASSWORD") && !out.contains("AWS_TOKEN_OTP"),
        "{out}"
    );
    assert!(!out.contains("AWS_TOKEN_MFA_TIMEOUT"), "{out}");
    assert!(out.contains("AWS_TOKEN_EXEC=staging"), "{out}");
}

#[test]
fn exec_passes_every_catchable_signal_to_the_command() {
    use std::io::BufRead;
    let w = World::new();
    process(&w).expect(0);
    let log = w.home.path().join("signals");
    let script = format!(
        "for s in USR1 USR2 ALRM WINCH URG XCPU PWR; do trap \"echo $s >> {log}\" $s; done; \
         trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done",
        log = log.display()
    );
    let mut child = exec(&w, &["sh", "-c", &script]).spawn();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    let pid = child.id().to_string();
    let kill = |sig: &str| {
        assert!(
            std::process::Command::new("kill")
                .args([&format!("-{sig}"), &pid])
                .status()
                .unwrap()
                .success()
        );
    };
    let wanted = ["USR1", "USR2", "ALRM", "WINCH", "URG", "XCPU", "PWR"];
    for sig in wanted {
        kill(sig);
        // One at a time, each seen before the next: a shell may merge a pending trap.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .any(|l| l == sig)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "SIG{sig} never reached the command"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    // aws-token itself is still there (SIGUSR1 and SIGALRM would have killed it) and ends as
    // the command does.
    kill("TERM");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(42));
    let seen = std::fs::read_to_string(&log).unwrap();
    assert_eq!(seen.lines().collect::<Vec<_>>(), wanted);
}

#[test]
fn a_nested_exec_is_refused() {
    let w = World::new();
    // The inner aws-token is the real binary, run by the outer one's command.
    let r = exec(
        &w,
        &[
            env!("CARGO_BIN_EXE_aws-token"),
            "--config",
            w.config_path().to_str().unwrap(),
            "exec",
            "--",
            "true",
        ],
    )
    .expect(2);
    r.stderr_has("already inside `aws-token exec` (credentials for staging)");
}

#[test]
fn console_prints_a_sign_in_url_from_the_federation_endpoint() {
    let w = World::new();
    let r = w
        .login("nomfa@example.com")
        .args(["console", "--role", "Admin"])
        .env("AWS_TOKEN_FEDERATION_URL", w.sandbox.federation_url())
        .expect(0);
    let url = url::Url::parse(r.stdout().trim()).unwrap();
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["Action"], "login");
    assert_eq!(q["Issuer"], "aws-token");
    assert_eq!(
        q["Destination"],
        "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1"
    );
    assert!(!q["SigninToken"].is_empty());
    assert_eq!(w.sandbox.requests().signin_token, 1);
    // The URL signs in (the sandbox's federation endpoint checks the token it handed out).
    let page = http_get(&url);
    assert!(
        page.contains("Signed in as arn:aws:sts::111111111111:assumed-role/Admin/"),
        "{page}"
    );
}

#[test]
fn console_open_hands_the_url_to_the_system_opener() {
    let w = World::new();
    let bin = w.home.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let opened = w.home.path().join("opened");
    std::fs::write(
        bin.join("xdg-open"),
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(bin.join("xdg-open"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let r = w
        .login("nomfa@example.com")
        .args(["console", "--open", "--role", "Admin"])
        .env("AWS_TOKEN_FEDERATION_URL", w.sandbox.federation_url())
        .env("PATH", path)
        .expect(0);
    assert_eq!(
        r.stdout(),
        "",
        "the URL is a credential: not printed with --open"
    );
    let url = std::fs::read_to_string(&opened).unwrap();
    assert!(
        url.contains("Action=login") && url.contains("SigninToken="),
        "{url}"
    );
}

/// A PATH whose `xdg-open` writes the URL it was given into the file `opened` (and, as the real
/// one does when it fails, says the URL on stderr and exits `code`).
fn fake_opener(w: &World, code: i32) -> (String, std::path::PathBuf) {
    let bin = w.home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opened = w.home.path().join("opened");
    std::fs::write(
        bin.join("xdg-open"),
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}'\necho \"xdg-open: cannot open $1\" >&2\nexit {code}\n",
            opened.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(bin.join("xdg-open"), std::fs::Permissions::from_mode(0o755)).unwrap();
    (
        format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        opened,
    )
}

fn destination_of(url: &str) -> String {
    let url = url::Url::parse(url.trim()).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == "Destination")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

#[test]
fn console_opens_the_service_where_a_desktop_is_and_prints_it_elsewhere() {
    let w = World::new();
    let (path, opened) = fake_opener(&w, 0);
    let console = |extra: &[&str]| {
        w.login("nomfa@example.com")
            .args([
                "console",
                "--role",
                "Admin",
                "-s",
                "ec2",
                "--region",
                "eu-west-1",
            ])
            .args(extra)
            .env("AWS_TOKEN_FEDERATION_URL", w.sandbox.federation_url())
            .env("PATH", &path)
    };
    // A display and an opener: opened, nothing on stdout.
    let r = console(&[]).env("DISPLAY", ":0").expect(0);
    assert_eq!(r.stdout(), "");
    r.stderr_has("opened in your browser");
    let url = std::fs::read_to_string(&opened).unwrap();
    assert_eq!(
        destination_of(&url),
        "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
    );
    assert!(!r.stderr().contains("SigninToken"), "{}", r.stderr());
    // --stdout, or no display: printed.
    std::fs::remove_file(&opened).unwrap();
    for r in [
        console(&["--stdout"]).env("DISPLAY", ":0").expect(0),
        console(&[]).expect(0),
    ] {
        assert_eq!(
            destination_of(&r.stdout()),
            "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
        );
        assert!(!r.stderr().contains("SigninToken"), "{}", r.stderr());
    }
    assert!(
        !opened.exists(),
        "opened without a display or with --stdout"
    );
    // A console path, and a URL of another partition's console refused before any request.
    let r = w
        .login("nomfa@example.com")
        .args([
            "console",
            "--role",
            "Admin",
            "-s",
            "/cloudwatch/home#alarmsV2:",
        ])
        .env("AWS_TOKEN_FEDERATION_URL", w.sandbox.federation_url())
        .expect(0);
    assert_eq!(
        destination_of(&r.stdout()),
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:"
    );
    let before = w.sandbox.requests().signin_token;
    w.login("nomfa@example.com")
        .args([
            "console",
            "--role",
            "Admin",
            "-s",
            "https://console.amazonaws.cn/ec2/home",
        ])
        .env("AWS_TOKEN_FEDERATION_URL", w.sandbox.federation_url())
        .expect(2)
        .stderr_has("a console URL must be https://…console.aws.amazon.com");
    assert_eq!(w.sandbox.requests().signin_token, before);
}

#[test]
fn console_never_shows_the_sign_in_url_on_stderr_even_when_the_opener_fails() {
    let w = World::new();
    let (path, opened) = fake_opener(&w, 3);
    let r = w
        .login("nomfa@example.com")
        .args(["console", "--open", "--role", "Admin", "--verbose"])
        .env("AWS_TOKEN_FEDERATION_URL", w.sandbox.federation_url())
        .env("PATH", &path)
        .expect(2);
    r.stderr_has("could not open the console");
    assert!(opened.exists());
    let stderr = r.stderr();
    assert!(
        !stderr.contains("SigninToken") && !stderr.contains("Action=login"),
        "{stderr}"
    );
    for secret in w.sandbox.handed_out() {
        assert!(!stderr.contains(&secret), "a secret on stderr: {stderr}");
    }
    assert_eq!(r.stdout(), "");
}

#[test]
fn console_with_credentials_the_endpoint_refuses_is_an_sts_error() {
    let w = World::new();
    process(&w).expect(0);
    // Another sandbox's federation endpoint never issued these credentials.
    let other = World::new();
    w.login("nomfa@example.com")
        .args(["console", "--role", "Admin"])
        .env("AWS_TOKEN_FEDERATION_URL", other.sandbox.federation_url())
        .expect(5)
        .stderr_has("getSigninToken");
}

/// A plain GET on loopback http, for checking the sandbox's pages.
fn http_get(url: &url::Url) -> String {
    use std::io::{Read, Write};
    let addr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    let path = &url[url::Position::BeforePath..];
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn roles_lists_every_role_per_account_without_sts() {
    let w = World::new();
    let r = w.login("nomfa@example.com").arg("roles").expect(0);
    let out = r.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("ACCOUNT"), "{out}");
    assert!(
        out.contains("111111111111 (other-app, staging)")
            && out.contains("arn:aws:iam::111111111111:role/ReadOnly"),
        "{out}"
    );
    assert!(
        out.contains("222222222222 (dev-direct, development)") && out.contains("Developer"),
        "{out}"
    );
    assert_eq!(lines.len(), 4, "{out}");
    let json: serde_json::Value = serde_json::from_str(
        &w.login("nomfa@example.com")
            .args(["roles", "--output", "json"])
            .expect(0)
            .stdout(),
    )
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    assert_eq!(json[0]["roleArn"], "arn:aws:iam::111111111111:role/Admin");
    assert_eq!(
        json[0]["accountNames"],
        serde_json::json!(["other-app", "staging"])
    );
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 0);
    assert!(!w.credentials_path().exists());
}

#[test]
fn a_duration_the_role_does_not_allow_is_retried_with_one_hour() {
    let w = World::new();
    let r = w
        .login("nomfa@example.com")
        .args(["--role", "Admin", "--durationSeconds", "43200"])
        .expect(0);
    r.stderr_has(
        "the role's maximum session is shorter than 43200 s (--durationSeconds); asking for 3600 s",
    );
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 2);
}
