//! `aws-token status`: what aws-token holds and until when, without a network call or a keyring
//! read — the profiles it wrote (role, expiry, time left), the credentials it caches, the IdP
//! sessions it keeps (per org and username: where, and since when), the passwords it remembers
//! (where, never the value), and the config in effect. Text on stdout, or JSON with `--output json`.

use super::{Context, write_stdout};
use crate::cache::Cache;
use crate::cli::OutputFormat;
use crate::credentials_file;
use crate::error::Result;
use crate::keyring::{Index, Kept};
use crate::report::printable;
use crate::settings::{ProviderKind, Settings};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// Everything `status` reports.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    config: ConfigInEffect,
    /// Profiles ~/.aws/config resolves through aws-token that a credentials-file section hides.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hidden: Vec<String>,
    /// Why the credentials file could not be read (its profiles are then not listed).
    #[serde(skip_serializing_if = "Option::is_none")]
    credentials_error: Option<String>,
    profiles: Vec<Profile>,
    cached_credentials: Vec<CachedRole>,
    sessions: Vec<KeptEntry>,
    passwords: Vec<KeptEntry>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigInEffect {
    path: String,
    provider: String,
    idp_url: String,
    account: String,
    region: Option<String>,
    credentials_file: String,
    cache_dir: String,
    refresh_margin_minutes: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    profile: String,
    /// The role aws-token wrote there (unknown when the profile was changed since).
    role_arn: Option<String>,
    expiration: Option<String>,
    /// Negative once expired.
    seconds_left: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CachedRole {
    role_arn: String,
    org: String,
    region: String,
    expiration: String,
    seconds_left: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct KeptEntry {
    org: String,
    /// `null` when the username was typed at a prompt and not known yet.
    username: Option<String>,
    /// Where: "the kernel keyring", "the Secret Service (...)", a file's path.
    kept_in: Option<String>,
    since: Option<String>,
    age_seconds: Option<i64>,
    /// A password asked to be remembered, kept at the next login.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    at_next_login: bool,
}

/// Print the status.
pub fn run(ctx: &Context<'_>) -> Result<()> {
    let now = Utc::now();
    let status = collect(&ctx.settings, now);
    let text = if ctx.settings.output == OutputFormat::Json {
        let mut json = serde_json::to_string_pretty(&status)
            .map_err(|e| crate::error::Error::Internal(format!("cannot render the status: {e}")))?;
        json.push('\n');
        json
    } else {
        render(&status, &ctx.settings)
    };
    write_stdout(text.as_bytes())
}

/// The provider's name as config.json spells it.
fn provider_name(settings: &Settings) -> String {
    match &settings.provider {
        ProviderKind::Okta => match settings.okta_pipeline {
            Some(p) => format!("okta ({})", p.name()),
            None => "okta".into(),
        },
        ProviderKind::Form(_) => "form".into(),
        ProviderKind::Entra => "entra".into(),
        ProviderKind::Browser {
            mode: crate::idp::browser::Mode::Okta,
            ..
        } => "okta-browser".into(),
        ProviderKind::Browser { .. } => "browser".into(),
    }
}

fn collect(settings: &Settings, now: DateTime<Utc>) -> Status {
    let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let config = ConfigInEffect {
        path: settings.config_path.display().to_string(),
        provider: provider_name(settings),
        idp_url: crate::idp::http::display_url(&settings.idp_url),
        account: settings.account_name.clone(),
        region: settings.region.clone(),
        credentials_file: settings.credentials_file.display().to_string(),
        cache_dir: settings.cache_dir.display().to_string(),
        refresh_margin_minutes: settings.refresh_margin.as_secs() / 60,
    };
    // Read as a write would (a FIFO or a device is refused, not read), and in one pass.
    let (text, credentials_error) = match credentials_file::read_checked(&settings.credentials_file)
    {
        Ok(text) => (text, None),
        Err(e) => (String::new(), Some(e.to_string())),
    };
    let profiles =
        credentials_file::sections_with(&text, &["x_security_token_expires", "aws_access_key_id"])
            .into_iter()
            .filter_map(|(profile, values)| {
                let mut values = values.into_iter();
                let expires = values.next().flatten()?;
                let key = values.next().flatten();
                let expiration = DateTime::parse_from_rfc3339(&expires)
                    .ok()
                    .map(|t| t.with_timezone(&Utc));
                let role_arn =
                    key.and_then(|key| super::login::role_of_profile(settings, &profile, &key));
                Some(Profile {
                    profile,
                    role_arn,
                    expiration: expiration.map(rfc),
                    seconds_left: expiration.map(|e| (e - now).num_seconds()),
                })
            })
            .collect();
    let cached_credentials = Cache::new(settings.cache_dir.clone())
        .list()
        .into_iter()
        .map(|c| CachedRole {
            role_arn: role_arn_of(&c.assumed_role_arn),
            org: c.org,
            region: c.region,
            expiration: rfc(c.expiration),
            seconds_left: (c.expiration - now).num_seconds(),
        })
        .collect();
    let entries = Index::new(&settings.cache_dir).entries();
    let kept = |kind: &str| -> Vec<KeptEntry> {
        entries
            .iter()
            .filter_map(|k| kept_entry(k, kind, now))
            .collect()
    };
    let mut passwords = kept("password");
    passwords.extend(kept("password-wanted").into_iter().map(|mut k| {
        k.at_next_login = true;
        k.kept_in = None;
        k
    }));
    let hidden = super::profile_select::hidden(settings);
    Status {
        config,
        hidden,
        credentials_error,
        profiles,
        cached_credentials,
        sessions: kept("session"),
        passwords,
    }
}

/// The index entry `k` when it is of `kind` ("session", "password"): `<kind> <org> <username>`.
fn kept_entry(k: &Kept, kind: &str, now: DateTime<Utc>) -> Option<KeptEntry> {
    let rest = k.name.strip_prefix(kind)?.strip_prefix(' ')?;
    let (org, username) = rest.split_once(' ')?;
    Some(KeptEntry {
        org: org.to_owned(),
        username: (username != "-").then(|| username.to_owned()),
        kept_in: k.store.clone(),
        since: k
            .since
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        age_seconds: k.since.map(|t| (now - t).num_seconds()),
        at_next_login: false,
    })
}

/// The role of an assumed-role ARN: `arn:P:sts::A:assumed-role/NAME/SESSION` -> `arn:P:iam::A:role/NAME`.
fn role_arn_of(assumed: &str) -> String {
    let parts: Vec<&str> = assumed.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "sts", "", account, resource] => {
            match resource.strip_prefix("assumed-role/") {
                Some(rest) => format!(
                    "arn:{partition}:iam::{account}:role/{}",
                    rest.split('/').next().unwrap_or(rest)
                ),
                None => assumed.to_owned(),
            }
        }
        _ => assumed.to_owned(),
    }
}

/// "in 0h59m", "expired 2h03m ago".
fn left(seconds: i64) -> String {
    let m = seconds.unsigned_abs() / 60;
    if seconds > 0 {
        format!("in {}h{:02}m", m / 60, m % 60)
    } else {
        format!("expired {}h{:02}m ago", m / 60, m % 60)
    }
}

/// "3h10m", "2d4h": an age.
fn age(seconds: i64) -> String {
    let m = seconds.max(0) / 60;
    if m >= 24 * 60 {
        format!("{}d{}h", m / (24 * 60), m / 60 % 24)
    } else {
        format!("{}h{:02}m", m / 60, m % 60)
    }
}

/// A local time for people.
fn local(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339).map_or_else(
        |_| rfc3339.to_owned(),
        |t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        },
    )
}

/// Rows as aligned columns, two spaces in; every cell in printable form (a profile name or a
/// role ARN may hold control characters that would move the cursor or rewrite the screen).
fn table(rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|c| printable(c).into_owned()).collect())
        .collect();
    let rows = &rows;
    let mut widths = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if widths.len() <= i {
                widths.push(0);
            }
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(" ");
        for (i, cell) in row.iter().enumerate() {
            line.push(' ');
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 1));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn render(s: &Status, settings: &Settings) -> String {
    let c = &s.config;
    let mut out = format!(
        "Config {} (provider {}, IdP {}, account {}, region {})\n",
        c.path,
        c.provider,
        c.idp_url,
        c.account,
        c.region.as_deref().unwrap_or("from the assertion")
    );
    out.push_str(&format!(
        "\nProfiles in {}:\n",
        settings.credentials_file.display()
    ));
    if !s.hidden.is_empty() {
        out.push_str(&format!(
            "  warning: {}\n",
            printable(&super::profile_select::hidden_warning(settings, &s.hidden))
        ));
    }
    if let Some(e) = &s.credentials_error {
        out.push_str(&format!("  cannot be read: {}\n", printable(e)));
    } else if s.profiles.is_empty() {
        out.push_str("  none written by aws-token\n");
    } else {
        let rows: Vec<Vec<String>> = s
            .profiles
            .iter()
            .map(|p| {
                vec![
                    p.profile.clone(),
                    p.role_arn
                        .clone()
                        .unwrap_or_else(|| "(role unknown: changed since)".into()),
                    p.expiration.as_deref().map(local).unwrap_or_default(),
                    p.seconds_left.map(left).unwrap_or_default(),
                ]
            })
            .collect();
        out.push_str(&table(&rows));
    }
    out.push_str(&format!(
        "\nCached credentials in {}:\n",
        settings.cache_dir.display()
    ));
    if s.cached_credentials.is_empty() {
        out.push_str("  none\n");
    } else {
        let rows: Vec<Vec<String>> = s
            .cached_credentials
            .iter()
            .map(|r| {
                vec![
                    r.role_arn.clone(),
                    r.region.clone(),
                    local(&r.expiration),
                    left(r.seconds_left),
                ]
            })
            .collect();
        out.push_str(&table(&rows));
    }
    let kept_rows = |entries: &[KeptEntry]| -> Vec<Vec<String>> {
        entries
            .iter()
            .map(|k| {
                vec![
                    k.org.clone(),
                    k.username.clone().unwrap_or_else(|| "(prompted)".into()),
                    if k.at_next_login {
                        "kept at the next login".into()
                    } else {
                        k.kept_in.clone().unwrap_or_else(|| "kept".into())
                    },
                    k.age_seconds
                        .map(|a| format!("since {} ago", age(a)))
                        .unwrap_or_default(),
                ]
            })
            .collect()
    };
    out.push_str("\nIdP sessions:\n");
    let org = crate::idp::org_of(&settings.idp_url).to_string();
    if !s.sessions.iter().any(|k| k.org == org) {
        out.push_str(&format!(
            "  {org}: none kept (the next login asks for the password)\n"
        ));
    }
    out.push_str(&table(&kept_rows(&s.sessions)));
    out.push_str("\nRemembered passwords:\n");
    if s.passwords.is_empty() {
        out.push_str("  none (--remember keeps one in the OS keyring)\n");
    } else {
        out.push_str(&table(&kept_rows(&s.passwords)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumed_roles_name_their_role() {
        assert_eq!(
            role_arn_of("arn:aws:sts::111111111111:assumed-role/Admin/jane@example.com"),
            "arn:aws:iam::111111111111:role/Admin"
        );
        assert_eq!(
            role_arn_of("arn:aws-cn:sts::111111111111:assumed-role/Dev/x"),
            "arn:aws-cn:iam::111111111111:role/Dev"
        );
        assert_eq!(role_arn_of("garbage"), "garbage");
    }

    #[test]
    fn times_read_as_people_say_them() {
        assert_eq!(left(3599), "in 0h59m");
        assert_eq!(left(-7380), "expired 2h03m ago");
        assert_eq!(age(26 * 3600), "1d2h");
        assert_eq!(age(61), "0h01m");
    }

    #[test]
    fn columns_line_up() {
        let t = table(&[
            vec!["a".into(), "bb".into(), "c".into()],
            vec!["ddd".into(), "e".into(), "f".into()],
        ]);
        assert_eq!(t, "  a    bb  c\n  ddd  e   f\n");
    }
}
