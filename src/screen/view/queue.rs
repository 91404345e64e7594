//! The queue zone's rows and the "elsewhere" line: who waits for which service, and which calls
//! went to other floors or counters.

use fluent_bundle::FluentValue;
use herald_core::catalogue::{self, Catalogue};
use herald_core::room::Room;

use super::ViewInput;
use super::words::{counter_name, service_name};

/// One service in the queue zone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QueueRow {
    pub service: String,
    /// "3 ľudia čakajú".
    pub count: String,
    /// "asi 12 min" when the queue system estimates the wait; empty otherwise.
    pub wait: String,
    /// "Ďalší: A043, A044", or empty.
    pub next: String,
}

/// The queue zone's rows: the services this screen is for, in the queue system's order.
pub(super) fn queue_rows(room: &Room, w: &Catalogue, input: &ViewInput) -> Vec<QueueRow> {
    let lang = input.lang;
    let Some(queue) = room.queue_at(input.instant, input.queue_stale) else {
        return Vec::new();
    };
    queue
        .services
        .iter()
        .filter(|s| room.scope.takes_service(&s.id, s.floor))
        .take(input.queue_rows)
        .map(|s| {
            let count = w.text(
                lang,
                "people-waiting",
                &[("count", FluentValue::from(i64::from(s.waiting)))],
            );
            // Only the queue system's own estimate, and only when someone waits.
            let wait = s
                .wait_minutes
                .filter(|_| s.waiting > 0)
                .map(|minutes| {
                    w.text(
                        lang,
                        "queue-wait",
                        &[("minutes", FluentValue::from(i64::from(minutes)))],
                    )
                })
                .unwrap_or_default();
            let next = if input.next_tickets && !s.next.is_empty() {
                let tickets: Vec<&str> = s.next.iter().take(5).map(String::as_str).collect();
                w.text(
                    lang,
                    "queue-next",
                    &[("tickets", FluentValue::from(tickets.join(", ")))],
                )
            } else {
                String::new()
            };
            QueueRow {
                service: {
                    let name = service_name(&s.name, lang, w.primary());
                    if name.is_empty() { s.id.clone() } else { name }
                },
                count,
                wait,
                next,
            }
        })
        .collect()
}

/// The "elsewhere" line: calls for other floors or counters, with their floor and which way.
pub(super) fn elsewhere_line(room: &Room, w: &Catalogue, input: &ViewInput) -> String {
    let lang = input.lang;
    let here = room.scope.floor();
    let calls: Vec<String> = room
        .elsewhere_at(input.instant)
        .map(|call| {
            let floor = herald_core::scope::floor_of(call, room.board.counters());
            let way = match (here, floor) {
                (Some(here), Some(there)) if there > here => "up",
                (Some(here), Some(there)) if there < here => "down",
                _ => "none",
            };
            w.text(
                lang,
                "elsewhere-call",
                &[
                    ("ticket", FluentValue::from(call.ticket.clone())),
                    (
                        "counter",
                        FluentValue::from(counter_name(w, lang, &call.counter.label)),
                    ),
                    (
                        "floor",
                        FluentValue::from(
                            floor
                                .map(|f| w.text(lang, "floor-name", &catalogue::floor_args(f)))
                                .unwrap_or_default(),
                        ),
                    ),
                    ("way", FluentValue::from(way)),
                ],
            )
            .trim_end_matches([',', ' '])
            .to_owned()
        })
        .collect();
    if calls.is_empty() {
        String::new()
    } else {
        format!("{}: {}", w.text(lang, "elsewhere", &[]), calls.join(" · "))
    }
}
