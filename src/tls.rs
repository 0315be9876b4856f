//! TLS for every https request aws-token makes (IdP and STS share one client): the crypto provider
//! and the trust roots. The provider is *ring*: AWS-LC (reqwest's default) seeds its random
//! generator from CPU-jitter entropy on the first handshake of every process, ~40 ms of a login that
//! otherwise takes ~10 (bench/RESULTS.md). Trust roots are the system's, read only when a handshake
//! first needs them, so a run against loopback http never pays for them:
//! - `SSL_CERT_FILE` and/or `SSL_CERT_DIR` when set (as OpenSSL reads them), else
//! - the OS bundle (one file: Debian, Alpine, RHEL, SUSE, Arch...), where corporate CAs installed
//!   the OS way (update-ca-certificates, update-ca-trust) end up; the certificate directory is
//!   scanned only where no bundle exists;
//! - plus `AWS_CA_BUNDLE` (the AWS CLI's variable for a proxy or corporate CA), added to them.
//!
//! On macOS and Windows the platform verifier (Keychain, the Windows store) is used instead, with
//! `AWS_CA_BUNDLE` added.

use crate::environment::Environment;
use crate::error::{Error, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Where the OS keeps its CA bundle, most common first (the list OpenSSL-probe and Go use).
const OS_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/ssl/cert.pem",
];

/// Certificate directories scanned when no bundle exists.
const OS_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

/// What to trust, as the environment says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustSources {
    /// `SSL_CERT_FILE`.
    pub cert_file: Option<PathBuf>,
    /// `SSL_CERT_DIR` (colon-separated).
    pub cert_dirs: Vec<PathBuf>,
    /// `AWS_CA_BUNDLE`: extra CAs on top of the others.
    pub aws_ca_bundle: Option<PathBuf>,
}

impl TrustSources {
    /// Read the variables from `env`.
    pub fn from_env(env: &Environment) -> TrustSources {
        TrustSources {
            cert_file: env.var("SSL_CERT_FILE").map(PathBuf::from),
            cert_dirs: env
                .var("SSL_CERT_DIR")
                .map(|d| std::env::split_paths(d).collect())
                .unwrap_or_default(),
            aws_ca_bundle: env.var("AWS_CA_BUNDLE").map(PathBuf::from),
        }
    }

    /// A short text for messages: which variables are in effect.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.cert_file {
            parts.push(format!("SSL_CERT_FILE={}", f.display()));
        }
        if !self.cert_dirs.is_empty() {
            let dirs: Vec<String> = self
                .cert_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect();
            parts.push(format!("SSL_CERT_DIR={}", dirs.join(":")));
        }
        if let Some(f) = &self.aws_ca_bundle {
            parts.push(format!("AWS_CA_BUNDLE={}", f.display()));
        }
        if parts.is_empty() {
            "the system's CA certificates".to_owned()
        } else {
            parts.join(", ")
        }
    }

    /// Every trusted certificate, DER. Errors name the file and the variable that pointed at it.
    pub fn load(&self) -> std::result::Result<Vec<CertificateDer<'static>>, String> {
        let mut certs = Vec::new();
        if let Some(f) = &self.aws_ca_bundle {
            certs.extend(read_pem(f).map_err(|e| format!("AWS_CA_BUNDLE: {e}"))?);
        }
        if self.cert_file.is_some() || !self.cert_dirs.is_empty() {
            if let Some(f) = &self.cert_file {
                certs.extend(read_pem(f).map_err(|e| format!("SSL_CERT_FILE: {e}"))?);
            }
            for d in &self.cert_dirs {
                certs.extend(read_dir(d).map_err(|e| format!("SSL_CERT_DIR: {e}"))?);
            }
            return Ok(certs);
        }
        let os = match OS_BUNDLES.iter().map(Path::new).find(|p| p.is_file()) {
            Some(bundle) => read_pem(bundle)?,
            None => {
                let mut found = Vec::new();
                for d in OS_DIRS.iter().map(Path::new).filter(|d| d.is_dir()) {
                    found.extend(read_dir(d)?);
                }
                found
            }
        };
        if os.is_empty() && certs.is_empty() {
            return Err(format!(
                "no CA certificates found (looked for {} and in {}): install your system's ca-certificates package, or point SSL_CERT_FILE at a PEM bundle",
                OS_BUNDLES.join(", "),
                OS_DIRS.join(", ")
            ));
        }
        certs.extend(os);
        Ok(certs)
    }
}

fn read_pem(path: &Path) -> std::result::Result<Vec<CertificateDer<'static>>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .filter_map(std::result::Result::ok)
        .collect();
    if certs.is_empty() {
        return Err(format!("{}: holds no PEM certificate", path.display()));
    }
    Ok(certs)
}

/// Every PEM certificate in the files of `dir` (OpenSSL's hashed directory layout, or any names).
fn read_dir(dir: &Path) -> std::result::Result<Vec<CertificateDer<'static>>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut certs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file()
            && let Ok(bytes) = std::fs::read(&path)
        {
            certs
                .extend(CertificateDer::pem_slice_iter(&bytes).filter_map(std::result::Result::ok));
        }
    }
    Ok(certs)
}

/// The crypto provider of every TLS connection.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls client configuration: TLS 1.2 and 1.3, the trust roots of `sources`.
pub fn client_config(sources: TrustSources) -> Result<rustls::ClientConfig> {
    let provider = provider();
    let verifier = verifier(sources, provider.clone())?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("cannot configure TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

#[cfg(not(any(target_os = "macos", target_os = "ios", target_os = "windows")))]
fn verifier(
    sources: TrustSources,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>> {
    Ok(Arc::new(LazyRoots {
        sources,
        provider,
        inner: OnceLock::new(),
    }))
}

#[cfg(any(target_os = "macos", target_os = "ios", target_os = "windows"))]
fn verifier(
    sources: TrustSources,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>> {
    let extra = match &sources.aws_ca_bundle {
        Some(f) => read_pem(f).map_err(|e| Error::Usage(format!("AWS_CA_BUNDLE: {e}")))?,
        None => Vec::new(),
    };
    let v = rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider)
        .map_err(|e| Error::Internal(format!("cannot use the system's trust store: {e}")))?;
    Ok(Arc::new(v))
}

/// A WebPKI verifier whose roots are read on the first handshake, not when the client is built.
#[derive(Debug)]
struct LazyRoots {
    sources: TrustSources,
    provider: Arc<CryptoProvider>,
    inner: OnceLock<std::result::Result<Arc<rustls::client::WebPkiServerVerifier>, String>>,
}

impl LazyRoots {
    fn get(
        &self,
    ) -> std::result::Result<&Arc<rustls::client::WebPkiServerVerifier>, rustls::Error> {
        let built = self.inner.get_or_init(|| {
            let mut store = rustls::RootCertStore::empty();
            let (added, _ignored) = store.add_parsable_certificates(self.sources.load()?);
            if added == 0 {
                return Err(format!(
                    "none of the certificates in {} could be used",
                    self.sources.describe()
                ));
            }
            rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(store),
                self.provider.clone(),
            )
            .build()
            .map_err(|e| e.to_string())
        });
        built
            .as_ref()
            .map_err(|e| rustls::Error::General(format!("cannot load trust roots: {e}")))
    }
}

impl ServerCertVerifier for LazyRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        self.get()?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment {
            vars: vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Environment::default()
        }
    }

    #[test]
    fn sources_come_from_the_openssl_and_aws_variables() {
        let s = TrustSources::from_env(&env(&[
            ("SSL_CERT_FILE", "/x/ca.pem"),
            ("SSL_CERT_DIR", "/a:/b"),
            ("AWS_CA_BUNDLE", "/corp.pem"),
        ]));
        assert_eq!(s.cert_file, Some(PathBuf::from("/x/ca.pem")));
        assert_eq!(s.cert_dirs, vec![PathBuf::from("/a"), PathBuf::from("/b")]);
        assert_eq!(s.aws_ca_bundle, Some(PathBuf::from("/corp.pem")));
        assert_eq!(
            s.describe(),
            "SSL_CERT_FILE=/x/ca.pem, SSL_CERT_DIR=/a:/b, AWS_CA_BUNDLE=/corp.pem"
        );
        assert_eq!(
            TrustSources::from_env(&env(&[])).describe(),
            "the system's CA certificates"
        );
    }

    #[test]
    fn a_missing_or_empty_file_is_named_with_its_variable() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let s = TrustSources {
            cert_file: Some(empty.clone()),
            ..TrustSources::default()
        };
        let e = s.load().unwrap_err();
        assert!(
            e.starts_with("SSL_CERT_FILE: ") && e.contains("holds no PEM certificate"),
            "{e}"
        );
        let s = TrustSources {
            aws_ca_bundle: Some(dir.path().join("missing.pem")),
            ..TrustSources::default()
        };
        let e = s.load().unwrap_err();
        assert!(
            e.starts_with("AWS_CA_BUNDLE: ") && e.contains("missing.pem"),
            "{e}"
        );
    }
}
