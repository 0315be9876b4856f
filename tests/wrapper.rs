//! The `example/aws-token` wrapper script, run with a stand-in `docker` on PATH that records the
//! arguments it was given and answers as the image would.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    /// A `docker` that writes its arguments (one per line) and selected env to files, prints a
    /// profile line and exits with $FAKE_DOCKER_EXIT.
    fn new() -> Fake {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let docker = bin.join("docker");
        std::fs::write(
            &docker,
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$FAKE_DOCKER_DIR/args\"\nprintf 'export AWS_PROFILE=staging\\n'\nexit \"${FAKE_DOCKER_EXIT:-0}\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
        Fake { dir }
    }

    fn home(&self) -> std::path::PathBuf {
        self.dir.path().join("home")
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String, Vec<String>) {
        std::fs::create_dir_all(self.home()).unwrap();
        let path = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap()
        );
        let mut cmd = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/example/aws-token"));
        cmd.args(args)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.home())
            .env("FAKE_DOCKER_DIR", self.dir.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.stdin(std::process::Stdio::null()).output().unwrap();
        let recorded = std::fs::read_to_string(self.dir.path().join("args")).unwrap_or_default();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            recorded.lines().map(str::to_owned).collect(),
        )
    }
}

fn uid_gid() -> String {
    let id = |flag: &str| {
        let o = Command::new("id").arg(flag).output().unwrap();
        String::from_utf8(o.stdout).unwrap().trim().to_owned()
    };
    format!("{}:{}", id("-u"), id("-g"))
}

#[test]
fn runs_the_image_with_aws_dir_mounted_and_arguments_passed_through() {
    let f = Fake::new();
    let (code, stdout, args) = f.run(
        &[
            "--role",
            "Admin",
            "--account",
            "development",
            "--profile",
            "my profile",
        ],
        &[
            ("AWS_TOKEN_IMAGE", "acme/aws-token:1"),
            ("AWS_TOKEN_PASSWORD", "s3cret"),
            ("AWS_TOKEN_OTP", "123456"),
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(stdout, "export AWS_PROFILE=staging\n");
    let home = f.home();
    let mut expected: Vec<String> = [
        "run",
        "--rm",
        "-i",
        "-v",
        &format!("{}/.aws:/home/aws-token/.aws", home.display()),
        "-e",
        "HOME=/home/aws-token",
        "--user",
        &uid_gid(),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // Env vars go by name only: their values never reach docker's command line.
    let mut env_names: Vec<String> = args
        .windows(2)
        .filter(|w| w[0] == "-e" && w[1].starts_with("AWS_TOKEN_"))
        .map(|w| w[1].clone())
        .collect();
    env_names.sort();
    assert_eq!(env_names, ["AWS_TOKEN_OTP", "AWS_TOKEN_PASSWORD"]);
    assert!(!args.iter().any(|a| a.contains("s3cret")), "{args:?}");
    for name in ["AWS_TOKEN_OTP", "AWS_TOKEN_PASSWORD"] {
        expected.push("-e".into());
        expected.push(name.into());
    }
    expected.extend(
        [
            "acme/aws-token:1",
            "--role",
            "Admin",
            "--account",
            "development",
            "--profile",
            "my profile",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    let mut got = args.clone();
    // The env pairs come in `env` order; compare them as a set above and in place here.
    let env_start = 9;
    got[env_start..env_start + 4].sort();
    expected[env_start..env_start + 4].sort();
    assert_eq!(got, expected);
    assert!(
        home.join(".aws").is_dir(),
        "~/.aws is created so docker does not create it as root"
    );
}

#[test]
fn exit_code_of_the_container_is_kept() {
    let f = Fake::new();
    let (code, _, _) = f.run(&[], &[("FAKE_DOCKER_EXIT", "3")]);
    assert_eq!(code, 3);
}

#[test]
fn extra_docker_arguments_and_another_aws_dir() {
    let f = Fake::new();
    let dir = f.dir.path().join("elsewhere");
    let (_, _, args) = f.run(
        &["--show-config"],
        &[
            ("AWS_TOKEN_DOCKER_ARGS", "--network host"),
            ("AWS_TOKEN_AWS_DIR", dir.to_str().unwrap()),
        ],
    );
    assert!(
        args.contains(&format!("{}:/home/aws-token/.aws", dir.display())),
        "{args:?}"
    );
    let i = args.iter().position(|a| a == "--network").unwrap();
    assert_eq!(args[i + 1], "host");
    assert_eq!(args[i + 2], "example-org/aws-token-config:latest");
    assert_eq!(args.last().unwrap(), "--show-config");
    assert!(
        !args
            .iter()
            .any(|a| a == "AWS_TOKEN_DOCKER_ARGS" || a == "AWS_TOKEN_AWS_DIR")
    );
}
