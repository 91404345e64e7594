//! `herald check`: loads every locale and font and reports what would show up wrong on a wall
//! screen: missing or extra keys, Fluent errors, and characters the bundled fonts cannot draw.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use fluent_bundle::{FluentArgs, FluentValue};

use herald_core::catalogue::{self, Catalogue, REFERENCE};

/// Fonts herald draws with, relative to the data root, and which characters each one covers.
pub const TEXT_FONTS: [&str; 2] = [
    "assets/fonts/NotoSans-Regular.ttf",
    "assets/fonts/NotoSans-Bold.ttf",
];
pub const ARROW_FONT: &str = "assets/fonts/DejaVuSans-Bold.ttf";
pub const ARROW: char = '→';

/// Sample arguments every message is formatted with (unused ones are ignored by Fluent).
pub fn sample_args() -> Vec<FluentArgs<'static>> {
    let mut all = Vec::new();
    let labels = ["3", "12A", "7", "1", "Pokladňa", "5", "2"];
    let floors = [0, 1, 2, 3, 11, 0, 1];
    let letters = ["A", "K", "M", "P", "Z", "W", "Q"];
    for (i, count) in [0, 1, 2, 5, 11, 21, 101].into_iter().enumerate() {
        let (label, floor) = (labels[i], floors[i]);
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(count));
        args.set("letter", FluentValue::from(letters[i]));
        args.set("ticket", FluentValue::from("A 42"));
        args.set("counter", FluentValue::from(label));
        args.set("label", FluentValue::from(label));
        for (name, value) in catalogue::floor_args(floor) {
            args.set(name, value);
        }
        args.set("time", FluentValue::from("09:14"));
        args.set("hours", FluentValue::from("8:00–16:00"));
        args.set("weekday", FluentValue::from("Monday"));
        args.set("month", FluentValue::from("November"));
        args.set("day", FluentValue::from("22"));
        args.set("year", FluentValue::from("2026"));
        args.set("way", FluentValue::from(["up", "down", "none"][i % 3]));
        args.set("minutes", FluentValue::from(count));
        args.set("tickets", FluentValue::from("A043, A044, PAS-117"));
        args.set(
            "when",
            FluentValue::from(["today", "tomorrow", "weekday", "date"][i % 4]),
        );
        args.set("date", FluentValue::from("2. januára"));
        // The console's words (herald-relay, locales/<lang>/console.ftl).
        args.set("seconds", FluentValue::from(count));
        args.set("name", FluentValue::from("marta"));
        args.set("live", FluentValue::from(count));
        args.set("total", FluentValue::from(count + 1));
        args.set("problems", FluentValue::from(1));
        args.set("lang", FluentValue::from("slovenčina"));
        args.set("limit", FluentValue::from(400));
        // The floor's ordinal from herald-core's tables ("druhom", "втория").
        args.set("ordinal", FluentValue::from("second"));
        all.push(args);
    }
    all
}

/// Every string herald can show in `lang`: all messages with sample arguments.
pub fn formatted_strings(catalogue: &Catalogue, lang: &str) -> (Vec<String>, Vec<String>) {
    let mut strings = Vec::new();
    let mut errors = Vec::new();
    for key in catalogue.keys(lang) {
        for args in sample_args() {
            match catalogue.try_text(lang, key, &args) {
                Some(text) => strings.push(text),
                None => errors.push(format!("locales/{lang}: `{key}` does not format")),
            }
        }
    }
    (strings, errors)
}

/// Characters of `text` that the font in `font_bytes` has no glyph for (spaces excepted).
pub fn missing_glyphs(font_bytes: &[u8], text: &str) -> Result<BTreeSet<char>, String> {
    let face =
        ttf_parser::Face::parse(font_bytes, 0).map_err(|e| format!("not a usable font: {e}"))?;
    Ok(text
        .chars()
        .filter(|c| !c.is_whitespace())
        .filter(|c| face.glyph_index(*c).is_none())
        .collect())
}

/// Runs every check and returns the problems found, one line each.
pub fn problems(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let (catalogue, load_problems) = match Catalogue::load(&root.join("locales"), REFERENCE) {
        Ok(loaded) => loaded,
        Err(e) => return vec![e],
    };
    out.extend(load_problems.iter().map(ToString::to_string));
    let mut fonts = Vec::new();
    for path in TEXT_FONTS {
        match std::fs::read(root.join(path)) {
            Ok(bytes) => fonts.push((path, bytes)),
            Err(e) => out.push(format!("{path}: cannot read: {e}")),
        }
    }
    let langs: Vec<String> = catalogue.languages().map(str::to_owned).collect();
    for lang in &langs {
        let (missing, extra) = catalogue.compare_with_reference(lang);
        for key in missing {
            out.push(format!("locales/{lang}: missing `{key}` (present in {REFERENCE}); add it to locales/{lang}/herald.ftl"));
        }
        for key in extra {
            out.push(format!("locales/{lang}: extra `{key}` (not in {REFERENCE}); remove it or add it to {REFERENCE}"));
        }
        let (strings, errors) = formatted_strings(&catalogue, lang);
        out.extend(errors);
        let mut texts = strings;
        texts.extend(herald_core::office::demo::sample_texts(lang));
        for (path, bytes) in &fonts {
            for text in &texts {
                match missing_glyphs(bytes, text) {
                    Ok(missing) if !missing.is_empty() => out.push(format!(
                        "{path}: cannot draw {:?} used in {lang} text {text:?}",
                        missing.iter().collect::<String>()
                    )),
                    Ok(_) => {}
                    Err(e) => out.push(format!("{path}: {e}")),
                }
            }
        }
    }
    match std::fs::read(root.join(ARROW_FONT)) {
        Ok(bytes) => match missing_glyphs(&bytes, &ARROW.to_string()) {
            Ok(missing) if missing.is_empty() => {}
            Ok(_) => out.push(format!(
                "{ARROW_FONT}: has no glyph for the arrow {ARROW:?}"
            )),
            Err(e) => out.push(format!("{ARROW_FONT}: {e}")),
        },
        Err(e) => out.push(format!("{ARROW_FONT}: cannot read: {e}")),
    }
    out
}

/// How long `herald check` waits for each probe of the machine (speech-dispatcher, the audio
/// device, the renderer): a pre-flight check must never hang itself, whatever hangs beneath it.
pub const PROBE_LIMIT: Duration = Duration::from_secs(10);

/// Runs `probe` on a thread of its own and waits at most [`PROBE_LIMIT`] for it; a probe that
/// does not answer is left behind (the process ends without it) and named in the error.
fn within_limit<T: Send + 'static>(
    what: &str,
    probe: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (answer, answered) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("check {what}"))
        .spawn(move || {
            let _ = answer.send(probe());
        })
        .map_err(|e| format!("{what} could not be probed: {e}"))?;
    answered.recv_timeout(PROBE_LIMIT).map_err(|_| {
        format!(
            "{what} did not answer within {} s (it hangs)",
            PROBE_LIMIT.as_secs()
        )
    })
}

/// What herald will need of this machine, from its settings.
pub struct Needs {
    /// Languages every call is spoken in (the office's); a missing voice is a problem.
    pub spoken: Vec<String>,
    /// Languages visitors may choose at the kiosk; a missing voice is said, not a problem.
    pub visitors: Vec<String>,
    /// The display announces calls at all (not `--mute`).
    pub sound: bool,
}

/// What this machine gives herald at run time, one line each: the voice that will speak each
/// language (or that none will), the audio output, the renderer; and how many of the lines are
/// problems that fail the check (a needed voice or the sound missing, a probe that hung).
pub fn machine_report(needs: &Needs) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut problems = 0;
    if needs.sound {
        match within_limit("speech-dispatcher", crate::voice::system_voices) {
            Ok(Ok(offered)) => {
                for lang in needs
                    .spoken
                    .iter()
                    .chain(needs.visitors.iter().filter(|l| !needs.spoken.contains(l)))
                {
                    let office = needs.spoken.contains(lang);
                    match crate::voice::choose_voice(&offered, lang, None) {
                        Some(name) => out.push(format!("voice {lang}: {name}")),
                        None if office => {
                            problems += 1;
                            out.push(format!(
                                "voice {lang}: NONE — every call is to be spoken in {lang} and \
                                 cannot be; install a voice for it (Debian: \
                                 speech-dispatcher-espeak-ng and espeak-ng; `spd-say -L` lists \
                                 what speech-dispatcher offers)"
                            ));
                        }
                        None => out.push(format!(
                            "voice {lang}: none — visitors who chose {lang} hear the office's \
                             languages only"
                        )),
                    }
                }
            }
            Ok(Err(e)) => {
                problems += 1;
                out.push(format!(
                    "voice: NONE — speech-dispatcher cannot be used ({e}); calls would get the \
                     chime only. Install speech-dispatcher and speech-dispatcher-espeak-ng, and \
                     run this check as the user herald runs as"
                ));
            }
            Err(e) => {
                problems += 1;
                out.push(format!(
                    "voice: NONE — {e}; calls would get the chime only. Restart it as the user \
                     herald runs as (`pkill -u herald speech-dispatcher`; it starts again when \
                     asked)"
                ));
            }
        }
        problems += probe(
            "the audio output",
            || audio_output().map(|line| vec![line]),
            "audio output: NONE",
            "check the sound device or PulseAudio",
            &mut out,
        );
    } else {
        out.push("voice and chime: off (mute)".into());
    }
    problems += probe(
        "the renderer",
        renderers,
        "renderer: NONE",
        "check the Vulkan driver (mesa-vulkan-drivers)",
        &mut out,
    );
    (out, problems)
}

/// One time-limited probe whose answer is its lines or the line saying what is missing; returns
/// 1 when that is a problem (missing, or the probe hung).
fn probe(
    what: &str,
    run: impl FnOnce() -> Result<Vec<String>, String> + Send + 'static,
    none: &str,
    advice: &str,
    out: &mut Vec<String>,
) -> usize {
    match within_limit(what, run) {
        Ok(Ok(lines)) => {
            out.extend(lines);
            0
        }
        Ok(Err(line)) => {
            out.push(line);
            1
        }
        Err(e) => {
            out.push(format!("{none} — {e}; {advice}"));
            1
        }
    }
}

/// The audio output the chime will play on, as the display opens it (a device that is listed
/// but cannot give an output format is no output: that is what the display finds).
fn audio_output() -> Result<String, String> {
    use cpal::traits::{DeviceTrait, HostTrait};
    let host = cpal::default_host();
    let none = |why: String| {
        format!(
            "audio output: NONE — {why}: the chime cannot play (speech still goes through \
             speech-dispatcher); check the sound device or PulseAudio, as the user herald runs as"
        )
    };
    let device = host
        .default_output_device()
        .ok_or_else(|| none("no output device".into()))?;
    let name = device
        .description()
        .map(|d| d.to_string())
        .unwrap_or_else(|_| "unnamed device".into());
    let format = device
        .default_output_config()
        .map_err(|e| none(format!("{name} gives no output format ({e})")))?;
    Ok(format!(
        "audio output: {name} ({}, {} Hz, {} channels)",
        host.id().name(),
        format.sample_rate(),
        format.channels()
    ))
}

fn renderers() -> Result<Vec<String>, String> {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapters = bevy::tasks::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    if adapters.is_empty() {
        return Err(
            "renderer: NONE — no Vulkan or GL device; install mesa-vulkan-drivers \
                    (software rendering with lavapipe works)"
                .into(),
        );
    }
    Ok(adapters
        .iter()
        .map(|a| {
            let info = a.get_info();
            format!(
                "renderer: {} ({:?}, {:?}, driver {} {})",
                info.name, info.backend, info.device_type, info.driver, info.driver_info
            )
        })
        .collect())
}

/// What the settings ask of this machine that it cannot give, one line each: a display
/// language without words, a status address already taken.
pub fn settings_problems(
    config: &crate::config::Config,
    catalogue: Option<&Catalogue>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(catalogue) = catalogue {
        for lang in &config.langs {
            if !catalogue.has_language(lang) {
                out.push(format!(
                    "lang {lang:?}: there is no locales/{lang}/ folder, so its words would fall \
                     back to {}; add locales/{lang}/herald.ftl or leave {lang} out of lang",
                    catalogue.primary()
                ));
            }
        }
    }
    if let Some(status) = &config.status
        && let Err(e) = std::net::TcpListener::bind(status.address)
    {
        out.push(format!(
            "status {}: cannot listen there ({e}); another herald on this machine? give each \
             its own port, or status = \"off\"",
            status.address
        ));
    }
    out
}

/// `herald check` for the display these settings describe: its files, its words and fonts, and
/// what this machine gives it. Every problem it prints fails it.
pub fn run(config: &crate::config::Config) -> ExitCode {
    let root = &config.root;
    let mut found = problems(root);
    let catalogue = Catalogue::load(&root.join("locales"), REFERENCE)
        .ok()
        .map(|(c, _)| c);
    found.extend(settings_problems(config, catalogue.as_ref()));
    let visitors: Vec<String> = catalogue
        .as_ref()
        .map(|c| c.languages().map(str::to_owned).collect())
        .unwrap_or_default();
    let needs = Needs {
        spoken: match &config.sound {
            Some(sound) if !sound.speak.is_empty() => sound.speak.clone(),
            _ => config.langs.iter().take(1).cloned().collect(),
        },
        visitors,
        sound: config.sound.is_some(),
    };
    let (report, mut machine) = machine_report(&needs);
    for line in report {
        println!("herald check: {line}");
    }
    if let (Some(sound), Some(catalogue)) = (&config.sound, catalogue.as_ref()) {
        let (lines, problems) = crate::voice::pack::check::report(&sound.packs, catalogue);
        for line in lines {
            println!("herald check: {line}");
        }
        machine += problems;
    }
    if found.is_empty() {
        println!(
            "herald check: locales and fonts in {} are complete and drawable",
            root.display()
        );
    }
    for problem in &found {
        eprintln!("herald check: {problem}");
    }
    if found.is_empty() && machine == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("herald check: {} problem(s)", found.len() + machine);
        ExitCode::FAILURE
    }
}
