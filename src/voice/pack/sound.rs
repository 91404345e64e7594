//! Making a recording ready to join: decoded to mono at one rate, leading and trailing silence
//! cut, loudness levelled to one target (EBU R128).

use std::fs::File;
use std::io::BufReader;
use std::num::NonZero;
use std::path::Path;

use ebur128::{EbuR128, Mode};
use rodio::Source;
use rodio::source::UniformSourceIterator;

use super::Recording;

/// Every recording is played at this rate (speech needs no more; the sound server resamples).
pub const RATE: u32 = 22_050;

/// The loudness every word is levelled to (LUFS): speech at a comfortable announcement level.
pub const TARGET_LUFS: f64 = -20.0;

/// Below this the level is silence, whatever the recording's loudest moment (dBFS).
const NOISE_FLOOR_DB: f32 = -55.0;
/// Relative to the loudest 10 ms, what still counts as the word (dB).
const WORD_DB: f32 = -30.0;
/// Kept before and after the word, so soft onsets and endings are not clipped.
const LEAD_MS: u32 = 10;
const TAIL_MS: u32 = 25;

/// Decodes, trims and levels one recording file.
pub fn prepare(path: &Path) -> Result<Recording, String> {
    let samples = decode(path)?;
    let samples = trim(&samples, RATE);
    if samples.is_empty() {
        return Err("it is silent (nothing above -55 dBFS); record it again".into());
    }
    let recorded = loudness(&samples, RATE)?;
    Ok(Recording {
        samples: level(samples, recorded).into(),
        recorded_lufs: recorded,
    })
}

/// The file's audio as mono samples at [`RATE`].
pub fn decode(path: &Path) -> Result<Vec<f32>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
    let decoder = rodio::Decoder::new(BufReader::new(file))
        .map_err(|e| format!("not a WAV or Ogg Vorbis recording herald can read ({e})"))?;
    let mono = NonZero::new(1).ok_or("no channel")?;
    let rate = NonZero::new(RATE).ok_or("no rate")?;
    if decoder.sample_rate().get() == RATE && decoder.channels().get() == 1 {
        return Ok(decoder.collect());
    }
    Ok(UniformSourceIterator::new(decoder, mono, rate).collect())
}

/// The samples from just before the first sound to just after the last.
pub fn trim(samples: &[f32], rate: u32) -> Vec<f32> {
    let window = (rate / 100).max(1) as usize;
    let levels: Vec<f32> = samples
        .chunks(window)
        .map(|w| (w.iter().map(|s| s * s).sum::<f32>() / w.len() as f32).sqrt())
        .collect();
    let loudest = levels.iter().copied().fold(0.0_f32, f32::max);
    let threshold = (loudest * db(WORD_DB)).max(db(NOISE_FLOOR_DB));
    let (Some(first), Some(last)) = (
        levels.iter().position(|l| *l > threshold),
        levels.iter().rposition(|l| *l > threshold),
    ) else {
        return Vec::new();
    };
    let lead = (rate * LEAD_MS / 1000) as usize;
    let tail = (rate * TAIL_MS / 1000) as usize;
    let start = (first * window).saturating_sub(lead);
    let end = ((last + 1) * window + tail).min(samples.len());
    samples[start..end].to_vec()
}

fn db(value: f32) -> f32 {
    10f32.powf(value / 20.0)
}

/// Integrated loudness (LUFS) of mono samples. A word is shorter than R128's 400 ms blocks more
/// often than not, so a short one is measured as if said several times over.
pub fn loudness(samples: &[f32], rate: u32) -> Result<f64, String> {
    let mut meter = EbuR128::new(1, rate, Mode::I).map_err(|e| format!("loudness meter: {e}"))?;
    let enough = rate as usize; // one second
    let mut fed = 0;
    while fed < enough.max(samples.len()) {
        meter
            .add_frames_f32(samples)
            .map_err(|e| format!("loudness meter: {e}"))?;
        fed += samples.len().max(1);
    }
    meter
        .loudness_global()
        .map_err(|e| format!("loudness meter: {e}"))
}

/// The samples brought to [`TARGET_LUFS`], never past full scale.
pub fn level(mut samples: Vec<f32>, recorded_lufs: f64) -> Vec<f32> {
    if !recorded_lufs.is_finite() {
        return samples;
    }
    let peak = samples.iter().fold(0.0_f32, |m, s| m.max(s.abs()));
    let mut gain = 10f64.powf((TARGET_LUFS - recorded_lufs) / 20.0) as f32;
    if peak * gain > 0.98 {
        // A very peaky word: as loud as it can be without clipping.
        gain = 0.98 / peak;
    }
    for s in &mut samples {
        *s *= gain;
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(ms: u32, amplitude: f32) -> Vec<f32> {
        (0..RATE * ms / 1000)
            .map(|i| amplitude * (i as f32 * 440.0 * std::f32::consts::TAU / RATE as f32).sin())
            .collect()
    }

    #[test]
    fn silence_around_a_word_is_cut() {
        let mut samples = vec![0.0; (RATE / 2) as usize];
        samples.extend(tone(300, 0.3));
        samples.extend(vec![0.001; (RATE / 2) as usize]);
        let trimmed = trim(&samples, RATE);
        let ms = trimmed.len() as u32 * 1000 / RATE;
        assert!(
            (300..=300 + LEAD_MS + TAIL_MS + 20).contains(&ms),
            "{ms} ms"
        );
    }

    #[test]
    fn quiet_and_loud_words_end_at_one_loudness() {
        for amplitude in [0.02, 0.1, 0.5] {
            let word = tone(250, amplitude);
            let before = loudness(&word, RATE).expect("measured");
            let levelled = level(word, before);
            let after = loudness(&levelled, RATE).expect("measured");
            assert!(
                (after - TARGET_LUFS).abs() < 0.2,
                "{amplitude}: {after} LUFS"
            );
        }
    }

    #[test]
    fn a_silent_recording_is_nothing() {
        assert!(trim(&vec![0.0; RATE as usize], RATE).is_empty());
    }
}
