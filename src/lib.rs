//! aws-token: log in through single sign-on (Okta, any SAML IdP) and write short-lived AWS
//! credentials. This file lists the modules and holds `run`, the one place that prints an error and
//! picks the exit code.

pub mod cli;
pub mod clock;
pub mod completions;
pub mod config;
pub mod credentials_file;
pub mod environment;
pub mod error;
pub mod idp;
pub mod interrupt;
pub mod login;
pub mod output;
pub mod process_tree;
pub mod prompt;
pub mod report;
pub mod role_select;
pub mod saml;
pub mod sdk_http;
pub mod secret;
pub mod settings;
pub mod sts;
pub mod tls;

use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
use environment::Environment;
use error::{Error, Result};
use report::{Reporter, Verbosity};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// Parse `args`, run, print the outcome; returns the process exit code. `cleanup` is what Ctrl-C
/// undoes (see `interrupt::install`).
pub fn run<I, T>(args: I, env: &Environment, cleanup: &interrupt::Cleanup) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = match cli::Cli::command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
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
    let reporter = Reporter::new(verbosity, env.stderr_is_tty, env.color());
    if password_on_command_line {
        reporter.warn("--password on the command line is visible to other users of this machine; let aws-token prompt for it, or set AWS_TOKEN_PASSWORD");
    }
    match execute(cli, env, &reporter, cleanup) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if env.color() {
                eprintln!("\x1b[1;31merror:\x1b[0m {e}");
            } else {
                eprintln!("aws-token: error: {e}");
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
) -> Result<()> {
    match cli.command {
        Some(cli::Command::Completions { shell }) => {
            let mut out = Vec::new();
            completions::completions(shell, &mut out);
            return write_stdout(&out);
        }
        Some(cli::Command::Man) => {
            let mut out = Vec::new();
            completions::man(&mut out)
                .map_err(|e| Error::Internal(format!("cannot render the man page: {e}")))?;
            return write_stdout(&out);
        }
        None => {}
    }
    if cli.show_config {
        return show_config(&cli, env);
    }
    let settings = settings::Settings::resolve(cli, env)?;
    reporter.verbose(&format!(
        "config {}, account {}, profile {}, IdP {}",
        settings.config_path.display(),
        settings.account_name,
        settings.profile,
        idp::http::display_url(&settings.idp_url)
    ));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    let clock: Arc<dyn clock::Clock> = Arc::new(clock::SystemClock);
    let http = idp::http::Http::new(
        clock,
        reporter.clone(),
        tls::TrustSources::from_env(env),
        settings.timeouts,
    )?;
    let sdk_http = sdk_http::ReqwestHttpClient::new(http.client().clone());
    let idp = idp::build(&settings, http, reporter, cleanup);
    let prompter: Box<dyn prompt::Prompter> = if env.stdin_is_tty {
        Box::new(prompt::TerminalPrompter)
    } else {
        Box::new(prompt::NoTerminal)
    };
    let endpoint = settings.sts_endpoint.clone();
    let timeouts = settings.timeouts;
    let make_sts = move |region: &str| -> Box<dyn sts::Sts> {
        Box::new(sts::AwsSts::new(
            region.to_owned(),
            endpoint.clone(),
            sdk_http.clone(),
            timeouts,
        ))
    };
    let deps = login::Deps {
        idp: idp.as_ref(),
        sts: &make_sts,
        prompter: prompter.as_ref(),
        reporter,
    };
    let outcome = runtime.block_on(login::run(&settings, &deps))?;

    let text = output::render(
        settings.output,
        &outcome.credentials,
        &settings.profile,
        &outcome.region,
    );
    write_stdout(text.as_bytes())?;

    let local = outcome.credentials.expiration.with_timezone(&chrono::Local);
    let minutes = (outcome.credentials.expiration - chrono::Utc::now())
        .num_minutes()
        .max(0);
    let expiry = format!(
        "expires {} (in {}h{:02}m)",
        local.format("%Y-%m-%d %H:%M:%S %:z"),
        minutes / 60,
        minutes % 60
    );
    if outcome.wrote_profile {
        reporter.info(&format!(
            "Profile {} updated in {}: {}, {expiry}",
            settings.profile,
            settings.credentials_file.display(),
            outcome.credentials.assumed_role_arn
        ));
    } else {
        reporter.info(&format!(
            "Credentials for {}, {expiry}",
            outcome.credentials.assumed_role_arn
        ));
    }
    Ok(())
}

/// `--show-config`: the config in effect on stdout, its source on stderr.
fn show_config(cli: &cli::Cli, env: &Environment) -> Result<()> {
    let source = settings::find_config(cli.config.as_deref(), env)?;
    let config = source.load()?;
    let json = serde_json::to_string_pretty(&config)
        .map_err(|e| Error::Internal(format!("cannot render the config: {e}")))?;
    write_stdout(format!("{json}\n").as_bytes())?;
    eprintln!("config from {}", source.label().display());
    Ok(())
}

/// Write data to stdout; a reader that went away (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Internal(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}
