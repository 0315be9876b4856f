//! Set up in one command (issue 21.1, 21.2): `configure` writes config.json from the app's link
//! and answers (flags or a terminal), signs in once and lists the roles; `configure profiles`
//! writes a `credential_process` profile per role in a marked block of ~/.aws/config that re-runs
//! update in place, and that botocore resolves.

use crate::support::*;
use std::path::PathBuf;

/// A directory with no config.json, to run from (the World's HOME has one).
fn elsewhere(w: &World) -> PathBuf {
    let d = w.home.path().join("work");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn written_config(w: &World) -> serde_json::Value {
    let p = w.home.path().join(".config/aws-token/config.json");
    serde_json::from_str(&std::fs::read_to_string(&p).expect("config.json written")).unwrap()
}

/// `configure` with flags, from a directory without a config.
fn configure(w: &World, extra: &[&str]) -> Test {
    w.run_bare()
        .current_dir(&elsewhere(w))
        .env("AWS_TOKEN_KEYRING", "file")
        .env("AWS_TOKEN_PASSWORD", PASSWORD)
        .args([
            "configure",
            "--idp-entry-url",
            &w.sandbox.embed_link(DEMO_APP),
            "--username",
            "nomfa@example.com",
        ])
        .args(extra)
}

#[test]
fn configure_writes_the_config_signs_in_once_and_the_next_run_needs_nothing_more() {
    let w = World::new();
    let r = configure(
        &w,
        &[
            "--account",
            "prod",
            "--role",
            "ReadOnly",
            "--region",
            "eu-west-1",
        ],
    )
    .expect(0);
    // The roles the user has, as `roles` lists them.
    let out = r.stdout();
    assert!(out.starts_with("ACCOUNT"), "{out}");
    for arn in [
        "arn:aws:iam::111111111111:role/Admin",
        "arn:aws:iam::111111111111:role/ReadOnly",
        "arn:aws:iam::222222222222:role/Developer",
    ] {
        assert!(out.contains(arn), "{out}");
    }
    assert!(out.contains("111111111111 (prod)"), "{out}");
    r.stderr_has("default account prod, default role ReadOnly");
    r.stderr_has("The org runs Okta Classic (Authn API)");
    let c = written_config(&w);
    assert_eq!(c["idpEntryUrl"], w.sandbox.embed_link(DEMO_APP));
    assert_eq!(c["provider"], "okta");
    assert_eq!(c["region"], "eu-west-1");
    assert_eq!(c["defaultAccount"], "prod");
    assert_eq!(c["defaultRole"], "ReadOnly");
    assert_eq!(c["accounts"]["prod"], "111111111111");
    // Another account of the same app is logged in to directly, not by chaining.
    assert_eq!(
        c["accounts"]["222222222222"]["idpEntryUrl"],
        w.sandbox.embed_link(DEMO_APP)
    );
    assert_eq!(w.sandbox.requests().authn, 1);

    // The next run, from anywhere, with no flag: the config found, the username and session
    // kept, the default role used.
    let r = w
        .run_bare()
        .current_dir(&elsewhere(&w))
        .env("AWS_TOKEN_KEYRING", "file")
        .expect(0);
    assert_eq!(
        r.stdout(),
        "export AWS_PROFILE=prod\nexport AWS_DEFAULT_REGION=eu-west-1\n"
    );
    r.stderr_has("assumed-role/ReadOnly/nomfa@example.com");
    assert_eq!(w.sandbox.requests().authn, 1, "signed in again");
    // The other account too.
    w.run_bare()
        .current_dir(&elsewhere(&w))
        .env("AWS_TOKEN_KEYRING", "file")
        .args(["--account", "222222222222", "--role", "Developer"])
        .expect(0)
        .stderr_has("assumed-role/Developer/");

    // Never over an existing file without --force.
    let before =
        std::fs::read_to_string(w.home.path().join(".config/aws-token/config.json")).unwrap();
    configure(&w, &[])
        .expect(2)
        .stderr_has("exists; aws-token configure does not replace it without --force");
    assert_eq!(
        std::fs::read_to_string(w.home.path().join(".config/aws-token/config.json")).unwrap(),
        before
    );
    configure(&w, &["--force", "--region", "us-west-2"]).expect(0);
    let c = written_config(&w);
    assert_eq!(c["region"], "us-west-2");
    // Without a terminal and without --role: several roles, no default role; accounts named
    // by their numbers.
    assert!(c.get("defaultRole").is_none(), "{c}");
    assert_eq!(c["defaultAccount"], "111111111111");
}

#[test]
fn configure_without_a_terminal_names_the_flag_it_needs_and_refuses_bad_answers() {
    let w = World::new();
    w.run_bare()
        .current_dir(&elsewhere(&w))
        .arg("configure")
        .expect(2)
        .stderr_has("--idp-entry-url");
    configure(&w, &["--provider", "okta-cli"])
        .expect(2)
        .stderr_has("one of okta, entra, okta-browser, browser, form");
    configure(&w, &["--region", "eu west"])
        .expect(2)
        .stderr_has("no AWS region name");
    w.run_bare()
        .current_dir(&elsewhere(&w))
        .args([
            "configure",
            "--idp-entry-url",
            "http://example.com/home/amazon_aws/x/272",
        ])
        .expect(2)
        .stderr_has("--idp-entry-url");
    // A role the login does not grant: nothing written.
    configure(&w, &["--role", "Nope"])
        .expect(4)
        .stderr_has("grants no such role");
    assert!(!w.home.path().join(".config/aws-token/config.json").exists());
}

#[test]
fn configure_asks_on_a_terminal() {
    let w = World::new();
    let bin = env!("CARGO_BIN_EXE_aws-token");
    let (status, screen) = crate::tty::run_in_terminal(
        &w,
        &[bin, "configure"],
        serde_json::json!([
            [
                "App Embed Link",
                format!("{}\r", w.sandbox.embed_link(DEMO_APP))
            ],
            ["Sign in with", "\r"],
            ["Default region", "eu-central-1\r"],
            ["Okta username", "nomfa@example.com\r"],
            ["Okta password", format!("{PASSWORD}\r")],
            ["Default role", "\r"],
            ["A name for account 111111111111", "prod\r"],
            ["A name for account 222222222222", "\r"],
        ]),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(!screen.contains(PASSWORD), "{screen}");
    let c = written_config(&w);
    assert_eq!(c["region"], "eu-central-1");
    assert_eq!(c["provider"], "okta");
    assert_eq!(c["defaultAccount"], "prod");
    assert_eq!(c["defaultRole"], "Admin");
    assert_eq!(
        c["accounts"]["222222222222"]["accountNumber"],
        "222222222222"
    );
}

/// botocore's credentials for each of `profiles` through their credential_process, checked at the
/// sandbox's STS (GetCallerIdentity): `profile method access_key region identity` lines, the
/// identity being the assumed role's ARN (the account and role the profile really gives).
fn botocore_resolves(w: &World, profiles: &[&str]) -> Vec<String> {
    let script = r#"
import botocore.session, os, sys
for p in sys.argv[1:]:
    s = botocore.session.Session(profile=p)
    c = s.get_credentials()
    region = s.get_config_variable('region')
    sts = s.create_client('sts', region_name=region, endpoint_url=os.environ['AWS_ENDPOINT_URL_STS'])
    print(p, c.method, c.access_key[:4], region, sts.get_caller_identity()['Arn'])
"#;
    python_in(w, script, profiles)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn configure_profiles_writes_a_block_botocore_resolves_and_reruns_update_only_it() {
    let w = World::new();
    let aws_config = w.home.path().join(".aws/config");
    std::fs::create_dir_all(aws_config.parent().unwrap()).unwrap();
    let mine = "# my own settings\n[default]\nregion = eu-north-1\n\n[profile staging-ReadOnly]\nregion = ap-south-1 ; mine\n";
    std::fs::write(&aws_config, mine).unwrap();
    let profiles = |extra: &[&str]| {
        w.login("nomfa@example.com")
            .env("AWS_TOKEN_KEYRING", "file")
            .args(["configure", "profiles"])
            .args(extra)
    };
    // --dry-run: a diff, nothing written.
    let r = profiles(&["--dry-run"]).expect(0);
    let diff = r.stdout();
    assert!(diff.contains("+[profile staging-Admin]"), "{diff}");
    assert!(diff.contains("+credential_process = "), "{diff}");
    assert_eq!(std::fs::read_to_string(&aws_config).unwrap(), mine);

    let r = profiles(&[]).expect(0);
    assert_eq!(r.stdout(), "staging-Admin\ndev-direct-Developer\n");
    // The user's own [profile staging-ReadOnly] is not shadowed.
    r.stderr_has("[profile staging-ReadOnly] is already in");
    let text = std::fs::read_to_string(&aws_config).unwrap();
    assert!(text.starts_with(mine), "{text}");
    assert_eq!(
        text.matches("[profile staging-ReadOnly]").count(),
        1,
        "{text}"
    );
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_aws-token")).unwrap();
    assert!(
        text.contains(&format!(
            "[profile staging-Admin]\ncredential_process = {} credential-process --config {} --account staging --role arn:aws:iam::111111111111:role/Admin\nregion = us-east-1\n",
            exe.display(),
            w.config_path().display()
        )),
        "{text}"
    );
    // botocore resolves every profile through aws-token, in both accounts.
    assert_eq!(
        botocore_resolves(&w, &["staging-Admin", "dev-direct-Developer"]),
        [
            "staging-Admin custom-process ASIA us-east-1 arn:aws:sts::111111111111:assumed-role/Admin/nomfa@example.com",
            "dev-direct-Developer custom-process ASIA us-east-1 arn:aws:sts::222222222222:assumed-role/Developer/nomfa@example.com"
        ]
    );

    // A re-run with nothing changed changes nothing.
    profiles(&[]).expect(0).stderr_has("unchanged");
    assert_eq!(std::fs::read_to_string(&aws_config).unwrap(), text);
    // A line the user adds after the block stays; a profile that is gone (here: renamed by a
    // template) goes; the block stays one.
    std::fs::write(
        &aws_config,
        format!("{text}[profile after]\nregion = sa-east-1\n"),
    )
    .unwrap();
    let r = profiles(&[
        "--name-template",
        "{account_id}.{role}",
        "--prefix",
        "acme-",
    ])
    .expect(0);
    assert_eq!(
        r.stdout(),
        "acme-111111111111.Admin\nacme-111111111111.ReadOnly\nacme-222222222222.Developer\n"
    );
    r.stderr_has("(3 new, 2 gone)");
    let text = std::fs::read_to_string(&aws_config).unwrap();
    assert!(text.starts_with(mine), "{text}");
    assert!(
        text.ends_with("[profile after]\nregion = sa-east-1\n"),
        "{text}"
    );
    assert!(!text.contains("[profile staging-Admin]"), "{text}");
    assert_eq!(
        text.matches("# >>> aws-token profiles").count(),
        1,
        "{text}"
    );
    assert_eq!(
        botocore_resolves(&w, &["acme-111111111111.ReadOnly"]),
        [
            "acme-111111111111.ReadOnly custom-process ASIA us-east-1 arn:aws:sts::111111111111:assumed-role/ReadOnly/nomfa@example.com"
        ]
    );
    // A template without {role} would give every role one name.
    profiles(&["--name-template", "{account}"])
        .expect(2)
        .stderr_has("has no {role}");
}

#[test]
fn configure_signs_in_with_the_provider_chosen() {
    let w = World::new();
    w.run_bare()
        .current_dir(&elsewhere(&w))
        .env("AWS_TOKEN_KEYRING", "file")
        .env("AWS_TOKEN_PASSWORD", PASSWORD)
        .args([
            "configure",
            "--provider",
            "form",
            "--idp-entry-url",
            &w.sandbox.form_login(DEMO_APP),
            "--username",
            "nomfa@example.com",
            "--role",
            "Admin",
        ])
        .expect(0);
    let c = written_config(&w);
    assert_eq!(c["provider"], "form");
    assert_eq!(c["idpEntryUrl"], w.sandbox.form_login(DEMO_APP));
    assert_eq!(w.sandbox.requests().form_login, 1);
    assert_eq!(w.sandbox.requests().authn, 0);
    // And the login it set up works with nothing more.
    w.run_bare()
        .current_dir(&elsewhere(&w))
        .env("AWS_TOKEN_KEYRING", "file")
        .expect(0)
        .stderr_has("assumed-role/Admin/");
}

#[test]
fn configure_for_entra_learnt_from_the_link_or_named() {
    const APP: &str = "8a3e5b7c-1d2f-4e6a-9b0c-7d5e3f1a2b4c";
    const TENANT: &str = "5c6f1c2a-0b4e-4c59-9a8e-4f2d3b1a0e7d";
    for (link_of, provider) in [
        // My Apps' link says it is Entra: no --provider needed.
        (
            (|w: &World| format!("{}/signin/{APP}?tenantId={TENANT}", w.sandbox.url()))
                as fn(&World) -> String,
            None,
        ),
        (
            |w: &World| {
                format!(
                    "{}/applications/redirecttofederatedapplication.aspx?Operation=LinkedSignIn&applicationId={APP}",
                    w.sandbox.url()
                )
            },
            Some("entra"),
        ),
    ] {
        let w = World::new();
        let link = link_of(&w);
        let mut t = w
            .run_bare()
            .current_dir(&elsewhere(&w))
            .env("AWS_TOKEN_KEYRING", "file")
            .env("AWS_TOKEN_PASSWORD", PASSWORD)
            .args(["configure", "--idp-entry-url", &link])
            .args(["--username", "nomfa@entra.example.com"])
            // The sandbox tenant's sign-in host plays login.microsoftonline.com.
            .args(["--password-host", "localhost", "--region", "eu-west-1"]);
        if let Some(p) = provider {
            t = t.args(["--provider", p]);
        }
        let r = t.expect(0);
        if provider.is_none() {
            r.stderr_has("learnt from the link: Microsoft Entra ID");
        }
        let c = written_config(&w);
        assert_eq!(c["provider"], "entra");
        assert_eq!(c["passwordHosts"], serde_json::json!(["localhost"]));
        assert_eq!(w.sandbox.requests().entra_password, 1);
        // And the login it set up works with nothing more (the session it kept).
        w.run_bare()
            .current_dir(&elsewhere(&w))
            .env("AWS_TOKEN_KEYRING", "file")
            .args(["--role", "Admin"])
            .expect(0)
            .stderr_has("assumed-role/Admin/nomfa@entra.example.com");
        assert_eq!(w.sandbox.requests().entra_password, 1);
    }
}
