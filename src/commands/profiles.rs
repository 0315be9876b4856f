//! `aws-token configure profiles`: one `[profile <account>-<role>]` in `~/.aws/config` for every role
//! the login grants, each resolved by `credential_process = <aws-token> credential-process
//! --account .. --role <role ARN>` and with the region, so the AWS CLI and every SDK use any role
//! with `--profile`. They live in one marked block per IdP app: re-running replaces that block
//! only (roles that are gone go, every line outside it stays byte for byte), and a profile the user
//! has outside the block is never shadowed. `--dry-run` prints the change as a unified diff.

use super::{Context, Online, account_label, write_stdout};
use crate::credentials_file::{self, FileMode};
use crate::error::{Error, Result};
use crate::saml::AwsRole;
use crate::settings::Settings;
use std::path::Path;

/// What the user asked of the profile names and the run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Put before every name.
    pub prefix: Option<String>,
    /// `{account}`, `{account_id}`, `{role}` (default `{account}-{role}`).
    pub name_template: Option<String>,
    /// Print the diff, write nothing.
    pub dry_run: bool,
}

/// The default name of a role's profile.
const DEFAULT_TEMPLATE: &str = "{account}-{role}";

/// Log in once, then write (or show) the block.
pub fn run(ctx: &Context<'_>, options: &Options) -> Result<()> {
    let settings = &ctx.settings;
    let template = options.name_template.as_deref().unwrap_or(DEFAULT_TEMPLATE);
    if !template.contains("{role}") {
        return Err(Error::Usage(format!(
            "--name-template {template:?} has no {{role}}: every role would get the same profile"
        )));
    }
    credentials_file::check(&settings.aws_config_file)?;
    let assertion = Online::new(ctx)?.sign_in(settings, ctx.reporter)?;
    let mut roles = assertion.roles;
    roles.sort_by(|a, b| (&a.account_id, &a.name).cmp(&(&b.account_id, &b.name)));
    roles.dedup_by(|a, b| a.role_arn == b.role_arn);
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| Error::Internal(format!("cannot find aws-token's own path: {e}")))?;
    let command = base_command(settings, ctx.env, &exe);
    let mut profiles = Vec::new();
    for role in &roles {
        let name = format!(
            "{}{}",
            options.prefix.as_deref().unwrap_or(""),
            template
                .replace("{account}", &account_label(settings, &role.account_id))
                .replace("{account_id}", &role.account_id)
                .replace("{role}", &role.name)
        );
        if let Err(e) = crate::settings::check_profile_name(&name) {
            ctx.reporter
                .warn(&format!("{}: {e}; no profile written", role.role_arn));
            continue;
        }
        profiles.push((name, role));
    }
    refuse_clashes(&profiles, template)?;
    let marker = Marker::of(&settings.idp_url);
    let path = settings.aws_config_file.clone();
    let (old, _) = credentials_file::read_text(&credentials_file::check(&path)?)?;
    let outcome = block_edit(&old, &marker, &profiles, &command, settings, &path)?;
    for name in &outcome.shadowed {
        ctx.reporter.warn(&format!(
            "[profile {name}] is already in {} outside aws-token's block: left as it is, and not written",
            path.display()
        ));
    }
    if options.dry_run {
        let diff = similar::TextDiff::from_lines(&old, &outcome.text)
            .unified_diff()
            .context_radius(2)
            .header(
                &path.display().to_string(),
                &format!("{} (configure profiles)", path.display()),
            )
            .to_string();
        if diff.is_empty() {
            ctx.reporter.info(&format!(
                "{} is up to date: nothing to change",
                path.display()
            ));
        }
        return write_stdout(diff.as_bytes());
    }
    if outcome.text != old {
        // Re-made under the file's lock from what is there then: a change made meanwhile by
        // another program is kept.
        credentials_file::rewrite(&path, FileMode::KeepOrDefault, |current, target| {
            Ok(block_edit(current, &marker, &profiles, &command, settings, target)?.text)
        })?;
    }
    let written: Vec<&String> = profiles
        .iter()
        .map(|(n, _)| n)
        .filter(|n| !outcome.shadowed.contains(n))
        .collect();
    write_stdout(
        written
            .iter()
            .map(|n| format!("{n}\n"))
            .collect::<String>()
            .as_bytes(),
    )?;
    let hidden = super::profile_select::hidden(settings);
    if !hidden.is_empty() {
        ctx.reporter
            .warn(&super::profile_select::hidden_warning(settings, &hidden));
    }
    ctx.reporter.info(&format!(
        "{} profiles in {} ({} new, {} gone){}; for example: aws sts get-caller-identity --profile {}",
        written.len(),
        path.display(),
        outcome.added,
        outcome.removed,
        if outcome.text == old {
            ", unchanged"
        } else {
            ""
        },
        written.first().map_or("NAME", |n| n.as_str())
    ));
    Ok(())
}

/// Two roles the template gives one name (`{role}` with Admin in two accounts, or `role/A` and
/// `role/team/A`) are refused before anything is written: botocore refuses a file with a
/// profile twice, the user's own profiles included.
fn refuse_clashes(profiles: &[(String, &AwsRole)], template: &str) -> Result<()> {
    let mut by_name: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (name, role) in profiles {
        by_name.entry(name).or_default().push(&role.role_arn);
    }
    let clashes: Vec<String> = by_name
        .iter()
        .filter(|(_, arns)| arns.len() > 1)
        .map(|(name, arns)| format!("{name} ({})", arns.join(", ")))
        .collect();
    if clashes.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "--name-template {template:?} gives more than one role the same profile name: {}; nothing was written. Put {{account}} or {{account_id}} in the template (the default is {DEFAULT_TEMPLATE})",
        clashes.join("; ")
    )))
}

/// The marker of one app's block: the link as shown (no query, no password) and a hash of the
/// whole link, so that two apps whose links differ only in the query (Entra, ADFS) keep a block
/// each. No secret of the link is in it: a query's values show only through the hash.
#[derive(Debug)]
struct Marker {
    /// What the block's lines say.
    text: String,
    /// What an aws-token of before the hash wrote: such a block is taken over by the first app
    /// with that link.
    legacy: String,
}

impl Marker {
    fn of(link: &url::Url) -> Marker {
        let shown = crate::idp::http::display_url(link);
        let key = crate::cache::hashed_name(&[link.as_str().as_bytes()]);
        Marker {
            text: format!("{shown} (key {})", &key[..12]),
            legacy: shown,
        }
    }
}

/// `credential_process`'s command up to `--role`: aws-token's absolute path, the config when it
/// is not one aws-token finds from any directory (the XDG one, /etc's, the built-in one), and the
/// account logged in through.
fn base_command(settings: &Settings, env: &crate::environment::Environment, exe: &Path) -> String {
    let mut words = vec![
        quote(&exe.display().to_string()),
        "credential-process".to_owned(),
    ];
    let config = &settings.config_path;
    let embedded = config
        .to_string_lossy()
        .starts_with("config.json embedded in");
    let everywhere = crate::config::search_path(
        &env.cwd,
        env.var("XDG_CONFIG_HOME").map(Path::new),
        env.home.as_deref(),
    );
    // The first place looked is the working directory's: not found from elsewhere.
    if !embedded && !everywhere.iter().skip(1).any(|p| p == config) {
        let absolute = std::path::absolute(config).unwrap_or_else(|_| config.clone());
        words.push("--config".into());
        words.push(quote(&absolute.display().to_string()));
    }
    words.push("--account".into());
    words.push(quote(&settings.account_name));
    words.join(" ")
}

/// `word` as one shell word (botocore splits credential_process as a POSIX shell does).
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./_-".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The file's new text and what changed.
#[derive(Debug)]
struct Outcome {
    text: String,
    added: usize,
    removed: usize,
    /// Names that are profiles outside the block: not written.
    shadowed: Vec<String>,
}

fn start_line(marker: &str) -> String {
    format!(
        "# >>> aws-token profiles for {marker} (written by `aws-token configure profiles`; changes inside are replaced) >>>"
    )
}

fn end_line(marker: &str) -> String {
    format!("# <<< aws-token profiles for {marker} <<<")
}

/// Where the block marked `marker` stands in `lines` (its first and last line), if anywhere.
fn find_block(lines: &[&str], marker: &str, path: &Path) -> Result<Option<(usize, usize)>> {
    let start = start_line(marker);
    let end = end_line(marker);
    let is = |line: &str, want: &str| line.trim_end_matches(['\n', '\r']) == want;
    let Some(b) = lines.iter().position(|l| is(l, &start)) else {
        return Ok(None);
    };
    match lines[b..].iter().position(|l| is(l, &end)) {
        Some(e) => Ok(Some((b, b + e))),
        None => Err(Error::File {
            path: path.to_owned(),
            message: format!(
                "has the start of aws-token's profiles block (line {}) but not its end line; remove the block's lines and run again",
                b + 1
            ),
        }),
    }
}

/// `old` with the block for `marker` holding `profiles` (in place of the old block, else at the
/// end).
fn block_edit(
    old: &str,
    marker: &Marker,
    profiles: &[(String, &AwsRole)],
    command: &str,
    settings: &Settings,
    path: &Path,
) -> Result<Outcome> {
    let lines: Vec<&str> = old.split_inclusive('\n').collect();
    let span = match find_block(&lines, &marker.text, path)? {
        Some(span) => Some(span),
        None => find_block(&lines, &marker.legacy, path)?,
    };
    let (before, inside, after) = match span {
        Some((b, e)) => (
            lines[..b].concat(),
            lines[b..=e].concat(),
            lines[e + 1..].concat(),
        ),
        None => (old.to_owned(), String::new(), String::new()),
    };
    let outside = format!("{before}{after}");
    let outside_sections = credentials_file::sections(&outside);
    let shadowed: Vec<String> = profiles
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| outside_sections.contains(&format!("profile {n}")))
        .collect();
    let old_names: Vec<String> = credentials_file::sections(&inside)
        .into_iter()
        .filter_map(|s| s.strip_prefix("profile ").map(str::to_owned))
        .collect();
    let mut block = format!("{}\n", start_line(&marker.text));
    let mut added = 0;
    let mut kept = Vec::new();
    for (name, role) in profiles.iter().filter(|(n, _)| !shadowed.contains(n)) {
        let section = format!("profile {name}");
        let process = format!("{command} --role {}", quote(&role.role_arn));
        let mut keys = vec![("credential_process", process.as_str())];
        if let Some(region) = &settings.region {
            keys.push(("region", region));
        }
        if let Some(output) = &settings.aws_output_format {
            keys.push(("output", output));
        }
        credentials_file::check_ini_section(&section, path)?;
        block.push_str(&format!("[{section}]\n"));
        for (key, value) in keys {
            credentials_file::check_ini_text(&format!("the value of {key}"), value, path)?;
            block.push_str(&format!("{key} = {value}\n"));
        }
        block.push('\n');
        if !old_names.contains(name) {
            added += 1;
        }
        kept.push(name.clone());
    }
    block.push_str(&format!("{}\n", end_line(&marker.text)));
    let removed = old_names.iter().filter(|n| !kept.contains(n)).count();
    let text = match span {
        Some(_) => format!("{before}{block}{after}"),
        None if before.is_empty() => block,
        None => {
            let sep = if before.ends_with("\n\n") {
                ""
            } else if before.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            format!("{before}{sep}{block}")
        }
    };
    Ok(Outcome {
        text,
        added,
        removed,
        shadowed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_a_posix_shell_split() {
        assert_eq!(
            quote("/usr/local/bin/aws-token"),
            "/usr/local/bin/aws-token"
        );
        assert_eq!(quote("arn:aws:iam::1:role/A"), "arn:aws:iam::1:role/A");
        assert_eq!(quote("/home/Jane Doe/bin/x"), "'/home/Jane Doe/bin/x'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }
}
