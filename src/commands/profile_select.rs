//! What `--profile NAME` (and, for the commands that read credentials, `AWS_PROFILE`) selects, as
//! in every AWS tool: a profile aws-token wrote — a `configure profiles` profile (its
//! `credential_process` names the account and role), or one a login or `--all` wrote (its record in
//! the cache names the role) — is signed in as that account and role. For `exec`, `console`,
//! `serve` and `credential-process` a name aws-token does not know is refused with the names it
//! knows, unless `--role`/`--account` say what to do; a login keeps the seed's meaning of an
//! unknown name (the profile to write), but never writes keys under the name of a generated profile
//! of another role.

use crate::credentials_file;
use crate::error::{Error, Result};
use crate::settings::Settings;
use std::collections::BTreeMap;

/// The account (a name of config.json's `accounts`) and role (a full ARN) a profile stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub account: String,
    pub role: String,
}

/// What `profile` stands for in `settings`' world, if aws-token wrote it.
pub fn lookup(settings: &Settings, profile: &str) -> Option<Selected> {
    generated(settings, &through_aws_token(settings), profile)
        .or_else(|| recorded(settings, profile))
}

/// The profiles of ~/.aws/config whose `credential_process` runs `aws-token credential-process`
/// (as `configure profiles` writes them), each with that command line split into words; read and
/// parsed once per caller.
pub fn through_aws_token(settings: &Settings) -> BTreeMap<String, Vec<String>> {
    let Ok(text) = credentials_file::read_checked(&settings.aws_config_file) else {
        return BTreeMap::new();
    };
    credentials_file::sections_with(&text, &["credential_process"])
        .into_iter()
        .filter_map(|(section, values)| {
            let profile = section.strip_prefix("profile ")?.to_owned();
            let words = shell_words(values.into_iter().next().flatten()?.as_str());
            words
                .iter()
                .any(|w| w == "credential-process")
                .then_some((profile, words))
        })
        .collect()
}

/// A `configure profiles` profile (one of `through`): its command line names the account (one of
/// the config's) and the role.
fn generated(
    settings: &Settings,
    through: &BTreeMap<String, Vec<String>>,
    profile: &str,
) -> Option<Selected> {
    let words = through.get(profile)?;
    let after = |flag: &str| {
        words
            .iter()
            .position(|w| w == flag)
            .and_then(|i| words.get(i + 1))
            .cloned()
    };
    let account = after("--account")?;
    let role = after("--role")?;
    settings
        .account_names
        .iter()
        .any(|(name, _)| *name == account)
        .then_some(Selected { account, role })
}

/// Whether `profile` in ~/.aws/config resolves through aws-token: static keys under that name in
/// the credentials file would hide it (botocore reads that file first) and expire.
pub fn resolves_through_aws_token(settings: &Settings, profile: &str) -> bool {
    through_aws_token(settings).contains_key(profile)
}

/// The profiles of ~/.aws/config that resolve through aws-token and that a section of the same
/// name in the credentials file hides.
pub fn hidden(settings: &Settings) -> Vec<String> {
    let Ok(credentials) = credentials_file::read_checked(&settings.credentials_file) else {
        return Vec::new();
    };
    let sections = credentials_file::sections(&credentials);
    through_aws_token(settings)
        .into_keys()
        .filter(|p| sections.contains(p))
        .collect()
}

/// What to tell the user of `names` (from `hidden`).
pub fn hidden_warning(settings: &Settings, names: &[String]) -> String {
    format!(
        "{} in {} hide{} the profile{} of the same name in {} that aws-token resolves (credential_process): botocore takes the static keys first, and they expire; remove {} from {}",
        names
            .iter()
            .map(|n| format!("[{n}]"))
            .collect::<Vec<_>>()
            .join(", "),
        settings.credentials_file.display(),
        if names.len() == 1 { "s" } else { "" },
        if names.len() == 1 { "" } else { "s" },
        settings.aws_config_file.display(),
        if names.len() == 1 {
            "that section"
        } else {
            "those sections"
        },
        settings.credentials_file.display()
    )
}

/// A profile a login (or `--all`) wrote: the role its record names, in the account of config.json
/// that is logged in to directly (else any of that number).
fn recorded(settings: &Settings, profile: &str) -> Option<Selected> {
    let role = super::login::recorded_role(settings, profile)?;
    let number = role.split(':').nth(4)?;
    let account = super::account_label(settings, number);
    settings
        .account_names
        .iter()
        .any(|(name, _)| *name == account)
        .then_some(Selected { account, role })
}

/// The profiles aws-token knows in `settings`' world, for the refusal's message.
pub fn known(settings: &Settings) -> Vec<String> {
    let through = through_aws_token(settings);
    let mut names: Vec<String> = through
        .keys()
        .filter(|p| generated(settings, &through, p).is_some())
        .cloned()
        .collect();
    if let Ok(text) = credentials_file::read_checked(&settings.credentials_file) {
        names.extend(
            credentials_file::sections(&text)
                .into_iter()
                .filter(|p| recorded(settings, p).is_some()),
        );
    }
    names.extend(settings.account_names.iter().map(|(n, _)| n.clone()));
    names.sort();
    names.dedup();
    names
}

/// The refusal of a profile name aws-token does not know (`from_env`: it came from AWS_PROFILE).
pub fn unknown(settings: &Settings, profile: &str, from_env: bool) -> Error {
    Error::Usage(format!(
        "{} {profile:?} is not a profile aws-token wrote or an account of the config, so it cannot tell which account and role to use; known: {}. Name one of those, or pass --role (and --account){}",
        if from_env { "AWS_PROFILE" } else { "--profile" },
        known(settings).join(", "),
        if from_env {
            ", or unset AWS_PROFILE"
        } else {
            ""
        }
    ))
}

/// A login asked to write `profile` for `role`: refused when `profile` is aws-token's generated
/// profile of another role (its keys would then stand under a name that says otherwise).
pub fn check_target(settings: &Settings, profile: &str) -> Result<()> {
    let Some(sel) = lookup(settings, profile) else {
        return Ok(());
    };
    let wanted = settings.role.as_deref().unwrap_or_default();
    let same_role =
        wanted.is_empty() || sel.role == wanted || sel.role.rsplit('/').next() == Some(wanted);
    let same_account = sel.account == settings.account_name;
    if same_role && same_account {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "profile {profile:?} is aws-token's profile for {} (account {}); writing the credentials of another role under that name would mislead every tool that reads it: choose another --profile name, or drop --role/--account to use that profile's role",
        sel.role, sel.account
    )))
}

/// `text` split as a POSIX shell splits a command line of plain and single-quoted words (the form
/// `configure profiles` writes).
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            '\\' if !quoted => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_process_lines_split_as_a_shell_does() {
        assert_eq!(
            shell_words(
                "/usr/bin/aws-token credential-process --config '/home/Jane Doe/c.json' --account staging --role arn:aws:iam::1:role/A"
            ),
            [
                "/usr/bin/aws-token",
                "credential-process",
                "--config",
                "/home/Jane Doe/c.json",
                "--account",
                "staging",
                "--role",
                "arn:aws:iam::1:role/A"
            ]
        );
        assert_eq!(shell_words(r"'it'\''s' x"), ["it's", "x"]);
    }
}
