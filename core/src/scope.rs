//! A screen's scope: the counters, floors and services it is for (`--counters 1-6`,
//! `--floor 1`, `--services A,P`). A building with two floors has a screen on each; a call for
//! the other floor is not on this screen's hero and not announced in this room, but it may be
//! listed as "elsewhere" with its floor, so a visitor who waits on the wrong floor learns where
//! to go.

use crate::protocol::{Call, Counter};

/// One item of a `--counters` list: a label ("12A") or a range of numbers ("1-6").
#[derive(Clone, Debug, PartialEq, Eq)]
enum CounterPick {
    Label(String),
    Range(u32, u32),
}

impl CounterPick {
    fn matches(&self, label: &str, id: &str) -> bool {
        match self {
            Self::Label(l) => l.eq_ignore_ascii_case(label) || l.eq_ignore_ascii_case(id),
            Self::Range(from, to) => [label, id]
                .iter()
                .filter_map(|t| t.trim().parse::<u32>().ok())
                .any(|n| (*from..=*to).contains(&n)),
        }
    }
}

/// The floor a call sends its visitor to: its own, else its counter's from `counters`.
pub fn floor_of(call: &Call, counters: &[Counter]) -> Option<i32> {
    call.floor.or_else(|| {
        counters
            .iter()
            .find(|c| c.id == call.counter.id)
            .and_then(|c| c.floor)
    })
}

/// What one screen shows and announces. Empty lists mean "all"; the given ones must all match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    counters: Vec<CounterPick>,
    floors: Vec<i32>,
    services: Vec<String>,
}

/// As the IT office reads it: "all", or e.g. "counters 1-6, 12A · floor 1 · services A, P".
impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_all() {
            return f.write_str("all");
        }
        let mut parts = Vec::new();
        if !self.counters.is_empty() {
            let picks: Vec<String> = self
                .counters
                .iter()
                .map(|p| match p {
                    CounterPick::Label(l) => l.clone(),
                    CounterPick::Range(a, b) if a == b => a.to_string(),
                    CounterPick::Range(a, b) => format!("{a}-{b}"),
                })
                .collect();
            parts.push(format!("counters {}", picks.join(", ")));
        }
        if !self.floors.is_empty() {
            let floors: Vec<String> = self.floors.iter().map(i32::to_string).collect();
            parts.push(format!("floor {}", floors.join(", ")));
        }
        if !self.services.is_empty() {
            parts.push(format!("services {}", self.services.join(", ")));
        }
        f.write_str(&parts.join(" · "))
    }
}

impl Scope {
    /// The whole office.
    pub fn all() -> Self {
        Self::default()
    }

    pub fn is_all(&self) -> bool {
        self.counters.is_empty() && self.floors.is_empty() && self.services.is_empty()
    }

    /// Reads `--counters` ("1-6,9,12A"), `--floor` ("1" or "0,1") and `--services` ("A,P").
    pub fn parse(
        counters: Option<&str>,
        floors: Option<&str>,
        services: Option<&str>,
    ) -> Result<Self, String> {
        let items = |text: Option<&str>| -> Vec<String> {
            text.unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut scope = Self::default();
        for item in items(counters) {
            let pick = match item.split_once('-') {
                Some((from, to)) => match (from.trim().parse::<u32>(), to.trim().parse::<u32>()) {
                    (Ok(from), Ok(to)) if from <= to => CounterPick::Range(from, to),
                    (Ok(_), Ok(_)) => {
                        return Err(format!(
                            "counters: {item:?} runs backwards; write the smaller number first"
                        ));
                    }
                    // "PAS-2" is a label with a dash, not a range.
                    _ => CounterPick::Label(item.clone()),
                },
                None => CounterPick::Label(item.clone()),
            };
            scope.counters.push(pick);
        }
        for item in items(floors) {
            let floor = item.parse::<i32>().map_err(|_| {
                format!("floor: {item:?} is not a floor number (0 is the ground floor)")
            })?;
            scope.floors.push(floor);
        }
        scope.services = items(services);
        Ok(scope)
    }

    /// The floor this screen stands on, when it is limited to exactly one.
    pub fn floor(&self) -> Option<i32> {
        match self.floors[..] {
            [floor] => Some(floor),
            _ => None,
        }
    }

    /// Whether `call` is for this screen. `counters` (the office's counters) give the floor of
    /// a call that does not carry one.
    pub fn takes_call(&self, call: &Call, counters: &[Counter]) -> bool {
        if !self.counters.is_empty()
            && !self
                .counters
                .iter()
                .any(|p| p.matches(&call.counter.label, &call.counter.id))
        {
            return false;
        }
        if !self.floors.is_empty() {
            let floor = floor_of(call, counters);
            // A call whose floor nobody knows is shown everywhere rather than nowhere.
            if floor.is_some_and(|f| !self.floors.contains(&f)) {
                return false;
            }
        }
        if !self.services.is_empty() {
            let key = call.service_key();
            if !self.services.iter().any(|s| s.eq_ignore_ascii_case(&key)) {
                return false;
            }
        }
        true
    }

    /// Whether a counter belongs on this screen's strip (services do not limit counters).
    pub fn takes_counter(&self, counter: &Counter) -> bool {
        let by_number = self.counters.is_empty()
            || self
                .counters
                .iter()
                .any(|p| p.matches(&counter.label, &counter.id));
        let by_floor =
            self.floors.is_empty() || counter.floor.is_none_or(|f| self.floors.contains(&f));
        by_number && by_floor
    }

    /// Whether a service's waiting figures belong on this screen.
    pub fn takes_service(&self, id: &str, floor: Option<i32>) -> bool {
        let by_id =
            self.services.is_empty() || self.services.iter().any(|s| s.eq_ignore_ascii_case(id));
        let by_floor = self.floors.is_empty() || floor.is_none_or(|f| self.floors.contains(&f));
        by_id && by_floor
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::CounterState;

    fn call(ticket: &str, counter: &str, floor: Option<i32>) -> Call {
        Call {
            floor,
            ..Call::new(ticket, ticket, counter, "2026-11-22T09:00:00Z")
        }
    }

    fn counter(id: &str, floor: Option<i32>) -> Counter {
        Counter {
            id: id.into(),
            label: id.into(),
            state: CounterState::Open,
            floor,
        }
    }

    #[test]
    fn counters_are_picked_by_range_and_by_label() {
        let scope = Scope::parse(Some("1-6, 9,12A"), None, None).expect("valid");
        for (label, taken) in [
            ("1", true),
            ("6", true),
            ("7", false),
            ("9", true),
            ("12A", true),
            ("12", false),
        ] {
            assert_eq!(
                scope.takes_call(&call("A001", label, None), &[]),
                taken,
                "counter {label}"
            );
        }
        assert!(Scope::parse(Some("6-1"), None, None).is_err());
        let dashed = Scope::parse(Some("PAS-2"), None, None).expect("a label with a dash");
        assert!(dashed.takes_call(&call("A001", "PAS-2", None), &[]));
    }

    #[test]
    fn a_floor_screen_takes_its_floor_from_the_call_or_from_the_counter_list() {
        let scope = Scope::parse(None, Some("1"), None).expect("valid");
        assert_eq!(scope.floor(), Some(1));
        let counters = [counter("5", Some(1)), counter("2", Some(0))];
        assert!(scope.takes_call(&call("A001", "5", None), &counters));
        assert!(!scope.takes_call(&call("A002", "2", None), &counters));
        assert!(
            !scope.takes_call(&call("A003", "5", Some(2)), &counters),
            "the call's own floor wins"
        );
        assert!(
            scope.takes_call(&call("A004", "99", None), &counters),
            "unknown floor: shown"
        );
        assert!(scope.takes_counter(&counters[0]));
        assert!(!scope.takes_counter(&counters[1]));
        assert!(Scope::parse(None, Some("first"), None).is_err());
    }

    #[test]
    fn services_match_the_service_id_or_the_tickets_letters() {
        let scope = Scope::parse(None, None, Some("A,p")).expect("valid");
        assert!(scope.takes_call(&call("A042", "1", None), &[]));
        assert!(scope.takes_call(&call("P007", "1", None), &[]));
        assert!(!scope.takes_call(&call("K001", "1", None), &[]));
        let with_id = Call {
            service_id: Some("A".into()),
            ..call("117", "1", None)
        };
        assert!(scope.takes_call(&with_id, &[]));
        assert!(
            scope.takes_counter(&counter("7", None)),
            "services do not limit counters"
        );
        assert!(Scope::all().is_all() && !scope.is_all());
    }
}
