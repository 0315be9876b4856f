//! The default command: log in and write the profile (the seed's only action), or, with `--output
//! env|json`, print the credentials from the cache. While the profile that aws-token last wrote
//! for the same role is valid for longer than the refresh margin, the IdP is skipped and the same
//! stdout printed; `--force` logs in anyway.

use super::{Context, Online, cache_key, cached_credentials, expiry_text, write_stdout};
use crate::cache::{Key, hashed_name, write_private};
use crate::cli::OutputFormat;
use crate::credentials_file;
use crate::error::Result;
use crate::login::{check_files, write_profile};
use crate::output;
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;
use std::path::{Path, PathBuf};

/// Run the default command.
pub fn run(ctx: &Context<'_>) -> Result<()> {
    let settings = &ctx.settings;
    if settings.all {
        return every_role(ctx);
    }
    if matches!(settings.output, OutputFormat::Env | OutputFormat::Json) {
        let (creds, region) = cached_credentials(ctx)?;
        write_stdout(
            output::render(settings.output, &creds, &settings.profile, &region).as_bytes(),
        )?;
        ctx.reporter.info(&format!(
            "Credentials for {}, {}",
            creds.assumed_role_arn,
            expiry_text(creds.expiration)
        ));
        return Ok(());
    }
    check_files(settings)?;
    if super::profile_select::resolves_through_aws_token(settings, &settings.profile) {
        // Keys under this name in the credentials file would hide the profile (and expire):
        // the credentials go to the cache its credential_process reads instead.
        let (creds, region) = cached_credentials(ctx)?;
        ctx.reporter.info(&format!(
            "Profile {} resolves through aws-token (credential_process in {}): its credentials are ready, {}, {}; nothing written to {}, where keys would hide it",
            settings.profile,
            settings.aws_config_file.display(),
            creds.assumed_role_arn,
            expiry_text(creds.expiration),
            settings.credentials_file.display()
        ));
        if settings.output == OutputFormat::None {
            return Ok(());
        }
        return write_stdout(output::exports(&settings.profile, &region).as_bytes());
    }
    let record = ProfileRecord::path(settings, &settings.profile);
    let key = cache_key(settings);
    if !settings.force
        && let Some((expiration, region)) =
            still_valid(settings, &OnceCell::new(), &settings.profile, &key)
    {
        ctx.reporter.info(&format!(
            "Profile {} in {} is still valid: {}; not logging in (--force logs in anyway)",
            settings.profile,
            settings.credentials_file.display(),
            expiry_text(expiration)
        ));
        if settings.remember {
            remember_at_next_login(ctx);
        }
        if settings.output == OutputFormat::None {
            return Ok(());
        }
        return write_stdout(output::exports(&settings.profile, &region).as_bytes());
    }
    let outcome = Online::new(ctx)?.credentials(settings, ctx.reporter)?;
    say_if_privilege_changed(ctx, &settings.profile, &record, &outcome.role);
    write_profile(
        settings,
        &settings.profile,
        &outcome.credentials,
        &outcome.region,
    )?;
    ProfileRecord {
        key: key_text(&key, settings),
        access_key_id: outcome.credentials.access_key_id.expose().clone(),
        region: outcome.region.clone(),
        role_arn: outcome.role.role_arn.clone(),
    }
    .save(&record);
    let text = output::render(
        settings.output,
        &outcome.credentials,
        &settings.profile,
        &outcome.region,
    );
    write_stdout(text.as_bytes())?;
    ctx.reporter.info(&format!(
        "Profile {} updated in {}: {}, {}",
        settings.profile,
        settings.credentials_file.display(),
        outcome.credentials.assumed_role_arn,
        expiry_text(outcome.credentials.expiration)
    ));
    Ok(())
}

/// `--all`: one login, every role assumed (at most 16 STS calls at once), a profile
/// `<account>-<role>` each. A profile aws-token wrote for the same role that is still valid is
/// left as it is, without an STS call (`--force` renews it). A role STS refuses, or whose name
/// cannot name a profile, is reported and the others are still written (then exit 5). stdout
/// lists the profiles as shell comments, so that `eval "$(aws-token --all)"` runs nothing.
fn every_role(ctx: &Context<'_>) -> Result<()> {
    let settings = &ctx.settings;
    check_files(settings)?;
    let profile_of = |role: &crate::saml::AwsRole| {
        format!(
            "{}-{}",
            super::account_label(settings, &role.account_id),
            role.name
        )
    };
    let key_of = |role: &crate::saml::AwsRole| Key {
        account: role.account_id.clone(),
        role: role.role_arn.clone(),
        ..cache_key(settings)
    };
    // The file is read once at most; each role's validity is decided once, when the login asks,
    // and its expiry kept for the line below.
    let credentials = OnceCell::new();
    let valid_until = std::cell::RefCell::new(std::collections::HashMap::new());
    let wanted = |role: &crate::saml::AwsRole| {
        let profile = profile_of(role);
        let valid = (!settings.force && crate::settings::check_profile_name(&profile).is_ok())
            .then(|| still_valid(settings, &credentials, &profile, &key_of(role)))
            .flatten();
        match valid {
            Some((expiration, _)) => {
                valid_until
                    .borrow_mut()
                    .insert(role.role_arn.clone(), expiration);
                false
            }
            None => true,
        }
    };
    let crate::login::EveryRole {
        results,
        skipped,
        region,
    } = Online::new(ctx)?.every_role(settings, ctx.reporter, &wanted)?;
    let mut written = Vec::new();
    let mut refused = Vec::new();
    let still_valid_count = skipped.len();
    for role in skipped {
        let profile = profile_of(&role);
        if let Some(expiration) = valid_until.borrow().get(&role.role_arn) {
            ctx.reporter.info(&format!(
                "Profile {profile} is still valid: {}; not renewed (--force renews it)",
                expiry_text(*expiration)
            ));
        }
        written.push(profile);
    }
    let resolved = super::profile_select::through_aws_token(settings);
    let mut through_aws_token = Vec::new();
    for (role, result) in results {
        let profile = profile_of(&role);
        // A profile ~/.aws/config resolves through aws-token is not hidden by static keys.
        if resolved.contains_key(&profile) {
            through_aws_token.push(profile);
            continue;
        }
        // The same rule as --profile: a role name that would break the file names no profile.
        if let Err(e) = crate::settings::check_profile_name(&profile) {
            ctx.reporter
                .warn(&format!("{}: {e}; not written", role.role_arn));
            refused.push(profile);
            continue;
        }
        match result {
            Ok(creds) => {
                let record = ProfileRecord::path(settings, &profile);
                say_if_privilege_changed(ctx, &profile, &record, &role);
                write_profile(settings, &profile, &creds, &region)?;
                ProfileRecord {
                    key: key_text(&key_of(&role), settings),
                    access_key_id: creds.access_key_id.expose().clone(),
                    region: region.clone(),
                    role_arn: role.role_arn.clone(),
                }
                .save(&record);
                ctx.reporter.info(&format!(
                    "Profile {profile}: {}, {}",
                    creds.assumed_role_arn,
                    expiry_text(creds.expiration)
                ));
                written.push(profile);
            }
            Err(e) => {
                ctx.reporter.warn(&format!("{profile}: {e}"));
                refused.push(profile);
            }
        }
    }
    if !through_aws_token.is_empty() {
        ctx.reporter.info(&format!(
            "Not written to {}: {}, which {} resolves through aws-token (credential_process): keys there would hide {} and expire",
            settings.credentials_file.display(),
            through_aws_token.join(", "),
            settings.aws_config_file.display(),
            if through_aws_token.len() == 1 { "it" } else { "them" }
        ));
    }
    written.sort();
    write_stdout(
        written
            .iter()
            .map(|p| format!("# {p}\n"))
            .collect::<String>()
            .as_bytes(),
    )?;
    if refused.is_empty() {
        let kept = if still_valid_count > 0 {
            format!(" ({still_valid_count} still valid, left as they were)")
        } else {
            String::new()
        };
        ctx.reporter.info(&format!(
            "{} profiles written to {}{kept}",
            written.len() - still_valid_count,
            settings.credentials_file.display()
        ));
        Ok(())
    } else {
        Err(crate::error::Error::Sts {
            operation: "AssumeRoleWithSAML",
            role: refused.join(", "),
            code: "SomeRefused".into(),
            message: format!(
                "{} of {} roles were refused or could not name a profile (see above); the other profiles were written",
                refused.len(),
                refused.len() + written.len()
            ),
            hint: String::new(),
        })
    }
}

/// `--remember` on a run that signs in nowhere: say so, and have the next login keep the password.
fn remember_at_next_login(ctx: &Context<'_>) {
    let (_, passwords) = super::kept(ctx);
    let (Some(passwords), Some(u)) = (passwords, ctx.settings.effective_username()) else {
        ctx.reporter.warn("--remember: no login happened (the profile is still valid), and there is no OS keyring or username to remember a password for; pass --force to log in now");
        return;
    };
    passwords.want(&crate::idp::org_of(&ctx.settings.idp_url), u);
    ctx.reporter.info(&format!(
        "--remember: no login happened (the profile is still valid); the password of {u} is remembered at the next login (--force logs in now)"
    ));
}

/// Say on stderr when `profile` held another role (or account) than `role`, as aws-token last
/// wrote it: a profile never changes privilege silently.
fn say_if_privilege_changed(
    ctx: &Context<'_>,
    profile: &str,
    record: &Path,
    role: &crate::saml::AwsRole,
) {
    let Some(old) = ProfileRecord::load(record) else {
        return;
    };
    if old.role_arn.is_empty() || old.role_arn == role.role_arn {
        return;
    }
    let (old_account, old_name) = account_and_name(&old.role_arn);
    ctx.reporter.warn(&format!(
        "profile {profile} held {old_name} in {old_account}; now {} in {}",
        role.name, role.account_id
    ));
}

/// The role ARN aws-token last wrote into `profile`, while the profile still holds the access key
/// it wrote (for `status`).
pub(crate) fn role_of_profile(
    settings: &Settings,
    profile: &str,
    access_key_id: &str,
) -> Option<String> {
    let record = ProfileRecord::load(&ProfileRecord::path(settings, profile))?;
    (record.access_key_id == access_key_id && !record.role_arn.is_empty())
        .then_some(record.role_arn)
}

/// The role ARN aws-token last wrote into `profile` (a login or `--all`), whatever the profile
/// holds now: what `--profile` selects.
pub(crate) fn recorded_role(settings: &Settings, profile: &str) -> Option<String> {
    let record = ProfileRecord::load(&ProfileRecord::path(settings, profile))?;
    (!record.role_arn.is_empty()).then_some(record.role_arn)
}

/// The account and role name of a role ARN (`arn:aws:iam::ACCOUNT:role/path/NAME`).
fn account_and_name(arn: &str) -> (&str, &str) {
    let account = arn.split(':').nth(4).unwrap_or("");
    let name = arn.rsplit('/').next().unwrap_or(arn);
    (account, name)
}

/// What aws-token remembers (in its cache directory) of a profile it wrote: for which login, and
/// which access key, so that a profile written for another role, or changed since, is not taken
/// for valid.
#[derive(Debug, Serialize, Deserialize)]
struct ProfileRecord {
    key: String,
    access_key_id: String,
    region: String,
    /// The role written (for the message when a profile changes role).
    #[serde(default)]
    role_arn: String,
}

impl ProfileRecord {
    fn path(settings: &Settings, profile: &str) -> PathBuf {
        let stem = hashed_name(&[
            settings.credentials_file.as_os_str().as_encoded_bytes(),
            profile.as_bytes(),
        ]);
        settings.cache_dir.join(format!("profile-{stem}.json"))
    }

    fn load(path: &Path) -> Option<ProfileRecord> {
        serde_json::from_slice(&crate::cache::read_private(path)?).ok()
    }

    /// Best effort: without the record the next run simply logs in.
    fn save(&self, path: &Path) {
        if let Ok(text) = serde_json::to_vec(self) {
            let _ = write_private(path, &text);
        }
    }
}

/// The login a profile was written for: the cache key, and the region (it goes into ~/.aws/config
/// and the export lines).
fn key_text(key: &Key, settings: &Settings) -> String {
    format!(
        "{}\0{}\0{}\0{}\0{}\0{}",
        key.idp_url,
        key.username,
        key.account,
        key.role,
        key.duration,
        settings.region.as_deref().unwrap_or("")
    )
}

/// The profile's expiry and region when aws-token wrote it for this same login, it is unchanged
/// and valid for longer than the refresh margin.
/// `credentials` holds the credentials file's text once it is needed (read at most once, however
/// many profiles `--all` asks about).
fn still_valid(
    settings: &Settings,
    credentials: &OnceCell<Option<String>>,
    profile: &str,
    key: &Key,
) -> Option<(DateTime<Utc>, String)> {
    let record = ProfileRecord::load(&ProfileRecord::path(settings, profile))?;
    if record.key != key_text(key, settings) {
        return None;
    }
    let text = credentials
        .get_or_init(|| std::fs::read_to_string(&settings.credentials_file).ok())
        .as_deref()?;
    let value = |k: &str| credentials_file::value(text, profile, k);
    if value("aws_access_key_id")? != record.access_key_id
        || value("aws_secret_access_key")?.is_empty()
        || value("aws_session_token")?.is_empty()
    {
        return None;
    }
    let expiration = DateTime::parse_from_rfc3339(&value("x_security_token_expires")?)
        .ok()?
        .with_timezone(&Utc);
    let margin = chrono::Duration::from_std(settings.refresh_margin).ok()?;
    (expiration - margin > Utc::now()).then_some((expiration, record.region))
}
