//! aws-sdk-sts over the one shared reqwest client: an `HttpClient`/`HttpConnector` adapter, so STS
//! shares the IdP's connection settings and TLS roots instead of building (and loading the system
//! certificate store for) a second HTTP stack. Timeouts and retries stay the SDK's. The client's
//! rules hold for STS too: no plain http to a remote host, no signed request sent again to another
//! origin by a 307/308, and an answer of at most `MAX_STS_ANSWER` bytes.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;

/// The largest STS answer read (an AssumeRole answer is a few KB).
const MAX_STS_ANSWER: usize = 1 << 20;

/// The SDK's view of our reqwest client.
#[derive(Debug, Clone)]
pub struct ReqwestHttpClient {
    client: reqwest::Client,
}

impl ReqwestHttpClient {
    /// Wrap `client` (cheap: reqwest clients share their pool).
    pub fn new(client: reqwest::Client) -> Self {
        ReqwestHttpClient { client }
    }
}

impl HttpClient for ReqwestHttpClient {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for ReqwestHttpClient {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.client.clone();
        HttpConnectorFuture::new(async move {
            let request = request
                .try_into_http1x()
                .map_err(|e| ConnectorError::user(Box::new(e)))?;
            let (parts, body) = request.into_parts();
            // STS Query requests are small form bodies, always in memory.
            let bytes = body.bytes().map(<[u8]>::to_vec).ok_or_else(|| {
                ConnectorError::user("a streaming request body cannot be sent".into())
            })?;
            let request = reqwest::Request::try_from(http::Request::from_parts(parts, bytes))
                .map_err(|e| ConnectorError::user(Box::new(e)))?;
            crate::idp::http::refuse_plain_http(request.url(), None)
                .map_err(|e| ConnectorError::user(e.to_string().into()))?;
            let mut response = client.execute(request).await.map_err(classify)?;
            if matches!(response.status().as_u16(), 307 | 308) {
                // The client's redirect policy stops a 307/308 to another origin: the signed
                // request (a SAML assertion, keys' signature) is not sent there.
                return Err(ConnectorError::user(
                    format!(
                        "STS at {} answered {} with a redirect to another origin; the request is not sent there",
                        crate::idp::http::display_url(response.url()),
                        response.status().as_u16()
                    )
                    .into(),
                ));
            }
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(classify)? {
                if body.len() + chunk.len() > MAX_STS_ANSWER {
                    return Err(ConnectorError::user(
                        format!(
                            "the answer is larger than {} MiB, which no STS answer is",
                            MAX_STS_ANSWER >> 20
                        )
                        .into(),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            let response = builder
                .body(SdkBody::from(body))
                .map_err(|e| ConnectorError::other(Box::new(e), None))?;
            HttpResponse::try_from(response).map_err(|e| ConnectorError::other(Box::new(e), None))
        })
    }
}

fn classify(e: reqwest::Error) -> ConnectorError {
    if e.is_timeout() {
        ConnectorError::timeout(Box::new(e))
    } else {
        ConnectorError::io(Box::new(e))
    }
}
