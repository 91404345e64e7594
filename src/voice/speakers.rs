//! Who says a sentence: the language's voice pack when it has every word of it, else the system
//! voice. A word missing from a pack is said once in the log (with what to record), and that
//! sentence goes to the system voice, so a half-recorded pack still announces every call.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use herald_core::announcement::Word;
use herald_core::announcement::sequencer::VoiceReport;
use herald_core::catalogue::Catalogue;
use herald_core::log_event::{self, LogEvent};
use tracing::{info, warn};

use super::announcer::{Speaker, SpeakerFactory};
use super::pack::Pack;
use super::pack::player::PackPlayer;
use super::{Voice, VoiceSettings};

/// The system voice and the packs, behind one [`Speaker`].
pub struct Speakers {
    system: Option<Voice>,
    packs: HashMap<String, Pack>,
    player: Option<PackPlayer>,
    reported: Mutex<HashSet<(String, String)>>,
}

impl Speaker for Speakers {
    fn speak(&self, id: u64, lang: &str, text: &str, words: &[Word], volume: u8) -> bool {
        if let (Some(pack), Some(player), false) =
            (self.packs.get(lang), &self.player, words.is_empty())
        {
            match pack.join(words) {
                Ok(samples) => return player.play(id, samples, volume),
                Err(word) => self.missing(lang, &word),
            }
        }
        self.system
            .as_ref()
            .is_some_and(|v| v.speak(id, lang, text, volume))
    }

    fn packed(&self) -> Vec<String> {
        self.packs.keys().cloned().collect()
    }
}

impl Speakers {
    fn missing(&self, lang: &str, word: &str) {
        let first = self
            .reported
            .lock()
            .map(|mut r| r.insert((lang.to_owned(), word.to_owned())))
            .unwrap_or(true);
        if first {
            warn!(
                "voice pack {lang}: no recording of `{word}`; this call is said by the system \
                 voice. Record {word}.ogg or {word}.wav in the pack (`herald voice-pack words \
                 {lang}` lists every word)"
            );
            log_event::emit(LogEvent::VoicePackWordMissing {
                lang: lang.to_owned(),
                word: word.to_owned(),
            });
        }
    }
}

/// Loads each language's pack (a pack that cannot be loaded is said and left out).
pub fn load_packs(packs: &[(String, PathBuf)], catalogue: &Catalogue) -> HashMap<String, Pack> {
    let mut loaded = HashMap::new();
    for (lang, dir) in packs {
        match Pack::load(lang, dir) {
            Ok(pack) => {
                for problem in &pack.problems {
                    warn!("voice pack {lang}: {problem}; that word is said by the system voice");
                }
                let needed = herald_core::announcement::words::pack_words(catalogue, lang, None);
                let missing: Vec<String> = pack
                    .missing(&needed)
                    .iter()
                    .map(|w| w.key.clone())
                    .collect();
                info!(
                    "voice pack {lang}: {} recordings from {}{}{}",
                    pack.words.len(),
                    dir.display(),
                    pack.speaker
                        .as_deref()
                        .map(|s| format!(", recorded by {s}"))
                        .unwrap_or_default(),
                    if missing.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; missing {} word(s) a call may need: {}",
                            missing.len(),
                            missing.join(", ")
                        )
                    }
                );
                log_event::emit(LogEvent::VoicePackLoaded {
                    lang: lang.clone(),
                    dir: dir.display().to_string(),
                    words: pack.words.len(),
                    missing,
                });
                loaded.insert(lang.clone(), pack);
            }
            Err(reason) => {
                warn!("{reason}; {lang} is said by the system voice");
                log_event::emit(LogEvent::VoicePackFailed {
                    lang: lang.clone(),
                    reason,
                });
            }
        }
    }
    loaded
}

/// The real speakers: the system voice thread, and the packs with their player.
pub fn speakers(settings: VoiceSettings, packs: Vec<(String, PathBuf)>) -> SpeakerFactory {
    Box::new(move |catalogue, report| {
        let report: Arc<dyn Fn(VoiceReport) + Send + Sync> = Arc::from(report);
        // Loaded here, on the announcer's thread: decoding a pack never holds up the screen.
        let packs = load_packs(&packs, catalogue);
        let player = if packs.is_empty() {
            None
        } else {
            match PackPlayer::spawn(report.clone()) {
                Ok(player) => Some(player),
                Err(e) => {
                    warn!(
                        "cannot start the voice pack player: {e}; the system voice says every call"
                    );
                    None
                }
            }
        };
        let for_voice = report.clone();
        let system = match Voice::spawn(settings, move |r| for_voice(r)) {
            Ok(voice) => Some(voice),
            Err(e) => {
                warn!(
                    "cannot start the speech thread: {e}; calls will be announced with the chime only"
                );
                None
            }
        };
        if system.is_none() && player.is_none() {
            return None;
        }
        Some(Box::new(Speakers {
            system,
            packs,
            player,
            reported: Mutex::new(HashSet::new()),
        }) as Box<dyn Speaker>)
    })
}
