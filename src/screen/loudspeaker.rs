//! The Bevy side of the announcer: hands new calls and cancellations to the announcer thread,
//! plays the chime it asks for through Bevy audio, and tells it the moment the chime really
//! starts (so speech waits for the chime's end, not for a guess).

use std::sync::Mutex;

use bevy::audio::{AudioPlayer, AudioSink, AudioSource, PlaybackSettings, Volume};
use bevy::prelude::*;
use bevy::winit::EventLoopProxyWrapper;

use herald_core::announcement::sequencer::{Alarm, Progress};
use herald_core::announcement::{alarm, chime};
use herald_core::room::ToAnnounce;

use super::{ScreenSystems, WaitingRoom, Words};
use crate::voice::announcer::{Announcer, AnnouncerConfig, SpeakerFactory, Tone};

/// What the loudspeaker needs to start; consumed at startup. Absent on a muted display.
#[derive(Resource)]
pub struct LoudspeakerSetup(pub Mutex<Option<(AnnouncerConfig, SpeakerFactory)>>);

/// The running announcer and the chime sound.
#[derive(Resource)]
pub struct Loudspeaker {
    pub announcer: Mutex<Announcer>,
    chime: Handle<AudioSource>,
    /// The emergency tone.
    alarm: Handle<AudioSource>,
    /// The last announcer progress lines, newest last (the preview panel shows them).
    pub recent: Vec<Progress>,
}

/// Calls and cancellations taken from the room, with the room's revision then, waiting until
/// the board that holds them is written to the state directory (see `memory`).
#[derive(Resource, Default)]
pub struct Unsaved(pub Vec<(u64, ToAnnounce, std::time::Instant)>);

/// Marks the chime being played.
#[derive(Component)]
struct ChimePlaying;

pub fn plugin(app: &mut App) {
    app.init_resource::<Unsaved>()
        .add_systems(Startup, start_announcer)
        .add_systems(
            Update,
            (
                hand_over_calls.after(ScreenSystems::Receive),
                play_chimes,
                hand_over_words,
                follow_emergency.after(ScreenSystems::Receive),
            ),
        )
        // Bevy creates the audio sink in PostUpdate; looking in Last sees it in the same frame,
        // so a sleeping screen does not delay the report by a whole wake-up.
        .add_systems(Last, report_chime_started);
}

fn start_announcer(
    mut commands: Commands,
    setup: Res<LoudspeakerSetup>,
    words: Res<Words>,
    mut sounds: ResMut<Assets<AudioSource>>,
    proxy: Option<Res<EventLoopProxyWrapper>>,
) {
    let Some((config, speaker)) = setup.0.lock().ok().and_then(|mut s| s.take()) else {
        return;
    };
    let wake = super::feed_link::event_loop_waker(proxy.as_deref());
    let chime = sounds.add(AudioSource {
        bytes: chime::wav().into(),
    });
    let alarm = sounds.add(AudioSource {
        bytes: alarm::wav().into(),
    });
    match Announcer::spawn(config, words.0.clone(), speaker, wake) {
        Ok(announcer) => {
            commands.insert_resource(Loudspeaker {
                announcer: Mutex::new(announcer),
                chime,
                alarm,
                recent: Vec::new(),
            });
        }
        Err(e) => error!("cannot start the announcer thread: {e}; calls will be shown, not heard"),
    }
}

fn hand_over_calls(
    mut room: ResMut<WaitingRoom>,
    speaker: Option<ResMut<Loudspeaker>>,
    memory: Option<Res<super::memory::Memory>>,
    mut unsaved: ResMut<Unsaved>,
) {
    if room.to_announce.is_empty() && unsaved.0.is_empty() {
        return;
    }
    let revision = room.revision;
    let taken = std::mem::take(&mut room.to_announce);
    let Some(mut speaker) = speaker else {
        return;
    };
    unsaved
        .0
        .extend(taken.into_iter().map(|(item, at)| (revision, item, at)));
    // Only what the state directory already holds (everything, without one).
    let saved = memory.map_or(u64::MAX, |m| m.saved());
    let ready = unsaved.0.iter().take_while(|(r, ..)| *r <= saved).count();
    if ready == 0 {
        return;
    }
    let items: Vec<_> = unsaved.0.drain(..ready).collect();
    if let Ok(announcer) = speaker.announcer.lock() {
        for (_, item, received) in items {
            match item {
                ToAnnounce::Call { call, test } => announcer.call(call, received, test),
                ToAnnounce::Cancel(id) => announcer.cancel(&id),
            }
        }
    }
    let progress: Vec<Progress> = match speaker.announcer.lock() {
        Ok(announcer) => announcer.progress.try_iter().collect(),
        Err(_) => Vec::new(),
    };
    keep_recent(&mut speaker.recent, progress);
}

/// Words saved in preview reach the announcer as well as the screen.
fn hand_over_words(words: Res<Words>, speaker: Option<Res<Loudspeaker>>) {
    if !words.is_changed() || words.is_added() {
        return;
    }
    if let Some(speaker) = speaker
        && let Ok(announcer) = speaker.announcer.lock()
    {
        announcer.words(words.0.clone());
    }
}

fn keep_recent(recent: &mut Vec<Progress>, more: Vec<Progress>) {
    recent.extend(more);
    let over = recent.len().saturating_sub(50);
    recent.drain(..over);
}

fn play_chimes(mut commands: Commands, speaker: Option<ResMut<Loudspeaker>>) {
    let Some(mut speaker) = speaker else {
        return;
    };
    let (volumes, progress): (Vec<(Tone, u8)>, Vec<Progress>) = match speaker.announcer.lock() {
        Ok(announcer) => (
            announcer.chimes.try_iter().collect(),
            announcer.progress.try_iter().collect(),
        ),
        Err(_) => return,
    };
    keep_recent(&mut speaker.recent, progress);
    for (tone, volume) in volumes {
        let sound = match tone {
            Tone::Chime => speaker.chime.clone(),
            Tone::Alarm => speaker.alarm.clone(),
        };
        commands.spawn((
            AudioPlayer::new(sound),
            PlaybackSettings::DESPAWN.with_volume(Volume::Linear(f32::from(volume) / 100.0)),
            ChimePlaying,
        ));
    }
}

fn report_chime_started(
    started: Query<(), (With<ChimePlaying>, Added<AudioSink>)>,
    speaker: Option<Res<Loudspeaker>>,
) {
    let Some(speaker) = speaker else {
        return;
    };
    for () in &started {
        if let Ok(announcer) = speaker.announcer.lock() {
            announcer.chime_started();
        }
    }
}

/// Tells the announcer when the emergency this screen shows begins, changes or ends (cleared,
/// expired): what it says, in the screen's languages, and how often.
fn follow_emergency(
    room: Res<WaitingRoom>,
    words: Res<Words>,
    langs: Option<Res<super::DisplayLangs>>,
    speaker: Option<Res<Loudspeaker>>,
    mut told: Local<Option<Alarm>>,
) {
    let Some(speaker) = speaker else {
        return;
    };
    let langs = langs.map(|l| l.langs.clone()).unwrap_or_default();
    let alarm = room
        .emergency_here(chrono::Utc::now())
        .map(|e| emergency_alarm(e, &words.0, &langs));
    if *told == alarm {
        return;
    }
    if let Ok(announcer) = speaker.announcer.lock() {
        announcer.emergency(alarm.clone());
    }
    *told = alarm;
}

/// What the loudspeaker says of `e`: its title and text in each of the screen's languages it
/// has a text for (else in the first language it has).
pub fn emergency_alarm(
    e: &herald_core::protocol::Emergency,
    words: &herald_core::catalogue::Catalogue,
    langs: &[String],
) -> Alarm {
    let key = match e.kind {
        herald_core::protocol::EmergencyKind::Evacuation => "emergency-evacuation",
        herald_core::protocol::EmergencyKind::Closing => "emergency-closing",
        herald_core::protocol::EmergencyKind::Other => "emergency-other",
    };
    let mut speech: Vec<(String, String)> = langs
        .iter()
        .filter_map(|l| e.text.get(l).map(|t| (l.clone(), t.clone())))
        .collect();
    if speech.is_empty()
        && let Some((l, t)) = e.text.iter().next()
    {
        speech.push((l.clone(), t.clone()));
    }
    for (lang, text) in &mut speech {
        if words.has_language(lang) {
            *text = format!("{}. {text}", words.text(lang, key, &[]));
        }
    }
    Alarm {
        id: e.id.clone(),
        speech,
        every: (e.repeat_seconds > 0)
            .then(|| std::time::Duration::from_secs(u64::from(e.repeat_seconds))),
    }
}
