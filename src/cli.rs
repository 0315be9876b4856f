//! What the user typed: the clap definition of aws-token's flags, with the seed's names kept verbatim
//! (`--durationSeconds`, `-v`). No I/O happens here; `settings.rs` turns this into a `Settings`.

use clap::{ArgAction, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Log in through single sign-on (Okta, any SAML IdP) and write short-lived AWS credentials.
#[derive(Debug, Parser)]
#[command(
    name = "aws-token",
    version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (commit ",
        env!("AWS_TOKEN_COMMIT"),
        "; ",
        env!("AWS_TOKEN_CONFIG_NOTE"),
        ")"
    ),
    disable_version_flag = true,
    about = "AWS STS Token Generator: log in through single sign-on and write short-lived AWS credentials",
    after_help = "Examples:\n  eval \"$(aws-token)\"                          log in, write the default account's profile, export AWS_PROFILE\n  aws-token --account development --role Admin   another account and role\n  aws-token exec --role ReadOnly -- terraform plan\n  aws-token --all                                a profile <account>-<role> for every role\n  aws-token logout                               forget the kept session and cached credentials\n\n\
                  Every option can also be set in the environment as AWS_TOKEN_<NAME>, e.g. AWS_TOKEN_USERNAME.\n\
                  Exit codes: 0 ok, 2 usage/config, 3 login failed, 4 not authorised, 5 STS refused, 6 network, 7 file, 130 interrupted (131 SIGQUIT, 143 SIGTERM, 129 SIGHUP); exec: the command's own (127 not found, 126 cannot run)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Show program's version number and exit.
    #[arg(short = 'v', short_alias = 'V', long = "version", action = ArgAction::Version)]
    version: Option<bool>,

    /// Path of the organisation's config.json [default: ./config.json, then $XDG_CONFIG_HOME/aws-token/config.json, then /etc/aws-token/config.json]
    #[arg(
        help_heading = "Login",
        long,
        env = "AWS_TOKEN_CONFIG",
        value_name = "PATH",
        global = true
    )]
    pub config: Option<PathBuf>,

    /// IdP username (ex. jane@example.com)
    #[arg(
        help_heading = "Login",
        long,
        env = "AWS_TOKEN_USERNAME",
        global = true
    )]
    pub username: Option<String>,

    /// IdP password (better: let aws-token prompt for it; a password on the command line is visible to other users)
    #[arg(
        help_heading = "Login",
        long,
        env = "AWS_TOKEN_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub password: Option<String>,

    /// One-time code for the MFA factor (TOTP app, SMS or email code)
    #[arg(
        help_heading = "MFA",
        long,
        env = "AWS_TOKEN_OTP",
        hide_env_values = true,
        value_name = "CODE",
        global = true
    )]
    pub otp: Option<String>,

    /// Which MFA factor to use when several are enrolled
    #[arg(
        help_heading = "MFA",
        long,
        env = "AWS_TOKEN_MFA",
        value_name = "TYPE",
        global = true
    )]
    pub mfa: Option<MfaKind>,

    /// Name of SAML role to assume (exact role name or full role ARN)
    #[arg(help_heading = "Login", long, env = "AWS_TOKEN_ROLE", global = true)]
    pub role: Option<String>,

    /// Name of account to switch to (a key of "accounts" in config.json). Defaults to "defaultAccount".
    #[arg(help_heading = "Login", long, env = "AWS_TOKEN_ACCOUNT", global = true)]
    pub account: Option<String>,

    /// Profile name that the AWS credentials should be saved as. Defaults to the name of the account.
    #[arg(help_heading = "Login", long, env = "AWS_TOKEN_PROFILE", global = true)]
    pub profile: Option<String>,

    /// Lifetime of the credentials in seconds (900-43200; capped by the role's maximum)
    #[arg(help_heading = "Login", long = "durationSeconds", alias = "duration", env = "AWS_TOKEN_DURATION_SECONDS", value_name = "N",
          value_parser = clap::value_parser!(i32).range(900..=43200), global = true)]
    pub duration_seconds: Option<i32>,

    /// What to print on stdout: `profile` (export lines, credentials in the file), `env` (the keys
    /// themselves, no file written), `json` (credential_process v1, no file written), `none` (file only)
    #[arg(
        help_heading = "Output",
        long,
        env = "AWS_TOKEN_OUTPUT",
        value_name = "FORMAT",
        default_value = "profile",
        global = true
    )]
    pub output: OutputFormat,

    /// How long to wait for an Okta Verify push to be answered, in seconds
    #[arg(
        help_heading = "MFA",
        long,
        env = "AWS_TOKEN_MFA_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 120,
        global = true
    )]
    pub mfa_timeout: u64,

    /// Chromium or Chrome for the browser providers [default: found on PATH]
    #[arg(
        help_heading = "Browser",
        long,
        env = "AWS_TOKEN_BROWSER",
        value_name = "PATH",
        global = true
    )]
    pub browser: Option<PathBuf>,

    /// The longest wait for one step of a browser login (a page to show its next field), in seconds
    #[arg(
        help_heading = "Browser",
        long,
        env = "AWS_TOKEN_BROWSER_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub browser_timeout: u64,

    /// The longest wait for a connection to the IdP or STS
    #[arg(help_heading = "Network", 
        long,
        env = "AWS_TOKEN_CONNECT_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=600)
    , global = true)]
    pub connect_timeout: u64,

    /// The longest wait for the IdP or STS to answer once connected (a request that timed out is not sent again)
    #[arg(help_heading = "Network", 
        long,
        env = "AWS_TOKEN_READ_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 20,
        value_parser = clap::value_parser!(u64).range(1..=600)
    , global = true)]
    pub read_timeout: u64,

    /// The longest time one request to the IdP or STS may take in all, its answer read to the end
    /// (a server that trickles its answer is given up on then)
    #[arg(help_heading = "Network", 
        long,
        env = "AWS_TOKEN_REQUEST_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    , global = true)]
    pub request_timeout: u64,

    /// Debug a failing login: show the browser window, keep a screenshot and the HTML of a failing page
    #[arg(help_heading = "Browser", long, env = "AWS_TOKEN_DEBUG", global = true)]
    pub debug: bool,

    /// Print nothing on stderr but errors
    #[arg(
        help_heading = "Output",
        short,
        long,
        env = "AWS_TOKEN_QUIET",
        conflicts_with = "verbose",
        global = true
    )]
    pub quiet: bool,

    /// Say what is being done at each step (never prints a secret)
    #[arg(
        help_heading = "Output",
        long,
        env = "AWS_TOKEN_VERBOSE",
        global = true
    )]
    pub verbose: bool,

    /// Write a profile for every role the login grants, named <account>-<role> (one login, the STS calls at once)
    #[arg(
        help_heading = "Login",
        long,
        env = "AWS_TOKEN_ALL",
        global = true,
        conflicts_with = "role"
    )]
    pub all: bool,

    /// Keep the password in the OS keyring (per IdP org and username) and use it instead of asking
    #[arg(
        help_heading = "Login",
        long,
        env = "AWS_TOKEN_REMEMBER",
        global = true
    )]
    pub remember: bool,

    /// Log in even while the profile (or the cached credentials) is still valid
    #[arg(help_heading = "Login", long, env = "AWS_TOKEN_FORCE", global = true)]
    pub force: bool,

    /// Renew credentials this many minutes before they expire [default: 15, or "refreshMarginMinutes" in config.json]
    #[arg(help_heading = "Login", long, env = "AWS_TOKEN_REFRESH_MARGIN", value_name = "MINUTES", global = true,
          value_parser = clap::value_parser!(u32).range(0..=720))]
    pub refresh_margin: Option<u32>,

    /// Print the config.json in effect (stdout) and where it came from (stderr), then exit
    #[arg(help_heading = "Output", long)]
    pub show_config: bool,
}

/// The command line as parsed and shown: the derived definition, with every option's
/// environment variable left out of the option list (a line after it says the rule).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().mut_args(|a| a.hide_env(true))
}

/// What to do instead of writing a profile. Each takes the login flags above.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in and write the profile: the default command, also by name
    Login,
    /// Print credentials as credential_process v1 JSON, from the cache while they are valid; never
    /// writes the credentials file. In ~/.aws/config: `credential_process = aws-token credential-process --account A --role R`
    CredentialProcess,
    /// Run CMD with the credentials in its environment (AWS_ACCESS_KEY_ID, ...; AWS_PROFILE removed)
    Exec {
        /// The command and its arguments (after `--`)
        #[arg(
            required = true,
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "CMD"
        )]
        command: Vec<std::ffi::OsString>,
    },
    /// Print a sign-in URL for the AWS console (or open it with --open)
    Console {
        /// Open the URL in the system's browser instead of printing it
        #[arg(long)]
        open: bool,
    },
    /// List the roles the login grants (account, role name, role ARN), without calling STS
    Roles,
    /// Forget the kept IdP session, remembered password and cached credentials of the config's IdP org
    Logout {
        /// Forget them for every IdP org
        #[arg(long)]
        all_orgs: bool,
    },
    /// Print a completion script for SHELL (e.g. `aws-token completions bash > /etc/bash_completion.d/aws-token`)
    Completions {
        /// bash, zsh, fish, powershell or elvish
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff; e.g. `aws-token man > /usr/local/share/man/man1/aws-token.1`)
    Man,
    /// For the completion scripts: the config's account names, or the role names the org granted
    /// at its last login, one a line
    #[command(name = "__complete", hide = true)]
    Complete {
        /// accounts or roles
        what: CompleteWhat,
    },
}

/// What `__complete` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompleteWhat {
    Accounts,
    Roles,
}

/// An MFA factor kind as the user names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MfaKind {
    /// A code from an authenticator app or hardware token
    Totp,
    /// Okta Verify push
    Push,
    /// A code sent by SMS
    Sms,
    /// A code sent by email
    Email,
    /// A code read out in a phone call
    Call,
}

/// What goes to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Profile,
    Env,
    Json,
    None,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn seed_flags_parse() {
        let cli = Cli::try_parse_from([
            "aws-token",
            "--username",
            "u",
            "--password",
            "p",
            "--role",
            "Admin",
            "--account",
            "staging",
            "--profile",
            "p1",
            "--durationSeconds",
            "3600",
        ])
        .unwrap();
        assert_eq!(cli.duration_seconds, Some(3600));
        assert_eq!(cli.account.as_deref(), Some("staging"));
        let cli = Cli::try_parse_from(["aws-token", "--duration", "900"]).unwrap();
        assert_eq!(cli.duration_seconds, Some(900));
        assert!(Cli::try_parse_from(["aws-token", "--durationSeconds", "60"]).is_err());
    }
}
