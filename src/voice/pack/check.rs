//! What `herald check` says about the voice packs: per language, where the pack is and who
//! recorded it, how many of the words a call may need it has (and which it lacks), which floors
//! it says, and how far apart its recordings' loudness was before levelling.

use std::path::PathBuf;

use herald_core::announcement::words::pack_words;
use herald_core::catalogue::Catalogue;

use super::Pack;
use super::sound::TARGET_LUFS;

/// One line per pack, and how many of them are problems (a pack that cannot be used at all,
/// or a recording that cannot be read). A missing word is said, not a problem: that sentence
/// falls back to the system voice.
pub fn report(packs: &[(String, PathBuf)], catalogue: &Catalogue) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut problems = 0;
    for (lang, dir) in packs {
        let pack = match Pack::load(lang, dir) {
            Ok(pack) => pack,
            Err(e) => {
                problems += 1;
                out.push(format!("{e}; {lang} would be said by the system voice"));
                continue;
            }
        };
        for problem in &pack.problems {
            problems += 1;
            out.push(format!(
                "voice pack {lang}: {problem}; record that word again"
            ));
        }
        let needed = pack_words(catalogue, lang, None);
        let missing = pack.missing(&needed);
        let mut floors: Vec<i32> = pack
            .words
            .keys()
            .filter_map(|k| k.strip_prefix("floor-").and_then(|f| f.parse().ok()))
            .collect();
        floors.sort_unstable();
        let floors = match (floors.first(), floors.last()) {
            (Some(a), Some(b)) if a == b => format!("floor {a}"),
            (Some(a), Some(b)) => format!("floors {a}–{b} ({} phrases)", floors.len()),
            _ => "no floors (a call with a floor is said by the system voice)".into(),
        };
        let loudness = pack.recorded_range().map_or_else(String::new, |(lo, hi)| {
            format!(
                "; recorded at {lo:.1} … {hi:.1} LUFS (spread {:.1} LU), levelled to {TARGET_LUFS:.0} LUFS",
                hi - lo
            )
        });
        out.push(format!(
            "voice pack {lang}: {} ({}): {} of {} words, {floors}{loudness}",
            dir.display(),
            pack.speaker.as_deref().unwrap_or("speaker not named"),
            needed.len() - missing.len(),
            needed.len(),
        ));
        if !missing.is_empty() {
            let named: Vec<String> = missing
                .iter()
                .map(|w| format!("{} ({})", w.key, w.text))
                .collect();
            out.push(format!(
                "voice pack {lang}: missing {}: a call that needs one is said by the system voice",
                named.join(", ")
            ));
        }
    }
    (out, problems)
}
