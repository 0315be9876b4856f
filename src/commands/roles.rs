//! `aws-token roles`: every role the login grants, per account, without calling STS: a table on
//! stdout (account, role name, role ARN), or JSON with `--output json`.

use super::{Context, Online, write_stdout};
use crate::cli::OutputFormat;
use crate::error::Result;

/// Log in and list the roles.
pub fn run(ctx: &Context<'_>) -> Result<()> {
    let (assertion, _) = Online::new(ctx)?.assertion(&ctx.settings, ctx.reporter)?;
    let mut roles = assertion.roles;
    roles.sort_by(|a, b| (&a.account_id, &a.name).cmp(&(&b.account_id, &b.name)));
    // The names config.json gives the account (several names may share a number).
    let names_of = |number: &str| -> Vec<String> {
        ctx.settings
            .account_names
            .iter()
            .filter(|(_, n)| n == number)
            .map(|(name, _)| name.clone())
            .collect()
    };
    let text = if ctx.settings.output == OutputFormat::Json {
        let list: Vec<serde_json::Value> = roles
            .iter()
            .map(|r| {
                serde_json::json!({
                    "account": r.account_id,
                    "accountNames": names_of(&r.account_id),
                    "role": r.name,
                    "roleArn": r.role_arn,
                    "principalArn": r.principal_arn,
                })
            })
            .collect();
        format!("{}\n", serde_json::Value::Array(list))
    } else {
        table(&roles, &names_of)
    };
    write_stdout(text.as_bytes())
}

/// The roles as a table: account (with the names config.json gives it), role name, role ARN.
pub fn table(roles: &[crate::saml::AwsRole], names_of: &dyn Fn(&str) -> Vec<String>) -> String {
    let rows: Vec<[String; 3]> = roles
        .iter()
        .map(|r| {
            let names = names_of(&r.account_id);
            let account = if names.is_empty() {
                r.account_id.clone()
            } else {
                format!("{} ({})", r.account_id, names.join(", "))
            };
            [account, r.name.clone(), r.role_arn.clone()]
                .map(|cell| crate::report::printable(&cell).into_owned())
        })
        .collect();
    let header = ["ACCOUNT".to_owned(), "ROLE".to_owned(), "ARN".to_owned()];
    let width = |i: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|r| r[i].len())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    std::iter::once(&header)
        .chain(rows.iter())
        .map(|r| format!("{:<w0$}  {:<w1$}  {}\n", r[0], r[1], r[2]))
        .collect()
}
