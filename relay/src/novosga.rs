//! NovoSGA: no push to displays, but a panel endpoint, `GET /api/unidades/{unit}/painel
//! ?servicos=1,2,3`, answering the last ten panel rows, newest first, behind an OAuth2 bearer
//! token (`POST /api/token`, password grant, as NovoSGA's own panel app does). The relay asks
//! every few seconds and diffs the rows against its own board: each row newer than the last
//! one seen (a bookmark stored in the same transaction as the events) is a call; NovoSGA
//! records a recall as a new row with a new id, so the same ticket at the same counter again
//! is a recall. A new call at a counter means the visitor before was served (NovoSGA's panel
//! says no more). Client names and document numbers in the rows are never read.

use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_core::board::Board;
use herald_core::protocol::{CallEnd, ServerMessage, VERSION};
use serde_json::Value;

use crate::client;
use crate::relay::{Outcome, Relay};
use crate::site::{Novosga, OfficeSite};
use crate::store::Key;
use crate::webhook::{self, BadBody, Translation};

const BOOKMARK: &str = "novosga.last_row";

/// One panel row, as far as the waiting room needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelRow {
    pub id: u64,
    pub ticket: String,
    /// NovoSGA's counter number (`numeroLocal`).
    pub counter: String,
    /// "Guichê 3": what NovoSGA calls the place.
    pub counter_name: Option<String>,
    pub service_id: Option<String>,
    pub service_name: Option<String>,
    /// NovoSGA's priority weight (`peso`): above 0 is a priority ticket.
    pub priority: bool,
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads one row; NovoSGA 2 sends `siglaSenha` + `numeroSenha`, later versions also `senha`.
pub fn parse_row(row: &Value) -> Result<PanelRow, String> {
    let id = row
        .get("id")
        .and_then(Value::as_u64)
        .ok_or("a panel row has no numeric \"id\"")?;
    let ticket = match text(row.get("senha")) {
        Some(t) => t,
        None => {
            let prefix = text(row.get("siglaSenha")).unwrap_or_default();
            let number = row
                .get("numeroSenha")
                .and_then(Value::as_u64)
                .ok_or(format!(
                    "panel row {id} has neither \"senha\" nor \"numeroSenha\""
                ))?;
            format!("{prefix}{number:03}")
        }
    };
    let counter =
        text(row.get("numeroLocal")).ok_or(format!("panel row {id} has no \"numeroLocal\""))?;
    let counter_name = text(row.get("local")).map(|l| format!("{l} {counter}"));
    let service = row.get("servico");
    Ok(PanelRow {
        id,
        ticket,
        counter,
        counter_name,
        service_id: text(service.and_then(|s| s.get("id"))),
        service_name: text(service.and_then(|s| s.get("nome"))),
        priority: row
            .get("peso")
            .and_then(Value::as_u64)
            .is_some_and(|p| p > 0),
    })
}

/// The events one new panel row makes on `board`.
pub fn translate_row(
    row: &PanelRow,
    office: &OfficeSite,
    board: &Board,
    now: &str,
) -> Result<Translation, BadBody> {
    let serving = board.serving(&row.counter);
    let events = match serving {
        Some(current) if current.ticket == row.ticket => vec![ServerMessage::Call {
            v: VERSION,
            seq: 0,
            call: webhook::recall(current, now.to_owned()),
        }],
        _ => {
            let mut events = Vec::new();
            if let Some(current) = serving {
                events.push(ServerMessage::CallEnded {
                    v: VERSION,
                    seq: 0,
                    call_id: current.id.clone(),
                    reason: CallEnd::Finished,
                });
            }
            let service = office.service(row.service_id.as_deref(), row.service_name.as_deref());
            let call = herald_core::protocol::Call {
                service_id: row.service_id.clone(),
                priority: row.priority,
                ..webhook::new_call(
                    office,
                    format!("novosga-{}", row.id),
                    row.ticket.clone(),
                    (&row.counter, row.counter_name.as_deref()),
                    service,
                    None,
                    now.to_owned(),
                )
            };
            events.push(ServerMessage::Call {
                v: VERSION,
                seq: 0,
                call,
            });
            events
        }
    };
    webhook::check(&events)?;
    Ok(Translation::Events(events))
}

fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The NovoSGA poller of one office.
pub struct Poller {
    relay: Arc<Relay>,
    office: String,
    config: Novosga,
    tls: Option<tokio_rustls::TlsConnector>,
    token: Option<(String, Instant)>,
    last_error: Option<String>,
}

impl Poller {
    pub fn new(relay: Arc<Relay>, office: String, config: Novosga) -> Result<Self, String> {
        let tls = if config.url.starts_with("https://") {
            Some(client::tls_connector(config.ca_file.as_deref())?)
        } else {
            None
        };
        Ok(Self {
            relay,
            office,
            config,
            tls,
            token: None,
            last_error: None,
        })
    }

    /// Asks every `every` until the process ends.
    pub async fn run(mut self) {
        tracing::info!(
            "{}: asking NovoSGA at {} (unit {}) every {:.1} s",
            self.office,
            self.config.url,
            self.config.unit,
            self.config.every.as_secs_f64()
        );
        loop {
            match self.poll().await {
                Ok(n) => {
                    if self.last_error.take().is_some() {
                        tracing::info!("{}: NovoSGA answers again", self.office);
                    }
                    if n > 0 {
                        tracing::debug!("{}: {n} new NovoSGA panel rows", self.office);
                    }
                }
                Err(e) => {
                    // One line per distinct problem, not one per poll.
                    if self.last_error.as_deref() != Some(e.as_str()) {
                        tracing::warn!(
                            "{}: NovoSGA: {e}; the screens keep the last state, asking again",
                            self.office
                        );
                        self.last_error = Some(e);
                    }
                }
            }
            tokio::time::sleep(self.config.every).await;
        }
    }

    async fn token(&mut self) -> Result<String, String> {
        if let Some((token, until)) = &self.token
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let body = form(&[
            ("grant_type", "password"),
            ("client_id", &self.config.client_id),
            ("client_secret", self.config.client_secret.expose()),
            ("username", &self.config.username),
            ("password", self.config.password.expose()),
        ]);
        let url = format!("{}/api/token", self.config.url);
        let answer = client::request(
            "POST",
            &url,
            &[(
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            )],
            body.into_bytes(),
            self.tls.as_ref(),
        )
        .await?;
        if answer.status != 200 {
            return Err(format!(
                "{url} answered {} to the token request; check client_id, client secret, username and password",
                answer.status
            ));
        }
        let value: Value = serde_json::from_slice(&answer.body)
            .map_err(|e| format!("{url}: the token answer is not JSON: {e}"))?;
        let token = value
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or(format!("{url}: the token answer has no access_token"))?
            .to_owned();
        let lifetime = value
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(3600);
        // Renew a little before it runs out.
        let until = Instant::now() + Duration::from_secs(lifetime.saturating_sub(30).max(5));
        self.token = Some((token.clone(), until));
        Ok(token)
    }

    /// One poll: returns how many new rows were stored.
    pub async fn poll(&mut self) -> Result<usize, String> {
        let token = self.token().await?;
        let services = self
            .config
            .services
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let url = format!(
            "{}/api/unidades/{}/painel?servicos={services}",
            self.config.url, self.config.unit
        );
        let answer = client::request(
            "GET",
            &url,
            &[
                ("authorization", format!("Bearer {token}")),
                ("accept", "application/json".to_owned()),
            ],
            Vec::new(),
            self.tls.as_ref(),
        )
        .await?;
        if answer.status == 401 {
            self.token = None;
            return Err(format!("{url} answered 401; asking for a new token"));
        }
        if answer.status != 200 {
            return Err(format!(
                "{url} answered {}: {}",
                answer.status,
                answer.text().chars().take(200).collect::<String>()
            ));
        }
        let rows: Value = serde_json::from_slice(&answer.body)
            .map_err(|e| format!("{url}: the panel is not JSON: {e}"))?;
        let rows = rows
            .as_array()
            .ok_or(format!("{url}: the panel is not a JSON array"))?;
        let mut parsed = Vec::new();
        for row in rows {
            match parse_row(row) {
                Ok(row) => parsed.push(row),
                Err(e) => tracing::warn!("{}: NovoSGA {e}; row skipped", self.office),
            }
        }
        parsed.sort_by_key(|r| r.id);
        self.store(parsed).await
    }

    async fn store(&self, rows: Vec<PanelRow>) -> Result<usize, String> {
        let relay = self.relay.clone();
        let office = self.office.clone();
        tokio::task::spawn_blocking(move || store_rows(&relay, &office, rows))
            .await
            .map_err(|e| format!("the relay failed: {e}"))?
    }
}

/// Stores the rows newer than the bookmark, each with the bookmark in its transaction.
pub fn store_rows(relay: &Relay, office: &str, rows: Vec<PanelRow>) -> Result<usize, String> {
    let last_seen = relay
        .bookmark(office, BOOKMARK)
        .map_err(|e| e.to_string())?
        .and_then(|v| v.parse::<u64>().ok());
    let Some(last_seen) = last_seen else {
        // First contact: what the panel shows now happened before the relay was there.
        let newest = rows.last().map_or(0, |r| r.id);
        relay
            .accept(
                office,
                None,
                |_, _| Ok(Translation::Ignored("baseline".into())),
                Some((BOOKMARK, &newest.to_string())),
            )
            .map_err(|e| e.to_string())?;
        tracing::info!("{office}: NovoSGA panel read; following it from row {newest}");
        return Ok(0);
    };
    let new: Vec<PanelRow> = rows.into_iter().filter(|r| r.id > last_seen).collect();
    if let Some(first) = new.first()
        && first.id > last_seen + 1
        && new.len() >= 10
    {
        tracing::warn!(
            "{office}: NovoSGA rows {}–{} came and went between two polls; poll more often",
            last_seen + 1,
            first.id - 1
        );
    }
    let mut stored = 0;
    for row in new {
        let now = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let key = Key {
            key: format!("novosga:{}", row.id),
            fingerprint: row.ticket.clone(),
        };
        let outcome = relay
            .accept(
                office,
                Some(key),
                |site, board| translate_row(&row, site, board, &now),
                Some((BOOKMARK, &row.id.to_string())),
            )
            .map_err(|e| e.to_string())?;
        if matches!(outcome, Outcome::Stored { .. }) {
            stored += 1;
        }
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::Site;
    use crate::store::Store;
    use herald_core::protocol;

    #[test]
    fn a_priority_ticket_and_its_service_are_carried_over() {
        let row = parse_row(&serde_json::json!({
            "id": 9, "siglaSenha": "P", "numeroSenha": 7, "local": "Guichê", "numeroLocal": 2,
            "peso": 1, "prioridade": "Prioridade", "servico": {"id": 4, "nome": "Documentos"}
        }))
        .expect("a row");
        assert!(row.priority);
        assert_eq!(row.service_id.as_deref(), Some("4"));
        let board = Board::new();
        let Ok(Translation::Events(events)) = translate_row(
            &row,
            &OfficeSite::open("br.x", "sk"),
            &board,
            "2026-12-04T09:00:00Z",
        ) else {
            panic!("no call")
        };
        let Some(ServerMessage::Call { call, .. }) = events.last() else {
            panic!("{events:?}")
        };
        assert!(call.priority, "a priority ticket is marked on every screen");
        assert_eq!(call.service_id.as_deref(), Some("4"));
        assert_eq!(call.ticket, "P007");
    }

    /// Panel answers shaped as NovoSGA's `GET /api/unidades/{id}/painel` returns them
    /// (newest first; NovoSGA 2 field names, with the client's name and document).
    fn panel(rows: &[(u64, &str, u32, u32)]) -> Vec<PanelRow> {
        let value: Value = serde_json::Value::Array(
            rows.iter()
                .rev()
                .map(|(id, sigla, numero, local)| {
                    serde_json::json!({
                        "id": id, "siglaSenha": sigla, "numeroSenha": numero,
                        "mensagem": "", "local": "Guichê", "numeroLocal": local,
                        "peso": 0, "prioridade": "Normal",
                        "nomeCliente": "Maria da Silva", "documentoCliente": "123.456.789-00",
                        "servico": {"id": 1, "nome": "Documentos"}
                    })
                })
                .collect(),
        );
        let mut out: Vec<PanelRow> = value
            .as_array()
            .map(|a| a.iter().filter_map(|r| parse_row(r).ok()).collect())
            .unwrap_or_default();
        out.sort_by_key(|r| r.id);
        out
    }

    #[test]
    fn new_rows_become_calls_a_repeated_row_a_recall_and_the_first_read_is_history() {
        let relay = Relay::new(
            Site::single(OfficeSite::open("br.x", "sk"), "127.0.0.1:0", "".into()),
            Store::in_memory().expect("store"),
        )
        .expect("relay");
        let mut frames = relay.subscribe("br.x").expect("office");
        // First read: rows 1–2 happened before the relay; nothing is shown from them.
        assert_eq!(
            store_rows(&relay, "br.x", panel(&[(1, "A", 1, 1), (2, "A", 2, 2)])),
            Ok(0)
        );
        // A003 at counter 1, then the clerk recalls A003 (a new row), then A004 at counter 1.
        let rows = panel(&[
            (1, "A", 1, 1),
            (2, "A", 2, 2),
            (3, "A", 3, 1),
            (4, "A", 3, 1),
            (5, "A", 4, 1),
        ]);
        assert_eq!(store_rows(&relay, "br.x", rows.clone()), Ok(3));
        // Polling the same panel again stores nothing.
        assert_eq!(store_rows(&relay, "br.x", rows), Ok(0));
        let mut got = Vec::new();
        while let Ok(frame) = frames.try_recv() {
            got.push(
                serde_json::from_str::<Value>(&protocol::encode_server(&frame)).expect("json"),
            );
        }
        let summary: Vec<String> = got
            .iter()
            .map(|f| match f["type"].as_str() {
                Some("call") => format!(
                    "{} {} {}",
                    if f["call"]["recall"] == true {
                        "recall"
                    } else {
                        "call"
                    },
                    f["call"]["ticket"].as_str().unwrap_or(""),
                    f["call"]["counter"]["label"].as_str().unwrap_or("")
                ),
                Some(other) => format!("{other} {}", f["call_id"].as_str().unwrap_or("")),
                None => String::new(),
            })
            .collect();
        assert_eq!(
            summary,
            [
                "call A003 1",
                "recall A003 1",
                "call_ended novosga-3",
                "call A004 1"
            ]
        );
        let text = serde_json::to_string(&got).unwrap_or_default();
        assert!(
            !text.contains("Maria") && !text.contains("123.456"),
            "no personal data: {text}"
        );
        assert_eq!(got[0]["call"]["service"]["sk"], "Documentos");
    }
}
