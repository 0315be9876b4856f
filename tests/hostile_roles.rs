//! Text from the IdP never becomes code or config: a Role attribute value that is not an IAM ARN
//! is skipped (with a printable warning) before anything reads it; no INI writer takes a control
//! character; the completion scripts of bash, zsh and fish offer a role name as one literal word,
//! and `__complete` offers IAM names only; `configure profiles` refuses two roles under one name
//! and keeps one block per full app link. Each test is named after the defect it guards against.

use crate::bad_input::{role_attribute, saml_with};
use crate::support::*;
use aws_token_sandbox::data;
use std::path::Path;
use std::process::Command;

const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/Okta";

/// A world whose embed link posts a SAMLResponse granting Admin and one more Role value (raw XML
/// text, so that a line break can be written as itself, as a CR, or as a character reference).
fn world_granting(extra_value: &str) -> World {
    let mut d = data::demo();
    let values = format!(
        "{}</saml2:AttributeValue><saml2:AttributeValue>{PROVIDER},{extra_value}",
        format_args!("{PROVIDER},arn:aws:iam::111111111111:role/Admin")
    );
    d.faults.saml_response = Some(saml_with(&role_attribute(&values)));
    World::with_data(d)
}

/// The profiles botocore sees in `w`'s ~/.aws/config.
fn botocore_profiles(w: &World) -> Vec<String> {
    let script = "import botocore.session\nfor p in sorted(botocore.session.Session().available_profiles): print(p)";
    python_in(w, script, &[])
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn configure_profiles_never_writes_a_section_or_command_the_idp_names() {
    // A line feed as itself, a bare carriage return, and a character reference; the last path
    // segment (the role name, hence the profile name) is a plain one.
    for newline in ["\n", "\r", "&#10;"] {
        let hostile = format!(
            "arn:aws:iam::111111111111:role/x{newline}[profile staging-Admin]{newline}credential_process = touch PWNED #/Evil"
        );
        let w = world_granting(&hostile);
        let r = w
            .login("nomfa@example.com")
            .env("AWS_TOKEN_KEYRING", "file")
            .args(["configure", "profiles"])
            .expect(0);
        assert_eq!(r.stdout(), "staging-Admin\n", "{newline:?}");
        r.stderr_has("skipped").stderr_has("not an IAM role");
        // The warning shows the value in printable form: no line of it starts a section.
        assert!(
            r.stderr().lines().all(|l| !l.starts_with("[profile")),
            "{}",
            r.stderr()
        );
        let text = w.aws_config();
        assert!(!text.contains("touch"), "{newline:?}:\n{text}");
        assert_eq!(text.matches("[profile staging-Admin]").count(), 1, "{text}");
        assert_eq!(botocore_profiles(&w), ["staging-Admin"], "{newline:?}");
        // Nothing about the skipped value reached the role completion either.
        let names = w.run().args(["__complete", "roles"]).expect(0).stdout();
        assert_eq!(names, "Admin\n", "{newline:?}");
    }
}

#[test]
fn a_role_name_that_is_not_an_iam_name_is_never_offered_for_completion() {
    let w = World::new();
    w.login("nomfa@example.com")
        .args(["--role", "Admin"])
        .expect(0);
    // An older aws-token (or a hand) left names in roles.json that no IAM role can have.
    let path = w.home.path().join(".cache/aws-token/roles.json");
    let mut all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for names in all.as_object_mut().unwrap().values_mut() {
        let list = names.as_array_mut().unwrap();
        list.push("$(touch${IFS}PWNED)".into());
        list.push("a\nb".into());
        list.push("`id`".into());
    }
    std::fs::write(&path, all.to_string()).unwrap();
    let names = w.run().args(["__complete", "roles"]).expect(0).stdout();
    assert_eq!(names, "Admin\nDeveloper\nReadOnly\n");
}

/// A directory with a stand-in `aws-token` whose `__complete` prints `word` (a hostile IdP's role
/// name, as an older aws-token kept it), and the real completion script for `shell`.
fn completion_setup(dir: &Path, shell: &str, word: &str) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("aws-token");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nprintf '%s\\n' '{}'\n",
            word.replace('\'', r"'\''")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = Command::new(env!("CARGO_BIN_EXE_aws-token"))
        .args(["completions", shell])
        .output()
        .unwrap()
        .stdout;
    let path = dir.join(format!("aws-token.{shell}"));
    std::fs::write(&path, script).unwrap();
    path
}

/// Press Tab after `aws-token --role ` in `shell` (bash, zsh or fish, in a pseudo-terminal, no
/// user rc files) where `__complete roles` prints `$(touch${IFS}PWNED)`: what the terminal showed.
/// The role is offered as the literal word, and no file is created.
fn press_tab_in(shell: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let word = "$(touch${IFS}PWNED)";
    let script = completion_setup(dir.path(), shell, word);
    let script = script.display();
    let argv: Vec<String> = match shell {
        "bash" => {
            let rc = dir.path().join("bashrc");
            std::fs::write(&rc, format!("PS1='READY> '\nsource {script}\n")).unwrap();
            [
                "bash",
                "--noprofile",
                "--rcfile",
                rc.to_str().unwrap(),
                "-i",
            ]
            .map(str::to_owned)
            .to_vec()
        }
        "zsh" => {
            std::fs::write(
                dir.path().join(".zshrc"),
                format!("PS1='READY> '\nautoload -U compinit\ncompinit -u -D\nsource {script}\n"),
            )
            .unwrap();
            ["zsh", "-i"].map(str::to_owned).to_vec()
        }
        _ => vec![
            "fish".into(),
            "--no-config".into(),
            "-i".into(),
            "-C".into(),
            format!("source {script}; function fish_prompt; echo -n 'READY> '; end"),
        ],
    };
    let shell_path = ["/usr/bin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(shell))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{shell} is not installed (tests/setup.sh installs it)"));
    let mut cmd = Command::new(venv().join("bin/python"));
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pty_driver.py"))
        .arg(shell_path)
        .args(&argv[1..])
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", dir.path().join("bin").display()),
        )
        .env("HOME", dir.path())
        .env("ZDOTDIR", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .env(
            "TTY_ANSWERS",
            serde_json::json!([
                ["READY> ", "aws-token --role \t"],
                ["PWNED", "\x03"],
                ["READY> ", "exit 0\r"],
            ])
            .to_string(),
        );
    let out = cmd.output().unwrap();
    let screen =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !dir.path().join("PWNED").exists(),
        "{shell}: Tab ran the command in a role name:\n{screen}"
    );
    assert!(out.status.success(), "{shell}:\n{screen}");
    screen
}

#[test]
fn bash_completion_of_role_never_runs_a_command_in_a_role_name() {
    let screen = press_tab_in("bash");
    assert!(
        screen.contains("aws-token --role $(touch${IFS}PWNED)"),
        "{screen}"
    );
}

#[test]
fn zsh_completion_of_role_never_runs_a_command_in_a_role_name() {
    let screen = press_tab_in("zsh");
    assert!(screen.contains(r"\$\(touch\$\{IFS\}PWNED\)"), "{screen}");
}

#[test]
fn fish_completion_of_role_never_runs_a_command_in_a_role_name() {
    let screen = press_tab_in("fish");
    // fish offers the word itself, escaped (before, it offered file names: its condition never
    // held while the option's value was missing).
    assert!(screen.contains(r"\$\(touch\$\{IFS\}PWNED\)"), "{screen}");
}

#[test]
fn configure_profiles_refuses_two_roles_under_one_name() {
    let mut d = data::demo();
    for user in d
        .users
        .iter_mut()
        .filter(|u| u.login == "nomfa@example.com")
    {
        let roles = user.apps.get_mut(DEMO_APP).unwrap();
        roles.push("arn:aws:iam::222222222222:role/Admin".into());
        roles.push("arn:aws:iam::111111111111:role/team/ReadOnly".into());
    }
    let w = World::with_data(d);
    let profiles = |extra: &[&str]| {
        w.login("nomfa@example.com")
            .env("AWS_TOKEN_KEYRING", "file")
            .args(["configure", "profiles"])
            .args(extra)
    };
    let r = profiles(&["--name-template", "{role}"]).expect(2);
    r.stderr_has("more than one role the same profile name")
        .stderr_has("Admin (arn:aws:iam::111111111111:role/Admin, arn:aws:iam::222222222222:role/Admin)")
        .stderr_has("ReadOnly (arn:aws:iam::111111111111:role/ReadOnly, arn:aws:iam::111111111111:role/team/ReadOnly)")
        .stderr_has("nothing was written");
    assert_eq!(w.aws_config(), "");
    // {account_id}-{role} still gives role/A and role/team/A one name in one account.
    profiles(&["--name-template", "{account_id}-{role}"])
        .expect(2)
        .stderr_has("111111111111-ReadOnly (");
    assert_eq!(w.aws_config(), "");
}

#[test]
fn two_apps_whose_links_differ_only_in_the_query_keep_a_block_each() {
    let w = World::new();
    let link = w.sandbox.embed_link(DEMO_APP);
    let profiles = |query: &str, prefix: &str| {
        w.write_config(&w.default_config().replace(
            &format!("\"idpEntryUrl\": \"{link}\",\n  \"defaultAccount\""),
            &format!("\"idpEntryUrl\": \"{link}?{query}\",\n  \"defaultAccount\""),
        ));
        w.login("nomfa@example.com")
            .env("AWS_TOKEN_KEYRING", "file")
            .args(["configure", "profiles", "--prefix", prefix])
            .expect(0);
    };
    profiles("app=one", "one-");
    profiles("app=two", "two-");
    let text = w.aws_config();
    assert_eq!(
        text.matches("# >>> aws-token profiles").count(),
        2,
        "{text}"
    );
    assert!(text.contains("[profile one-staging-Admin]"), "{text}");
    assert!(text.contains("[profile two-staging-Admin]"), "{text}");
    // The query's values are not in the marker (a link may carry a secret there).
    assert!(
        !text.contains("app=one") && !text.contains("app=two"),
        "{text}"
    );
    // A re-run of the first replaces its own block only.
    profiles("app=one", "uno-");
    let text = w.aws_config();
    assert_eq!(
        text.matches("# >>> aws-token profiles").count(),
        2,
        "{text}"
    );
    assert!(!text.contains("[profile one-staging-Admin]"), "{text}");
    assert!(text.contains("[profile uno-staging-Admin]"), "{text}");
    assert!(text.contains("[profile two-staging-Admin]"), "{text}");
}

#[test]
fn a_block_written_before_the_link_was_hashed_is_taken_over_not_doubled() {
    let w = World::new();
    let link = w.sandbox.embed_link(DEMO_APP);
    let config = w.home.path().join(".aws/config");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "[default]\nregion = eu-north-1\n\n# >>> aws-token profiles for {link} (written by `aws-token configure profiles`; changes inside are replaced) >>>\n[profile staging-Admin]\ncredential_process = old\n\n# <<< aws-token profiles for {link} <<<\n"
        ),
    )
    .unwrap();
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["configure", "profiles"])
        .expect(0);
    let text = w.aws_config();
    assert_eq!(
        text.matches("# >>> aws-token profiles").count(),
        1,
        "{text}"
    );
    assert_eq!(text.matches("[profile staging-Admin]").count(), 1, "{text}");
    assert!(!text.contains("credential_process = old"), "{text}");
    assert!(
        text.starts_with("[default]\nregion = eu-north-1\n"),
        "{text}"
    );
}

#[test]
fn an_odd_region_from_the_destination_is_not_taken() {
    let mut d = data::demo();
    let saml = saml_with(&role_attribute(&format!(
        "{PROVIDER},arn:aws:iam::111111111111:role/Admin"
    )));
    // The same response, its Destination naming a "region" that is a shell command.
    let xml = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &saml).unwrap(),
    )
    .unwrap()
    .replace(
        "https://signin.aws.amazon.com/saml",
        "https://a$(id)b.signin.aws.amazon.com/saml",
    );
    d.faults.saml_response = Some(base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        xml,
    ));
    let w = World::with_data(d);
    // No region in the config: the Destination's would be used. The sandbox's STS refuses the
    // unsigned assertion (exit 5): the region never made it an internal error (exit 1).
    w.write_config(&w.default_config().replace("\"region\": \"us-east-1\",", ""));
    let r = w
        .login("nomfa@example.com")
        .args(["--role", "Admin"])
        .output();
    assert_eq!(r.code(), 5, "{}", r.stderr());
    assert!(!r.stderr().contains("internal error"), "{}", r.stderr());
}
