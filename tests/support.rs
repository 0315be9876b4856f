//! The integration-test harness: a sandbox on a random loopback port, a temp HOME with a config.json
//! pointing at it, and a `Test` builder that runs the real `aws-token` binary and returns what it
//! printed, its exit code and the files it left.

use aws_token_sandbox::{Data, Sandbox, data};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use aws_token_sandbox::data::{DEMO_APP, DEMO_TOTP_SECRET, OTHER_APP};

/// The password of every sandbox demo user.
pub const PASSWORD: &str = "correct horse";

/// One test's world: a sandbox and a HOME.
pub struct World {
    pub sandbox: Sandbox,
    pub home: tempfile::TempDir,
}

impl World {
    /// The demo sandbox and a config whose default account `staging` (111111111111) logs in
    /// through the demo app, plus `development` (222222222222, chained) and `dev-direct`
    /// (222222222222 with its own URL).
    pub fn new() -> World {
        World::with_data(data::demo())
    }

    pub fn with_data(d: Data) -> World {
        let sandbox = Sandbox::start(d, 0).expect("sandbox starts");
        World::around(sandbox)
    }

    /// The demo sandbox served over https by a CA generated for it; its PEM is `ca_path()`. The
    /// client trusts it only when told to (SSL_CERT_FILE, SSL_CERT_DIR, AWS_CA_BUNDLE).
    pub fn tls() -> World {
        let identity = aws_token_sandbox::tls::Identity::generate().expect("TLS identity");
        let pem = identity.ca_pem.clone();
        let sandbox = Sandbox::start_with(data::demo(), 0, Some(identity)).expect("sandbox starts");
        let w = World::around(sandbox);
        std::fs::write(w.ca_path(), pem).expect("write the CA");
        w
    }

    fn around(sandbox: Sandbox) -> World {
        let home = tempfile::tempdir().expect("temp HOME");
        let w = World { sandbox, home };
        w.write_config(&w.default_config());
        w
    }

    /// The sandbox CA's PEM (worlds made by `World::tls`).
    pub fn ca_path(&self) -> PathBuf {
        self.home.path().join("sandbox-ca.pem")
    }

    pub fn default_config(&self) -> String {
        format!(
            r#"{{
  "awsConfigPath": "/.aws/credentials",
  "outputFormat": "json",
  "region": "us-east-1",
  "provider": "okta",
  "idpEntryUrl": "{link}",
  "defaultAccount": "staging",
  "accounts": {{
    "staging": "111111111111",
    "development": "222222222222",
    "dev-direct": {{ "accountNumber": "222222222222", "idpEntryUrl": "{link}" }},
    "other-app": {{ "accountNumber": "111111111111", "idpEntryUrl": "{other}" }}
  }}
}}"#,
            link = self.sandbox.embed_link(DEMO_APP),
            other = self.sandbox.embed_link(OTHER_APP)
        )
    }

    /// The default config with `provider` set to `name`.
    pub fn config_with_provider(&self, name: &str) -> String {
        self.default_config().replace(
            "\"provider\": \"okta\"",
            &format!("\"provider\": \"{name}\""),
        )
    }

    /// Log in through the sandbox's plain HTML form IdP (provider "form") instead of Okta.
    pub fn use_form_idp(&self) {
        self.write_config(&self.config_with_provider("form").replace(
            &self.sandbox.embed_link(DEMO_APP),
            &self.sandbox.form_login(DEMO_APP),
        ));
    }

    pub fn config_path(&self) -> PathBuf {
        self.home.path().join("config.json")
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config_path(), text).expect("write config");
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.home.path().join(".aws/credentials")
    }

    pub fn credentials(&self) -> String {
        std::fs::read_to_string(self.credentials_path()).unwrap_or_default()
    }

    pub fn aws_config(&self) -> String {
        std::fs::read_to_string(self.home.path().join(".aws/config")).unwrap_or_default()
    }

    pub fn write_credentials(&self, text: &str) {
        let p = self.credentials_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// A run of aws-token in this world with `--config` set.
    pub fn run(&self) -> Test {
        Test::new(self).args(["--config", self.config_path().to_str().unwrap()])
    }

    /// A run with no `--config` (to test the lookup).
    pub fn run_bare(&self) -> Test {
        Test::new(self)
    }

    /// A login as `user` with the password and, for TOTP users, a fresh code.
    pub fn login(&self, user: &str) -> Test {
        self.run()
            .args(["--username", user])
            .env("AWS_TOKEN_PASSWORD", PASSWORD)
    }
}

/// A loopback port nothing listens on (just released by the OS).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The current code of the demo TOTP secret.
pub fn totp() -> String {
    aws_token_sandbox::totp_now(DEMO_TOTP_SECRET).unwrap()
}

/// A second code for a second sign-in within the same 30 seconds: the sandbox refuses a code
/// used once (Okta's E0000082), and takes the next window's (one step of clock skew), as Okta
/// does.
pub fn next_totp() -> String {
    aws_token_sandbox::totp_at(DEMO_TOTP_SECRET, 30).unwrap()
}

/// One invocation of the binary.
pub struct Test {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

impl Test {
    fn new(w: &World) -> Test {
        // In a session of its own, without a controlling terminal, as in CI: run from a developer's
        // terminal, aws-token would otherwise ask on /dev/tty what a test leaves out. (setsid
        // execs the binary in place: the pid is aws-token's.)
        let mut cmd = Command::new("/usr/bin/setsid");
        cmd.arg(env!("CARGO_BIN_EXE_aws-token"));
        for (k, _) in std::env::vars() {
            // A display makes `console` open a browser: tests that want one set it.
            if k.starts_with("AWS_")
                || matches!(
                    k.as_str(),
                    "XDG_CONFIG_HOME" | "DISPLAY" | "WAYLAND_DISPLAY"
                )
            {
                cmd.env_remove(k);
            }
        }
        cmd.env("HOME", w.home.path())
            .env("NO_COLOR", "1")
            .env("AWS_ENDPOINT_URL_STS", w.sandbox.sts_url())
            .current_dir(w.home.path());
        Test { cmd, stdin: None }
    }

    /// What aws-token reads on stdin (default: nothing, at end of file at once).
    pub fn stdin(mut self, data: &str) -> Test {
        self.stdin = Some(data.as_bytes().to_vec());
        self
    }

    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Test {
        self.cmd.arg(a);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, a: I) -> Test {
        self.cmd.args(a);
        self
    }

    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Test {
        self.cmd.env(k, v);
        self
    }

    pub fn env_remove(mut self, k: &str) -> Test {
        self.cmd.env_remove(k);
        self
    }

    pub fn current_dir(mut self, d: &Path) -> Test {
        self.cmd.current_dir(d);
        self
    }

    /// Run to completion.
    pub fn output(self) -> Run {
        Run(self.spawn().wait_with_output().expect("aws-token finishes"))
    }

    /// Start without waiting: stdin an empty pipe (not a terminal, and at end of file at once),
    /// stdout and stderr piped.
    pub fn spawn(mut self) -> std::process::Child {
        self.cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("aws-token runs");
        if let (Some(data), Some(mut pipe)) = (self.stdin.take(), child.stdin.take()) {
            use std::io::Write;
            let _ = pipe.write_all(&data);
        }
        drop(child.stdin.take());
        child
    }

    /// Run and expect exit code `code`.
    pub fn expect(self, code: i32) -> Run {
        let r = self.output();
        assert_eq!(
            r.code(),
            code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            r.stdout(),
            r.stderr()
        );
        r
    }
}

/// What a run produced.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Assert stderr contains `s`.
    pub fn stderr_has(&self, s: &str) -> &Run {
        assert!(
            self.stderr().contains(s),
            "stderr lacks {s:?}:\n{}",
            self.stderr()
        );
        self
    }
    /// Assert stderr says logout forgot at least one IdP session of `org`. (The suite's tests
    /// share one kernel session keyring, and a sandbox may get the port of an earlier test's:
    /// that test's session, at the same org, is rightly forgotten too.)
    pub fn forgot_sessions_of(&self, org: &str) -> &Run {
        let err = self.stderr();
        let n: u32 = err
            .split(&format!("Logged out of {org}/: forgot "))
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(n >= 1, "no IdP session forgotten:\n{err}");
        self
    }

    /// Assert nothing was printed on stderr.
    pub fn stderr_is_empty(&self) -> &Run {
        assert!(self.stderr().is_empty(), "stderr:\n{}", self.stderr());
        self
    }
    /// Assert stderr says `s` exactly once.
    pub fn stderr_has_once(&self, s: &str) -> &Run {
        assert_eq!(
            self.stderr().matches(s).count(),
            1,
            "stderr says {s:?} not exactly once:\n{}",
            self.stderr()
        );
        self
    }
    /// Assert stdout contains `s`.
    pub fn stdout_has(&self, s: &str) -> &Run {
        assert!(
            self.stdout().contains(s),
            "stdout lacks {s:?}:\n{}",
            self.stdout()
        );
        self
    }
    pub fn stdout_is(&self, s: &str) -> &Run {
        assert_eq!(self.stdout(), s, "stderr:\n{}", self.stderr());
        self
    }
}

/// The value of `key` in `[section]` of an INI text (first match).
pub fn ini_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t == format!("[{section}]");
            continue;
        }
        if inside
            && let Some((k, v)) = t.split_once('=')
            && k.trim() == key
        {
            return Some(v.trim().to_owned());
        }
    }
    None
}

/// The Python virtualenv with moto and botocore that tests/setup.sh makes.
pub fn venv() -> PathBuf {
    let p = std::env::var_os("AWS_TOKEN_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv"));
    assert!(
        p.join("bin/python").exists(),
        "the test virtualenv is missing at {}: run tests/setup.sh (it installs moto, flask, flask-cors, botocore)",
        p.display()
    );
    p
}

/// botocore's view of each of `profiles` in `w`'s HOME, as the AWS CLI reads the files: one line
/// `profile access_key secret_key token region` each (`None` where botocore finds nothing).
/// Run `script` with the test venv's Python (botocore there) as a tool in `w` would run: HOME,
/// PATH, the sandbox's STS and the file keyring; its stdout, which must come with exit 0.
pub fn python_in(w: &World, script: &str, args: &[&str]) -> String {
    let out = Command::new(venv().join("bin/python"))
        .args(["-c", script])
        .args(args)
        .env_clear()
        .env("HOME", w.home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL_STS", w.sandbox.sts_url())
        .env("AWS_TOKEN_KEYRING", "file")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn botocore_reads(w: &World, profiles: &[&str]) -> Vec<String> {
    let script = r#"
import botocore.session, sys
for p in sys.argv[1:]:
    s = botocore.session.Session(profile=p)
    c = s.get_credentials()
    print(p, c.access_key, c.secret_key, c.token, s.get_config_variable('region'))
"#;
    let out = std::process::Command::new(venv().join("bin/python"))
        .args(["-c", script])
        .args(profiles)
        .env_clear()
        .env("HOME", w.home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "botocore cannot read the files: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}
