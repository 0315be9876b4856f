//! The login flow from settings to credentials: IdP -> SAML assertion -> role -> STS (-> AssumeRole
//! when chaining), and writing them as a profile into the credentials and config files. Every
//! outside effect comes in as a trait object, so the flow runs the same against Okta, the sandbox
//! or a test double. The commands (src/commands/) decide what to do with the credentials.

use crate::credentials_file::{self, FileMode, SectionEdit};
use crate::error::{Error, Result};
use crate::idp::{IdentityProvider, LoginRequest};
use crate::prompt::Prompter;
use crate::report::Reporter;
use crate::role_select;
use crate::saml::{Assertion, AwsRole};
use crate::secret::Secret;
use crate::session::{Passwords, Sessions};
use crate::settings::{Settings, Target};
use crate::sts::{Credentials, Sts};
use chrono::SecondsFormat;
use futures::StreamExt;

/// How many times a password refused by the IdP is asked on a terminal, in all.
const PASSWORD_TRIES: u32 = 3;

/// The most STS calls `--all` makes at once.
const MAX_PARALLEL_STS: usize = 16;

/// AWS limits a session reached by role chaining to one hour.
const CHAINED_MAX: i32 = 3600;

/// The outside world the flow talks to.
pub struct Deps<'a> {
    pub idp: &'a dyn IdentityProvider,
    /// An STS client for a region (known only once the assertion names the partition).
    pub sts: &'a dyn Fn(&str) -> Box<dyn Sts>,
    pub prompter: &'a dyn Prompter,
    pub reporter: &'a Reporter,
    /// Kept IdP sessions, for providers that reuse one (Okta).
    pub sessions: Option<&'a Sessions>,
    /// Remembered passwords (OS keyring), for the same providers.
    pub passwords: Option<&'a Passwords>,
    /// The last username used per org.
    pub usernames: Option<&'a crate::usernames::Usernames>,
    /// The role names each org granted last (for completion).
    pub known_roles: Option<&'a crate::known_roles::KnownRoles>,
    /// One sign-in per IdP user at a time (the others wait, then use its session).
    pub sign_ins: Option<&'a crate::cache::SignIns>,
}

/// What a successful login produced.
#[derive(Debug)]
pub struct Outcome {
    pub credentials: Credentials,
    pub role: AwsRole,
    pub region: String,
}

/// The password prompt's label: Okta's for the providers that sign in at Okta.
fn password_label(settings: &Settings) -> &'static str {
    match settings.provider {
        crate::settings::ProviderKind::Form(_) | crate::settings::ProviderKind::Entra => "Password",
        crate::settings::ProviderKind::Browser {
            mode: crate::idp::browser::Mode::Manual,
            ..
        } => "Password",
        _ => "Okta password",
    }
}

/// Check, before the password and MFA, that the profile can be written: a file that cannot be
/// written fails now, not after them.
pub fn check_files(settings: &Settings) -> Result<()> {
    credentials_file::check(&settings.credentials_file)?;
    credentials_file::check(&settings.aws_config_file)?;
    Ok(())
}

/// Log in at the IdP and read the assertion: the roles it grants, filtered to the account when the
/// account is logged in to directly.
pub async fn assertion(settings: &Settings, deps: &Deps<'_>) -> Result<(Assertion, Vec<AwsRole>)> {
    let assertion = sign_in(settings, deps).await?;
    let roles = match &settings.target {
        // A role named by its full ARN names its account: `configure profiles` reaches every
        // account of one app that way.
        Target::Direct { account_number } => role_select::filter_account(
            assertion.roles.clone(),
            settings
                .role
                .as_deref()
                .and_then(role_select::account_of_arn)
                .unwrap_or(account_number),
        )?,
        Target::Chained { .. } => assertion.roles.clone(),
    };
    Ok((assertion, roles))
}

/// Log in at the IdP and read the assertion, with every role it grants.
pub async fn sign_in(settings: &Settings, deps: &Deps<'_>) -> Result<Assertion> {
    let org = crate::idp::org_of(&settings.idp_url);
    // Held until the session this sign-in keeps is written: a caller for another role of the same
    // user waits here, then reads that session below and signs in with it, asking nothing.
    let _one_at_a_time = match deps.sign_ins {
        Some(s) => Some(s.hold(&org, settings.effective_username(), || {
            deps.reporter.info(&format!(
                "Waiting for another aws-token signing in to {} as {} (it asks on its terminal)",
                crate::idp::http::display_url(&org),
                settings.effective_username().unwrap_or("the org's user")
            ));
        })?),
        None => None,
    };
    // `--remember` keeps the password per username: one is asked for when none is known.
    let asked = match (settings.remember, settings.effective_username()) {
        (true, None) => Some(deps.prompter.input(
            "Username",
            "--username or AWS_TOKEN_USERNAME",
            None,
        )?)
        .filter(|u| !u.is_empty()),
        _ => None,
    };
    let username = asked.as_deref().or(settings.effective_username());
    let remembered = match (&settings.password, username, deps.passwords) {
        (None, Some(u), Some(p)) if !settings.session_only => p.get(&org, u),
        _ => None,
    };
    let mut password = settings.password.clone().or(remembered.clone());
    // `--remember` now, or asked on an earlier run that did not sign in.
    let remember = !settings.session_only
        && (settings.remember
            || matches!((deps.passwords, username), (Some(p), Some(u)) if remembered.is_none() && p.wanted(&org, u)));
    if remember {
        if username.is_none() {
            return Err(Error::Usage(
                "--remember keeps the password per username, and none was given: pass --username (or AWS_TOKEN_USERNAME)".into(),
            ));
        }
        if deps.passwords.is_none() {
            return Err(Error::Usage(
                "--remember keeps the password in the OS keyring only, and no keyring answers here (a session without a kernel session keyring, a container?); aws-token never writes a password to a file".into(),
            ));
        }
        if password.is_none() {
            password = Some(
                deps.prompter
                    .secret(password_label(settings), "--password or AWS_TOKEN_PASSWORD")?,
            );
        }
    }
    let mut request = LoginRequest {
        url: settings.idp_url.clone(),
        username: settings.username.clone().or(asked.clone()),
        suggested_username: settings.suggested_username.clone(),
        password: password.clone(),
        otp: settings.otp.clone(),
        mfa: settings.mfa,
        duo_device: settings.duo_device.clone(),
        mfa_timeout: settings.mfa_timeout,
        kept_session: kept_session(deps, &org, username),
        unattended: settings.unattended,
    };
    let first_kept_session = request.kept_session.clone();
    // A refused password is asked again on a terminal (PASSWORD_TRIES in all), a remembered one
    // first forgotten; one given by flag or environment is a script's, and is not.
    let mut tries = 1;
    let mut remembered_refused = false;
    let saml = loop {
        let saml = deps.idp.saml_response(&request, deps.prompter).await;
        let Err(e @ Error::WrongPassword { .. }) = &saml else {
            break saml;
        };
        let was_remembered = !remembered_refused
            && remembered.is_some()
            && request.password.as_ref().map(Secret::expose)
                == remembered.as_ref().map(Secret::expose);
        if let (Some(passwords), Some(u), true) = (deps.passwords, username, was_remembered) {
            passwords.forget(&org, u);
            remembered_refused = true;
            deps.reporter.warn(&format!(
                "the password remembered for {u} was refused, so it is forgotten{}",
                if deps.prompter.interactive() {
                    "; type the new one (it is remembered again)"
                } else {
                    "; run again with --remember to keep the new one"
                }
            ));
        }
        if settings.password.is_some() || !deps.prompter.interactive() || tries >= PASSWORD_TRIES {
            break saml;
        }
        if !was_remembered {
            deps.reporter.warn(&e.to_string());
        }
        tries += 1;
        request.username = request.username.clone().or(deps.idp.signed_in_as());
        request.kept_session = None;
        request.password = Some(
            deps.prompter
                .secret(password_label(settings), "--password or AWS_TOKEN_PASSWORD")?,
        );
    };
    if let Some(sessions) = deps.sessions {
        // Keep the session the login holds now; drop a kept one the IdP refused.
        match deps.idp.session(&request) {
            // The kept one, still the same: nothing to write.
            Some(cookies)
                if first_kept_session
                    .as_ref()
                    .is_some_and(|k| k.expose() == cookies.expose()) => {}
            Some(cookies) => {
                // Under the username the login used (typed at the prompt, if it was): runs that
                // name it, and runs that name none (the org's last username), find it.
                let used = deps.idp.signed_in_as();
                sessions.keep(&org, used.as_deref().or(username), &cookies);
            }
            None if first_kept_session.is_some() => sessions.forget(&org, username),
            None => {}
        }
    }
    if let (Some(passwords), Some(u), Ok(_)) = (deps.passwords, username, &saml)
        && (remember || remembered_refused)
        && let Some(p) = &request.password
        && passwords.keep(&org, u, p)
    {
        deps.reporter.info(&format!(
            "The password of {u} is remembered in {}",
            passwords.describe()
        ));
    }
    let saml = saml?;
    if let (Some(usernames), Some(used)) = (
        deps.usernames,
        deps.idp.signed_in_as().or(username.map(str::to_owned)),
    ) {
        usernames.remember(&org, &used);
    }
    let assertion = Assertion::parse(&saml)?;
    for why in &assertion.skipped {
        deps.reporter.warn(why);
    }
    if let Some(known) = deps.known_roles {
        known.keep(&org, assertion.roles.iter().map(|r| r.name.clone()));
    }
    deps.reporter.verbose(&format!(
        "assertion offers {} role(s): {}",
        assertion.roles.len(),
        assertion
            .roles
            .iter()
            .map(AwsRole::label)
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(assertion)
}

/// The IdP session kept for `org` and `username`, when it can be sent: one that cannot (too
/// large, bytes no header may carry) is dropped with a line on stderr, instead of failing every
/// run in the HTTP layer.
fn kept_session(
    deps: &Deps<'_>,
    org: &url::Url,
    username: Option<&str>,
) -> Option<crate::secret::Secret<String>> {
    let sessions = deps.sessions?;
    let kept = sessions.get(org, username)?;
    match crate::session::unsendable(&kept) {
        None => Some(kept),
        Some(why) => {
            sessions.forget(org, username);
            deps.reporter.warn(&format!(
                "the IdP session kept for {org} cannot be sent ({why}), so it is forgotten; signing in again"
            ));
            None
        }
    }
}

/// The whole login, to credentials (no file is written).
pub async fn credentials(settings: &Settings, deps: &Deps<'_>) -> Result<Outcome> {
    let (assertion, roles) = assertion(settings, deps).await?;
    let label = match &settings.target {
        Target::Direct { .. } => role_select::CHOOSE.to_owned(),
        Target::Chained { account_number } => format!(
            "Choose the role to chain from into {} ({account_number}): the same role name is assumed there",
            settings.account_name
        ),
    };
    let role = role_select::choose(&roles, settings.role.as_deref(), deps.prompter, &label)?;
    let region = settings
        .region
        .clone()
        .unwrap_or_else(|| assertion.partition().default_region);
    let sts = (deps.sts)(&region);

    let credentials = {
        let _spinner = deps
            .reporter
            .spinner(&format!("Assuming {}", role.role_arn));
        match &settings.target {
            Target::Direct { .. } => {
                assume_with_saml(
                    sts.as_ref(),
                    settings.duration,
                    &assertion,
                    &role,
                    deps.reporter,
                )
                .await?
            }
            Target::Chained { account_number } => {
                // The first hop only has to live long enough to chain: STS's default hour.
                let saml_creds = sts
                    .assume_role_with_saml(&role, &assertion.raw, None)
                    .await?;
                let arn = format!(
                    "arn:{}:iam::{account_number}:role/{}",
                    role.partition, role.name
                );
                let duration = match settings.duration {
                    Some(d) if d > CHAINED_MAX => {
                        deps.reporter
                            .warn("AWS limits chained role sessions to 1 hour; asking for 3600 s");
                        Some(CHAINED_MAX)
                    }
                    other => other,
                };
                let session = session_name(
                    assertion.session_name.as_deref(),
                    settings.username.as_deref(),
                );
                deps.reporter.verbose(&format!("chaining into {arn}"));
                sts.assume_role(&saml_creds, &arn, &session, duration)
                    .await?
            }
        }
    };

    Ok(Outcome {
        credentials,
        role,
        region,
    })
}

/// AssumeRoleWithSAML with `--durationSeconds`, else the assertion's SessionDuration. A duration
/// the role does not allow is retried once: with the assertion's SessionDuration when that is
/// shorter (the IdP admin's idea of the role's limit), else with one hour, which every role allows.
pub async fn assume_with_saml(
    sts: &dyn Sts,
    wanted: Option<i32>,
    assertion: &Assertion,
    role: &AwsRole,
    reporter: &Reporter,
) -> Result<Credentials> {
    let from_assertion = assertion.session_duration.map(|d| d.clamp(900, 43200));
    let duration = wanted.or(from_assertion);
    match sts
        .assume_role_with_saml(role, &assertion.raw, duration)
        .await
    {
        Err(Error::Sts { code, message, .. })
            if duration.is_some_and(|d| d > 3600)
                && code == "ValidationError"
                && message.contains("DurationSeconds") =>
        {
            let asked = duration.unwrap_or_default();
            let retry = from_assertion.filter(|d| *d < asked).unwrap_or(3600);
            let source = if wanted.is_some() {
                "--durationSeconds"
            } else {
                "the SessionDuration the IdP sent"
            };
            reporter.warn(&format!(
                "the role's maximum session is shorter than {asked} s ({source}); asking for {retry} s"
            ));
            sts.assume_role_with_saml(role, &assertion.raw, Some(retry))
                .await
        }
        other => other,
    }
}

/// What `--all` got: each role assumed with its credentials or STS's refusal, the roles left
/// alone (`wanted` said no), and the region.
#[derive(Debug)]
pub struct EveryRole {
    pub results: Vec<(AwsRole, Result<Credentials>)>,
    pub skipped: Vec<AwsRole>,
    pub region: String,
}

/// `--all`: one login, then AssumeRoleWithSAML for every role the assertion grants that
/// `wanted` wants, a few at once. Each role's result comes back beside it; the region is the
/// config's or the partition's.
pub async fn every_role(
    settings: &Settings,
    deps: &Deps<'_>,
    wanted: &dyn Fn(&AwsRole) -> bool,
) -> Result<EveryRole> {
    let (assertion, _) = assertion(settings, deps).await?;
    let region = settings
        .region
        .clone()
        .unwrap_or_else(|| assertion.partition().default_region);
    let sts = (deps.sts)(&region);
    let (roles, skipped): (Vec<AwsRole>, Vec<AwsRole>) =
        assertion.roles.iter().cloned().partition(|r| wanted(r));
    let calls = roles.iter().map(|role| {
        assume_with_saml(
            sts.as_ref(),
            settings.duration,
            &assertion,
            role,
            deps.reporter,
        )
    });
    // At most MAX_PARALLEL_STS calls at once (500 roles opened 114 connections), in order.
    let results: Vec<_> = futures::stream::iter(calls)
        .buffered(MAX_PARALLEL_STS)
        .collect()
        .await;
    Ok(EveryRole {
        results: roles.into_iter().zip(results).collect(),
        skipped,
        region,
    })
}

/// A RoleSessionName STS accepts: 2-64 of `[\w+=,.@-]`.
fn session_name(from_assertion: Option<&str>, username: Option<&str>) -> String {
    let raw = from_assertion.or(username).unwrap_or("aws-token");
    let mut s: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c))
        .take(64)
        .collect();
    if s.len() < 2 {
        s = "aws-token".into();
    }
    s
}

/// Write the credentials file, then `region` and `output` into ~/.aws/config.
pub fn write_profile(
    settings: &Settings,
    profile: &str,
    creds: &Credentials,
    region: &str,
) -> Result<()> {
    let expires = creds.expiration.to_rfc3339_opts(SecondsFormat::Secs, true);
    let token = creds.session_token.expose().clone();
    credentials_file::upsert(
        &settings.credentials_file,
        &SectionEdit {
            section: profile,
            set: vec![
                ("aws_access_key_id", creds.access_key_id.expose().clone()),
                (
                    "aws_secret_access_key",
                    creds.secret_access_key.expose().clone(),
                ),
                ("aws_session_token", token.clone()),
                ("x_security_token_expires", expires),
            ],
            // botocore reads aws_security_token before aws_session_token: never leave a stale one.
            update_if_present: vec![("aws_security_token", token)],
        },
        FileMode::Private,
    )?;
    let section = if profile == "default" {
        "default".to_owned()
    } else {
        format!("profile {profile}")
    };
    let mut set = vec![("region", region.to_owned())];
    if let Some(o) = &settings.aws_output_format {
        set.push(("output", o.clone()));
    }
    credentials_file::upsert(
        &settings.aws_config_file,
        &SectionEdit {
            section: &section,
            set,
            update_if_present: Vec::new(),
        },
        FileMode::KeepOrDefault,
    )
    .map_err(|e| match e {
        // Say exactly what did change: the credentials are in place, the region is not.
        Error::File { path, message } => Error::File {
            path,
            message: format!(
                "{message} (the credentials of profile {} were written to {}; only its region and output format are not set)",
                profile,
                settings.credentials_file.display()
            ),
        },
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_are_sanitised() {
        assert_eq!(
            session_name(Some("jane doe@example.com"), None),
            "janedoe@example.com"
        );
        assert_eq!(session_name(None, Some("x")), "aws-token");
        assert_eq!(session_name(None, None), "aws-token");
    }
}
