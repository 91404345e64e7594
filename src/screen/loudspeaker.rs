//! The Bevy side of the announcer: hands new calls and cancellations to the announcer thread,
//! plays the chime it asks for through Bevy audio, and tells it the moment the chime really
//! starts (so speech waits for the chime's end, not for a guess).

use std::sync::Mutex;

use bevy::audio::{AudioPlayer, AudioSink, AudioSource, PlaybackSettings, Volume};
use bevy::prelude::*;
use bevy::winit::EventLoopProxyWrapper;

use herald_core::announcement::chime;
use herald_core::announcement::sequencer::Progress;
use herald_core::room::ToAnnounce;

use super::{ScreenSystems, WaitingRoom, Words};
use crate::voice::announcer::{Announcer, AnnouncerConfig, SpeakerFactory};

/// What the loudspeaker needs to start; consumed at startup. Absent on a muted display.
#[derive(Resource)]
pub struct LoudspeakerSetup(pub Mutex<Option<(AnnouncerConfig, SpeakerFactory)>>);

/// The running announcer and the chime sound.
#[derive(Resource)]
pub struct Loudspeaker {
    pub announcer: Mutex<Announcer>,
    chime: Handle<AudioSource>,
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
    match Announcer::spawn(config, words.0.clone(), speaker, wake) {
        Ok(announcer) => {
            commands.insert_resource(Loudspeaker {
                announcer: Mutex::new(announcer),
                chime,
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
    let (volumes, progress): (Vec<u8>, Vec<Progress>) = match speaker.announcer.lock() {
        Ok(announcer) => (
            announcer.chimes.try_iter().collect(),
            announcer.progress.try_iter().collect(),
        ),
        Err(_) => return,
    };
    keep_recent(&mut speaker.recent, progress);
    for volume in volumes {
        commands.spawn((
            AudioPlayer::new(speaker.chime.clone()),
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
