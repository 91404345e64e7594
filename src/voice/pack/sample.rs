//! `herald voice-pack`: the list of words a pack records, and a sample pack spoken by espeak-ng
//! (real audio files, so tests and the demo need no recordings shipped; an office records its
//! own voice, which is the point of a pack).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use herald_core::announcement::TicketReading;
use herald_core::announcement::words::{self, pack_words};
use herald_core::catalogue::Catalogue;
use herald_core::protocol::Call;

use clap::Subcommand;

/// What `herald voice-pack` does.
#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// Print every word a pack for LANG records: the file name (without .ogg/.wav) and what to
    /// say into the microphone.
    Words {
        #[arg(value_parser = crate::cli::parse_language)]
        lang: String,
        /// Floor phrases up to this floor (0 is the ground floor).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(i32).range(0..=19))]
        floors: i32,
    },
    /// Join a call from the pack in DIR and write it to a WAV file, to hear what the room will
    /// hear (or which word is missing).
    Say {
        #[arg(value_parser = crate::cli::parse_language)]
        lang: String,
        dir: PathBuf,
        ticket: String,
        counter: String,
        /// The counter's floor (0 is the ground floor).
        #[arg(long)]
        floor: Option<i32>,
        /// Said as a recall.
        #[arg(long)]
        recall: bool,
        /// Where to write the call (WAV).
        #[arg(long, value_name = "FILE.wav")]
        out: PathBuf,
    },
    /// Make a sample pack for LANG in DIR, spoken by espeak-ng (for tests and the demo; an
    /// office records its own voice).
    Sample {
        #[arg(value_parser = crate::cli::parse_language)]
        lang: String,
        dir: PathBuf,
        /// Floor phrases up to this floor (0 is the ground floor).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(i32).range(0..=19))]
        floors: i32,
    },
}

/// Runs `herald voice-pack …`.
pub fn command(what: &PackCommand, root: &Path) -> ExitCode {
    let (lang, floors) = match what {
        PackCommand::Words { lang, floors } | PackCommand::Sample { lang, floors, .. } => {
            (lang.as_str(), *floors)
        }
        PackCommand::Say { lang, .. } => (lang.as_str(), 0),
    };
    let catalogue = match Catalogue::load(&root.join("locales"), lang) {
        Ok((catalogue, _)) => catalogue,
        Err(e) => {
            eprintln!("herald voice-pack: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !catalogue.has_language(lang) {
        eprintln!("herald voice-pack: there is no locales/{lang}/ folder, so {lang} has no words");
        return ExitCode::FAILURE;
    }
    match what {
        PackCommand::Words { .. } => {
            println!("# file (.ogg or .wav)\twhat to say");
            for word in pack_words(&catalogue, lang, Some(floors)) {
                println!("{}\t{}", word.key, word.text);
            }
            ExitCode::SUCCESS
        }
        PackCommand::Say {
            dir,
            ticket,
            counter,
            floor,
            recall,
            out,
            ..
        } => {
            let mut call = Call::new("say", ticket, counter, "2026-01-01T09:00:00Z");
            call.floor = *floor;
            call.recall = *recall;
            match say(&catalogue, lang, dir, &call, out) {
                Ok(text) => {
                    println!("herald voice-pack: {} written: {text}", out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("herald voice-pack: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        PackCommand::Sample { dir, .. } => match make(&catalogue, lang, floors, dir) {
            Ok(count) => {
                println!(
                    "herald voice-pack: {count} recordings for {lang} in {} (espeak-ng)",
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("herald voice-pack: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Writes a pack for `lang` into `dir` with espeak-ng; returns how many recordings it made.
pub fn make(catalogue: &Catalogue, lang: &str, floors: i32, dir: &Path) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let words = pack_words(catalogue, lang, Some(floors));
    for word in &words {
        let file = dir.join(format!("{}.wav", word.key));
        let out = Command::new("espeak-ng")
            .args(["-v", lang, "-w"])
            .arg(&file)
            .arg(&word.text)
            .output()
            .map_err(|e| {
                format!(
                    "cannot run espeak-ng ({e}); install it (apt-get install espeak-ng) to make \
                     a sample pack"
                )
            })?;
        if !out.status.success() {
            return Err(format!(
                "espeak-ng could not say {:?} in {lang}: {}",
                word.text,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    let manifest = format!(
        "# A sample pack spoken by espeak-ng, made by `herald voice-pack sample {lang}`.\n\
         # An office records its own voice: see docs/announcements.md.\n\
         language = \"{lang}\"\n\
         speaker = \"espeak-ng (sample)\"\n"
    );
    std::fs::write(dir.join("pack.toml"), manifest)
        .map_err(|e| format!("cannot write {}: {e}", dir.join("pack.toml").display()))?;
    Ok(words.len())
}

/// Joins `call` from the pack in `dir` and writes it to `out`; returns the sentence.
pub fn say(
    catalogue: &Catalogue,
    lang: &str,
    dir: &Path,
    call: &Call,
    out: &Path,
) -> Result<String, String> {
    let pack = super::Pack::load(lang, dir)?;
    let spoken = words::spoken(catalogue, lang, call, TicketReading::Whole);
    let samples = pack.join(&spoken.words).map_err(|word| {
        format!(
            "the pack in {} has no recording of `{word}`; the room would hear this call from the \
             system voice",
            dir.display()
        )
    })?;
    super::recorder::write_wav(out, &samples)?;
    Ok(spoken.text)
}
