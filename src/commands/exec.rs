//! `aws-token exec -- CMD ARGS`: run CMD with the credentials in its environment (with `--server`,
//! a local credential endpoint that renews them, see src/server.rs). AWS_PROFILE and
//! the other variables that would make an SDK look elsewhere are removed; stdin, stdout and stderr
//! are CMD's; aws-token's own `AWS_TOKEN_*` inputs (the password, the code) are not passed on;
//! every catchable signal aws-token receives is passed on (never the job-control ones); the exit code is CMD's (128 + the signal
//! when a signal ended it). Inside another `exec` it refuses: two sets of credentials in one
//! environment is how the wrong account gets changed.

use super::{Context, cached_credentials};
use crate::error::{Error, Result};
use chrono::SecondsFormat;
use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;

/// Set in CMD's environment (the profile or account the credentials are for).
pub const MARKER: &str = "AWS_TOKEN_EXEC";

/// The prefix of aws-token's own settings in the environment (`AWS_TOKEN_PASSWORD`, ...).
const INPUT_PREFIX: &str = "AWS_TOKEN_";

/// Variables that choose credentials or a profile other than the ones exec sets.
pub(crate) const REMOVED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// The static keys exec sets, which an SDK would prefer to the endpoint of `--server`.
pub(crate) const KEYS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// Run `command`; returns its exit code. With `server`, CMD reads renewed credentials from a
/// local endpoint for as long as it runs.
pub fn run(ctx: &Context<'_>, command: &[OsString], server: bool) -> Result<u8> {
    if let Some(outer) = ctx.env.var(MARKER) {
        return Err(Error::Usage(format!(
            "already inside `aws-token exec` (credentials for {outer}); a nested exec would put a second set of credentials over the first: leave the outer command first"
        )));
    }
    let Some((program, args)) = command.split_first() else {
        return Err(Error::Usage(
            "exec needs a command: aws-token exec -- CMD [ARGS]".into(),
        ));
    };
    let (creds, region) = cached_credentials(ctx)?;
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    for v in REMOVED {
        cmd.env_remove(v);
    }
    // aws-token's own inputs are not CMD's: AWS_TOKEN_PASSWORD and AWS_TOKEN_OTP are secrets,
    // and the rest would only steer an aws-token that CMD is refused to nest.
    for (name, _) in ctx.env.vars_with_prefix(INPUT_PREFIX) {
        cmd.env_remove(name);
    }
    cmd.env("AWS_REGION", &region)
        .env("AWS_DEFAULT_REGION", &region)
        .env(MARKER, &ctx.settings.profile);
    if !server {
        cmd.env("AWS_ACCESS_KEY_ID", creds.access_key_id.expose())
            .env("AWS_SECRET_ACCESS_KEY", creds.secret_access_key.expose())
            .env("AWS_SESSION_TOKEN", creds.session_token.expose())
            .env(
                "AWS_CREDENTIAL_EXPIRATION",
                creds.expiration.to_rfc3339_opts(SecondsFormat::Secs, true),
            );
        return wait_for(ctx, program, cmd);
    }
    for v in KEYS {
        cmd.env_remove(v);
    }
    super::serve_credentials(ctx, creds, 0, |endpoint| {
        ctx.reporter.verbose(&format!(
            "credential endpoint for {} on {}",
            ctx.settings.profile, endpoint.url
        ));
        for (name, value) in endpoint.variables() {
            cmd.env(name, value);
        }
        wait_for(ctx, program, cmd)
    })
}

/// Start `cmd` (the program `program`), pass on the signals aws-token gets, and wait for it;
/// returns its exit code.
fn wait_for(ctx: &Context<'_>, program: &OsString, mut cmd: std::process::Command) -> Result<u8> {
    let caught = crate::interrupt::catch_others();
    let forward = ctx.cleanup.forward();
    let mut child = cmd.spawn().map_err(|e| {
        let not_found = e.kind() == std::io::ErrorKind::NotFound;
        Error::CommandNotRun {
            program: program.to_string_lossy().into_owned(),
            message: if not_found {
                "command not found".into()
            } else {
                format!("cannot run it: {e}")
            },
            not_found,
        }
    })?;
    forward.forward_to(child.id());
    let _more = caught.to(child.id());
    let status = child
        .wait()
        .map_err(|e| Error::Internal(format!("waiting for the command failed: {e}")))?;
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).unwrap_or(1),
        (None, Some(signal)) => u8::try_from(128 + signal).unwrap_or(1),
        (None, None) => 1,
    })
}
