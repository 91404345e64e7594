//! Alerts that know the office's hours: a display offline, without its feed, without its voice
//! or not drawing for longer than `alert_after_seconds` while its office is open raises an
//! alert: on the console, in the relay's log, as `herald_relay_console_alerts` on `/metrics`,
//! and as a JSON POST to `alert_webhook` (retried until it is taken). When the problem is
//! over, "back" is said the same ways. Closed hours raise nothing.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use chrono::Local;
use herald_core::backoff::Backoff;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::{Console, Look, review};

/// What the webhook is told.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Note {
    /// "alert" or "back".
    pub event: &'static str,
    pub office: String,
    pub office_name: Option<String>,
    pub display: String,
    /// The problem ("offline", "feed_lost", "silent", "not_drawing").
    pub problem: &'static str,
    /// When the problem began (RFC 3339).
    pub since: String,
    /// When this was said.
    pub at: String,
    /// One line for a person (English).
    pub text: String,
    /// The display's page in the console, when the site says where the console is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub console: Option<String>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    office: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AlertLabels {
    office: String,
    display: String,
    problem: String,
}

/// The console's part of the relay's `/metrics`.
pub struct Metrics {
    registry: Registry,
    displays: Family<StateLabels, Gauge>,
    alerts: Family<AlertLabels, Gauge>,
    raised: Counter,
    pub reports: Counter,
    pub webhook_failures: Counter,
    pub logins_refused: Counter,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("herald_relay_console");
        let displays = Family::<StateLabels, Gauge>::default();
        let alerts = Family::<AlertLabels, Gauge>::default();
        let (raised, reports, webhook_failures, logins_refused) = (
            Counter::default(),
            Counter::default(),
            Counter::default(),
            Counter::default(),
        );
        registry.register(
            "displays",
            "Displays known to the console, by office and state",
            displays.clone(),
        );
        registry.register(
            "alerts",
            "Alerts raised and not over (1 per display and problem)",
            alerts.clone(),
        );
        registry.register("alerts_raised", "Alerts raised", raised.clone());
        registry.register(
            "reports",
            "Status reports heard from displays",
            reports.clone(),
        );
        registry.register(
            "alert_webhook_failures",
            "Alert webhook posts that failed (each is retried)",
            webhook_failures.clone(),
        );
        registry.register(
            "logins_refused",
            "Console logins refused (wrong password, or waiting after too many)",
            logins_refused.clone(),
        );
        Self {
            registry,
            displays,
            alerts,
            raised,
            reports,
            webhook_failures,
            logins_refused,
        }
    }

    /// Prometheus text.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode_registry(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Reviews the displays every second: new states into the history, alerts raised and ended.
pub async fn watch(console: Arc<Console>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        step(&console);
    }
}

/// One review (the tests call it too).
pub fn step(console: &Console) {
    for (office, display, from, to) in review(console) {
        let detail = format!("{} → {}", from.name(), to.name());
        console.book.moved(&office, &display, to.name(), &detail);
        if to == Look::Offline {
            let name = &display;
            tracing::info!("{office}: display {name:?} is offline");
        }
        console.tell(&office, &display);
    }
    let now = Local::now();
    let mut notes = Vec::new();
    console.with_displays(|displays| {
        let counts: std::collections::HashMap<(String, Look), i64> =
            displays
                .values()
                .fold(Default::default(), |mut counts, seen| {
                    *counts.entry((seen.office.clone(), seen.look)).or_default() += 1;
                    counts
                });
        for office in console.offices() {
            for look in Look::ALL {
                console
                    .metrics
                    .displays
                    .get_or_create(&StateLabels {
                        office: office.id.clone(),
                        state: look.name().into(),
                    })
                    .set(counts.get(&(office.id.clone(), look)).copied().unwrap_or(0));
            }
        }
        for seen in displays.values_mut() {
            let open = console
                .office(&seen.office)
                .is_none_or(|o| o.is_open(now.naive_local()));
            let problem = Some(seen.look).filter(|l| l.is_problem());
            // The time a problem lasts is counted in opening hours only.
            seen.trouble = match (problem, seen.trouble, open) {
                (Some(p), Some((q, since)), true) if p == q => Some((q, since)),
                (Some(p), _, true) => Some((p, Instant::now())),
                _ => None,
            };
            let due = seen
                .trouble
                .filter(|(_, since)| since.elapsed() >= console.site.alert_after)
                .map(|(p, _)| p);
            match (seen.alert, due) {
                (None, Some(p)) => {
                    seen.alert = Some(p);
                    seen.events.push_back((now, format!("alert: {}", p.name())));
                    notes.push(note(console, "alert", seen, p));
                }
                (Some(raised), _)
                    if problem != Some(raised) && (problem.is_none() || due.is_some()) =>
                {
                    // Over (or become another problem, which raises its own alert next).
                    seen.alert = None;
                    seen.events
                        .push_back((now, format!("back: {}", raised.name())));
                    notes.push(note(console, "back", seen, raised));
                }
                _ => {}
            }
        }
    });
    for n in notes {
        let labels = AlertLabels {
            office: n.office.clone(),
            display: n.display.clone(),
            problem: n.problem.into(),
        };
        if n.event == "alert" {
            tracing::warn!("ALERT {}", n.text);
            console.metrics.raised.inc();
            console.metrics.alerts.get_or_create(&labels).set(1);
        } else {
            tracing::info!("back: {}", n.text);
            console.metrics.alerts.remove(&labels);
        }
        console.book.moved(&n.office, &n.display, n.event, &n.text);
        console.tell(&n.office, &n.display);
        if console.site.alert_webhook.is_some() {
            let _ = console.webhook.send(n);
        }
    }
}

fn note(console: &Console, event: &'static str, seen: &super::Seen, problem: Look) -> Note {
    let office = console.office(&seen.office);
    let name = office
        .and_then(|o| o.name.clone())
        .unwrap_or_else(|| seen.office.clone());
    let what = match problem {
        Look::Offline => "is offline",
        Look::FeedLost => "has lost its queue feed",
        Look::Silent => "has no voice (calls get the chime only)",
        Look::NotDrawing => "is not drawing",
        _ => "is not well",
    };
    let text = if event == "alert" {
        format!(
            "{name}: display {:?} {what} since {}",
            seen.id,
            super::since_text(seen.since)
        )
    } else {
        format!(
            "{name}: display {:?} is back ({} is over)",
            seen.id,
            problem.name()
        )
    };
    Note {
        event,
        office: seen.office.clone(),
        office_name: office.and_then(|o| o.name.clone()),
        display: seen.id.clone(),
        problem: problem.name(),
        since: seen
            .since
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        at: Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        text,
        console: console.site.public_url.as_ref().map(|u| {
            format!(
                "{}/console/display/{}/{}",
                u.trim_end_matches('/'),
                super::web::path_part(&seen.office),
                super::web::path_part(&seen.id)
            )
        }),
    }
}

/// How long a note is retried before it is given up (and said so in the log).
const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Posts each note to the alert webhook, in order, retrying each until it is taken.
pub async fn post_notes(console: Arc<Console>) {
    let Some(url) = console.site.alert_webhook.clone() else {
        return;
    };
    let Some(mut queue) = console.take_webhook_queue() else {
        return;
    };
    let token = console.site.alert_webhook_token.clone();
    let seq = AtomicU64::new(0);
    while let Some(note) = queue.recv().await {
        let body = serde_json::to_string(&note).unwrap_or_default();
        // One key per note, the same on every retry: a gateway can drop a repeat.
        let key = format!(
            "herald-alert-{}-{}",
            Local::now().timestamp_millis(),
            seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let started = Instant::now();
        let mut failures = 0u32;
        let mut said = false;
        loop {
            let answer = crate::client::post_json(
                &url,
                token.as_ref().map(|t| t.expose()),
                Some(&key),
                &body,
            )
            .await;
            let why = match answer {
                Ok(a) if (200..300).contains(&a.status) => {
                    if said {
                        tracing::info!("alert webhook: taken after {failures} failed tries");
                    }
                    break;
                }
                // A refusal that a retry cannot mend (except a busy or slow gateway).
                Ok(a) if (400..500).contains(&a.status) && ![408, 429].contains(&a.status) => {
                    tracing::error!(
                        "alert webhook refused a note with {} ({}); not retried: check \
                         console.alert_webhook and its token",
                        a.status,
                        a.text().chars().take(200).collect::<String>()
                    );
                    break;
                }
                Ok(a) => format!("answered {}", a.status),
                Err(e) => e,
            };
            console.metrics.webhook_failures.inc();
            failures += 1;
            if !said {
                tracing::warn!("alert webhook: {why}; retrying until it is taken");
                said = true;
            }
            if started.elapsed() > GIVE_UP_AFTER {
                tracing::error!(
                    "alert webhook: given up on a note after 24 h: {}",
                    note.text
                );
                break;
            }
            tokio::time::sleep(Backoff::NETWORK.wait(failures)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::{ConsoleSite, OfficeSite};
    use herald_core::protocol::{ClientMessage, VERSION};
    use herald_core::report::{DisplayReport, FeedReport, ScreenReport};

    fn live() -> ClientMessage {
        ClientMessage::Status {
            v: VERSION,
            status: Box::new(DisplayReport {
                feed: FeedReport {
                    connected: true,
                    last_seq: Some(1),
                },
                screen: ScreenReport {
                    last_frame_seconds_ago: Some(1),
                    ..Default::default()
                },
                ..Default::default()
            }),
        }
    }

    fn alert(console: &Console, office: &str) -> Option<Look> {
        console.with_displays(|d| {
            d.get(&(office.to_owned(), "hall".to_owned()))
                .and_then(|s| s.alert)
        })
    }

    #[test]
    fn a_display_offline_in_opening_hours_raises_an_alert_and_a_closed_office_raises_none() {
        let today = Local::now().format("%Y-%m-%d").to_string();
        let open = OfficeSite::open("sk.rajec", "sk");
        let mut closed = OfficeSite::open("sk.kosice", "sk");
        closed.opening = herald_core::opening::Opening::parse(
            &["mon-sun 0:00-23:59".into()],
            &[format!("{today} closed")],
        )
        .expect("hours");
        let console = Console::new(
            ConsoleSite {
                alert_after: Duration::from_millis(300),
                ..ConsoleSite::default()
            },
            vec![open, closed],
            None,
            false,
        )
        .expect("console");
        for office in ["sk.rajec", "sk.kosice"] {
            let mut listening = console.joined(office, "hall", "127.0.0.1:1");
            listening.ear.heard(live());
            step(&console);
            // The display goes away.
            drop(listening);
        }
        step(&console);
        assert_eq!(
            alert(&console, "sk.rajec"),
            None,
            "not before the threshold"
        );
        std::thread::sleep(Duration::from_millis(400));
        step(&console);
        assert_eq!(alert(&console, "sk.rajec"), Some(Look::Offline));
        assert_eq!(alert(&console, "sk.kosice"), None, "closed today: no alert");
        let metrics = console.metrics.encode();
        assert!(
            metrics.contains(
                "herald_relay_console_alerts{office=\"sk.rajec\",display=\"hall\",problem=\"offline\"} 1"
            ),
            "{metrics}"
        );
        assert!(
            !metrics.contains("office=\"sk.kosice\",display=\"hall\""),
            "{metrics}"
        );
        // Back: the alert is over, and said so.
        let mut again = console.joined("sk.rajec", "hall", "127.0.0.1:2");
        again.ear.heard(live());
        step(&console);
        assert_eq!(alert(&console, "sk.rajec"), None);
        let said = console.with_displays(|d| {
            d.get(&("sk.rajec".to_owned(), "hall".to_owned()))
                .map(|s| s.events.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        });
        assert!(said.iter().any(|t| t == "back: offline"), "{said:?}");
        assert!(!console.metrics.encode().contains("problem=\"offline\"} 1"));
    }
}
