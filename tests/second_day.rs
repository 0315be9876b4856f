//! What a new user trips on the second day (issue 20): `login` by name, stdout that `eval` can
//! always run, a profile that changes role says so, `--all` leaves valid profiles alone, `logout`
//! that counts right, stays quiet with `-q` and names what it leaves, `exec`'s shell exit codes,
//! and `--version` naming the commit.

use crate::support::*;

fn admin(t: Test) -> Test {
    t.args(["--role", "Admin"])
}

#[test]
fn login_is_the_default_command_by_name() {
    let w = World::new();
    admin(w.login("nomfa@example.com"))
        .arg("login")
        .expect(0)
        .stdout_is("export AWS_PROFILE=staging\nexport AWS_DEFAULT_REGION=us-east-1\n");
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 1);
}

#[test]
fn output_none_prints_nothing_while_the_profile_is_still_valid() {
    let w = World::new();
    admin(w.login("nomfa@example.com")).expect(0);
    admin(w.login("nomfa@example.com"))
        .args(["--output", "none"])
        .expect(0)
        .stdout_is("")
        .stderr_has("is still valid");
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 1);
}

/// Run `script` in sh with `AWS_TOKEN_OUT` set to `stdout`, as `eval "$(aws-token ...)"` would.
fn eval_in_sh(stdout: &str) -> std::process::Output {
    std::process::Command::new("sh")
        .args(["-c", "eval \"$AWS_TOKEN_OUT\"; echo evaluated"])
        .env("AWS_TOKEN_OUT", stdout)
        .output()
        .unwrap()
}

#[test]
fn eval_of_all_runs_nothing_and_valid_profiles_are_left_alone() {
    let w = World::new();
    let all = || {
        w.login("demo@example.com")
            .args(["--otp", &totp(), "--all"])
    };
    let first = all().expect(0);
    let out = eval_in_sh(&first.stdout());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "evaluated\n");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 3);
    // Again: every profile is still valid, so no STS call; the same stdout.
    let again = w
        .run()
        .args(["--username", "demo@example.com", "--all"])
        .expect(0);
    again
        .stderr_has("Profile staging-Admin is still valid")
        .stderr_has("(3 still valid, left as they were)");
    assert_eq!(again.stdout(), first.stdout());
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 3);
    // --force renews them.
    w.run()
        .args(["--username", "demo@example.com", "--all", "--force"])
        .expect(0);
    assert_eq!(w.sandbox.requests().assume_role_with_saml, 6);
}

#[test]
fn a_profile_that_changes_role_says_so() {
    let w = World::new();
    w.login("nomfa@example.com")
        .args(["--role", "ReadOnly"])
        .expect(0);
    admin(w.login("nomfa@example.com"))
        .expect(0)
        .stderr_has("profile staging held ReadOnly in 111111111111; now Admin in 111111111111");
    // The same role again (forced): nothing to say.
    let r = admin(w.login("nomfa@example.com")).arg("--force").expect(0);
    assert!(!r.stderr().contains("held"), "{}", r.stderr());
}

#[test]
fn logout_counts_right_is_quiet_with_q_refuses_all_and_names_valid_profiles() {
    let w = World::new();
    // The counts are this test's own: its sessions in a file of its HOME (the suite's kernel
    // keyring is shared, and a sandbox port an earlier test used may name an org it kept).
    let w_run = || w.run().env("AWS_TOKEN_KEYRING", "file");
    let login = || {
        w.login("nomfa@example.com")
            .env("AWS_TOKEN_KEYRING", "file")
    };
    admin(login()).expect(0);
    admin(login())
        .args(["credential-process", "--role", "ReadOnly"])
        .expect(0);
    w_run()
        .args(["logout", "--all"])
        .expect(2)
        .stderr_has("--all is a login flag");
    let r = w_run().arg("logout").expect(0);
    r.stderr_has("1 IdP session (kept in")
        .stderr_has("1 set of cached credentials (in")
        .stderr_has("Still valid in ")
        .stderr_has("staging (until ");
    assert!(!r.stderr().contains("credentialss"), "{}", r.stderr());
    w_run().args(["logout", "-q"]).expect(0).stderr_is_empty();
    // Two sets: the plural.
    admin(login())
        .args(["credential-process", "--role", "ReadOnly"])
        .expect(0);
    admin(login())
        .args(["credential-process", "--role", "Admin"])
        .expect(0);
    w_run()
        .arg("logout")
        .expect(0)
        .stderr_has("2 sets of cached credentials");
}

#[test]
fn one_sign_in_per_org_whatever_the_spelling() {
    let w = World::new();
    admin(w.login("nomfa@example.com")).expect(0);
    assert_eq!(w.sandbox.requests().authn, 1);
    // No username, no password: the org's last username finds the kept session.
    w.run().arg("roles").expect(0);
    w.run()
        .args(["credential-process", "--role", "ReadOnly"])
        .expect(0);
    w.run()
        .args(["exec", "--role", "ReadOnly", "--profile", "x", "--", "true"])
        .expect(0);
    w.run()
        .args(["console", "--role", "Admin"])
        .env("AWS_TOKEN_FEDERATION_URL", w.sandbox.federation_url())
        .expect(0);
    assert_eq!(w.sandbox.requests().authn, 1, "signed in again");
    // The same through the environment's spelling.
    w.run()
        .args(["credential-process", "--role", "Admin", "--force"])
        .env("AWS_TOKEN_USERNAME", "nomfa@example.com")
        .expect(0);
    assert_eq!(w.sandbox.requests().authn, 1);
}

#[test]
fn a_login_without_a_terminal_takes_the_orgs_last_username() {
    let w = World::new();
    admin(w.login("nomfa@example.com")).expect(0);
    w.sandbox.end_sessions();
    admin(w.run())
        .arg("--force")
        .env("AWS_TOKEN_PASSWORD", PASSWORD)
        .expect(0)
        .stderr_has("assumed-role/Admin/nomfa@example.com");
}

#[test]
fn remember_on_a_run_that_skips_the_login_keeps_the_password_at_the_next_one() {
    let w = World::new();
    admin(w.login("nomfa@example.com")).expect(0);
    admin(w.run())
        .args(["--username", "nomfa@example.com", "--remember"])
        .expect(0)
        .stderr_has("the password of nomfa@example.com is remembered at the next login");
    // The next real login (the session ended, the password given once) keeps it...
    w.sandbox.end_sessions();
    admin(w.login("nomfa@example.com"))
        .arg("--force")
        .expect(0)
        .stderr_has("The password of nomfa@example.com is remembered");
    // ...so the one after needs none.
    w.sandbox.end_sessions();
    admin(w.run())
        .args(["--username", "nomfa@example.com", "--force"])
        .expect(0);
}

/// What bash completes after `words` (the last one being typed), with aws-token's own script.
fn bash_completes(w: &World, words: &[&str]) -> Vec<String> {
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_aws-token"))
        .parent()
        .unwrap()
        .to_owned();
    let line = words.join(" ");
    let script = format!(
        "source <(aws-token completions bash); COMP_WORDS=({line}); COMP_CWORD={}; _aws__token aws-token \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words.len() - 1
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .env_clear()
        .env("HOME", w.home.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .current_dir(w.home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    v.sort();
    v
}

#[test]
fn completion_offers_the_configs_accounts_and_the_orgs_roles() {
    let w = World::new();
    assert_eq!(
        bash_completes(&w, &["aws-token", "--account", "''"]),
        ["dev-direct", "development", "other-app", "staging"]
    );
    assert_eq!(
        bash_completes(&w, &["aws-token", "--account", "dev"]),
        ["dev-direct", "development"]
    );
    // Roles: none before a login, then the ones the org granted.
    assert!(bash_completes(&w, &["aws-token", "--role", "''"]).is_empty());
    w.login("demo@example.com")
        .args(["--otp", &totp(), "--role", "Admin"])
        .expect(0);
    assert_eq!(
        bash_completes(&w, &["aws-token", "exec", "--role", "''"]),
        ["Admin", "Developer", "ReadOnly"]
    );
}

#[test]
fn help_fits_a_screen_and_a_subcommands_help_shows_what_it_uses() {
    let w = World::new();
    let top = w.run_bare().arg("-h").expect(0).stdout();
    assert!(
        top.lines().count() <= 72,
        "{} lines:\n{top}",
        top.lines().count()
    );
    for heading in [
        "Login:",
        "MFA:",
        "Output:",
        "Browser:",
        "Network:",
        "Examples:",
    ] {
        assert!(top.contains(heading), "{heading} missing:\n{top}");
    }
    assert!(!top.contains("[env:"), "{top}");
    let logout = w.run_bare().args(["logout", "-h"]).expect(0).stdout();
    assert!(logout.lines().count() <= 20, "{logout}");
    assert!(
        logout.contains("--all-orgs") && logout.contains("--config"),
        "{logout}"
    );
    assert!(
        !logout.contains("--role") && !logout.contains("--otp"),
        "{logout}"
    );
    let exec = w.run_bare().args(["exec", "--help"]).expect(0).stdout();
    assert!(
        exec.contains("--role") && !exec.contains("--all "),
        "{exec}"
    );
    // Every option is still accepted after a subcommand.
    w.run().args(["logout", "--role", "Admin", "-q"]).expect(0);
}

/// What `aws-token exec` (with `args` before `--`) gives its command: the identity botocore
/// finds there, checked at the sandbox's STS.
fn exec_identity(w: &World, args: &[&str], env: &[(&str, &str)]) -> Run {
    let script = "import botocore.session, os\ns = botocore.session.get_session()\nsts = s.create_client('sts', region_name='us-east-1', endpoint_url=os.environ['AWS_ENDPOINT_URL_STS'])\nprint(sts.get_caller_identity()['Arn'])";
    let mut t = w
        .login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("exec")
        .args(args)
        .arg("--")
        .arg(venv().join("bin/python"))
        .args(["-c", script]);
    for (k, v) in env {
        t = t.env(k, v);
    }
    t.output()
}

fn profile_selects(identity_engine: bool) {
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = identity_engine;
    let w = World::with_data(d);
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["configure", "profiles"])
        .expect(0);
    // --profile and AWS_PROFILE select the generated profile's account and role.
    let r = exec_identity(&w, &["--profile", "dev-direct-Developer"], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        r.stdout(),
        "arn:aws:sts::222222222222:assumed-role/Developer/nomfa@example.com\n"
    );
    let r = exec_identity(&w, &[], &[("AWS_PROFILE", "staging-ReadOnly")]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        r.stdout(),
        "arn:aws:sts::111111111111:assumed-role/ReadOnly/nomfa@example.com\n"
    );
    // A login given a generated profile writes that profile's role under it...
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--profile", "staging-ReadOnly"])
        .expect(0)
        .stderr_has("assumed-role/ReadOnly/nomfa@example.com");
    // ...and never another role's keys.
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--profile", "staging-ReadOnly", "--role", "Admin"])
        .expect(2)
        .stderr_has("is aws-token's profile for arn:aws:iam::111111111111:role/ReadOnly");
    // A profile aws-token recorded from a login selects too (here: written by --all).
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--all", "--profile", "x"])
        .output();
    // A name aws-token does not know is refused with the names it knows.
    let r = exec_identity(&w, &["--profile", "nonsense"], &[]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    r.stderr_has("--profile \"nonsense\" is not a profile aws-token wrote")
        .stderr_has("dev-direct-Developer");
    let r = exec_identity(&w, &[], &[("AWS_PROFILE", "my-own")]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    r.stderr_has("AWS_PROFILE \"my-own\"")
        .stderr_has("unset AWS_PROFILE");
    // --role and --account still say what to do, whatever the name.
    let r = exec_identity(&w, &["--role", "Admin"], &[("AWS_PROFILE", "my-own")]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stdout().contains("assumed-role/Admin/"), "{}", r.stdout());
    // serve and console select the same way.
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["console", "--profile", "nonsense", "--stdout"])
        .expect(2);
}

#[test]
fn profile_and_aws_profile_select_as_in_every_aws_tool_classic() {
    profile_selects(false);
}

#[test]
fn profile_and_aws_profile_select_as_in_every_aws_tool_identity_engine() {
    profile_selects(true);
}

/// How botocore resolves `profile` in `w`: its credential provider's method.
fn botocore_method(w: &World, profile: &str) -> String {
    let script = "import botocore.session, sys\nprint(botocore.session.Session(profile=sys.argv[1]).get_credentials().method)";
    python_in(w, script, &[profile]).trim().to_owned()
}

fn nothing_shadows_a_generated_profile(identity_engine: bool) {
    let mut d = aws_token_sandbox::data::demo();
    d.identity_engine = identity_engine;
    let w = World::with_data(d);
    let nomfa = |args: &[&str]| {
        w.login("nomfa@example.com")
            .env("AWS_TOKEN_KEYRING", "file")
            .args(args)
    };
    // configure profiles, then --all: the generated profiles are not shadowed by static keys.
    nomfa(&["configure", "profiles"]).expect(0);
    nomfa(&["--all"])
        .expect(0)
        .stderr_has("resolves through aws-token (credential_process)");
    assert!(
        !w.credentials().contains("[staging-Admin]"),
        "{}",
        w.credentials()
    );
    assert_eq!(botocore_method(&w, "staging-Admin"), "custom-process");
    // --profile of a generated profile: its credentials are made ready, nothing is written.
    nomfa(&["--profile", "staging-ReadOnly"])
        .expect(0)
        .stdout_is("export AWS_PROFILE=staging-ReadOnly\nexport AWS_DEFAULT_REGION=us-east-1\n");
    assert!(!w.credentials().contains("[staging-ReadOnly]"));
    assert_eq!(botocore_method(&w, "staging-ReadOnly"), "custom-process");
    // The reverse order: keys an older run left are named by configure profiles and status.
    w.write_credentials(&format!(
        "{}\n[dev-direct-Developer]\naws_access_key_id = ASIAOLD\naws_secret_access_key = x\naws_session_token = y\n",
        w.credentials()
    ));
    nomfa(&["configure", "profiles"])
        .expect(0)
        .stderr_has("[dev-direct-Developer] in ")
        .stderr_has("hides the profile of the same name");
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .arg("status")
        .expect(0)
        .stdout_has("[dev-direct-Developer] in ");
}

#[test]
fn one_name_per_role_nothing_shadows_a_generated_profile_classic() {
    nothing_shadows_a_generated_profile(false);
}

#[test]
fn one_name_per_role_nothing_shadows_a_generated_profile_identity_engine() {
    nothing_shadows_a_generated_profile(true);
}

#[test]
fn usernames_are_case_insensitive_for_sessions_cache_keys_and_the_remembered_username() {
    let w = World::new();
    w.login("nomfa@example.com")
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--role", "Admin"])
        .expect(0);
    // Another spelling of the same user finds the kept session: no password sent again.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args([
            "credential-process",
            "--username",
            "NoMFA@Example.COM",
            "--role",
            "ReadOnly",
        ])
        .expect(0);
    assert_eq!(w.sandbox.requests().authn, 1);
    let sts = w.sandbox.requests().assume_role_with_saml;
    // ...and the credentials it cached, in a third spelling.
    w.run()
        .env("AWS_TOKEN_KEYRING", "file")
        .args([
            "credential-process",
            "--username",
            "NOMFA@EXAMPLE.COM",
            "--role",
            "ReadOnly",
        ])
        .expect(0);
    assert_eq!(
        w.sandbox.requests().assume_role_with_saml,
        sts,
        "not from the cache"
    );
    // The remembered username keeps its first spelling.
    let remembered =
        std::fs::read_to_string(w.home.path().join(".cache/aws-token/usernames.json")).unwrap();
    assert!(remembered.contains("\"nomfa@example.com\""), "{remembered}");
}
