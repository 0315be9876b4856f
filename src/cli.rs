//! What the user typed: the clap definition of aws-token's flags, with the seed's names kept verbatim
//! (`--durationSeconds`, `-v`). No I/O happens here; `settings.rs` turns this into a `Settings`.

use clap::{ArgAction, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Log in through single sign-on (Okta, any SAML IdP) and write short-lived AWS credentials.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "aws-token",
    version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (commit ",
        env!("AWS_TOKEN_COMMIT"),
        "; ",
        env!("AWS_TOKEN_CONFIG_NOTE"),
        "; ",
        env!("AWS_TOKEN_KEYS_NOTE"),
        ")"
    ),
    disable_version_flag = true,
    about = "AWS STS Token Generator: log in through single sign-on and write short-lived AWS credentials",
    after_help = "Examples:\n  aws-token configure                            first time: write config.json, sign in once\n  eval \"$(aws-token)\"                            log in, write the profile, export AWS_PROFILE\n  aws-token --account development --role Admin   another account and role\n  aws-token exec --server -- terraform apply     credentials renewed while it runs\n  aws-token --all                                a profile <account>-<role> for every role\n  aws-token logout                               forget the kept session and cached credentials\n\n\
                  Every option can also be set in the environment as AWS_TOKEN_<NAME>, e.g. AWS_TOKEN_USERNAME.\n\
                  Exit codes: 0 ok, 2 usage/config, 3 login failed, 4 not authorised, 5 STS refused, 6 network, 7 file, 130 interrupted (131 SIGQUIT, 143 SIGTERM, 129 SIGHUP); exec: the command's own (127 not found, 126 cannot run)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Show program's version number and exit.
    #[arg(short = 'v', short_alias = 'V', long = "version", action = ArgAction::Version)]
    version: Option<bool>,

    /// The organisation's config.json
    ///
    /// Default: ./config.json, then $XDG_CONFIG_HOME/aws-token/config.json, then
    /// /etc/aws-token/config.json, then a config built into the binary.
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

    /// IdP password (better: the prompt, or --remember)
    ///
    /// A password on the command line is visible to other users of the machine: let aws-token
    /// prompt for it, or set AWS_TOKEN_PASSWORD.
    #[arg(
        help_heading = "Login",
        long,
        env = "AWS_TOKEN_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub password: Option<String>,

    /// One-time code (TOTP app, SMS, email, call)
    #[arg(
        help_heading = "MFA",
        long,
        env = "AWS_TOKEN_OTP",
        hide_env_values = true,
        value_name = "CODE",
        global = true
    )]
    pub otp: Option<String>,

    /// MFA method, when several
    #[arg(
        help_heading = "MFA",
        long,
        env = "AWS_TOKEN_MFA",
        value_name = "TYPE",
        global = true
    )]
    pub mfa: Option<MfaKind>,

    /// Role to assume (exact name or full ARN)
    #[arg(help_heading = "Login", long, env = "AWS_TOKEN_ROLE", global = true)]
    pub role: Option<String>,

    /// Account: a key of "accounts" [default: defaultAccount]
    #[arg(help_heading = "Login", long, env = "AWS_TOKEN_ACCOUNT", global = true)]
    pub account: Option<String>,

    /// Profile to write [default: the account's name]
    #[arg(help_heading = "Login", long, env = "AWS_TOKEN_PROFILE", global = true)]
    pub profile: Option<String>,

    /// Credential lifetime in seconds, 900-43200
    ///
    /// A lifetime the role does not allow is retried once with the assertion's SessionDuration or
    /// one hour; chained roles are capped at one hour by AWS.
    #[arg(help_heading = "Login", long = "durationSeconds", alias = "duration", env = "AWS_TOKEN_DURATION_SECONDS", value_name = "N",
          value_parser = clap::value_parser!(i32).range(900..=43200), global = true)]
    pub duration_seconds: Option<i32>,

    /// What to print on stdout
    ///
    /// `profile`: export lines, credentials in the file; `env`: the keys themselves, no file
    /// written; `json`: credential_process v1, no file written; `none`: the file only.
    #[arg(
        help_heading = "Output",
        long,
        env = "AWS_TOKEN_OUTPUT",
        value_name = "FORMAT",
        default_value = "profile",
        global = true
    )]
    pub output: OutputFormat,

    /// The Duo device to use, when Duo lists several (its name or key)
    #[arg(
        help_heading = "MFA",
        long,
        env = "AWS_TOKEN_DUO_DEVICE",
        value_name = "NAME",
        global = true
    )]
    pub duo_device: Option<String>,

    /// How long to wait for a push to be answered
    #[arg(
        help_heading = "MFA",
        long,
        env = "AWS_TOKEN_MFA_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 120,
        global = true
    )]
    pub mfa_timeout: u64,

    /// Chromium or Chrome for the browser providers [default: on PATH]
    #[arg(
        help_heading = "Browser",
        long,
        env = "AWS_TOKEN_BROWSER",
        value_name = "PATH",
        global = true
    )]
    pub browser: Option<PathBuf>,

    /// The longest wait for one browser page step
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

    /// The longest wait for an answer once connected
    ///
    /// A request that timed out is not sent again: a silent server costs one timeout.
    #[arg(help_heading = "Network", 
        long,
        env = "AWS_TOKEN_READ_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 20,
        value_parser = clap::value_parser!(u64).range(1..=600)
    , global = true)]
    pub read_timeout: u64,

    /// The longest one request may take in all
    ///
    /// From the request's start to the last byte of its answer: a server that trickles its
    /// answer is given up on then.
    #[arg(help_heading = "Network", 
        long,
        env = "AWS_TOKEN_REQUEST_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    , global = true)]
    pub request_timeout: u64,

    /// Show the browser window; keep a failing page's HTML
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

    /// A profile <account>-<role> for every role the login grants
    #[arg(
        help_heading = "Login",
        long,
        env = "AWS_TOKEN_ALL",
        global = true,
        conflicts_with = "role"
    )]
    pub all: bool,

    /// Keep the password in the OS keyring and use it instead of asking
    #[arg(
        help_heading = "Login",
        long,
        env = "AWS_TOKEN_REMEMBER",
        global = true
    )]
    pub remember: bool,

    /// Log in even while the profile is still valid
    #[arg(help_heading = "Login", long, env = "AWS_TOKEN_FORCE", global = true)]
    pub force: bool,

    /// Renew this many minutes before expiry [default: 15]
    ///
    /// Also "refreshMarginMinutes" in config.json.
    #[arg(help_heading = "Login", long, env = "AWS_TOKEN_REFRESH_MARGIN", value_name = "MINUTES", global = true,
          value_parser = clap::value_parser!(u32).range(0..=720))]
    pub refresh_margin: Option<u32>,

    /// Print the config in effect and where it came from
    #[arg(help_heading = "Output", long)]
    pub show_config: bool,
}

/// The command line as parsed and shown: the derived definition, with every option's
/// environment variable left out of the option list (a line after it says the rule).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().mut_args(|a| a.hide_env(true))
}

/// The global options each subcommand has no use for: left out of its help (they are still
/// accepted, as every option is global).
const UNUSED_BY: &[(&str, &[&str])] = &[
    (
        "credential-process",
        &["output", "all", "profile", "remember", "force"],
    ),
    ("exec", &["output", "all", "remember", "force"]),
    ("serve", &["output", "all", "profile", "remember", "force"]),
    (
        "console",
        &["output", "all", "profile", "remember", "force"],
    ),
    (
        "roles",
        &[
            "all",
            "profile",
            "remember",
            "force",
            "refresh_margin",
            "duration_seconds",
        ],
    ),
    (
        "configure",
        &[
            "password",
            "otp",
            "mfa",
            "profile",
            "duration_seconds",
            "output",
            "all",
            "remember",
            "refresh_margin",
        ],
    ),
    (
        "status",
        &[
            "username",
            "password",
            "otp",
            "mfa",
            "role",
            "profile",
            "duration_seconds",
            "mfa_timeout",
            "browser",
            "browser_timeout",
            "connect_timeout",
            "read_timeout",
            "request_timeout",
            "debug",
            "all",
            "remember",
            "force",
            "verbose",
        ],
    ),
    (
        "logout",
        &[
            "username",
            "password",
            "otp",
            "mfa",
            "role",
            "profile",
            "duration_seconds",
            "output",
            "mfa_timeout",
            "browser",
            "browser_timeout",
            "connect_timeout",
            "read_timeout",
            "request_timeout",
            "debug",
            "all",
            "remember",
            "force",
            "refresh_margin",
            "verbose",
        ],
    ),
];

/// The help of the subcommand `args` name, showing the options it uses (`logout -h` lists its
/// own option and the config, account and quiet ones, not all thirty global options). `None`
/// when no subcommand is named.
pub fn subcommand_help(args: &[std::ffi::OsString]) -> Option<String> {
    let mut cmd = command();
    cmd.build();
    let name = args.iter().skip(1).find_map(|a| {
        let a = a.to_str()?;
        cmd.get_subcommands()
            .find(|s| s.get_name() == a && a != "help")
            .map(|s| s.get_name().to_owned())
    })?;
    let unused: &[&str] = UNUSED_BY
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, u)| *u);
    let everything = matches!(name.as_str(), "completions" | "man" | "__complete");
    let long = args.iter().any(|a| a == "--help");
    let sub = cmd.find_subcommand_mut(&name)?;
    let mut sub = std::mem::take(sub).mut_args(|a| {
        let id = a.get_id().as_str().to_owned();
        if (everything && a.is_global_set()) || unused.contains(&id.as_str()) {
            a.hide(true)
        } else {
            a
        }
    });
    let help = if long {
        sub.render_long_help()
    } else {
        sub.render_help()
    };
    Some(help.to_string())
}

/// What to do instead of writing a profile. Each takes the login flags above.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Log in and write the profile: the default command, also by name
    Login,
    /// Credentials as credential_process JSON, for ~/.aws/config
    ///
    /// From the cache while they are valid; never writes the credentials file. In ~/.aws/config:
    /// `credential_process = /path/to/aws-token credential-process --account A --role R`.
    CredentialProcess,
    /// Run CMD with the credentials in its environment
    ///
    /// With --server, CMD gets a local credential endpoint instead of keys, renewed through the
    /// kept IdP session for as long as CMD runs: jobs that outlive the credentials keep working.
    Exec {
        /// Give CMD a local credential endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) that renews
        /// the credentials ahead of expiry, instead of keys that expire
        #[arg(long)]
        server: bool,
        /// The command and its arguments (after `--`)
        #[arg(
            required = true,
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "CMD"
        )]
        command: Vec<std::ffi::OsString>,
    },
    /// Serve the credentials on a local endpoint until stopped
    ///
    /// Prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN lines to
    /// export where the consumer runs (a dev container with --network host, an IDE); every AWS SDK
    /// and the AWS CLI read credentials from it, renewed through the kept IdP session.
    Serve {
        /// The loopback port to listen on (0: any free one)
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Open the AWS console signed in (printed where no desktop is)
    ///
    /// The URL signs in whoever holds it for 15 minutes: it goes to the browser or stdout only.
    Console {
        /// Where to land: a service (ec2, s3, iam, ...), a console path (/ec2/home#Instances)
        /// or a console URL
        #[arg(
            short = 's',
            long = "service",
            visible_alias = "destination",
            value_name = "SERVICE|PATH|URL"
        )]
        destination: Option<String>,
        /// The console's region [default: the profile's]
        #[arg(long)]
        region: Option<String>,
        /// Open the URL in the system's browser (the default where a desktop is)
        #[arg(long, conflicts_with = "stdout")]
        open: bool,
        /// Print the URL on stdout instead of opening it
        #[arg(long)]
        stdout: bool,
    },
    /// List the roles the login grants, without calling STS
    Roles,
    /// First time: write config.json from the AWS app's link, sign in once, list your roles
    ///
    /// Asks for what the flags do not give; writes $XDG_CONFIG_HOME/aws-token/config.json (or
    /// --config), never over an existing file without --force. `configure profiles` then adds a
    /// ~/.aws/config profile for every role.
    Configure {
        #[command(subcommand)]
        what: Option<ConfigureWhat>,
        /// The AWS app's embed link (Okta: the app's General tab, "App Embed Link")
        #[arg(long = "idp-entry-url", value_name = "URL")]
        idp_entry_url: Option<String>,
        /// okta, entra, okta-browser, browser or form [default: learnt from the link]
        #[arg(long, value_name = "PROVIDER")]
        provider: Option<String>,
        /// The default region [default: us-east-1]
        #[arg(long)]
        region: Option<String>,
        /// Entra: a host besides Microsoft's that may get the password (config.json's
        /// passwordHosts; repeatable)
        #[arg(long = "password-host", value_name = "HOST")]
        password_hosts: Vec<String>,
    },
    /// Show what aws-token holds: profiles, cached credentials, sessions, passwords
    ///
    /// No network call and no keyring read; `--output json` for scripts.
    Status,
    /// Forget the kept IdP session, password and cached credentials
    Logout {
        /// Forget them for every IdP org
        #[arg(long)]
        all_orgs: bool,
    },
    /// Print a completion script for SHELL
    ///
    /// For example `aws-token completions bash > ~/.local/share/bash-completion/completions/aws-token`.
    Completions {
        /// bash, zsh, fish, powershell or elvish
        shell: clap_complete::Shell,
    },
    /// Print the man page
    ///
    /// For example `aws-token man > ~/.local/share/man/man1/aws-token.1`.
    Man,
    /// For the completion scripts: the config's account names, or the role names the org granted
    /// at its last login, one a line
    #[command(name = "__complete", hide = true)]
    Complete {
        /// accounts or roles
        what: CompleteWhat,
    },
}

/// What `configure` sets up besides config.json.
#[derive(Debug, Clone, Subcommand)]
pub enum ConfigureWhat {
    /// A ~/.aws/config profile for every role the login grants, resolved by credential-process
    ///
    /// One `[profile <account>-<role>]` each, in a marked block that re-running updates (roles
    /// that are gone go; every other line stays).
    Profiles {
        /// Put before every profile name
        #[arg(long)]
        prefix: Option<String>,
        /// Profile names from {account}, {account_id} and {role} [default: {account}-{role}]
        #[arg(long, value_name = "TEMPLATE")]
        name_template: Option<String>,
        /// Print the change as a diff and write nothing
        #[arg(long)]
        dry_run: bool,
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
    /// Duo Push (Duo behind Okta)
    DuoPush,
    /// A Duo passcode (Duo Mobile, a hardware token)
    DuoPasscode,
    /// A Duo phone call
    DuoCall,
    /// Okta FastPass: Okta Verify on this device (Identity Engine)
    Fastpass,
    /// A security key (WebAuthn, FIDO2 over USB)
    #[value(alias = "webauthn")]
    SecurityKey,
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
