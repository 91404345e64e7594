//! Whom a TLS client of herald's trusts: the public web roots, the system's roots (a
//! municipality's internal CA installed with `update-ca-certificates`) and, where given, a CA
//! file. The display's `wss://` feed and the relay's HTTPS client (NovoSGA, webhooks out) build
//! their TLS settings here, so both trust the same roots and name a bad CA file the same way.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// TLS client settings trusting the web roots, the system's and the certificates of `ca_file`;
/// `option` names the setting in errors (`--ca-file`, `ca_file`).
pub fn client_config(ca_file: Option<&Path>, option: &str) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    // The system's store; certificates it cannot parse are skipped (one bad file in
    // /etc/ssl/certs must not cost every other root).
    let system = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(system.certs);
    if let Some(path) = ca_file {
        for cert in read_certificates(path, option)? {
            roots.add(cert).map_err(|e| {
                format!(
                    "{option} {}: a certificate cannot be used as a root: {e}",
                    path.display()
                )
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS cannot be set up: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The PEM certificates of a CA file; an unreadable file or one without a certificate is an
/// error that names it.
fn read_certificates(path: &Path, option: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let shown = path.display();
    let iter = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("{option} {shown}: cannot be read: {e}"))?;
    let certs: Vec<_> = iter
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{option} {shown}: is not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err(format!(
            "{option} {shown}: has no \"BEGIN CERTIFICATE\" block; give the CA's certificate \
             in PEM form"
        ));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_that_is_no_certificate_is_named_with_what_is_wrong() {
        let dir = std::env::temp_dir().join(format!("herald-trust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp folder");
        let file = dir.join("ca.pem");
        std::fs::write(&file, "not a certificate\n").expect("write");
        let e = client_config(Some(&file), "--ca-file").expect_err("no certificate");
        assert!(e.starts_with("--ca-file "), "{e}");
        assert!(e.contains("BEGIN CERTIFICATE"), "{e}");
        let e = client_config(Some(&dir.join("missing.pem")), "ca_file").expect_err("missing");
        assert!(e.contains("cannot be read"), "{e}");
        assert!(client_config(None, "--ca-file").is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
