//! Which sign-in API an Okta org runs: Classic (`v1`, the Authn API) or Identity Engine (`idx`,
//! the IDX API). Learnt from the org's `/.well-known/okta-organization` document and remembered
//! per org in the cache directory (`pipelines.json`), so later logins skip that round trip; forced
//! by config.json's `oktaPipeline`.

use super::Ctx;
use crate::cache::write_private;
use crate::error::{Error, Result};
use crate::idp::http::display_url;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// An Okta org's sign-in pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pipeline {
    /// Okta Classic: `/api/v1/authn`.
    Classic,
    /// Okta Identity Engine: `/idp/idx/*`.
    IdentityEngine,
}

impl Pipeline {
    /// The well-known document's name for it (`v1`, `idx`), also what config.json and the
    /// remembered file say.
    pub fn name(self) -> &'static str {
        match self {
            Pipeline::Classic => "v1",
            Pipeline::IdentityEngine => "idx",
        }
    }

    /// `v1`/`classic` or `idx`/`identity-engine` (`config::okta_pipeline_name`).
    pub fn parse(s: &str) -> Option<Pipeline> {
        match crate::config::okta_pipeline_name(s)? {
            "v1" => Some(Pipeline::Classic),
            _ => Some(Pipeline::IdentityEngine),
        }
    }
}

/// The pipelines learnt so far, by org (`scheme://host:port/`), in a small 0600 file.
#[derive(Debug, Clone)]
pub struct Pipelines {
    path: PathBuf,
}

impl Pipelines {
    /// The file in `cache_dir`.
    pub fn new(cache_dir: &std::path::Path) -> Pipelines {
        Pipelines {
            path: cache_dir.join("pipelines.json"),
        }
    }

    fn all(&self) -> BTreeMap<String, String> {
        crate::cache::read_private(&self.path)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// The pipeline remembered for `org`.
    pub fn get(&self, org: &url::Url) -> Option<Pipeline> {
        self.all()
            .get(org.as_str())
            .and_then(|p| Pipeline::parse(p))
    }

    /// Remember `pipeline` for `org` (a failure to write only costs a round trip next time).
    pub fn remember(&self, org: &url::Url, pipeline: Pipeline) -> Result<()> {
        if self.all().get(org.as_str()).map(String::as_str) == Some(pipeline.name()) {
            return Ok(());
        }
        crate::cache::locked(&self.path, || {
            let mut all = self.all();
            all.insert(org.to_string(), pipeline.name().to_owned());
            let bytes = serde_json::to_vec_pretty(&all)
                .map_err(|e| Error::Internal(format!("cannot encode the pipelines: {e}")))?;
            write_private(&self.path, &bytes)
        })
    }

    /// Forget `org` (or every org): `logout` does, since a later login may meet a migrated org.
    pub fn forget(&self, org: Option<&url::Url>) {
        let _ = crate::cache::locked(&self.path, || {
            let mut all = self.all();
            let before = all.len();
            match org {
                Some(o) => {
                    all.remove(o.as_str());
                }
                None => all.clear(),
            }
            if all.len() == before {
                return Ok(());
            }
            write_private(&self.path, &serde_json::to_vec(&all).unwrap_or_default())
        });
    }
}

/// Ask the org: `Some` pipeline from its well-known document, `None` when the org answers without
/// one (a proxy in front of Okta that does not pass it, an error page, a 5xx: it is not retried,
/// being only a hint): the embed link's answer decides then. An org that does not answer at all is that network error (the embed link would
/// not answer either: one timeout, not two). A document that names another pipeline is an error,
/// as Okta documents only these two.
pub(super) async fn discover(ctx: &Ctx<'_>) -> Result<Option<Pipeline>> {
    let url = ctx.api("/.well-known/okta-organization");
    let shown = display_url(&url);
    let request = ctx
        .http
        .client()
        .get(url.clone())
        .header("Accept", "application/json");
    let resp = ctx.http.send_once(&shown, request).await?;
    let (status, body) = ctx.http.read_body(resp, &shown).await?;
    let doc: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let pipeline = doc
        .as_ref()
        .and_then(|d| d.get("pipeline"))
        .and_then(serde_json::Value::as_str);
    match (status.is_success(), pipeline) {
        (true, Some(p)) => Pipeline::parse(p).map(Some).ok_or_else(|| Error::Protocol {
            url: shown,
            message: format!(
                "the org names an unknown sign-in pipeline {p:?} (Okta has \"v1\" and \"idx\"); set \"oktaPipeline\" in config.json to \"v1\" or \"idx\""
            ),
        }),
        _ => {
            ctx.reporter.verbose(&format!(
                "{shown} answered HTTP {} without a pipeline; asking the embed link",
                status.as_u16()
            ));
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_per_org_in_a_private_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = Pipelines::new(&dir.path().join("cache"));
        let a = url::Url::parse("https://a.okta.com/").unwrap();
        let b = url::Url::parse("https://b.okta.com/").unwrap();
        assert_eq!(p.get(&a), None);
        p.remember(&a, Pipeline::IdentityEngine).unwrap();
        p.remember(&b, Pipeline::Classic).unwrap();
        assert_eq!(p.get(&a), Some(Pipeline::IdentityEngine));
        assert_eq!(p.get(&b), Some(Pipeline::Classic));
        let mode = std::fs::metadata(dir.path().join("cache/pipelines.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        p.forget(Some(&a));
        assert_eq!(p.get(&a), None);
        assert_eq!(p.get(&b), Some(Pipeline::Classic));
    }

    #[test]
    fn names() {
        assert_eq!(Pipeline::parse("idx"), Some(Pipeline::IdentityEngine));
        assert_eq!(Pipeline::parse("classic"), Some(Pipeline::Classic));
        assert_eq!(Pipeline::parse("v2"), None);
    }
}
