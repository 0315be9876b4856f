//! `aws-token credential-process`: credentials as credential_process v1 JSON on stdout, for
//! `credential_process = aws-token credential-process --account A --role R` in ~/.aws/config.
//! From the cache while valid (no runtime, no network); never writes the credentials file.

use super::{Context, cached_credentials, write_stdout};
use crate::cli::OutputFormat;
use crate::error::Result;
use crate::output;

/// Print the credentials for the asked role.
pub fn run(ctx: &Context<'_>) -> Result<()> {
    let (creds, region) = cached_credentials(ctx)?;
    write_stdout(
        output::render(OutputFormat::Json, &creds, &ctx.settings.profile, &region).as_bytes(),
    )
}
