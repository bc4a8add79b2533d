//! HTTPS on the public listener, from a PEM certificate chain and private key
//! (`--tls-cert`, `--tls-key`): rustls with the *ring* provider, served by axum-server. What a
//! hub needs when its stations and browsers reach it over networks it does not own; a hub behind
//! a TLS-terminating proxy leaves it off.

use std::path::PathBuf;

use axum_server::tls_rustls::RustlsConfig;

/// The certificate chain and key a listener serves HTTPS with.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Installs the process's TLS provider (*ring*): once, before any TLS is set up (the station's
/// client uses it too). Later calls change nothing.
pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Reads the files; a clear error names the file that could not be used.
pub async fn config(files: &TlsFiles) -> std::io::Result<RustlsConfig> {
    install_provider();
    RustlsConfig::from_pem_file(&files.cert, &files.key)
        .await
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "TLS certificate {} or key {}: {e}",
                    files.cert.display(),
                    files.key.display()
                ),
            )
        })
}
