//! The emergency tone: two tones taking turns (B5, F♯5), three times, before the emergency's
//! text is spoken. It must not be mistaken for the call chime (three falling bell notes): a
//! steady two-tone is what people know from alarms, without a siren's sweep or a harsh square
//! wave. Synthesized at start-up like the chime; its provenance is this file.

use super::chime::SAMPLE_RATE;

/// The two tones (Hz), high first.
pub const TONES: [f64; 2] = [987.77, 739.99];
/// Each tone's length in seconds.
const TONE_SECONDS: f64 = 0.4;
/// High-low pairs.
const PAIRS: usize = 3;
/// Length of the whole tone in seconds.
pub const SECONDS: f64 = TONE_SECONDS * 2.0 * PAIRS as f64;
/// Peak amplitude (0..1), as loud as the chime's.
const PEAK: f64 = 0.5;

/// The tone as mono 16-bit samples.
pub fn samples() -> Vec<i16> {
    let per_tone = (TONE_SECONDS * f64::from(SAMPLE_RATE)) as usize;
    // 10 ms in and out of each tone, so the turns do not click.
    let ramp = (0.01 * f64::from(SAMPLE_RATE)) as usize;
    let mut out = Vec::with_capacity(per_tone * 2 * PAIRS);
    for turn in 0..2 * PAIRS {
        let freq = TONES[turn % 2];
        for i in 0..per_tone {
            let t = i as f64 / f64::from(SAMPLE_RATE);
            let edge = (i.min(per_tone - 1 - i) as f64 / ramp as f64).min(1.0);
            // A little of the octave makes it carry without being shrill.
            let value = (2.0 * std::f64::consts::PI * freq * t).sin()
                + 0.2 * (4.0 * std::f64::consts::PI * freq * t).sin();
            out.push((value / 1.2 * edge * PEAK * f64::from(i16::MAX)).round() as i16);
        }
    }
    out
}

/// The tone as a WAV file.
pub fn wav() -> Vec<u8> {
    super::chime::wav_of(&samples())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::announcement::chime::{self, tone_power};

    #[test]
    fn the_alarm_alternates_two_tones_and_is_not_the_chime() {
        let s: Vec<f32> = samples().iter().map(|&v| f32::from(v) / 32768.0).collect();
        assert_eq!(s.len(), (SECONDS * 44_100.0).round() as usize);
        let window = |turn: usize| {
            let a = (turn as f64 * TONE_SECONDS * 44_100.0) as usize + 1_000;
            &s[a..a + 8_000]
        };
        for turn in 0..6 {
            let (own, other) = (TONES[turn % 2], TONES[(turn + 1) % 2]);
            let w = window(turn);
            assert!(tone_power(w, SAMPLE_RATE, own) > 10.0 * tone_power(w, SAMPLE_RATE, other));
        }
        // None of the chime's notes is in it.
        let chime_note = 783.99;
        assert!(
            tone_power(window(0), SAMPLE_RATE, chime_note)
                < 0.01 * tone_power(window(0), SAMPLE_RATE, TONES[0])
        );
        const { assert!(chime::SECONDS < SECONDS) };
        assert!(s[0].abs() < 0.01, "soft start");
    }
}
