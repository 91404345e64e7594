//! The connection to the queue system as the screen shows it: connected or lost since when,
//! how often it reconnected, and the frames it refused. The feed client reports into it; the
//! screen and the preview only read it.

use std::collections::VecDeque;

/// How many rejected frames `FeedStatus` remembers, for the preview panel.
pub const KEPT_REJECTIONS: usize = 10;

/// The connection as the screen and the log see it.
#[derive(Clone, Debug, Default)]
pub struct FeedStatus {
    pub connected: bool,
    /// When the connection was lost (local time), while it is down.
    pub lost_since: Option<chrono::DateTime<chrono::Local>>,
    pub reconnects: u32,
    pub rejected: u64,
    pub gaps: u64,
    /// The last rejected frames (local time, reason), newest last, at most `KEPT_REJECTIONS`.
    pub rejections: VecDeque<(String, String)>,
    /// The queue system's clock minus this display's, from its last keepalive that carried
    /// one (`None`: it never said). Calls' ages are judged by the queue system's clock.
    pub clock_offset: Option<chrono::Duration>,
    ever_connected: bool,
}

impl FeedStatus {
    /// The feed is connected; a connection after the first counts as a reconnect.
    pub fn connected(&mut self) {
        self.connected = true;
        self.lost_since = None;
        if self.ever_connected {
            self.reconnects += 1;
        }
        self.ever_connected = true;
    }

    /// The feed lost its connection (or never had one): the marker shows since when.
    pub fn disconnected(&mut self) {
        if self.connected || self.lost_since.is_none() {
            self.lost_since = Some(chrono::Local::now());
        }
        self.connected = false;
    }

    /// The time now by the queue system's clock (this display's when it never said its own).
    pub fn office_now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.clock_offset.unwrap_or_default()
    }

    /// The queue system said its clock read `office` when this display's read `local`. Returns
    /// the new offset when it is the first or moved by a second or more (worth a log line).
    pub fn clock_heard(
        &mut self,
        office: chrono::DateTime<chrono::Utc>,
        local: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::Duration> {
        let offset = office.signed_duration_since(local);
        let before = self.clock_offset.replace(offset);
        let moved = before.is_none_or(|b| (offset - b).num_milliseconds().abs() >= 1000);
        moved.then_some(offset)
    }

    /// The queue system's keepalive said `now` (RFC 3339), `ago` before this moment: see
    /// [`FeedStatus::clock_heard`]. An unreadable time changes nothing.
    pub fn clock_said(&mut self, now: &str, ago: std::time::Duration) -> Option<chrono::Duration> {
        let office = chrono::DateTime::parse_from_rfc3339(now).ok()?.to_utc();
        let local = chrono::Utc::now() - chrono::Duration::from_std(ago).ok()?;
        self.clock_heard(office, local)
    }

    /// A frame was refused for `reason`.
    pub fn rejected(&mut self, reason: String) {
        self.rejected += 1;
        self.rejections
            .push_back((chrono::Local::now().format("%H:%M:%S").to_string(), reason));
        while self.rejections.len() > KEPT_REJECTIONS {
            self.rejections.pop_front();
        }
    }
}
