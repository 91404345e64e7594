use super::*;

fn catalogue() -> Arc<Catalogue> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
    match Catalogue::load(&dir, "sk") {
        Ok((catalogue, _)) => Arc::new(catalogue),
        Err(e) => panic!("{e}"),
    }
}

fn config(languages: &[&str]) -> SequencerConfig {
    SequencerConfig {
        settings: AnnouncerSettings {
            languages: languages.iter().map(|l| (*l).to_owned()).collect(),
            ..AnnouncerSettings::default()
        },
        chime_secs: 0.3,
        chime_wait: Duration::from_millis(400),
        ..SequencerConfig::default()
    }
}

fn call(n: u32, lang: Option<&str>) -> Call {
    Call {
        lang: lang.map(str::to_owned),
        ..Call::new(
            format!("c{n}"),
            format!("A{n:03}"),
            "3",
            "2026-11-22T09:00:00Z",
        )
    }
}

fn ready(langs: &[&str]) -> Input {
    Input::Voice(VoiceReport::Ready {
        voices: langs
            .iter()
            .map(|l| ((*l).to_owned(), format!("voice-{l}")))
            .collect(),
    })
}

/// A room with a stand-in voice and screen, on a clock the test moves by hand. The voice
/// "speaks" each sentence for 80 ms; the screen reports the chime when `audio` is true.
struct Room {
    seq: Sequencer,
    now: Instant,
    local: NaiveTime,
    audio: bool,
    /// Sentences said: (lang, text, volume).
    said: Vec<(String, String, u8)>,
    chimes: Vec<(u8, Instant)>,
    /// Emergency tones asked for: (volume, when).
    alarms: Vec<(u8, Instant)>,
    progress: Vec<(Progress, Instant)>,
    /// Voice reports due at a time.
    due: Vec<(Instant, Input)>,
}

impl Room {
    fn new(config: SequencerConfig, has_voice: bool) -> Self {
        Self {
            seq: Sequencer::new(config, catalogue(), has_voice),
            now: Instant::now(),
            local: NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default(),
            audio: true,
            said: Vec::new(),
            chimes: Vec::new(),
            alarms: Vec::new(),
            progress: Vec::new(),
            due: Vec::new(),
        }
    }

    fn feed(&mut self, input: Input) {
        let effects = self.seq.handle(input, self.now, self.local);
        for effect in effects {
            match effect {
                Effect::PlayChime { volume } => {
                    self.chimes.push((volume, self.now));
                    if self.audio {
                        self.due.push((self.now, Input::ChimeStarted));
                    }
                }
                Effect::PlayAlarm { volume } => {
                    self.alarms.push((volume, self.now));
                    self.due.push((self.now, Input::ChimeStarted));
                }
                Effect::Speak {
                    id,
                    lang,
                    text,
                    volume,
                    ..
                } => {
                    self.said.push((lang, text, volume));
                    let at = self.now + Duration::from_millis(20);
                    self.due
                        .push((at, Input::Voice(VoiceReport::Started { id })));
                    let end = self.now + Duration::from_millis(80);
                    self.due
                        .push((end, Input::Voice(VoiceReport::Finished { id })));
                }
                Effect::Tell(p) => self.progress.push((p, self.now)),
            }
        }
    }

    /// Runs the room until nothing is due and nothing is awaited (at most `limit` of
    /// simulated time), moving the clock from one event or deadline to the next.
    fn run(&mut self, limit: Duration) {
        let end = self.now + limit;
        loop {
            self.due.sort_by_key(|(at, _)| *at);
            let next_due = self.due.first().map(|(at, _)| *at);
            let next = match (next_due, self.seq.deadline()) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => return,
            };
            if next > end {
                return;
            }
            self.now = self.now.max(next);
            if next_due.is_some_and(|a| a <= self.now) {
                let (_, input) = self.due.remove(0);
                self.feed(input);
            } else {
                self.feed(Input::Tick);
            }
        }
    }

    fn count(&self, f: impl Fn(&Progress) -> bool) -> usize {
        self.progress.iter().filter(|(p, _)| f(p)).count()
    }
}

#[test]
fn speech_waits_for_the_chime_and_follows_the_visitor_then_the_office_language() {
    let mut room = Room::new(config(&["sk"]), true);
    room.feed(ready(&["sk", "uk", "en"]));
    room.feed(Input::Call {
        call: call(42, Some("uk")),
        received: room.now,
        test: false,
    });
    assert_eq!(room.chimes.len(), 1, "a chime is asked for first");
    assert_eq!(room.chimes[0].0, 100);
    assert!(room.said.is_empty(), "nothing said before the chime");
    room.run(Duration::from_secs(10));
    let chime_at = room.chimes[0].1;
    let first_word = room
        .progress
        .iter()
        .find(|(p, _)| matches!(p, Progress::SpeechStarted { .. }))
        .map(|(_, at)| *at)
        .expect("speech started");
    assert!(
        first_word - chime_at >= Duration::from_millis(300),
        "speech began {:?} after the chime started, over a 300 ms chime",
        first_word - chime_at
    );
    assert_eq!(room.count(|p| matches!(p, Progress::Voices(_))), 1);
    assert_eq!(room.count(|p| matches!(p, Progress::Finished { .. })), 1);
    let langs: Vec<&str> = room.said.iter().map(|(l, _, _)| l.as_str()).collect();
    assert_eq!(langs, ["uk", "sk"]);
}

#[test]
fn without_an_audio_output_the_announcement_goes_on_and_says_so_once() {
    let mut room = Room::new(config(&["sk"]), true);
    room.audio = false;
    room.feed(ready(&["sk", "uk", "en"]));
    for n in 1..=2 {
        room.feed(Input::Call {
            call: call(n, None),
            received: room.now,
            test: false,
        });
    }
    room.run(Duration::from_secs(10));
    assert_eq!(room.count(|p| matches!(p, Progress::Finished { .. })), 2);
    let notes = room.count(|p| matches!(p, Progress::Note(n) if n.contains("chime did not start")));
    assert_eq!(notes, 1, "{:?}", room.progress);
    assert_eq!(room.said.len(), 2, "both calls were still spoken");
}

#[test]
fn without_speech_each_call_still_gets_its_chime_and_the_outage_is_said_once() {
    let mut room = Room::new(config(&["sk", "en"]), true);
    room.feed(Input::Voice(VoiceReport::Unavailable {
        reason: "connection refused".into(),
    }));
    for n in 1..=3 {
        room.feed(Input::Call {
            call: call(n, Some("uk")),
            received: room.now,
            test: false,
        });
    }
    room.run(Duration::from_secs(10));
    assert_eq!(room.chimes.len(), 3);
    assert_eq!(room.count(|p| matches!(p, Progress::Finished { .. })), 3);
    let outages =
        room.count(|p| matches!(p, Progress::Note(n) if n.contains("speech is unavailable")));
    assert_eq!(outages, 1, "{:?}", room.progress);
    assert!(room.said.is_empty());
}

#[test]
fn a_cancelled_call_is_not_announced_and_quiet_hours_are_respected() {
    let mut quiet = config(&["sk"]);
    quiet.volume = VolumeSchedule {
        base: 0,
        quiet: Vec::new(),
    };
    let mut room = Room::new(quiet, true);
    room.feed(ready(&["sk"]));
    room.feed(Input::Call {
        call: call(1, None),
        received: room.now,
        test: false,
    });
    room.run(Duration::from_secs(5));
    assert_eq!(room.count(|p| matches!(p, Progress::Skipped { .. })), 1);
    assert_eq!(room.count(|p| matches!(p, Progress::Started { .. })), 0);
    assert!(room.chimes.is_empty(), "no chime in quiet hours");

    let mut lower = config(&["sk"]);
    lower.volume = VolumeSchedule {
        base: 30,
        quiet: Vec::new(),
    };
    let mut room = Room::new(lower, true);
    room.feed(ready(&["sk"]));
    for n in 1..=2 {
        room.feed(Input::Call {
            call: call(n, None),
            received: room.now,
            test: false,
        });
    }
    room.feed(Input::Cancel("c2".into()));
    assert_eq!(
        room.chimes[0].0, 30,
        "the chime plays at the scheduled volume"
    );
    room.run(Duration::from_secs(10));
    let tickets: Vec<&str> = room
        .progress
        .iter()
        .filter_map(|(p, _)| match p {
            Progress::Started { ticket, .. } => Some(ticket.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(tickets, ["A001"], "the cancelled A002 is never announced");
    assert!(room.said.iter().all(|(_, _, v)| *v == 30));
}

#[test]
fn a_voice_that_stops_answering_is_given_up_on_and_the_next_call_gets_its_chime() {
    let mut room = Room::new(config(&["sk"]), true);
    room.feed(ready(&["sk"]));
    room.feed(Input::Call {
        call: call(1, None),
        received: room.now,
        test: false,
    });
    room.feed(Input::ChimeStarted);
    // The chime ends; the sentence is asked for and never answered.
    room.now += Duration::from_secs(1);
    room.feed(Input::Tick);
    assert_eq!(room.said.len(), 1);
    room.now += Duration::from_secs(60);
    room.feed(Input::Tick);
    assert_eq!(
        room.count(|p| matches!(p, Progress::SpeechEnded { spoken: false, .. })),
        1
    );
    assert_eq!(room.count(|p| matches!(p, Progress::Finished { .. })), 1);
    room.feed(Input::Call {
        call: call(2, None),
        received: room.now,
        test: false,
    });
    assert_eq!(room.chimes.len(), 2);
}

#[test]
fn words_saved_later_are_the_words_said_later() {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
    let dir = std::env::temp_dir().join(format!("herald-words-{}", std::process::id()));
    for lang in ["sk", "en"] {
        let to = dir.join(lang);
        std::fs::create_dir_all(&to).expect("temp locales");
        let text = std::fs::read_to_string(source.join(lang).join("herald.ftl")).expect("ftl");
        let text = text.replace("prosíme, pristúpte", "nech sa páči, príďte");
        std::fs::write(to.join("herald.ftl"), text).expect("ftl written");
    }
    let edited = match Catalogue::load(&dir, "sk") {
        Ok((c, _)) => Arc::new(c),
        Err(e) => panic!("{e}"),
    };
    let _ = std::fs::remove_dir_all(&dir);
    let mut room = Room::new(config(&["sk"]), true);
    room.feed(ready(&["sk"]));
    room.feed(Input::Words(edited));
    room.feed(Input::Call {
        call: call(7, None),
        received: room.now,
        test: false,
    });
    room.run(Duration::from_secs(10));
    let said: Vec<&str> = room.said.iter().map(|(_, t, _)| t.as_str()).collect();
    assert!(
        said.iter().any(|t| t.contains("nech sa páči, príďte")),
        "the announcer still says the old words: {said:?}"
    );
}

#[test]
fn an_emergency_takes_the_loudspeaker_repeats_and_gives_it_back_when_cleared() {
    let mut cfg = config(&["sk"]);
    // Quiet hours all day: an emergency is heard anyway.
    cfg.volume.quiet = vec!["00:00-23:59=0".parse().expect("quiet period")];
    let mut room = Room::new(cfg, true);
    room.feed(ready(&["sk", "en"]));
    let alarm = Alarm {
        id: "e1".into(),
        speech: vec![
            ("sk".into(), "Opustite budovu.".into()),
            ("en".into(), "Leave the building.".into()),
        ],
        every: Some(Duration::from_secs(30)),
    };
    room.feed(Input::Emergency(Some(alarm.clone())));
    assert_eq!(room.alarms.len(), 1, "the tone comes at once");
    assert!(room.alarms[0].0 >= 30, "quiet hours do not silence it");
    room.run(Duration::from_secs(10));
    let said: Vec<&str> = room.said.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(said, ["Opustite budovu.", "Leave the building."]);
    let tone_at = room.alarms[0].1;
    let first_word = room
        .progress
        .iter()
        .find(|(p, _)| matches!(p, Progress::SpeechStarted { .. }))
        .map(|(_, at)| *at)
        .expect("speech started");
    assert!(first_word - tone_at >= Duration::from_secs_f64(crate::announcement::alarm::SECONDS));
    // A call meanwhile is not announced.
    room.feed(Input::Call {
        call: call(7, None),
        received: room.now,
        test: false,
    });
    assert!(room.chimes.is_empty(), "no call chime during an emergency");
    assert_eq!(
        room.count(
            |p| matches!(p, Progress::Skipped { reason, .. } if reason.contains("emergency"))
        ),
        1
    );
    // The same emergency again (a snapshot repeating it) does not restart it.
    room.feed(Input::Emergency(Some(alarm.clone())));
    assert_eq!(room.alarms.len(), 1);
    // 30 s after the end it comes again.
    room.run(Duration::from_secs(35));
    assert_eq!(room.alarms.len(), 2, "repeated after its interval");
    room.run(Duration::from_secs(10));
    room.feed(Input::Emergency(None));
    room.run(Duration::from_secs(60));
    assert_eq!(room.alarms.len(), 2, "nothing more once cleared");
    room.local = NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default();
    room.feed(Input::Call {
        call: call(8, None),
        received: room.now,
        test: false,
    });
    room.run(Duration::from_secs(10));
    // Cleared: calls are announced again (here skipped by the quiet hours, as before).
    assert_eq!(
        room.count(|p| matches!(p, Progress::Skipped { reason, .. } if reason == "quiet hours")),
        1
    );
}
