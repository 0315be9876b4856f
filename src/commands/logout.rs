//! `aws-token logout [--all-orgs]`: forget what aws-token keeps for the config's IdP org (every org
//! with `--all-orgs`): the kept IdP sessions, remembered passwords, cached credentials and the
//! Okta pipeline learnt (an org may have moved to Identity Engine since). Says what it removed. The
//! profiles in the credentials file are the user's and stay.

use super::{Context, kept};
use crate::cache::Cache;
use crate::error::Result;
use crate::idp::okta::pipeline::Pipelines;
use crate::idp::org_of;

/// Forget the kept sessions and cached credentials.
pub fn run(ctx: &Context<'_>, all_orgs: bool) -> Result<()> {
    let org = org_of(&ctx.settings.idp_url);
    let scope = (!all_orgs).then_some(&org);
    let (sessions, passwords) = kept(ctx);
    let sessions_removed = sessions.forget_all(scope);
    let cached = Cache::new(ctx.settings.cache_dir.clone()).remove_org(scope);
    let passwords_removed = passwords.map_or(0, |p| p.forget_all(scope));
    Pipelines::new(&ctx.settings.cache_dir).forget(scope);
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let whom = if all_orgs {
        "every IdP".to_owned()
    } else {
        org.to_string()
    };
    // Shown even with --quiet: it is the answer to what was asked.
    ctx.reporter.attention(&format!(
        "Logged out of {whom}: forgot {} (kept in {}), {} and {} (in {})",
        plural(sessions_removed, "IdP session"),
        sessions.describe(),
        plural(passwords_removed, "remembered password"),
        plural(cached, "set of cached credentials"),
        ctx.settings.cache_dir.display()
    ));
    Ok(())
}
