//! `herald.toml`: every command-line option as a key, so a wall screen starts from a file an IT
//! person can read, diff and keep (`/etc/herald/herald.toml` by default, or `--config FILE`).
//! The command line overrides the file. A mistake is refused as `file:line: what` before
//! anything starts; `herald check --config FILE` checks a file without starting the screen.
//! `docs/herald.example.toml` lists every key with a comment.
//!
//! Tokens are never kept here in clear: `token_file` names the file that holds one (or the
//! environment's `HERALD_TOKEN` gives it).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use herald_core::announcement::schedule::QuietPeriod;
use serde::Deserialize;
use toml::Spanned;

use crate::cli::{self, Cli};

/// Where a wall screen's file is looked for when `--config` is not given.
pub const DEFAULT_PATH: &str = "/etc/herald/herald.toml";

/// The keys of the file; each is optional and has the command-line option's meaning.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Keys {
    feed: Option<Spanned<String>>,
    nats: Option<Spanned<String>>,
    office: Option<Spanned<String>>,
    nats_creds: Option<Spanned<PathBuf>>,
    nats_user: Option<Spanned<String>>,
    nats_password_file: Option<Spanned<PathBuf>>,
    token_file: Option<Spanned<PathBuf>>,
    ca_file: Option<Spanned<PathBuf>>,
    state_dir: Option<Spanned<PathBuf>>,
    status: Option<Spanned<String>>,
    status_token_file: Option<Spanned<PathBuf>>,
    lost_limit: Option<Spanned<i64>>,
    display: Option<Spanned<String>>,
    layout: Option<Spanned<String>>,
    theme: Option<Spanned<String>>,
    counter: Option<Spanned<String>>,
    office_name: Option<Spanned<String>>,
    logo: Option<Spanned<String>>,
    hours: Option<Spanned<String>>,
    counters: Option<Spanned<String>>,
    floor: Option<Spanned<toml::Value>>,
    services: Option<Spanned<String>>,
    queue_stale: Option<Spanned<i64>>,
    show_names: Option<Spanned<bool>>,
    qr_url: Option<Spanned<String>>,
    media: Option<Spanned<String>>,
    open: Option<Spanned<Vec<String>>>,
    holidays: Option<Spanned<Vec<String>>>,
    on_open: Option<Spanned<String>>,
    on_close: Option<Spanned<String>>,
    distance: Option<Spanned<f64>>,
    screen_height_mm: Option<Spanned<f64>>,
    screen_diagonal_in: Option<Spanned<f64>>,
    lang: Option<Spanned<Vec<String>>>,
    fullscreen: Option<Spanned<bool>>,
    size: Option<Spanned<String>>,
    demo_every: Option<Spanned<f64>>,
    reduced_motion: Option<Spanned<bool>>,
    log_json: Option<Spanned<bool>>,
    mute: Option<Spanned<bool>>,
    volume: Option<Spanned<i64>>,
    quiet: Option<Spanned<Vec<String>>>,
    speak: Option<Spanned<Vec<String>>>,
    repeat: Option<Spanned<i64>>,
    voice: Option<Spanned<BTreeMap<String, String>>>,
}

/// The line (from 1) of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

/// Reads the file at `path` into `cli`, for every option the command line did not give
/// (`given` says which it did, by the option's field name).
pub fn apply(path: &Path, cli: &mut Cli, given: &dyn Fn(&str) -> bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: cannot be read: {e}; check the path and its permissions",
            path.display()
        )
    })?;
    apply_text(&path.display().to_string(), &text, cli, given)
}

/// As [`apply`], from the file's text; `file` names it in errors.
pub fn apply_text(
    file: &str,
    text: &str,
    cli: &mut Cli,
    given: &dyn Fn(&str) -> bool,
) -> Result<(), String> {
    let at =
        |span: Range<usize>, what: String| format!("{file}:{}: {what}", line_of(text, span.start));
    // A token in clear gets its own answer, not just "unknown key".
    if let Ok(table) = text.parse::<toml::Table>()
        && table.contains_key("token")
    {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with("token"))
            .map_or(1, |i| i + 1);
        return Err(format!(
            "{file}:{line}: token: a token is not kept in the config file; put it in a file \
             readable only by herald and name that file with token_file (or set HERALD_TOKEN)"
        ));
    }
    let keys: Keys = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        format!("{file}:{line}: {}", e.message().trim())
    })?;
    macro_rules! take {
        ($key:ident, $field:ident, |$v:ident| $convert:expr) => {
            if let Some(spanned) = keys.$key
                && !given(stringify!($field))
            {
                let span = spanned.span();
                let $v = spanned.into_inner();
                let value: Result<_, String> = $convert;
                cli.$field = value.map_err(|e| at(span, format!("{}: {e}", stringify!($key))))?;
            }
        };
    }
    take!(feed, feed, |v| Ok(Some(v)));
    take!(nats, nats, |v| Ok(Some(v)));
    take!(office, office, |v| Ok(Some(v)));
    take!(nats_creds, nats_creds, |v| Ok(Some(v)));
    take!(nats_user, nats_user, |v| Ok(Some(v)));
    take!(nats_password_file, nats_password_file, |v| Ok(Some(v)));
    take!(token_file, token_file, |v| Ok(Some(v)));
    take!(ca_file, ca_file, |v| Ok(Some(v)));
    take!(state_dir, state_dir, |v| Ok(Some(v)));
    take!(status, status, |v| Ok(v));
    take!(status_token_file, status_token_file, |v| Ok(Some(v)));
    take!(lost_limit, lost_limit, |v| u64::try_from(v)
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| format!(
            "{v} is not a number of seconds above 0"
        )));
    take!(display, display, |v| Ok(v));
    take!(layout, layout, |v| Ok(v));
    take!(theme, theme, |v| Ok(Some(v)));
    take!(counter, counter, |v| Ok(Some(v)));
    take!(office_name, office_name, |v| Ok(Some(v)));
    take!(logo, logo, |v| Ok(Some(v)));
    take!(hours, hours, |v| Ok(Some(v)));
    take!(counters, counters, |v| herald_core::scope::Scope::parse(
        Some(&v),
        None,
        None
    )
    .map(|_| Some(v)));
    take!(floor, floor, |v| {
        // `floor = 1` or `floor = "0,1"`.
        let text = match v {
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::String(s) => s,
            other => other.to_string(),
        };
        herald_core::scope::Scope::parse(None, Some(&text), None).map(|_| Some(text))
    });
    take!(services, services, |v| Ok(Some(v)));
    take!(queue_stale, queue_stale, |v| u64::try_from(v)
        .ok()
        .filter(|v| (10..=86_400).contains(v))
        .ok_or_else(|| format!(
            "{v} is not a number of seconds from 10 to 86400"
        )));
    take!(show_names, show_names, |v| Ok(v));
    take!(qr_url, qr_url, |v| cli::parse_qr_url(&v).map(Some));
    take!(media, media, |v| Ok(Some(std::path::PathBuf::from(v))));
    take!(open, open, |v| herald_core::opening::Opening::parse(
        &v,
        &[]
    )
    .map(|_| v));
    take!(holidays, holidays, |v| {
        herald_core::opening::check_holidays(&v).map(|_| v)
    });
    take!(on_open, on_open, |v| Ok(Some(v)));
    take!(on_close, on_close, |v| Ok(Some(v)));
    take!(distance, distance, |v| cli::parse_distance(&v.to_string())
        .map(Some));
    take!(screen_height_mm, screen_height_mm, |v| {
        cli::parse_screen_mm(&v.to_string()).map(Some)
    });
    take!(screen_diagonal_in, screen_diagonal_in, |v| {
        cli::parse_screen_in(&v.to_string()).map(Some)
    });
    take!(lang, lang, |v| if v.is_empty() {
        Err("give at least one language, e.g. [\"sk\", \"en\"]".to_owned())
    } else {
        Ok(v)
    });
    take!(fullscreen, fullscreen, |v| Ok(v));
    take!(size, size, |v| cli::parse_size(&v));
    take!(demo_every, demo_every, |v| Ok(v));
    take!(reduced_motion, reduced_motion, |v| Ok(v));
    take!(log_json, log_json, |v| Ok(v));
    take!(mute, mute, |v| Ok(v));
    take!(volume, volume, |v| u8::try_from(v)
        .ok()
        .filter(|v| *v <= 100)
        .ok_or_else(|| format!(
            "{v} is not a percentage from 0 to 100"
        )));
    take!(quiet, quiet, |v| v
        .iter()
        .map(|p| p.parse::<QuietPeriod>())
        .collect::<Result<Vec<_>, _>>());
    take!(speak, speak, |v| Ok(v));
    take!(repeat, repeat, |v| u32::try_from(v)
        .ok()
        .filter(|v| (1..=3).contains(v))
        .ok_or_else(|| format!("{v}: say each call 1, 2 or 3 times")));
    take!(voice, voices, |v| Ok(v.into_iter().collect()));
    // `announce = true` on the command line beats `mute = true` in the file.
    if given("announce") {
        cli.mute = false;
    }
    Ok(())
}

/// The file to read: `--config`, else the default path when it exists.
pub fn chosen(cli: &Cli) -> Option<PathBuf> {
    cli.config
        .clone()
        .or_else(|| Some(PathBuf::from(DEFAULT_PATH)).filter(|p| p.is_file()))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn cli() -> Cli {
        match Cli::try_parse_from(["herald"]) {
            Ok(cli) => cli,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_shipped_example_reads_cleanly_and_sets_what_it_says() {
        let text = include_str!("../docs/herald.example.toml");
        let mut c = cli();
        apply_text("docs/herald.example.toml", text, &mut c, &|_| false).expect("valid");
        assert_eq!(c.lang, ["sk", "en"]);
        assert_eq!(
            c.office_name.as_deref(),
            Some("Mesto Rajec · Klientske centrum")
        );
        assert!(c.fullscreen);
        assert_eq!(c.quiet.len(), 2);
    }

    #[test]
    fn the_command_line_wins_over_the_file() {
        let mut c = cli();
        c.layout = "counter".into();
        let text = "layout = \"accessible\"\nvolume = 40\n";
        apply_text("h.toml", text, &mut c, &|key| key == "layout").expect("valid");
        assert_eq!(c.layout, "counter");
        assert_eq!(c.volume, 40);
    }

    #[test]
    fn mistakes_name_the_file_the_line_and_what_is_wrong() {
        let cases = [
            (
                "lang = [\"sk\"]\nlayuot = \"counter\"\n",
                2,
                "unknown field `layuot`",
            ),
            ("volume = \"loud\"\n", 1, "invalid type"),
            ("\n\nvolume = 140\n", 3, "0 to 100"),
            ("size = \"big\"\n", 1, "WIDTHxHEIGHT"),
            ("quiet = [\"12:00-13:00=30\", \"noon\"]\n", 1, "HH:MM-HH:MM"),
            (
                "display = \"hall-1\"\ntoken = \"s3cret\"\n",
                2,
                "token_file",
            ),
        ];
        for (text, line, words) in cases {
            let e = apply_text("/etc/herald/herald.toml", text, &mut cli(), &|_| false)
                .expect_err(text);
            assert!(
                e.starts_with(&format!("/etc/herald/herald.toml:{line}: ")),
                "{text:?} gave {e}"
            );
            assert!(e.contains(words), "{text:?} gave {e}");
            assert!(!e.contains("s3cret"), "the token was repeated: {e}");
        }
    }
}
