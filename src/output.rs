//! What goes to stdout: `export` lines for the profile (no secret), the credentials as environment
//! lines, or credential_process v1 JSON. Rendering only; the caller decides when to print.

use crate::cli::OutputFormat;
use crate::sts::Credentials;
use chrono::SecondsFormat;

/// The stdout text for `format`.
pub fn render(format: OutputFormat, creds: &Credentials, profile: &str, region: &str) -> String {
    let expires = creds.expiration.to_rfc3339_opts(SecondsFormat::Secs, true);
    match format {
        OutputFormat::Profile => exports(profile, region),
        OutputFormat::Env => format!(
            "export AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={}\nexport AWS_SESSION_TOKEN={}\nexport AWS_CREDENTIAL_EXPIRATION={}\nexport AWS_DEFAULT_REGION={}\n",
            shell_quote(creds.access_key_id.expose()),
            shell_quote(creds.secret_access_key.expose()),
            shell_quote(creds.session_token.expose()),
            expires,
            shell_quote(region)
        ),
        OutputFormat::Json => {
            let v = serde_json::json!({
                "Version": 1,
                "AccessKeyId": creds.access_key_id.expose(),
                "SecretAccessKey": creds.secret_access_key.expose(),
                "SessionToken": creds.session_token.expose(),
                "Expiration": expires,
            });
            format!("{v}\n")
        }
        OutputFormat::None => String::new(),
    }
}

/// The `export` lines of `--output profile`: no secret.
pub fn exports(profile: &str, region: &str) -> String {
    format!(
        "export AWS_PROFILE={}\nexport AWS_DEFAULT_REGION={}\n",
        shell_quote(profile),
        shell_quote(region)
    )
}

/// Quote for POSIX shells when the value holds anything but safe characters.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@+=,%".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn creds() -> Credentials {
        Credentials {
            access_key_id: Secret::new("ASIAEXAMPLE".into()),
            secret_access_key: Secret::new("se/cr+et".into()),
            session_token: Secret::new("to'ken".into()),
            expiration: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            assumed_role_arn: "arn".into(),
        }
    }

    #[test]
    fn profile_output_has_no_secret() {
        let s = render(OutputFormat::Profile, &creds(), "dev", "us-east-1");
        assert_eq!(
            s,
            "export AWS_PROFILE=dev\nexport AWS_DEFAULT_REGION=us-east-1\n"
        );
    }

    #[test]
    fn env_output_quotes_values() {
        let s = render(OutputFormat::Env, &creds(), "dev", "us-east-1");
        assert!(s.contains("export AWS_SESSION_TOKEN='to'\\''ken'\n"), "{s}");
        assert!(
            s.contains("export AWS_CREDENTIAL_EXPIRATION=2027-01-15T08:00:00Z\n"),
            "{s}"
        );
    }

    #[test]
    fn json_is_credential_process_v1() {
        let v: serde_json::Value =
            serde_json::from_str(&render(OutputFormat::Json, &creds(), "dev", "us-east-1"))
                .unwrap();
        assert_eq!(v["Version"], 1);
        assert_eq!(v["AccessKeyId"], "ASIAEXAMPLE");
        assert_eq!(v["Expiration"], "2027-01-15T08:00:00Z");
    }
}
