//! herald behind herald-relay: calls posted as webhooks reach the real herald binary, each shown
//! and announced once, across a restart of the relay (same log file, same port).

mod support;

use std::path::PathBuf;
use std::time::Duration;

use herald_relay::client;
use herald_relay::running::{self, Extras};
use herald_relay::site::{OfficeSite, Site};
use herald_relay::store::Store;
use support::Herald;

fn post(runtime: &tokio::runtime::Runtime, relay: &running::RunningRelay, key: &str, ticket: &str) {
    let body = format!(
        r#"{{"type":"call","call_id":"visit-{ticket}","ticket":"{ticket}","counter":"3","service":"Miestne dane"}}"#
    );
    let answer = runtime
        .block_on(client::post_json(
            &relay.url("/v1/offices/sk.rajec/events"),
            None,
            Some(key),
            &body,
        ))
        .expect("the relay answers");
    assert_eq!(answer.status, 202, "{}", answer.text());
}

#[test]
fn calls_posted_to_the_relay_are_shown_and_announced_once_across_a_relay_restart() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("relay");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let database = dir.join("relay.db");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let site = Site::single(
        OfficeSite::open("sk.rajec", "sk"),
        "127.0.0.1:0",
        database.clone(),
    );
    let start = |site: Site| {
        running::spawn(
            site,
            Store::open(&database).expect("log"),
            None,
            Extras::default(),
        )
        .expect("relay starts")
    };
    let relay = start(site.clone());
    let url = relay.feed_url("sk.rajec");
    let mut herald = Herald::start(&dir, "wall", &["--feed", &url, "--lang", "sk"], &[]);
    herald.wait_for("connected", 1, Duration::from_secs(60));
    hello_answered(&relay);
    for (n, ticket) in ["A001", "A002", "A003"].iter().enumerate() {
        post(&runtime, &relay, &format!("k{n}"), ticket);
    }
    herald.wait_for("announcement_started", 3, Duration::from_secs(60));
    // The queue system retries a post whose answer it lost: nothing new on the wall.
    post(&runtime, &relay, "k1", "A002");
    // The relay restarts on the same port with the same log; one more call after it.
    let address = relay.address;
    drop(relay);
    let relay = start(Site {
        listen: address.to_string(),
        ..site
    });
    // Posted before herald is back: it comes as a replay after its hello, and is news.
    post(&runtime, &relay, "k4", "A004");
    herald.wait_for("connected", 2, Duration::from_secs(60));
    herald.wait_for("announcement_started", 4, Duration::from_secs(60));
    // Give a repeated announcement time to show up, then check there was none.
    std::thread::sleep(Duration::from_secs(3));
    herald.wait_for("announcement_started", 4, Duration::from_secs(1));
    let announced = herald.tickets("announcement_started");
    let shown = herald.tickets("call_shown");
    let stderr = herald.stop();
    assert_eq!(announced, ["A001", "A002", "A003", "A004"], "{stderr}");
    assert_eq!(shown, ["A001", "A002", "A003", "A004"], "{stderr}");
}

/// Waits until herald's hello has been answered (the relay counts a display from then on):
/// "connected" in herald's log comes first, and a call posted between the two would reach it
/// inside its first snapshot, as history.
fn hello_answered(relay: &herald_relay::running::RunningRelay) {
    let start = std::time::Instant::now();
    while relay.relay.displays("sk.rajec") == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "herald never said hello to the relay"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
