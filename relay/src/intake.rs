//! What queue systems and alert sources POST to an office (`/v1/offices/{office}/events`,
//! `…/orchestra`, `…/cap`): the office's token for that input, the body within its size and
//! time, the idempotency key, the translation against the office's board, and the answer once
//! the events are committed to the log.

use std::sync::Arc;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Request, StatusCode};

use crate::orchestra;
use crate::relay::{Outcome, Refusal, Relay};
use crate::server::{Answer, BODY_WITHIN, bearer, error, json};
use crate::store::Key;
use crate::webhook::{self, BadBody, MAX_BODY_BYTES};

/// FNV-1a of the request as JSON: tells a retried request from a different one under the same
/// key. A client that serialises the same event again on retry (other key order, other
/// spacing) sends the same JSON, so the parsed value is what counts; a body that is not JSON is
/// taken byte for byte.
pub fn fingerprint(body: &[u8]) -> String {
    // serde_json's maps are sorted by key: one text per JSON value.
    let canonical = serde_json::from_slice::<serde_json::Value>(body)
        .map(|v| v.to_string().into_bytes())
        .unwrap_or_else(|_| body.to_vec());
    let hash = canonical.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}-{}", canonical.len())
}

pub async fn post(
    request: Request<Incoming>,
    office: &str,
    input: &'static str,
    relay: Arc<Relay>,
) -> Answer {
    let orchestra = input == "orchestra";
    let Some(site) = relay.office_site(office) else {
        return error(
            StatusCode::NOT_FOUND,
            Refusal::UnknownOffice(office.to_owned()),
        );
    };
    let token = if input == "cap" {
        if site.cap_token.is_none() {
            return error(
                StatusCode::NOT_FOUND,
                "this office takes no CAP alerts; give it cap_token_file in the site file",
            );
        }
        &site.cap_token
    } else {
        &site.webhook_token
    };
    if let Some(expected) = token {
        match bearer(&request) {
            Some(given) if expected.matches(given) => {}
            _ => {
                tracing::warn!("{office}: webhook refused: missing or wrong Bearer token");
                return error(
                    StatusCode::UNAUTHORIZED,
                    "missing or wrong token; send Authorization: Bearer <the office's webhook token>",
                );
            }
        }
    }
    let key = request
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    if key.as_ref().is_some_and(|k| k.len() > 200) {
        return error(
            StatusCode::BAD_REQUEST,
            "Idempotency-Key is longer than 200 characters",
        );
    }
    let body = match tokio::time::timeout(
        BODY_WITHIN,
        Limited::new(request.into_body(), MAX_BODY_BYTES).collect(),
    )
    .await
    {
        Err(_) => {
            tracing::warn!(
                "{office}: webhook refused: the body did not arrive within {} s",
                BODY_WITHIN.as_secs()
            );
            return error(
                StatusCode::REQUEST_TIMEOUT,
                format!("the body did not arrive within {} s", BODY_WITHIN.as_secs()),
            );
        }
        Ok(Ok(body)) => body.to_bytes(),
        Ok(Err(e)) => {
            let why = if e.is::<http_body_util::LengthLimitError>() {
                format!("the body is over {MAX_BODY_BYTES} bytes; send one event per request")
            } else {
                format!("the body could not be read: {e}")
            };
            tracing::warn!("{office}: webhook refused: {why}");
            return error(StatusCode::BAD_REQUEST, why);
        }
    };
    let key = key
        .or_else(|| {
            orchestra
                .then(|| {
                    serde_json::from_slice(&body)
                        .ok()
                        .and_then(|v| orchestra::natural_key(&v))
                })
                .flatten()
        })
        .map(|key| Key {
            fingerprint: fingerprint(&body),
            key,
        });
    let office_id = office.to_owned();
    let outcome = tokio::task::spawn_blocking(move || {
        let now = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        relay.accept(
            &office_id,
            key,
            |site, board| {
                if orchestra {
                    orchestra::translate(&body, site, board, &now)
                } else if input == "cap" {
                    crate::cap::translate(&body, site, board, chrono::Utc::now())
                } else {
                    webhook::translate(&body, site, board, &now)
                }
            },
            None,
        )
    })
    .await;
    match outcome {
        Ok(Ok(Outcome::Stored { first, last })) => json(
            StatusCode::ACCEPTED,
            serde_json::json!({ "office": office, "seq": [first, last] }),
        ),
        Ok(Ok(Outcome::Repeated { seqs })) => json(
            StatusCode::ACCEPTED,
            serde_json::json!({ "office": office, "seq": seqs.map(|(a, b)| [a, b]), "repeated": true }),
        ),
        Ok(Ok(Outcome::Ignored(why))) => json(
            StatusCode::OK,
            serde_json::json!({ "office": office, "ignored": why }),
        ),
        Ok(Err(Refusal::Bad(BadBody(why)))) => {
            tracing::warn!(
                "{office}: {} refused: {why}",
                match input {
                    "orchestra" => "Orchestra hook",
                    "cap" => "CAP alert",
                    _ => "webhook",
                }
            );
            error(StatusCode::BAD_REQUEST, why)
        }
        Ok(Err(e @ Refusal::KeyReused(_))) => error(StatusCode::UNPROCESSABLE_ENTITY, e),
        Ok(Err(e @ Refusal::UnknownOffice(_))) => error(StatusCode::NOT_FOUND, e),
        Ok(Err(Refusal::Store(e))) => {
            tracing::error!("{office}: could not store an event: {e}");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the relay could not store the event ({e}); retry later"),
            )
        }
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the relay failed: {e}"),
        ),
    }
}
