//! Shell completion scripts and the man page, generated from the same clap definition as the
//! parser, so they can never disagree with the flags.

use std::io::Write;

/// Write the completion script for `shell`. In bash, zsh and fish, `--account` completes the
/// config's account names and `--role` the role names the org granted last, both asked of
/// `aws-token __complete` when the user presses Tab (not file names).
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::command(), "aws-token", &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    let _ = out.write_all(with_dynamic_values(shell, &script).as_bytes());
}

/// `script` with the value completion of `--account` and `--role` asked of `aws-token __complete`.
fn with_dynamic_values(shell: clap_complete::Shell, script: &str) -> String {
    use clap_complete::Shell;
    // The hidden helper is no command to offer.
    let mut s = match shell {
        // clap_complete names a subcommand's case `aws__subcmd__token__subcmd__X` but sets
        // `cmd=aws__token__subcmd__X` for a binary whose name has a dash: without this, no
        // subcommand's options complete in bash.
        Shell::Bash => script
            .replace(" __complete help\"", " help\"")
            .replace("aws__subcmd__token__subcmd__", "aws__token__subcmd__"),
        Shell::Fish => script
            .lines()
            .filter(|l| !l.contains("-a \"__complete\""))
            .map(|l| format!("{l}\n"))
            .collect(),
        _ => script.to_owned(),
    };
    for (flag, what, upper) in [
        ("account", "accounts", "ACCOUNT"),
        ("role", "roles", "ROLE"),
    ] {
        let ask = format!("aws-token __complete {what} 2>/dev/null");
        match shell {
            Shell::Bash => {
                s = s.replace(
                    &format!(
                        "--{flag})\n                    COMPREPLY=($(compgen -f \"${{cur}}\"))"
                    ),
                    &format!(
                        "--{flag})\n                    __aws_token_values {what} \"${{cur}}\""
                    ),
                );
            }
            Shell::Zsh => {
                s = s.replace(
                    &format!(":{upper}:_default'"),
                    &format!(":{upper}:{{compadd -- ${{(f)\"$({ask})\"}}}}'"),
                );
            }
            Shell::Fish => {
                // Unconditional: clap's condition (`argparse` over the words so far) fails while
                // the option's value is still missing, so a conditional line never offers one.
                s.push_str(&format!(
                    "complete -c aws-token -l {flag} -r -f -a \"({ask})\"\n"
                ));
            }
            _ => {}
        }
    }
    if shell == Shell::Bash {
        s = format!("{BASH_VALUES}{s}");
    }
    s
}

/// The bash function that offers `aws-token __complete WHAT`'s lines starting with what is typed.
/// Each line is one word, taken as it is: `compgen -W` would expand every word again (a role
/// named `$(cmd)` would run cmd at Tab), and an unquoted `$(...)` would split and glob it.
const BASH_VALUES: &str = r#"__aws_token_values() {
    local word
    COMPREPLY=()
    while IFS= read -r word; do
        [[ "${word}" == "$2"* ]] && COMPREPLY+=("${word}")
    done < <(aws-token __complete "$1" 2>/dev/null)
}

"#;

/// `aws-token __complete WHAT` for the run's `settings`: the names a completion script offers,
/// one a line. Only names of a plain character set (IAM role names, profile-name characters for
/// accounts) are offered: a shell puts them on the command line.
pub fn values(what: crate::cli::CompleteWhat, settings: &crate::settings::Settings) -> String {
    let names: Vec<String> = match what {
        crate::cli::CompleteWhat::Accounts => settings
            .account_names
            .iter()
            .map(|(name, _)| name.clone())
            .filter(|name| crate::settings::check_profile_name(name).is_ok())
            .collect(),
        crate::cli::CompleteWhat::Roles => crate::known_roles::KnownRoles::new(&settings.cache_dir)
            .get(&crate::idp::org_of(&settings.idp_url)),
    };
    names.iter().map(|n| format!("{n}\n")).collect()
}

/// Write the man page (roff): clap's sections, then EXAMPLES, FILES, ENVIRONMENT and EXIT STATUS.
pub fn man(out: &mut dyn Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(crate::cli::command());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    for (title, entries) in SECTIONS {
        writeln!(out, ".SH {title}")?;
        for (term, text) in *entries {
            writeln!(out, ".TP\n{}\n{}", roff(term), roff(text))?;
        }
    }
    man.render_version_section(out)
}

/// Text for roff: backslashes and hyphens escaped, no line starting with a dot.
fn roff(text: &str) -> String {
    let t = text.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}

/// The man page's own sections: (title, [(term, text)]).
const SECTIONS: &[(&str, &[(&str, &str)])] = &[
    (
        "EXAMPLES",
        &[
            (
                "eval \"$(aws-token)\"",
                "Log in, write the default account's profile and export AWS_PROFILE and AWS_DEFAULT_REGION.",
            ),
            (
                "aws-token --account development --role Admin",
                "Another account (chained through the default one when it has no idpEntryUrl of its own) and role.",
            ),
            (
                "aws-token exec --role ReadOnly -- terraform plan",
                "Run a command with the credentials in its environment.",
            ),
            (
                "credential_process = aws-token credential-process --account staging --role Admin",
                "In ~/.aws/config: the AWS CLI and SDKs ask aws-token for credentials.",
            ),
            (
                "aws-token --all",
                "One login, a profile <account>-<role> for every role granted.",
            ),
            (
                "aws-token logout",
                "Forget the kept IdP session, remembered password and cached credentials of the org.",
            ),
        ],
    ),
    (
        "FILES",
        &[
            (
                "./config.json, $XDG_CONFIG_HOME/aws-token/config.json, /etc/aws-token/config.json",
                "The organisation's config, first found (--config and AWS_TOKEN_CONFIG win); else a config built into the binary.",
            ),
            (
                "~/.aws/credentials",
                "The profile's keys are written here (awsConfigPath, AWS_SHARED_CREDENTIALS_FILE); nothing else in it changes.",
            ),
            (
                "~/.aws/config",
                "The profile's region and output format (AWS_CONFIG_FILE).",
            ),
            (
                "$XDG_CACHE_HOME/aws-token/ (~/.cache/aws-token/)",
                "0700: cached credentials (credentials-*.json), their locks, the profiles written (profile-*.json), kept.json (the names of kept secrets), secrets.json (kept IdP sessions where no OS keyring answers), pipelines.json (each Okta org's pipeline), usernames.json (each org's last username).",
            ),
            (
                "the OS keyring",
                "Kept IdP sessions and remembered passwords (kernel keyring or Secret Service on Linux, Keychain, Credential Manager).",
            ),
        ],
    ),
    (
        "ENVIRONMENT",
        &[
            (
                "AWS_TOKEN_<OPTION>",
                "Every option, e.g. AWS_TOKEN_USERNAME, AWS_TOKEN_PASSWORD, AWS_TOKEN_OTP, AWS_TOKEN_ROLE.",
            ),
            (
                "AWS_TOKEN_KEYRING",
                "kernel, secret-service or file: where kept secrets go.",
            ),
            (
                "AWS_TOKEN_FEDERATION_URL",
                "The federation endpoint of console.",
            ),
            (
                "AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL",
                "Another STS endpoint (https, or http on loopback).",
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE",
                "The AWS files to write.",
            ),
            (
                "SSL_CERT_FILE, SSL_CERT_DIR, AWS_CA_BUNDLE",
                "Extra CA certificates to trust.",
            ),
            (
                "XDG_CONFIG_HOME, XDG_CACHE_HOME, HOME",
                "Where the config and the cache are looked for.",
            ),
            ("NO_COLOR", "No colour on stderr."),
        ],
    ),
    (
        "EXIT STATUS",
        &[
            ("0", "Credentials written or printed."),
            ("1", "An internal error."),
            (
                "2",
                "A usage or config error, or input needed without a terminal.",
            ),
            (
                "3",
                "The login failed: wrong password or code, locked out, MFA refused or timed out.",
            ),
            (
                "4",
                "Not authorised: no AWS role, role not found, app not assigned, a policy that needs a browser.",
            ),
            ("5", "STS refused."),
            (
                "6",
                "Network: refused, DNS, TLS, timeout, IdP server errors, rate limited, a URL refused.",
            ),
            ("7", "A local file error."),
            (
                "126, 127",
                "exec: the command cannot run, or is not found; otherwise exec exits as its command does.",
            ),
            ("130", "Interrupted (131 SIGQUIT, 143 SIGTERM, 129 SIGHUP)."),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_flags() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
            clap_complete::Shell::Elvish,
        ] {
            let mut out = Vec::new();
            completions(shell, &mut out);
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("durationSeconds"), "{shell:?}");
        }
    }

    #[test]
    fn man_page_is_roff() {
        let mut out = Vec::new();
        man(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(".ie"), "{}", &text[..40]);
        assert!(text.contains("aws\\-token"));
        for section in ["EXAMPLES", "FILES", "ENVIRONMENT", "EXIT STATUS"] {
            assert!(text.contains(&format!(".SH {section}")), "{section}");
        }
        assert!(text.contains("usernames.json"));
    }
}
