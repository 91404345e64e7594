//! A relay running on a thread of its own: the binary, the demo office inside herald, the tests
//! and the benchmark all start it the same way.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use herald_core::office::demo::{DemoOptions, Office};
use herald_core::office::journal::Journal;
use herald_core::protocol::ServerMessage;
use rand::Rng;
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

use crate::relay::Relay;
use crate::site::{OfficeSite, Site};
use crate::store::Store;
use crate::webhook::Translation;
use crate::{fleet, novosga, server};

/// A running relay; dropping it stops it.
pub struct RunningRelay {
    pub address: SocketAddr,
    pub relay: Arc<Relay>,
    tls: bool,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningRelay {
    /// The feed URL of an office, for `herald --feed`.
    pub fn feed_url(&self, office: &str) -> String {
        let scheme = if self.tls { "wss" } else { "ws" };
        format!("{scheme}://{}/v1/offices/{office}/feed", self.address)
    }

    /// An HTTP URL on the relay ("/v1/offices/x/events").
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.address)
    }

    /// Waits until the relay's thread ends (the binary: until a signal stops it).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningRelay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What to start besides the server.
#[derive(Default)]
pub struct Extras {
    /// Feed this office from the demo office's generator.
    pub demo: Option<(String, DemoOptions)>,
    /// Stop on SIGINT/SIGTERM (the binary).
    pub until_signal: bool,
}

/// Opens the log, binds the port and starts serving on a thread of its own.
pub fn spawn(
    site: Site,
    store: Store,
    tls: Option<TlsAcceptor>,
    extras: Extras,
) -> Result<RunningRelay, String> {
    let listener = std::net::TcpListener::bind(&site.listen).map_err(|e| {
        format!(
            "cannot listen on {}: {e}; is another relay running there?",
            site.listen
        )
    })?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let relay = Relay::new(site, store).map_err(|e| e.to_string())?;
    relay.prune();
    let demo = extras.demo.map(|(office, options)| {
        let (generator, journal) = open_demo(&relay, &office);
        (office, options, generator, journal)
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("herald-relay")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let serving = relay.clone();
    let with_tls = tls.is_some();
    let thread = std::thread::Builder::new()
        .name("herald-relay".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::error!("cannot listen on {address}: {e}");
                        return;
                    }
                };
                for office in &serving.site().offices {
                    if let Some(config) = office.novosga.clone() {
                        match novosga::Poller::new(serving.clone(), office.id.clone(), config) {
                            Ok(poller) => {
                                tokio::spawn(poller.run());
                            }
                            Err(e) => tracing::error!("{}: NovoSGA: {e}", office.id),
                        }
                    }
                }
                for office in &serving.site().offices {
                    if let Some(feed) = office.cap_feed.clone() {
                        tokio::spawn(crate::cap::poll::follow(
                            serving.clone(),
                            office.id.clone(),
                            feed,
                        ));
                    }
                }
                if let Some(broker) = serving.site().nats.clone() {
                    tokio::spawn(fleet::publish(serving.clone(), broker));
                }
                if let Some(console) = serving.console().cloned() {
                    tokio::spawn(crate::console::alerts::watch(console.clone()));
                    tokio::spawn(crate::console::alerts::post_notes(console));
                }
                if let Some((office, options, generator, journal)) = demo {
                    tokio::spawn(self::demo(
                        serving.clone(),
                        office,
                        options,
                        generator,
                        journal,
                    ));
                }
                let pruner = serving.clone();
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(Duration::from_secs(600)).await;
                        let relay = pruner.clone();
                        let _ = tokio::task::spawn_blocking(move || relay.prune()).await;
                    }
                });
                let stop = async move {
                    if extras.until_signal {
                        tokio::select! {
                            _ = stop_rx => {}
                            () = signal() => tracing::info!("stopping"),
                        }
                    } else {
                        let _ = stop_rx.await;
                    }
                };
                server::serve(serving, listener, tls, stop).await;
            });
        })
        .map_err(|e| e.to_string())?;
    Ok(RunningRelay {
        address,
        relay,
        tls: with_tls,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Stores events made by the demo generator, as any other input would be stored.
fn feed(relay: &Relay, office: &str, events: Vec<ServerMessage>) {
    let events: Vec<ServerMessage> = events.into_iter().map(|e| e.numbered(0)).collect();
    if let Err(e) = relay.accept(office, None, |_, _| Ok(Translation::Events(events)), None) {
        tracing::warn!("demo office: {e}");
    }
}

/// Opens the demo office in the relay (counters, a few earlier calls, a notice) before any
/// display can connect, so they are history and not news.
fn open_demo(relay: &Relay, office: &str) -> (Office, Journal) {
    let mut generator = Office::new();
    let initial = generator.initial_state();
    if relay.seq(office) != Some(0) {
        // A demo log kept in a file: go on from the state it holds.
        if let Some(ServerMessage::Snapshot { state, .. }) = relay.snapshot(office) {
            return (generator, Journal::new(state, 16));
        }
    }
    // The generator keeps its own numbered journal to decide what happens next; the relay
    // numbers the same events again in its own log.
    let journal = Journal::new(initial.clone(), 16);
    feed(relay, office, herald_core::office::demo::opening(initial));
    (generator, journal)
}

/// The demo office's generator as an input of the relay: a moment of office life every few
/// seconds.
async fn demo(
    relay: Arc<Relay>,
    office: String,
    options: DemoOptions,
    mut generator: Office,
    mut journal: Journal,
) {
    let mut next = tokio::time::Instant::now() + options.first_call_after;
    loop {
        tokio::time::sleep_until(next).await;
        let made = generator.step(&mut journal);
        let relay_now = relay.clone();
        let office_now = office.clone();
        let _ = tokio::task::spawn_blocking(move || feed(&relay_now, &office_now, made)).await;
        let (low, high) = options.interval;
        next = tokio::time::Instant::now() + rand::rng().random_range(low..=high.max(low));
    }
}

/// The demo office on a free loopback port, its log in memory: what `herald` runs when no
/// `--feed` is given.
pub fn spawn_demo(options: DemoOptions) -> Result<RunningRelay, String> {
    let site = Site::single(OfficeSite::open("demo", "sk"), "127.0.0.1:0", "".into());
    spawn(
        site,
        Store::in_memory().map_err(|e| e.to_string())?,
        None,
        Extras {
            demo: Some(("demo".into(), options)),
            until_signal: false,
        },
    )
}
