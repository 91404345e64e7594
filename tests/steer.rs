//! Office staff steer their screens from the console, in a real browser (Chromium through
//! WebDriver) against a real relay and three real herald displays under Xvfb: a notice for
//! floor 1 shows on the floor-1 screen and not on the ground floor's, and is withdrawn; a test
//! call is spoken on one display only; an evacuation takes over every screen within 2 s (read
//! from their pixels), is heard as its tone and its words (a PulseAudio null sink, recorded),
//! comes back on a display killed and restarted during it, and is cleared.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use herald_core::announcement::alarm;
use herald_relay::running::{self, Extras, RunningRelay};
use herald_relay::site::{Account, ConsoleSite, OfficeSite, Role, Site};
use herald_relay::store::Store;
use support::Herald;
use support::browser::{self, Driver, until, value};
use support::pixels::{self, PixelWatch, near};
use support::sound::{SoundRoom, span, tonality};

const PASSWORD: &str = "Registratura-2-poschodie";
/// The emergency screen's red (the theme's default) and the accessibility display's yellow.
const RED: [u8; 3] = [140, 0, 0];
const YELLOW: [u8; 3] = [255, 230, 0];

fn site(dir: &Path) -> Site {
    let hash = herald_relay::console::logins::hash(PASSWORD).expect("hash");
    let mut kosice = OfficeSite::open("sk.kosice", "sk");
    kosice.name = Some("Košice, Hlavná 68".into());
    let mut site = Site::single(kosice, "127.0.0.1:0", dir.join("relay.db"));
    site.console = Some(ConsoleSite {
        accounts: vec![Account {
            name: "marta".into(),
            role: Role::Staff,
            offices: vec!["sk.kosice".into()],
            password_hash: hash,
        }],
        alert_after: Duration::from_secs(120),
        alert_webhook: None,
        alert_webhook_token: None,
        public_url: None,
    });
    site
}

fn display(dir: &Path, relay: &RunningRelay, id: &str, extra: &[&str]) -> Herald {
    let url = relay.feed_url("sk.kosice");
    let mut args = vec!["--feed", &url, "--display", id];
    args.extend_from_slice(extra);
    let mut herald = Herald::start(dir, id, &args, &[]);
    herald.wait_for("connected", 1, Duration::from_secs(90));
    herald
}

async fn click(client: &Client, css: &str) {
    let mut tries = 0;
    loop {
        let clicked = match client.find(Locator::Css(css)).await {
            Ok(element) => element.click().await,
            Err(e) => Err(e),
        };
        match clicked {
            Ok(_) => return,
            Err(e) if tries < 5 && e.to_string().contains("stale") => tries += 1,
            Err(e) => panic!("{css}: {e}"),
        }
    }
}

async fn type_into(client: &Client, css: &str, text: &str) {
    let field = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.expect("cleared");
    field.send_keys(text).await.expect("typed");
}

/// Saves a picture for the note (and with `HERALD_DOCS_SHOTS=1` into docs/console/).
fn keep(dir: &Path, name: &str, png: &[u8]) {
    std::fs::write(dir.join(name), png).expect("picture written");
    if std::env::var_os("HERALD_DOCS_SHOTS").is_some() {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/console");
        let _ = std::fs::create_dir_all(&docs);
        let _ = std::fs::write(docs.join(name), png);
    }
}

fn keep_screen(dir: &Path, name: &str, herald: &Herald) {
    let picture = pixels::grab(&herald.display());
    let mut png = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    keep(dir, name, &png);
}

/// White text in the notice bar (the bottom 7 % of the waiting-room layout at 1280×720).
fn notice_pixels(herald: &Herald) -> usize {
    pixels::count_near(
        &pixels::grab(&herald.display()),
        672,
        718,
        [255, 255, 255],
        30,
    )
}

/// When the watched point first turned `colour` after `since`, if it did.
fn turned(watch: &PixelWatch, colour: [u8; 3], since: Instant) -> Option<Duration> {
    watch
        .seen()
        .iter()
        .find(|s| s.at >= since && near(s.colours[0], colour, 16))
        .map(|s| s.at - since)
}

#[test]
fn staff_post_a_floor_notice_test_a_display_and_raise_and_clear_an_evacuation() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("steer");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let site = site(&dir);
    let relay = running::spawn(
        site.clone(),
        Store::open(&site.database).expect("log"),
        None,
        Extras::default(),
    )
    .expect("relay starts");
    // The first floor's screen speaks (into a recorded null sink); the ground floor's and the
    // accessibility display are muted.
    let room = SoundRoom::open("steer");
    let mut upstairs = display(
        &room.dir,
        &relay,
        "kosice-1-poschodie",
        &["--floor", "1", "--lang", "sk,uk"],
    );
    let mut ground = display(
        &dir,
        &relay,
        "kosice-prizemie",
        &["--floor", "0", "--lang", "uk,sk", "--mute"],
    );
    let accessible_args = ["--layout", "accessible", "--lang", "sk,uk", "--mute"];
    let mut accessible = display(&dir, &relay, "kosice-pristupny", &accessible_args);
    upstairs.wait_for("voices_loaded", 1, Duration::from_secs(90));
    let axe = browser::axe_source();
    let driver = Driver::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let samples = runtime.block_on(async {
        let client = driver.browser(&dir.join("chromium"), 1280, 1000).await;
        client.goto(&relay.url("/console/login?lang=sk")).await.expect("login form");
        type_into(&client, "#name", "marta").await;
        type_into(&client, "#password", PASSWORD).await;
        click(&client, "button[type=submit]").await;
        until(&client, Duration::from_secs(60), "three live displays",
              "document.querySelectorAll('tr[data-state=live]').length === 3").await;
        // The list is redrawn as displays report; follow the link as it is now.
        client
            .execute("document.querySelector('caption a.steer').click();", vec![])
            .await
            .expect("the office's link");
        until(&client, Duration::from_secs(30), "the office page",
              "document.body.dataset.page === 'office' && document.body.dataset.loaded && document.getElementById('notice-text-sk')").await;
        for lang in ["sk", "uk"] {
            client.goto(&relay.url(&format!("/console/office/sk.kosice?lang={lang}"))).await.expect("office page");
            until(&client, Duration::from_secs(30), "the office page", "document.body.dataset.loaded").await;
            let problems = browser::accessibility_problems(&client, &axe).await;
            assert!(problems.is_empty(), "the office page in {lang}: {problems:?}");
        }
        client.goto(&relay.url("/console/office/sk.kosice?lang=sk")).await.expect("office page");
        until(&client, Duration::from_secs(30), "the office page", "document.body.dataset.loaded && document.getElementById('notice-text-uk')").await;

        // A notice for the first floor only, with its live count.
        let notice = "Registratúra na 1. poschodí dnes zatvára o 12:00.";
        type_into(&client, "#notice-text-sk", notice).await;
        let count = client.find(Locator::Id("notice-text-sk-count")).await.expect("count").text().await.expect("text");
        assert_eq!(count, format!("{} z 400 znakov", notice.chars().count()));
        click(&client, "#where-floors").await;
        type_into(&client, "#notice-floors", "1").await;
        keep(&dir, "notice-form-sk.png", &client.screenshot().await.expect("screenshot"));
        let applied: Vec<usize> = [&upstairs, &ground, &accessible].iter().map(|h| h.events("event_applied").len()).collect();
        click(&client, "#notice-post").await;
        until(&client, Duration::from_secs(10), "the notice listed",
              "document.querySelectorAll('#notice-list tr[data-notice]').length === 1").await;
        for (herald, before) in [&mut upstairs, &mut ground, &mut accessible].into_iter().zip(applied) {
            herald.wait_for("event_applied", before + 1, Duration::from_secs(10));
        }
        let end = Instant::now() + Duration::from_secs(10);
        while notice_pixels(&upstairs) < 200 {
            assert!(Instant::now() < end, "the notice is not on the first floor's screen");
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(notice_pixels(&ground), 0, "the ground floor's screen shows the first floor's notice");
        keep_screen(&dir, "notice-on-floor-1.png", &upstairs);
        until(&client, Duration::from_secs(30), "a picture of the screen after posting",
              "[...document.querySelectorAll('#notice-looks img')].some(i => i.complete && i.naturalWidth > 0)").await;
        keep(&dir, "notice-posted-sk.png", &client.screenshot().await.expect("screenshot"));
        // Withdrawn: gone from the screen.
        click(&client, "#notice-list button").await;
        until(&client, Duration::from_secs(10), "no notice listed",
              "!document.querySelector('#notice-list tr[data-notice]')").await;
        let end = Instant::now() + Duration::from_secs(10);
        while notice_pixels(&upstairs) > 0 {
            assert!(Instant::now() < end, "the withdrawn notice stays on the screen");
            std::thread::sleep(Duration::from_millis(100));
        }
        // Markup in a notice is text, on the page as on the screens.
        type_into(&client, "#notice-text-sk", "<b>Pozor</b> <img src=x onerror=alert(1)>").await;
        click(&client, "#where-office").await;
        click(&client, "#notice-post").await;
        until(&client, Duration::from_secs(10), "the markup notice listed",
              "document.querySelector('#notice-list tr[data-notice]')?.textContent.includes('<b>Pozor</b> <img src=x')").await;
        let elements = client
            .execute("return document.querySelectorAll('#notice-list b, #notice-list img').length;", vec![])
            .await
            .expect("count");
        assert_eq!(elements, serde_json::json!(0), "markup in a notice became elements");
        click(&client, "#notice-list button").await;

        // A test call to the first floor's screen: spoken there, shown nowhere else.
        client.goto(&relay.url("/console/display/sk.kosice/kosice-1-poschodie?lang=sk")).await.expect("display page");
        until(&client, Duration::from_secs(30), "the display page", "document.body.dataset.loaded").await;
        type_into(&client, "#test-ticket", "T777").await;
        click(&client, "#test-call button[type=submit]").await;
        until(&client, Duration::from_secs(10), "the test call's answer", "document.getElementById('test-call-said')?.textContent").await;
        let said = value(&client, "document.getElementById('test-call-said').textContent").await;
        assert!(said.as_str().is_some_and(|s| s.starts_with("Odoslané")), "the test call: {said}");
        upstairs.wait_for("announcement_finished", 1, Duration::from_secs(60));
        let started = upstairs.events("announcement_started");
        assert!(started.iter().any(|e| e["ticket"] == "T777" && e["test"] == true), "{started:?}");
        assert!(!ground.tickets("call_shown").contains(&"T777".to_owned()));
        assert!(!accessible.tickets("call_shown").contains(&"T777".to_owned()));

        // An evacuation for the whole office, after its confirmation.
        client.goto(&relay.url("/console/office/sk.kosice?lang=sk")).await.expect("office page");
        until(&client, Duration::from_secs(30), "the office page",
              "document.body.dataset.loaded && document.getElementById('emergency-text-sk')?.value.length > 0").await;
        let watches = [
            (PixelWatch::start(&upstairs.display(), vec![(30, 360)]), RED),
            (PixelWatch::start(&ground.display(), vec![(30, 360)]), RED),
            (PixelWatch::start(&accessible.display(), vec![(4, 360)]), YELLOW),
        ];
        click(&client, "#emergency-raise").await;
        until(&client, Duration::from_secs(5), "the confirmation", "!document.getElementById('emergency-confirm').hidden").await;
        keep(&dir, "emergency-confirm-sk.png", &client.screenshot().await.expect("screenshot"));
        let said = upstairs.events("speech_finished").len();
        let confirmed = Instant::now();
        click(&client, "#emergency-yes").await;
        let end = Instant::now() + Duration::from_secs(10);
        for (watch, colour) in &watches {
            while turned(watch, *colour, confirmed).is_none() {
                assert!(Instant::now() < end, "a screen did not take the emergency over");
                std::thread::sleep(Duration::from_millis(20));
            }
            let took = turned(watch, *colour, confirmed).unwrap_or_default();
            eprintln!("emergency on screen {:.2} s after the confirmation", took.as_secs_f64());
            assert!(took < Duration::from_secs(2), "the emergency took {took:?}");
        }
        until(&client, Duration::from_secs(10), "the emergency on the page",
              "document.querySelector('.emergency-box') !== null").await;
        // Each screen reports it back: the page says all three show it.
        until(&client, Duration::from_secs(20), "every screen reporting the emergency",
              "document.getElementById('emergency-on-screens')?.textContent.startsWith('Teraz na 3 z 3')").await;
        keep(&dir, "emergency-console-sk.png", &client.screenshot().await.expect("screenshot"));
        keep_screen(&dir, "emergency-floor-1.png", &upstairs);
        keep_screen(&dir, "emergency-ground-floor.png", &ground);
        keep_screen(&dir, "emergency-accessible.png", &accessible);
        // Heard: its tone, then its words, on the speaking screen.
        upstairs.wait_for("speech_finished", said + 2, Duration::from_secs(60));
        let speech: Vec<_> = upstairs.events("speech_started").into_iter().filter(|e| e["ticket"] == "emergency").cloned().collect();
        assert!(speech.iter().any(|e| e["lang"] == "sk" && e["text"].as_str().is_some_and(|t| t.starts_with("Evakuácia. "))), "{speech:?}");
        assert!(upstairs.events("chime_started").iter().any(|e| e["ticket"] == "emergency"), "the emergency tone did not start");

        // A display killed and restarted during it comes back into it.
        let watch_again = |h: &Herald| PixelWatch::start(&h.display(), vec![(4, 360)]);
        accessible.kill_hard();
        let mut accessible = display(&dir, &relay, "kosice-pristupny", &accessible_args);
        accessible.wait_for("emergency", 1, Duration::from_secs(30));
        let again = watch_again(&accessible);
        assert!(again.wait_until(Duration::from_secs(10), |s| s.last().is_some_and(|l| near(l.colours[0], YELLOW, 16))),
                "the restarted display does not show the emergency");

        // Cleared, after its confirmation: every screen gives it up.
        click(&client, "#emergency-clear").await;
        until(&client, Duration::from_secs(5), "the confirmation", "!document.getElementById('emergency-confirm').hidden").await;
        let cleared = Instant::now();
        click(&client, "#emergency-yes").await;
        for herald in [&mut upstairs, &mut ground, &mut accessible] {
            herald.wait_for("emergency", 2, Duration::from_secs(10));
        }
        let end = cleared + Duration::from_secs(10);
        while pixels::count_near(&pixels::grab(&upstairs.display()), 340, 380, RED, 16) > 0 {
            assert!(Instant::now() < end, "the first floor still shows the emergency");
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("the emergency left the screen {:.2} s after the clear was confirmed", cleared.elapsed().as_secs_f64());
        until(&client, Duration::from_secs(10), "no emergency on the page", "document.querySelector('.emergency-box') === null").await;
        drop(watches);
        drop(again);
        room.close()
    });
    // The emergency tone was heard: its high note, then its low one 0.4 s later, and words
    // after the tone.
    let step = 0.05;
    let secs = samples.len() as f64 / f64::from(support::sound::RATE);
    let heard = (0..((secs / step) as usize))
        .map(|i| i as f64 * step)
        .find(|&t| {
            tonality(span(&samples, t, t + 0.3), alarm::TONES[0]) > 0.2
                && tonality(span(&samples, t + 0.4, t + 0.7), alarm::TONES[1]) > 0.2
        })
        .expect("the emergency tone is not in the recording");
    // Two sentences (Slovak, Ukrainian) follow the tone; a loaded machine starts them later.
    let words = span(
        &samples,
        heard + alarm::SECONDS,
        heard + alarm::SECONDS + 8.0,
    );
    let active = support::sound::active_share(words);
    eprintln!(
        "emergency tone heard at {heard:.2} s of the recording; words after it {:.0} % active",
        active * 100.0
    );
    assert!(
        active > 0.3,
        "no words after the emergency tone ({active:.2})"
    );
}
