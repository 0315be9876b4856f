//! aws-token: log in through single sign-on (Okta, any SAML IdP) and write short-lived AWS
//! credentials. This file lists the modules and holds `run`, the one place that prints an error and
//! picks the exit code.

pub mod authenticator;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod completions;
pub mod config;
pub mod credentials_file;
pub mod environment;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod idp;
pub mod interrupt;
pub mod keyring;
pub mod known_roles;
pub mod login;
pub mod output;
pub mod process_tree;
pub mod prompt;
pub mod report;
pub mod role_select;
pub mod saml;
pub mod sdk_http;
pub mod secret;
pub mod server;
pub mod session;
pub mod settings;
pub mod sts;
pub mod tls;
pub mod usernames;

use clap::{FromArgMatches, parser::ValueSource};
use environment::Environment;
use error::{Error, Result};
use report::{Reporter, Verbosity};
use std::process::ExitCode;

/// Parse `args`, run, print the outcome; returns the process exit code. `cleanup` is what Ctrl-C
/// undoes (see `interrupt::install`).
pub fn run<I, T>(args: I, env: &Environment, cleanup: &interrupt::Cleanup) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let matches = match cli::command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            // A subcommand's help shows the options it uses, not every global one.
            if e.kind() == clap::error::ErrorKind::DisplayHelp
                && let Some(help) = cli::subcommand_help(&args)
            {
                let _ = commands::write_stdout(help.as_bytes());
                return ExitCode::SUCCESS;
            }
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let password_on_command_line =
        matches.value_source("password") == Some(ValueSource::CommandLine);
    let parsed = cli::Cli::from_arg_matches(&matches);
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    let verbosity = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let reporter =
        Reporter::new(verbosity, env.stderr_is_tty, env.color()).on_terminal(env.talk_terminal());
    if password_on_command_line {
        reporter.warn("--password on the command line is visible to other users of this machine; let aws-token prompt for it, or set AWS_TOKEN_PASSWORD");
    }
    match execute(cli, env, &reporter, cleanup) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // IdP and STS words are in the message: shown escaped, never as terminal commands.
            let message = e.to_string();
            let message = report::printable(&message);
            if matches!(e, Error::Interrupted) {
                // The same line as a Ctrl-C the signal handler sees (src/interrupt.rs).
                eprintln!("\naws-token: interrupted");
            } else if env.color() {
                eprintln!("\x1b[1;31merror:\x1b[0m {message}");
            } else {
                eprintln!("aws-token: error: {message}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn execute(
    cli: cli::Cli,
    env: &Environment,
    reporter: &Reporter,
    cleanup: &interrupt::Cleanup,
) -> Result<u8> {
    use cli::Command;
    match &cli.command {
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            completions::completions(*shell, &mut out);
            return commands::write_stdout(&out).map(|()| 0);
        }
        Some(Command::Man) => {
            let mut out = Vec::new();
            completions::man(&mut out)
                .map_err(|e| Error::Internal(format!("cannot render the man page: {e}")))?;
            return commands::write_stdout(&out).map(|()| 0);
        }
        _ => {}
    }
    if let Some(Command::Complete { what }) = cli.command {
        // Completion asks this at every Tab: nothing, and no error, without a config.
        let mut cli = cli;
        cli.command = None;
        let text = settings::Settings::resolve(cli, env)
            .map(|s| completions::values(what, &s))
            .unwrap_or_default();
        return commands::write_stdout(text.as_bytes()).map(|()| 0);
    }
    if cli.show_config {
        return show_config(&cli, env).map(|()| 0);
    }
    let mut cli = cli;
    let command = cli.command.take();
    // `configure` makes the config the others read: it runs without one.
    if let Some(Command::Configure {
        what: None,
        idp_entry_url,
        provider,
        region,
        password_hosts,
    }) = command
    {
        let answers = commands::configure::Answers {
            idp_entry_url,
            provider,
            region,
            password_hosts,
        };
        return commands::configure::run(cli, answers, env, reporter, cleanup).map(|()| 0);
    }
    let mut settings = select_profile(cli, command.as_ref(), env)?;
    if let Some(note) = cache::secure_dir(&settings.cache_dir)? {
        reporter.warn(&note);
    }
    if settings.username.is_none() {
        // The org's last username: a login offers it at the prompt; the other commands, which
        // run under tools that cannot answer a prompt, sign in as it.
        let last =
            usernames::Usernames::new(&settings.cache_dir).get(&idp::org_of(&settings.idp_url));
        match command {
            None | Some(cli::Command::Login) => settings.suggested_username = last,
            _ => settings.username = last,
        }
    }
    reporter.verbose(&format!(
        "config {}, account {}, profile {}, IdP {}",
        settings.config_path.display(),
        settings.account_name,
        settings.profile,
        idp::http::display_url(&settings.idp_url)
    ));
    let ctx = commands::Context {
        settings,
        env,
        reporter,
        cleanup,
    };
    match command {
        None | Some(Command::Login) => commands::login::run(&ctx).map(|()| 0),
        Some(Command::CredentialProcess) => commands::credential_process::run(&ctx).map(|()| 0),
        Some(Command::Exec { server, command }) => commands::exec::run(&ctx, &command, server),
        Some(Command::Serve { port }) => commands::serve::run(&ctx, port).map(|()| 0),
        Some(Command::Console {
            destination,
            region,
            open,
            stdout,
        }) => {
            let how = match (open, stdout) {
                (true, _) => commands::console::Show::Open,
                (_, true) => commands::console::Show::Print,
                _ => commands::console::Show::Default,
            };
            commands::console::run(&ctx, destination.as_deref(), region.as_deref(), how).map(|()| 0)
        }
        Some(Command::Roles) => commands::roles::run(&ctx).map(|()| 0),
        Some(Command::Status) => commands::status::run(&ctx).map(|()| 0),
        Some(Command::Logout { all_orgs }) => commands::logout::run(&ctx, all_orgs).map(|()| 0),
        Some(Command::Configure {
            what:
                Some(cli::ConfigureWhat::Profiles {
                    prefix,
                    name_template,
                    dry_run,
                }),
            ..
        }) => commands::profiles::run(
            &ctx,
            &commands::profiles::Options {
                prefix,
                name_template,
                dry_run,
            },
        )
        .map(|()| 0),
        Some(
            Command::Completions { .. }
            | Command::Man
            | Command::Complete { .. }
            | Command::Configure { what: None, .. },
        ) => Ok(0),
    }
}

/// The settings of `cli`, with `--profile` (or `AWS_PROFILE`, for the commands that read
/// credentials) selecting the account and role of a profile aws-token wrote, as every AWS tool
/// selects with it (src/commands/profile_select.rs).
fn select_profile(
    mut cli: cli::Cli,
    command: Option<&cli::Command>,
    env: &Environment,
) -> Result<settings::Settings> {
    use cli::Command;
    use commands::profile_select;
    let reads = matches!(
        command,
        Some(
            Command::Exec { .. }
                | Command::Console { .. }
                | Command::Serve { .. }
                | Command::CredentialProcess
        )
    );
    let login = matches!(command, None | Some(Command::Login));
    // AWS_PROFILE too, where a user's shell has it (credential-process is run by an SDK from a
    // profile's own command line, whose flags say what it is for: AWS_PROFILE there is the
    // profile being resolved, not a choice).
    let from_env = reads
        && !matches!(command, Some(Command::CredentialProcess))
        && cli.profile.is_none()
        && env.var("AWS_PROFILE").is_some();
    if from_env {
        cli.profile = env.var("AWS_PROFILE").map(str::to_owned);
    }
    let chosen = cli.role.is_some() || cli.account.is_some();
    // The config is found and read once, whatever the selection resolves again.
    let source = settings::find_config(cli.config.as_deref(), env)?;
    let config = source.load()?;
    let resolve =
        |cli: cli::Cli| settings::Settings::from_config(cli, config.clone(), source.label(), env);
    let settings = resolve(cli.clone())?;
    let Some(profile) = cli.profile.clone().filter(|_| reads || login) else {
        return Ok(settings);
    };
    if chosen {
        if login {
            profile_select::check_target(&settings, &profile)?;
        }
        return Ok(settings);
    }
    match profile_select::lookup(&settings, &profile) {
        Some(sel) => {
            cli.account = Some(sel.account);
            cli.role = Some(sel.role);
            resolve(cli)
        }
        // An account's name is the profile a plain login writes for it (the seed's default).
        None if settings.account_names.iter().any(|(n, _)| *n == profile) => {
            cli.account = Some(profile);
            resolve(cli)
        }
        None if reads => Err(profile_select::unknown(&settings, &profile, from_env)),
        // The seed's --profile: the name a login writes under.
        None => Ok(settings),
    }
}

/// `--show-config`: the config in effect on stdout, its source on stderr.
fn show_config(cli: &cli::Cli, env: &Environment) -> Result<()> {
    let source = settings::find_config(cli.config.as_deref(), env)?;
    let config = source.load()?;
    let json = serde_json::to_string_pretty(&config)
        .map_err(|e| Error::Internal(format!("cannot render the config: {e}")))?;
    commands::write_stdout(format!("{json}\n").as_bytes())?;
    eprintln!("config from {}", source.label().display());
    Ok(())
}
