//! `aws-token configure`: a new user's first run. Asks for what the flags do not give — the AWS
//! app's embed link, the provider, the default region, the username — signs in once with them,
//! and writes `config.json` (`$XDG_CONFIG_HOME/aws-token/config.json`, or `--config`) with every
//! account the login grants a role in, the default account and role; never over an existing file
//! without `--force`. The roles are listed on stdout, as `roles` lists them. A binary built with
//! its organisation's config has nothing to configure, and says so. It runs before any config is
//! read (the others need one).

use super::{Context, Online, write_stdout};
use crate::cli::Cli;
use crate::config::{Account, AccountObject, Config};
use crate::credentials_file::{self, FileMode};
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::interrupt::Cleanup;
use crate::report::Reporter;
use crate::saml::AwsRole;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What `configure`'s own flags give.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    pub idp_entry_url: Option<String>,
    pub provider: Option<String>,
    pub region: Option<String>,
    /// Entra: hosts besides Microsoft's that may get the password.
    pub password_hosts: Vec<String>,
}

/// The providers a user may choose, with what each is for.
const PROVIDERS: &[(&str, &str)] = &[
    (
        "okta",
        "Okta, in the terminal (Classic or Identity Engine, learnt from the org)",
    ),
    (
        "entra",
        "Microsoft Entra ID, in the terminal (My Apps or redirecttofederatedapplication link)",
    ),
    (
        "okta-browser",
        "Okta's own sign-in page in a headless Chromium",
    ),
    ("browser", "a browser window you sign in with, any SAML IdP"),
    (
        "form",
        "a plain HTML login form (an IdP without JavaScript)",
    ),
];

/// The provider a link shows it is for: Entra's My Apps link (`/signin/<app-id>`) or its
/// `redirecttofederatedapplication.aspx` link; `None` when the link does not say (an Okta embed
/// link may be any Okta provider's).
fn provider_of_link(link: &str) -> Option<&'static str> {
    let url = url::Url::parse(link).ok()?;
    let path = url.path().to_ascii_lowercase();
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let entra = host == "myapps.microsoft.com"
        || host == "account.activedirectory.windowsazure.com"
        || path.ends_with("/redirecttofederatedapplication.aspx")
        || (path.starts_with("/signin/") && url.query_pairs().any(|(k, _)| k == "tenantId"));
    entra.then_some("entra")
}

/// The region a new config gets when none is asked for.
const DEFAULT_REGION: &str = "us-east-1";

/// Ask, sign in, write.
pub fn run(
    cli: Cli,
    answers: Answers,
    env: &Environment,
    reporter: &Reporter,
    cleanup: &Cleanup,
) -> Result<()> {
    let explicit = cli.config.clone();
    if explicit.is_none()
        && !cli.force
        && let Some((_, from)) = crate::config::embedded()
    {
        reporter.info(&format!(
            "This aws-token has its organisation's config built in (from {from}): there is nothing to configure. Run `aws-token` to sign in, `aws-token configure profiles` for a profile per role (--force writes a config.json of your own anyway)."
        ));
        return Ok(());
    }
    let target = match explicit {
        Some(p) => std::path::absolute(&p).unwrap_or(p),
        None => default_path(env)?,
    };
    if target.exists() && !cli.force {
        return Err(Error::Usage(format!(
            "{} exists; aws-token configure does not replace it without --force (aws-token status shows the config in effect)",
            target.display()
        )));
    }
    credentials_file::check(&target)?;
    let prompter = super::prompter(env);
    let url = match answers.idp_entry_url {
        Some(u) => u,
        None => prompter.input(
            "The AWS app's link (the AWS tile on your Okta or My Apps dashboard: copy its link; Okta admins: App Embed Link)",
            "--idp-entry-url",
            None,
        )?,
    };
    let url = url.trim().to_owned();
    crate::config::check_url(&url).map_err(|m| Error::Usage(format!("--idp-entry-url: {m}")))?;
    let learnt = provider_of_link(&url);
    let provider = match answers.provider {
        Some(p) => p,
        // An Entra link says what it is: no question.
        None if learnt == Some("entra") => {
            reporter.info("Sign in with: entra (learnt from the link: Microsoft Entra ID)");
            "entra".to_owned()
        }
        None if prompter.interactive() => {
            let items: Vec<String> = PROVIDERS
                .iter()
                .map(|(name, what)| format!("{name}: {what}"))
                .collect();
            PROVIDERS[prompter.select("Sign in with", &items, "--provider")?]
                .0
                .to_owned()
        }
        None => "okta".to_owned(),
    };
    if !PROVIDERS.iter().any(|(name, _)| *name == provider) {
        return Err(Error::Usage(format!(
            "--provider {provider:?}: one of {}",
            PROVIDERS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let region = match answers.region {
        Some(r) => r,
        None if prompter.interactive() => {
            prompter.input("Default region", "--region", Some(DEFAULT_REGION))?
        }
        None => DEFAULT_REGION.to_owned(),
    };
    let region = region.trim().to_owned();
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Error::Usage(format!(
            "--region {region:?} is no AWS region name (like eu-west-1)"
        )));
    }
    let wanted_role = cli.role.clone().filter(|r| !r.is_empty());
    let wanted_account = cli.account.clone().filter(|a| !a.is_empty());
    // Signed in with a config of the link alone: its one account is a stand-in that filters
    // nothing (sign_in keeps every role).
    let mut config = Config {
        aws_config_path: None,
        output_format: None,
        region: Some(region.clone()),
        provider: Some(provider.clone()),
        idp_entry_url: Some(url.clone()),
        default_account: None,
        accounts: BTreeMap::from([(
            "configure".to_owned(),
            Account::Number("000000000000".into()),
        )]),
        form: None,
        refresh_margin_minutes: None,
        default_role: None,
        okta_pipeline: None,
        password_hosts: answers
            .password_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
    };
    let mut cli = cli;
    cli.account = None;
    cli.role = None;
    let mut settings =
        crate::settings::Settings::from_config(cli, config.clone(), target.clone(), env)?;
    if let Some(note) = crate::cache::secure_dir(&settings.cache_dir)? {
        reporter.warn(&note);
    }
    if settings.username.is_none() {
        settings.suggested_username = crate::usernames::Usernames::new(&settings.cache_dir)
            .get(&crate::idp::org_of(&settings.idp_url));
    }
    let ctx = Context {
        settings,
        env,
        reporter,
        cleanup,
    };
    let assertion = Online::new(&ctx)?.sign_in(&ctx.settings, reporter)?;
    let mut roles = assertion.roles;
    roles.sort_by(|a, b| (&a.account_id, &a.name).cmp(&(&b.account_id, &b.name)));
    let default_role = match &wanted_role {
        Some(w) => Some(find_role(&roles, w)?.clone()),
        None if prompter.interactive() && roles.len() > 1 => {
            let mut items: Vec<String> = roles.iter().map(AwsRole::label).collect();
            items.push("none: choose at each login".into());
            let i = prompter.select("Default role", &items, "--role")?;
            roles.get(i).cloned()
        }
        None => (roles.len() == 1).then(|| roles[0].clone()),
    };
    let mut accounts: Vec<String> = roles.iter().map(|r| r.account_id.clone()).collect();
    accounts.dedup();
    let default_number = default_role
        .as_ref()
        .map_or_else(|| accounts[0].clone(), |r| r.account_id.clone());
    let mut names = BTreeMap::new();
    for number in &accounts {
        let name = if *number == default_number && wanted_account.is_some() {
            wanted_account.clone().unwrap_or_default()
        } else if prompter.interactive() {
            prompter.input(
                &format!("A name for account {number}"),
                "--account",
                Some(number),
            )?
        } else {
            number.clone()
        };
        let name = name.trim().to_owned();
        crate::settings::check_profile_name(&name)
            .map_err(|e| Error::Usage(format!("account name {name:?}: {e}")))?;
        if names.values().any(|n| *n == name) {
            return Err(Error::Usage(format!(
                "two accounts named {name:?}: give each its own name"
            )));
        }
        names.insert(number.clone(), name);
    }
    config.accounts = accounts
        .iter()
        .map(|number| {
            let account = if *number == default_number {
                Account::Number(number.clone())
            } else {
                // Signed in to through the same app: a direct login, not role chaining.
                Account::Object(AccountObject {
                    account_number: number.clone(),
                    idp_entry_url: Some(url.clone()),
                })
            };
            (names[number].clone(), account)
        })
        .collect();
    config.default_account = Some(names[&default_number].clone());
    config.default_role = default_role.as_ref().map(|r| r.name.clone());
    let mut text = serde_json::to_string_pretty(&config)
        .map_err(|e| Error::Internal(format!("cannot render config.json: {e}")))?;
    text.push('\n');
    // What was written must read back as the config it is.
    Config::parse(&text, &target)?;
    credentials_file::rewrite(&target, FileMode::KeepOrDefault, |_, _| Ok(text.clone()))?;
    let names_of = |number: &str| -> Vec<String> {
        names
            .get(number)
            .filter(|n| n.as_str() != number)
            .cloned()
            .into_iter()
            .collect()
    };
    write_stdout(super::roles::table(&roles, &names_of).as_bytes())?;
    if provider == "okta"
        && let Some(p) = crate::idp::okta::pipeline::Pipelines::new(&ctx.settings.cache_dir)
            .get(&crate::idp::org_of(&ctx.settings.idp_url))
    {
        reporter.info(&format!(
            "The org runs Okta {} (learnt from the org; aws-token follows it if that changes)",
            match p {
                crate::idp::okta::pipeline::Pipeline::Classic => "Classic (Authn API)",
                crate::idp::okta::pipeline::Pipeline::IdentityEngine => "Identity Engine (IDX API)",
            }
        ));
    }
    reporter.info(&format!(
        "Wrote {}: {} account(s), default account {}{}. Next: eval \"$(aws-token)\" signs in and exports AWS_PROFILE; aws-token configure profiles adds a profile per role to ~/.aws/config.",
        target.display(),
        accounts.len(),
        names[&default_number],
        default_role
            .as_ref()
            .map(|r| format!(", default role {}", r.name))
            .unwrap_or_default()
    ));
    Ok(())
}

/// `$XDG_CONFIG_HOME/aws-token/config.json`, else `~/.config/aws-token/config.json`.
fn default_path(env: &Environment) -> Result<PathBuf> {
    match (env.var("XDG_CONFIG_HOME"), &env.home) {
        (Some(x), _) => Ok(PathBuf::from(x).join("aws-token/config.json")),
        (None, Some(h)) => Ok(h.join(".config/aws-token/config.json")),
        (None, None) => Err(Error::Usage(
            "neither HOME nor XDG_CONFIG_HOME is set: pass --config PATH for the config to write"
                .into(),
        )),
    }
}

/// The role `wanted` names (exact name or full ARN).
fn find_role<'a>(roles: &'a [AwsRole], wanted: &str) -> Result<&'a AwsRole> {
    let found: Vec<&AwsRole> = roles
        .iter()
        .filter(|r| r.role_arn == wanted || r.name == wanted)
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::NotAuthorized {
            message: format!(
                "--role {wanted}: the login grants no such role; it grants {}",
                roles
                    .iter()
                    .map(AwsRole::label)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
        _ => Err(Error::Usage(format!(
            "--role {wanted}: several accounts have a role of that name; give its full ARN"
        ))),
    }
}
