//! Reporting back (`docs/protocol.md`, "Reporting back"): what the feed sends a server whose
//! keepalives ask for the display's status and thumbnails.

use std::time::{Duration, Instant};

use herald_core::protocol::{ClientMessage, VERSION};
use herald_core::report::ReportWanted;

use super::FeedConfig;

/// Reporting back to a server that asks for it: a status at once, on every change (at most
/// once a second) and at least every `every`; a thumbnail when asked.
#[derive(Default)]
pub(super) struct Reports {
    pub(super) every: Option<Duration>,
    sent: Option<(Instant, u64)>,
    pub(super) thumbnail: Option<tokio::task::JoinHandle<Result<Vec<u8>, String>>>,
}

impl Reports {
    /// A keepalive asked for reports (and maybe a thumbnail): the first status, if this is
    /// the first time.
    pub(super) fn asked(
        &mut self,
        config: &FeedConfig,
        wanted: &ReportWanted,
    ) -> Option<ClientMessage> {
        let shared = config.reporter.as_ref()?;
        let first = self.every.is_none();
        self.every = Some(Duration::from_secs(u64::from(
            wanted
                .every
                .clamp(1, herald_core::report::REPORT_EVERY_SECONDS),
        )));
        if let Some(width) = wanted.thumbnail {
            self.thumbnail_wanted(config, width);
        }
        first.then(|| self.status(shared))
    }

    /// Starts a thumbnail at most `width` wide (one at a time).
    pub(super) fn thumbnail_wanted(&mut self, config: &FeedConfig, width: u32) {
        let Some(shared) = config.reporter.clone() else {
            return;
        };
        if self.thumbnail.is_none() {
            let width = width.min(herald_core::report::MAX_THUMBNAIL_WIDTH);
            self.thumbnail = Some(tokio::task::spawn_blocking(move || shared.thumbnail(width)));
        }
    }

    /// The status, when something changed or the interval is up.
    pub(super) fn due(&mut self, config: &FeedConfig) -> Option<ClientMessage> {
        let (shared, every) = (config.reporter.as_ref()?, self.every?);
        let due = match self.sent {
            None => true,
            Some((at, changes)) => changes != shared.changes() || at.elapsed() >= every,
        };
        due.then(|| self.status(shared))
    }

    fn status(&mut self, shared: &crate::status::Shared) -> ClientMessage {
        self.sent = Some((Instant::now(), shared.changes()));
        ClientMessage::Status {
            v: VERSION,
            status: Box::new(shared.report()),
        }
    }
}

impl Reports {
    /// Waits for the thumbnail under way (for ever when there is none): its frame, or `None`
    /// when it failed (said in the log).
    pub(super) async fn thumbnail_ready(&mut self) -> Option<ClientMessage> {
        let done = match self.thumbnail.as_mut() {
            Some(task) => task.await,
            None => std::future::pending().await,
        };
        self.thumbnail = None;
        match done {
            Ok(Ok(png)) => thumbnail_frame(&png),
            Ok(Err(e)) => {
                tracing::warn!("the relay asked for a thumbnail: {e}");
                None
            }
            Err(e) => {
                tracing::warn!("the thumbnail failed: {e}");
                None
            }
        }
    }
}

/// A PNG as a thumbnail frame (its size read from the PNG's header).
fn thumbnail_frame(png: &[u8]) -> Option<ClientMessage> {
    use base64::Engine;
    let size = |at: usize| png.get(at..at + 4)?.try_into().ok().map(u32::from_be_bytes);
    Some(ClientMessage::Thumbnail {
        v: VERSION,
        width: size(16)?,
        height: size(20)?,
        png: base64::engine::general_purpose::STANDARD.encode(png),
    })
}
