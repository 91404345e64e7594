//! Voice packs: an office's own recordings of the words of a call, joined into announcements.
//!
//! A pack is a folder with `pack.toml` and one recording per word (WAV or Ogg Vorbis), named by
//! the word's key (`speech-ticket.ogg`, `letter-a.wav`, `number-40.ogg`, `floor-2.wav`; `herald
//! voice-pack words LANG` lists them). On loading, every recording is made mono at one rate, its
//! leading and trailing silence is cut, and its loudness is levelled (EBU R128), so that a call
//! joined from twenty recordings sounds like one voice at one level. See docs/announcements.md.
//!
//! ```toml
//! language = "sk"
//! speaker = "Jana, client centre Rajec"   # who recorded it (optional)
//! [words]                                  # a word whose file is not named by its key
//! "speech-ticket" = "listok.ogg"
//! [phrases]                                # a whole phrase that replaces a run of words
//! "speech-go-to number-3" = "k-okienku-tri.ogg"
//! ```

pub mod check;
pub mod player;
pub mod recorder;
pub mod sample;
pub mod sound;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use herald_core::announcement::Word;
use serde::Deserialize;

pub use sound::RATE;

/// What `pack.toml` says.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    language: String,
    #[serde(default)]
    speaker: Option<String>,
    #[serde(default)]
    words: BTreeMap<String, PathBuf>,
    #[serde(default)]
    phrases: BTreeMap<String, PathBuf>,
}

/// One recording, ready to play: mono, [`RATE`], trimmed, levelled.
#[derive(Clone, Debug)]
pub struct Recording {
    pub samples: Arc<[f32]>,
    /// Its loudness as recorded (LUFS, after trimming), before levelling.
    pub recorded_lufs: f64,
}

/// A loaded pack.
#[derive(Debug)]
pub struct Pack {
    pub lang: String,
    pub dir: PathBuf,
    pub speaker: Option<String>,
    pub words: HashMap<String, Recording>,
    /// Runs of word keys said by one recording, longest first.
    phrases: Vec<(Vec<String>, Recording)>,
    /// Files that could not be used, each with why.
    pub problems: Vec<String>,
}

/// Silence between two words of one phrase, and where the sentence has a comma.
pub const WORD_GAP_MS: u32 = 20;
pub const COMMA_GAP_MS: u32 = 45;

impl Pack {
    /// Loads the pack in `dir` for `lang`. An unreadable folder or manifest is an error; a
    /// recording that cannot be used is a problem listed in [`Pack::problems`] (that word falls
    /// back to the system voice).
    pub fn load(lang: &str, dir: &Path) -> Result<Pack, String> {
        let manifest_path = dir.join("pack.toml");
        let text = std::fs::read_to_string(&manifest_path).map_err(|e| {
            format!(
                "voice pack {}: cannot read pack.toml ({e}); a pack is a folder with pack.toml \
                 and one recording per word (`herald voice-pack words {lang}` lists them)",
                dir.display()
            )
        })?;
        let manifest: Manifest = toml::from_str(&text)
            .map_err(|e| format!("voice pack {}: {e}", manifest_path.display()))?;
        if manifest.language != lang {
            return Err(format!(
                "voice pack {}: its pack.toml says language = {:?}, but it was given for {lang:?}",
                dir.display(),
                manifest.language
            ));
        }
        let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("voice pack {}: cannot list it: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let audio = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "wav" | "ogg"));
            if let (true, Some(stem)) = (audio, path.file_stem().and_then(|s| s.to_str())) {
                files.insert(stem.to_owned(), path);
            }
        }
        for (key, file) in &manifest.words {
            files.insert(key.clone(), dir.join(file));
        }
        let mut problems = Vec::new();
        let mut words = HashMap::new();
        for (key, path) in files {
            match sound::prepare(&path) {
                Ok(recording) => {
                    words.insert(key, recording);
                }
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
        let mut phrases = Vec::new();
        for (keys, file) in &manifest.phrases {
            let path = dir.join(file);
            match sound::prepare(&path) {
                Ok(recording) => phrases.push((
                    keys.split_whitespace()
                        .map(str::to_owned)
                        .collect::<Vec<_>>(),
                    recording,
                )),
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
        phrases.sort_by_key(|(keys, _)| std::cmp::Reverse(keys.len()));
        Ok(Pack {
            lang: lang.to_owned(),
            dir: dir.to_path_buf(),
            speaker: manifest.speaker,
            words,
            phrases,
            problems,
        })
    }

    /// The recordings for `words`, in order (a phrase may stand for several words), and the
    /// silence before each; `Err` names the first word the pack has no recording of.
    pub fn pieces<'a>(&'a self, words: &[Word]) -> Result<Vec<(u32, &'a Recording)>, String> {
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            let gap = if i == 0 {
                0
            } else if comma_before(&words[i].key) {
                COMMA_GAP_MS
            } else {
                WORD_GAP_MS
            };
            let phrase = self.phrases.iter().find(|(keys, _)| {
                words.len() - i >= keys.len()
                    && keys.iter().zip(&words[i..]).all(|(k, w)| *k == w.key)
            });
            if let Some((keys, recording)) = phrase {
                out.push((gap, recording));
                i += keys.len();
                continue;
            }
            let key = &words[i].key;
            let recording = self.words.get(key).ok_or_else(|| key.clone())?;
            out.push((gap, recording));
            i += 1;
        }
        Ok(out)
    }

    /// The call as one stream of samples at [`RATE`]; `Err` names the missing word.
    pub fn join(&self, words: &[Word]) -> Result<Vec<f32>, String> {
        let pieces = self.pieces(words)?;
        let mut out = Vec::new();
        for (gap, recording) in pieces {
            out.extend(std::iter::repeat_n(0.0, (RATE * gap / 1000) as usize));
            out.extend_from_slice(&recording.samples);
        }
        Ok(out)
    }

    /// The words `needed` that this pack has no recording of (a phrase does not count: it
    /// covers only its own run).
    pub fn missing<'a>(&self, needed: &'a [Word]) -> Vec<&'a Word> {
        needed
            .iter()
            .filter(|w| !self.words.contains_key(&w.key))
            .collect()
    }

    /// The lowest and highest loudness of the recordings as recorded (LUFS).
    pub fn recorded_range(&self) -> Option<(f64, f64)> {
        let values = self
            .words
            .values()
            .chain(self.phrases.iter().map(|(_, r)| r))
            .map(|r| r.recorded_lufs)
            .filter(|l| l.is_finite());
        values.fold(None, |acc, l| match acc {
            None => Some((l, l)),
            Some((lo, hi)) => Some((lo.min(l), hi.max(l))),
        })
    }
}

/// Where the sentence has a comma: before the counter phrase and before the floor.
fn comma_before(key: &str) -> bool {
    matches!(key, "speech-go-to" | "speech-recall-counter") || key.starts_with("floor-")
}
