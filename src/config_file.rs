//! `herald.toml`: the display's settings as a file an IT person can read, diff and keep
//! (`/etc/herald/herald.toml` by default, or `--config FILE`). Its keys are not declared here:
//! every option of [`Cli`] is a key of the same name (the field's name, e.g. `holidays`,
//! `voice`), except those under [`cli::ONLY_ON_THE_COMMAND_LINE`]. The file's values go through
//! the very parsers and checks of the command line, and the command line wins. A mistake is
//! refused as `file:line: what` before anything starts; `herald check --config FILE` checks a
//! file without starting the screen.
//!
//! Tokens are never kept here in clear: `token_file` names the file that holds one (or the
//! environment's `HERALD_TOKEN` gives it).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, CommandFactory, FromArgMatches};

use crate::cli::{self, Cli};

/// Where a wall screen's file is looked for when `--config` is not given.
pub const DEFAULT_PATH: &str = "/etc/herald/herald.toml";

/// The line (from 1) of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

/// The options that are keys of the file, with their key.
pub fn file_keys() -> Vec<Arg> {
    Cli::command()
        .get_arguments()
        .filter(|arg| {
            arg.get_long().is_some()
                && arg.get_help_heading() != Some(cli::ONLY_ON_THE_COMMAND_LINE)
        })
        .cloned()
        .collect()
}

/// Whether the option takes values (`--volume 40`) or is a switch (`--fullscreen`).
fn takes_values(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

/// Whether the option may be given several times (`--open`, `--quiet`, `--lang`).
fn repeatable(arg: &Arg) -> bool {
    matches!(arg.get_action(), clap::ArgAction::Append)
}

/// The command-line arguments that say what the key says, or why they cannot.
fn as_arguments(arg: &Arg, value: toml::Value) -> Result<Vec<OsString>, String> {
    let long = format!("--{}", arg.get_long().unwrap_or_default());
    if !takes_values(arg) {
        return match value {
            toml::Value::Boolean(true) => Ok(vec![long.into()]),
            toml::Value::Boolean(false) => Ok(Vec::new()),
            other => Err(format!(
                "invalid type: {}, expected true or false",
                other.type_str()
            )),
        };
    }
    let one = |value: toml::Value| -> Result<String, String> {
        match value {
            toml::Value::String(s) => Ok(s),
            toml::Value::Integer(n) => Ok(n.to_string()),
            toml::Value::Float(x) => Ok(x.to_string()),
            other => Err(format!(
                "invalid type: {}, expected a string or a number",
                other.type_str()
            )),
        }
    };
    let values: Vec<String> = match value {
        toml::Value::Array(items) if repeatable(arg) => {
            if items.is_empty() {
                return Err("give at least one value, or leave the key out".into());
            }
            items.into_iter().map(one).collect::<Result<_, _>>()?
        }
        // `voice = { sk = "Slovak" }` is `--voice sk=Slovak`.
        toml::Value::Table(table) if repeatable(arg) => table
            .into_iter()
            .map(|(key, value)| one(value).map(|v| format!("{key}={v}")))
            .collect::<Result<_, _>>()?,
        toml::Value::Array(_) => {
            return Err("invalid type: an array, expected one value".into());
        }
        other => vec![one(other)?],
    };
    Ok(values
        .into_iter()
        .flat_map(|v| [OsString::from(long.clone()), OsString::from(v)])
        .collect())
}

/// clap's message on one line, without its "error: ", its usage and its advice to run --help.
fn message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let what: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.is_empty())
        .collect();
    let what = what.join(" ");
    what.strip_prefix("error: ").unwrap_or(&what).to_owned()
}

/// The settings: the file's keys, then the command line's options over them. `matches` is the
/// command line alone (it says which options it gave), `args` the command line itself.
pub fn merge(
    file: &str,
    text: &str,
    matches: &ArgMatches,
    args: &[OsString],
) -> Result<Cli, String> {
    let at = |offset: usize, what: String| format!("{file}:{}: {what}", line_of(text, offset));
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        format!("{file}:{line}: {}", e.message().trim())
    })?;
    let keys = file_keys();
    let command = Cli::command();
    let given = |id: &str| {
        matches!(
            matches.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    };
    // Spans of the keys, for the lines of later errors.
    let spans = key_spans(text);
    // Each key the file gives and the command line does not beat: where it is, its arguments.
    let mut taken: Vec<(usize, Vec<OsString>)> = Vec::new();
    for (key, value) in table {
        let offset = spans.get(&key).copied().unwrap_or(0);
        if key == "token" {
            return Err(at(
                offset,
                "token: a token is not kept in the config file; put it in a file readable only \
                 by herald and name that file with token_file (or set HERALD_TOKEN)"
                    .into(),
            ));
        }
        let Some(arg) = keys.iter().find(|a| a.get_id() == key.as_str()) else {
            return Err(at(
                offset,
                format!("unknown key `{key}` (docs/options.md lists every key)"),
            ));
        };
        let arguments = as_arguments(arg, value).map_err(|e| at(offset, format!("{key}: {e}")))?;
        // The key's values through the command line's own parsers; relations between keys
        // (`requires`, `conflicts_with`) are checked below, with the command line.
        let alone = std::iter::once(OsString::from("herald")).chain(arguments.iter().cloned());
        if let Err(e) = command.clone().try_get_matches_from(alone)
            && !matches!(
                e.kind(),
                ErrorKind::MissingRequiredArgument | ErrorKind::ArgumentConflict
            )
        {
            return Err(at(offset, format!("{key}: {}", message(&e))));
        }
        // The command line wins: over the same option and over the options it conflicts with
        // (`--announce` beats the file's `mute`).
        let conflicts = |a: &Arg, b: &Arg| {
            command
                .get_arg_conflicts_with(a)
                .iter()
                .any(|c| c.get_id() == b.get_id())
        };
        let beaten = given(arg.get_id().as_str())
            || command.get_arguments().any(|other| {
                given(other.get_id().as_str()) && (conflicts(arg, other) || conflicts(other, arg))
            });
        if !beaten {
            taken.push((offset, arguments));
        }
    }
    // The file's options first, the command line's after (its subcommand stays last).
    let together = |leave_out: Option<usize>| -> Vec<OsString> {
        std::iter::once(OsString::from("herald"))
            .chain(
                taken
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| Some(*i) != leave_out)
                    .flat_map(|(_, (_, arguments))| arguments.iter().cloned()),
            )
            .chain(args.iter().skip(1).cloned())
            .collect()
    };
    let merged = command
        .clone()
        .try_get_matches_from(together(None))
        .map_err(|e| {
            // The key whose leaving out makes the mistake go away is the line to fix (e.g.
            // `screen_height_mm` without `distance`).
            let culprit = (0..taken.len()).find(|&i| {
                command
                    .clone()
                    .try_get_matches_from(together(Some(i)))
                    .is_ok()
            });
            match culprit {
                Some(i) => at(taken[i].0, message(&e)),
                None => format!("{file}: {}", message(&e)),
            }
        })?;
    Cli::from_arg_matches(&merged).map_err(|e| format!("{file}: {}", message(&e)))
}

/// Where each top-level key of `text` starts (`key = …` at the start of a line).
fn key_spans(text: &str) -> std::collections::HashMap<String, usize> {
    let mut spans = std::collections::HashMap::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some((key, _)) = trimmed.split_once('=') {
            let key = key.trim().trim_matches('"').to_owned();
            if !key.is_empty() && !key.starts_with(['#', '[']) {
                spans
                    .entry(key)
                    .or_insert(offset + (line.len() - trimmed.len()));
            }
        }
        offset += line.len();
    }
    spans
}

/// Why the settings could not be read.
pub enum SettingsError {
    /// The command line itself (clap prints it with the usage).
    CommandLine(clap::Error),
    /// The config file: `file:line: what`.
    File(String),
}

/// Reads the command line and the config file it names (or the default one) into the settings.
pub fn settings(args: Vec<OsString>) -> Result<(Cli, Option<PathBuf>), SettingsError> {
    let matches = Cli::command()
        .try_get_matches_from(&args)
        .map_err(SettingsError::CommandLine)?;
    let cli = Cli::from_arg_matches(&matches).map_err(SettingsError::CommandLine)?;
    let Some(path) = chosen(&cli) else {
        return Ok((cli, None));
    };
    let bytes = std::fs::read(&path).map_err(|e| {
        SettingsError::File(format!(
            "{}: cannot be read: {e}; check the path and its permissions",
            path.display()
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        SettingsError::File(format!(
            "{}:{line}: not UTF-8 text (byte {at}); save the file as UTF-8",
            path.display()
        ))
    })?;
    let cli =
        merge(&path.display().to_string(), &text, &matches, &args).map_err(SettingsError::File)?;
    Ok((cli, Some(path)))
}

/// A mistake found once the settings are read (a layout that does not exist, a token file that
/// cannot be read, a status address without a token…) pointed at the file's line when the file
/// gave the option it is about. Such errors name their option first (`--layout lobby: …`), and
/// the option's key is its name with `_` for `-`; an option the command line gave stays as it is.
pub fn locate(file: &str, text: &str, error: &str, args: &[OsString]) -> String {
    let Some(rest) = error.strip_prefix("--") else {
        return error.to_owned();
    };
    let option: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let flag = format!("--{option}");
    let on_command_line = args.iter().any(|a| {
        a.to_str()
            .is_some_and(|a| a == flag || a.starts_with(&format!("{flag}=")))
    });
    let key = option.replace('-', "_");
    match key_spans(text).get(&key) {
        Some(offset) if !on_command_line => format!(
            "{file}:{}: {key}{}",
            line_of(text, *offset),
            as_keys(&rest[option.len()..])
        ),
        _ => error.to_owned(),
    }
}

/// A message for a file's reader: `--status-token-file` said as the key `status_token_file`
/// (options that are only on the command line keep their dashes).
fn as_keys(message: &str) -> String {
    let keys: Vec<String> = file_keys().iter().map(|a| a.get_id().to_string()).collect();
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find("--") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let key = name.replace('-', "_");
        if !name.is_empty() && keys.contains(&key) {
            out.push_str(&key);
        } else {
            out.push_str("--");
            out.push_str(&name);
        }
        rest = &after[name.len()..];
    }
    out.push_str(rest);
    out
}

/// The file to read: `--config`, else the default path when it exists.
pub fn chosen(cli: &Cli) -> Option<PathBuf> {
    cli.config
        .clone()
        .or_else(|| Some(PathBuf::from(DEFAULT_PATH)).filter(|p| p.is_file()))
}

/// As [`merge`], for the tests: the file's text under the name `file`, and a command line.
pub fn merge_with(file: &str, text: &str, args: &[&str]) -> Result<Cli, String> {
    let args: Vec<OsString> = std::iter::once("herald")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    let matches = Cli::command()
        .try_get_matches_from(&args)
        .map_err(|e| message(&e))?;
    merge(file, text, &matches, &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_reads_cleanly_and_sets_what_it_says() {
        let text = include_str!("../docs/herald.example.toml");
        let c = merge_with("docs/herald.example.toml", text, &[]).expect("valid");
        assert_eq!(c.lang, ["sk", "en"]);
        assert_eq!(
            c.office_name.as_deref(),
            Some("Mesto Rajec · Klientske centrum")
        );
        assert!(c.fullscreen);
        assert_eq!(c.quiet.len(), 2);
        assert_eq!(c.display, "hall-1");
    }

    #[test]
    fn every_key_is_in_the_example_config() {
        let example = include_str!("../docs/herald.example.toml");
        for arg in file_keys() {
            let key = arg.get_id().as_str();
            assert!(
                example.lines().any(|l| {
                    let l = l.trim_start_matches('#').trim_start();
                    l.starts_with(&format!("{key} =")) || l.starts_with(&format!("{key}="))
                }),
                "docs/herald.example.toml has no line for the key `{key}`"
            );
        }
    }

    #[test]
    fn the_command_line_wins_over_the_file() {
        let text = "layout = \"accessible\"\nvolume = 40\nmute = true\nlang = [\"uk\"]\n";
        let c =
            merge_with("h.toml", text, &["--layout", "counter", "--counter", "4"]).expect("valid");
        assert_eq!(c.layout, "counter");
        assert_eq!(c.volume, 40);
        assert!(c.mute);
        assert_eq!(c.lang, ["uk"]);
        let c = merge_with("h.toml", text, &["--announce", "--lang", "bg,en"]).expect("valid");
        assert!(!c.mute, "--announce beats the file's mute");
        assert_eq!(
            c.lang,
            ["bg", "en"],
            "a list on the command line replaces the file's"
        );
        let c =
            merge_with("h.toml", "voice = { sk = \"Slovak\" }\nfloor = 1\n", &[]).expect("valid");
        assert_eq!(c.voice, [("sk".to_owned(), "Slovak".to_owned())]);
        assert_eq!(c.floor.as_deref(), Some("1"));
    }

    #[test]
    fn mistakes_name_the_file_the_line_and_what_is_wrong() {
        let cases = [
            (
                "lang = [\"sk\"]\nlayuot = \"counter\"\n",
                2,
                "unknown key `layuot`",
            ),
            ("volume = \"loud\"\n", 1, "volume: invalid value 'loud'"),
            ("\n\nvolume = 140\n", 3, "0..=100"),
            ("size = \"big\"\n", 1, "WIDTHxHEIGHT"),
            ("quiet = [\"12:00-13:00=30\", \"noon\"]\n", 1, "HH:MM-HH:MM"),
            ("fullscreen = \"yes\"\n", 1, "expected true or false"),
            ("lang = []\n", 1, "at least one"),
            ("feed = \"http://queue.example/\"\n", 1, "ws://"),
            ("floor = \"first\"\n", 1, "floor"),
            ("open = [\"weekdays\"]\n", 1, "days and hours"),
            ("holidays = [\"24.12.\"]\n", 1, "2026-12-24"),
            ("lost_limit = 0\n", 1, "lost_limit"),
            (
                "display = \"hall-2\"\nscreen_height_mm = 1080\n",
                2,
                "--distance",
            ),
            (
                "display = \"hall-1\"\ntoken = \"s3cret\"\n",
                2,
                "token_file",
            ),
        ];
        for (text, line, words) in cases {
            let e = merge_with("/etc/herald/herald.toml", text, &[]).expect_err(text);
            assert!(
                e.starts_with(&format!("/etc/herald/herald.toml:{line}: ")),
                "{text:?} gave {e}"
            );
            assert!(e.contains(words), "{text:?} gave {e}");
            assert!(!e.contains("s3cret"), "the token was repeated: {e}");
        }
    }
}
