//! `aws-token serve`: the local credential endpoint (src/server.rs) in the foreground, for
//! consumers aws-token does not start (a dev container run with `--network host`, an IDE, a second
//! terminal). stdout gets the variables to export where the consumer runs (and an `unset` of those
//! that would make an SDK look elsewhere first); it serves until stopped
//! (Ctrl-C, SIGTERM: a normal end, exit 0), renewing the credentials through the kept IdP session.

use super::{Context, cached_credentials, write_stdout};
use crate::error::Result;

/// Serve until a signal stops the process.
pub fn run(ctx: &Context<'_>, port: u16) -> Result<()> {
    let (creds, region) = cached_credentials(ctx)?;
    let profile = &ctx.settings.profile;
    super::serve_credentials(ctx, creds, port, |endpoint| {
        // From the moment the lines are out, Ctrl-C or SIGTERM is the normal end of serving: exit
        // 0 (src/interrupt.rs).
        let _stop = ctx.cleanup.normal_stop();
        // Quoted as `--output env` quotes: the region may come from the IdP's assertion.
        let quote = crate::output::shell_quote;
        let mut lines = String::new();
        for (name, value) in endpoint.variables() {
            lines.push_str(&format!("export {name}={}\n", quote(value)));
        }
        let region = quote(&region);
        lines.push_str(&format!(
            "export AWS_REGION={region}\nexport AWS_DEFAULT_REGION={region}\n"
        ));
        // What would make an SDK there look elsewhere first (a profile, static keys, another
        // endpoint or identity), as `exec --server` removes it from its command.
        let unset: Vec<&str> = super::exec::REMOVED
            .iter()
            .chain(super::exec::KEYS)
            .copied()
            .filter(|v| {
                !matches!(
                    *v,
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI" | "AWS_CONTAINER_AUTHORIZATION_TOKEN"
                )
            })
            .collect();
        lines.push_str(&format!("unset {}\n", unset.join(" ")));
        write_stdout(lines.as_bytes())?;
        ctx.reporter.info(&format!(
                "Serving the credentials of {profile} on {} until stopped (Ctrl-C); renewed through the kept IdP session. Export the lines above where the AWS tools run.",
                endpoint.url
            ));
        loop {
            std::thread::park();
        }
    })
}
