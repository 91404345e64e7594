//! alsa-lib and JACK print to the process's stderr while an audio output is looked for: with no
//! sound server (a kiosk user without PulseAudio, a wall whose card is gone) opening the default
//! output tries every device ALSA knows of, and each plugin says why it cannot open, twenty lines
//! and more per try, straight into the journal. None of it is herald's to say; herald says the
//! outcome once ("No audio device found", "the chime did not start").
//!
//! While an output is opened, stderr goes to a buffer ([`gag`]); afterwards the sound libraries'
//! lines are logged at debug level and counted, and every other line (a log line written by
//! another thread in the meantime, a panic message) goes back to stderr as it was.

use std::io::{Read, Write};

/// What the sound libraries printed while an output was opened.
#[derive(Debug, Default, PartialEq)]
pub struct Probe {
    /// Lines from alsa-lib and JACK, logged at debug level instead of stderr.
    pub hushed: usize,
}

/// Runs `open` with stderr caught, and sorts what it printed: the sound libraries' lines are
/// kept out of stderr, everything else is written back. When stderr cannot be caught (another
/// catch is under way on another thread), `open` runs as it is.
pub fn opening_audio<T>(open: impl FnOnce() -> T) -> (T, Probe) {
    let Ok(mut caught) = gag::BufferRedirect::stderr() else {
        return (open(), Probe::default());
    };
    let value = open();
    let mut printed = Vec::new();
    let read = caught.read_to_end(&mut printed);
    // Dropping the redirect gives stderr back before anything is written to it.
    drop(caught);
    if read.is_err() {
        return (value, Probe::default());
    }
    let text = String::from_utf8_lossy(&printed);
    let mut probe = Probe::default();
    let mut others = String::new();
    for line in text.lines() {
        if from_the_sound_libraries(line) {
            probe.hushed += 1;
            if !line.trim().is_empty() {
                bevy::log::debug!(target: "herald::sound_libraries", "{line}");
            }
        } else {
            others.push_str(line);
            others.push('\n');
        }
    }
    if !others.is_empty() {
        let _ = std::io::stderr().write_all(others.as_bytes());
    }
    (value, probe)
}

/// alsa-lib prefixes its messages; libjack (loaded by ALSA's jack plugin) does not, but names
/// itself or its server. The pulse plugin ends its message with an empty line.
fn from_the_sound_libraries(line: &str) -> bool {
    let line = line.trim();
    line.is_empty()
        || line.starts_with("ALSA lib ")
        || line.starts_with("Cannot connect to server")
        || line.to_ascii_lowercase().contains("jack")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_s_lines_are_told_from_herald_s() {
        for line in [
            "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default",
            "Cannot connect to server socket err = No such file or directory",
            "Cannot connect to server request channel",
            "jack server is not running or cannot be started",
            "JackShmReadWritePtr::~JackShmReadWritePtr - Init not done for -1, skipping unlock",
            "",
        ] {
            assert!(from_the_sound_libraries(line), "{line}");
        }
        for line in [
            "2026-12-05T05:51:11.069326Z  WARN bevy_audio::audio_output: No audio device found.",
            "thread 'main' panicked at src/main.rs:3:5:",
        ] {
            assert!(!from_the_sound_libraries(line), "{line}");
        }
    }
}
