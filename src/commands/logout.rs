//! `aws-token logout [--all-orgs]`: forget what aws-token keeps for the config's IdP org (every org
//! with `--all-orgs`): the kept IdP sessions, remembered passwords, cached credentials and the
//! Okta pipeline learnt (an org may have moved to Identity Engine since). Says what it removed
//! (nothing with `-q`), and names the profiles of the credentials file that are still valid: they
//! are the user's and stay.

use super::{Context, kept};
use crate::cache::Cache;
use crate::credentials_file;
use crate::error::{Error, Result};
use crate::idp::okta::pipeline::Pipelines;
use crate::idp::org_of;

/// Forget the kept sessions and cached credentials.
pub fn run(ctx: &Context<'_>, all_orgs: bool) -> Result<()> {
    if ctx.settings.all {
        return Err(Error::Usage(
            "--all is a login flag (a profile for every role); to forget every IdP org, use logout --all-orgs".into(),
        ));
    }
    let org = org_of(&ctx.settings.idp_url);
    let scope = (!all_orgs).then_some(&org);
    let (sessions, passwords) = kept(ctx);
    let sessions_removed = sessions.forget_all(scope);
    let cached = Cache::new(ctx.settings.cache_dir.clone()).remove_org(scope);
    let passwords_removed = passwords.map_or(0, |p| p.forget_all(scope));
    Pipelines::new(&ctx.settings.cache_dir).forget(scope);
    let whom = if all_orgs {
        "every IdP".to_owned()
    } else {
        org.to_string()
    };
    ctx.reporter.info(&format!(
        "Logged out of {whom}: forgot {} (kept in {}), {} and {} (in {})",
        count(sessions_removed, "IdP session", "IdP sessions"),
        sessions.describe(),
        count(
            passwords_removed,
            "remembered password",
            "remembered passwords"
        ),
        count(
            cached,
            "set of cached credentials",
            "sets of cached credentials"
        ),
        ctx.settings.cache_dir.display()
    ));
    let valid = still_valid_profiles(&ctx.settings.credentials_file);
    if !valid.is_empty() {
        ctx.reporter.info(&format!(
            "Still valid in {} until they expire: {}. Logout leaves your credentials file alone; delete a profile's section there to stop using it now",
            ctx.settings.credentials_file.display(),
            valid.join(", ")
        ));
    }
    Ok(())
}

/// "1 IdP session", "2 IdP sessions".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The profiles of the credentials file that hold credentials which have not expired yet
/// (`x_security_token_expires` in the future), with when they expire.
fn still_valid_profiles(path: &std::path::Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let now = chrono::Utc::now();
    credentials_file::sections(&text)
        .into_iter()
        .filter_map(|p| {
            let expires = credentials_file::value(&text, &p, "x_security_token_expires")?;
            let at = chrono::DateTime::parse_from_rfc3339(&expires).ok()?;
            (at > now).then(|| {
                format!(
                    "{p} (until {})",
                    at.with_timezone(&chrono::Local).format("%H:%M")
                )
            })
        })
        .collect()
}
