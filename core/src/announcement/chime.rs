//! The chime before each call: three descending bell tones (G5, E5, C5), synthesized by herald
//! at start-up into an in-memory WAV file. No recording is shipped, so its provenance is this
//! file: additive synthesis of a few bell-like partials with a soft attack and exponential decay.

/// Sample rate of the chime (Hz).
pub const SAMPLE_RATE: u32 = 44_100;

/// The notes: (start in seconds, fundamental in Hz). A falling major triad sounds like "please
/// listen" without the alarm of a rising one.
const NOTES: [(f64, f64); 3] = [(0.0, 783.99), (0.36, 659.25), (0.72, 523.25)];

/// Bell-ish partials: (frequency ratio, relative amplitude, decay rate per second).
const PARTIALS: [(f64, f64, f64); 4] = [
    (1.0, 1.0, 2.6),
    (2.0, 0.35, 4.0),
    (3.0, 0.12, 6.0),
    (4.2, 0.05, 9.0),
];

/// Peak amplitude of the mixed chime (0..1), leaving headroom for the volume setting.
const PEAK: f64 = 0.5;

/// Length of the chime in seconds, the last note's tail included.
pub const SECONDS: f64 = 1.9;

/// The chime as mono 16-bit samples.
pub fn samples() -> Vec<i16> {
    let total = (SECONDS * f64::from(SAMPLE_RATE)) as usize;
    let mut mix = vec![0.0f64; total];
    for (start, freq) in NOTES {
        let first = (start * f64::from(SAMPLE_RATE)) as usize;
        for (i, sample) in mix.iter_mut().enumerate().skip(first) {
            let t = (i - first) as f64 / f64::from(SAMPLE_RATE);
            // 8 ms attack so the note starts without a click.
            let attack = (t / 0.008).min(1.0);
            let mut value = 0.0;
            for (ratio, amp, decay) in PARTIALS {
                value += amp
                    * (-decay * t).exp()
                    * (2.0 * std::f64::consts::PI * freq * ratio * t).sin();
            }
            *sample += attack * value;
        }
    }
    // Fade the last 60 ms to silence so the tail does not click either.
    let fade = (0.06 * f64::from(SAMPLE_RATE)) as usize;
    for k in 0..fade.min(total) {
        mix[total - 1 - k] *= k as f64 / fade as f64;
    }
    let peak = mix.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-9);
    mix.iter()
        .map(|v| (v / peak * PEAK * f64::from(i16::MAX)).round() as i16)
        .collect()
}

/// The chime as a complete WAV file (RIFF, PCM 16-bit mono), as Bevy's audio decoder reads it.
pub fn wav() -> Vec<u8> {
    wav_of(&samples())
}

/// Mono 16-bit samples at [`SAMPLE_RATE`] as a complete WAV file.
pub fn wav_of(samples: &[i16]) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// Energy of `samples` at `freq` (Goertzel), normalised by length: how much of a tone is there.
/// Used by the tests to recognise the chime in a recording.
pub fn tone_power(samples: &[f32], sample_rate: u32, freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / f64::from(sample_rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    power / (samples.len().max(1) as f64).powi(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chime_is_three_falling_tones_without_clicks() {
        let samples = samples();
        assert_eq!(samples.len(), (SECONDS * 44_100.0) as usize);
        let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert!((16_000..=16_500).contains(&peak), "peak {peak}");
        assert!(samples[0].unsigned_abs() < 200, "soft start");
        assert!(
            samples.last().map_or(0, |s| s.unsigned_abs()) < 50,
            "silent end"
        );
        // Each note dominates its own stretch: G5 first, then E5, then C5.
        let f: Vec<f32> = samples.iter().map(|&s| f32::from(s) / 32768.0).collect();
        let window = |from: f64| {
            let a = (from * 44_100.0) as usize;
            &f[a..a + 8_000]
        };
        for (start, freq) in NOTES {
            let w = window(start + 0.02);
            let own = tone_power(w, SAMPLE_RATE, freq);
            for (_, other) in NOTES.iter().filter(|(_, o)| *o != freq) {
                assert!(own > tone_power(w, SAMPLE_RATE, *other), "{freq} Hz leads");
            }
        }
    }

    #[test]
    fn the_wav_header_describes_the_samples() {
        let wav = wav();
        assert_eq!(&wav[0..4], b"RIFF");
        assert_eq!(&wav[8..16], b"WAVEfmt ");
        let data_len = u32::from_le_bytes([wav[40], wav[41], wav[42], wav[43]]) as usize;
        assert_eq!(wav.len(), 44 + data_len);
    }
}
