//! A small HTTP/1.1 client on hyper (plain or TLS) for the adapters that ask a queue system
//! (NovoSGA's panel) and for the tests and the benchmark that post webhooks. One request per
//! connection: the adapters ask every few seconds, which needs no pool.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The answer's status and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// The answer's headers, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Answer {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every header named `name` (lower case).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(15);

/// Trusts the public web roots, the system's roots and `ca_file` (an office's own CA).
pub fn tls_connector(ca_file: Option<&Path>) -> Result<TlsConnector, String> {
    let config = herald_wire::trust::client_config(ca_file, "ca_file")?;
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Sends one request and reads the whole answer.
pub async fn request(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
    tls: Option<&TlsConnector>,
) -> Result<Answer, String> {
    tokio::time::timeout(TIMEOUT, request_inner(method, url, headers, body, tls))
        .await
        .map_err(|_| format!("{url}: no answer within {} s", TIMEOUT.as_secs()))?
}

async fn request_inner(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
    tls: Option<&TlsConnector>,
) -> Result<Answer, String> {
    let uri: Uri = url.parse().map_err(|e| format!("{url}: not a URL: {e}"))?;
    let https = uri.scheme_str() == Some("https");
    let host = uri
        .host()
        .ok_or_else(|| format!("{url}: no host"))?
        .to_owned();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let stream = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("{url}: cannot connect: {e}"))?;
    let _ = stream.set_nodelay(true);
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let mut builder = Request::builder().method(method).uri(path).header(
        hyper::header::HOST,
        uri.authority().map_or(host.clone(), |a| a.to_string()),
    );
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    let request = builder
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("{url}: {e}"))?;
    if https {
        let connector = match tls {
            Some(c) => c.clone(),
            None => tls_connector(None)?,
        };
        let name = rustls_pki_types::ServerName::try_from(host.clone())
            .map_err(|e| format!("{url}: {e}"))?;
        let stream = connector
            .connect(name, stream)
            .await
            .map_err(|e| format!("{url}: TLS: {e}"))?;
        exchange(TokioIo::new(stream), request, url).await
    } else {
        exchange(TokioIo::new(stream), request, url).await
    }
}

async fn exchange<I>(io: I, request: Request<Full<Bytes>>, url: &str) -> Result<Answer, String>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
        .collect()
        .await
        .map_err(|e| format!("{url}: the answer could not be read: {e}"))?
        .to_bytes()
        .to_vec();
    Ok(Answer {
        status,
        body,
        headers,
    })
}

/// Posts JSON with an optional Bearer token and idempotency key.
pub async fn post_json(
    url: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: &str,
) -> Result<Answer, String> {
    let mut headers = vec![("content-type", "application/json".to_owned())];
    if let Some(token) = token {
        headers.push(("authorization", format!("Bearer {token}")));
    }
    if let Some(key) = key {
        headers.push(("idempotency-key", key.to_owned()));
    }
    request("POST", url, &headers, body.as_bytes().to_vec(), None).await
}
