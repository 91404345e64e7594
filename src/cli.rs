//! Every setting of a display, declared once: its name, type, default, help text and check are
//! the field and its `#[arg]`. The command line fills [`Cli`]; `herald.toml` fills the same
//! fields under the same names (`config_file`), except those under the heading
//! [`ONLY_ON_THE_COMMAND_LINE`]; `docs/options.md` is generated from it ([`options_markdown`]).
//! Adding an option: a field here, its use (usually in `config.rs`), a test, and the example
//! config's line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use herald_core::announcement::schedule::QuietPeriod;
use herald_core::secret::Secret;

pub use crate::options_page::options_markdown;

/// The `--help` heading of the options that are a single run's, not a wall's setup; they are not
/// keys of the config file.
pub const ONLY_ON_THE_COMMAND_LINE: &str = "Only on the command line";

/// herald shows and speaks queue calls on the screens of a client centre's waiting room.
///
/// With no options it opens the waiting-room screen in a window, fed by an embedded demo office
/// that speaks the same WebSocket protocol as a real queue system.
#[derive(Debug, Parser)]
#[command(name = "herald", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The config file (TOML, every option below as a key; the command line overrides it).
    /// Default: /etc/herald/herald.toml when it exists.
    #[arg(long, value_name = "FILE.toml", global = true, help_heading = ONLY_ON_THE_COMMAND_LINE)]
    pub config: Option<PathBuf>,

    /// Borderless fullscreen on the primary monitor (for the wall).
    #[arg(long)]
    pub fullscreen: bool,

    /// WebSocket URL of the office's queue system (ws:// or wss://). Without it, the demo office runs.
    #[arg(long, value_name = "URL", conflicts_with = "nats", value_parser = parse_feed_url)]
    pub feed: Option<String>,

    /// Follow an office on NATS JetStream (nats:// or tls://) instead of a WebSocket; needs
    /// --office. The token (--token-file, HERALD_TOKEN) logs in, or --nats-creds, or
    /// --nats-user with --nats-password-file; --ca-file adds a CA for tls://.
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,

    /// With --nats: the office to follow, <country>.<office> (e.g. sk.rajec).
    #[arg(long, value_name = "ID")]
    pub office: Option<String>,

    /// With --nats: a .creds file (JWT and NKey seed, as nsc writes them).
    #[arg(long, value_name = "FILE")]
    pub nats_creds: Option<PathBuf>,

    /// With --nats: the user name; the password is the first line of --nats-password-file.
    #[arg(long, value_name = "NAME", requires = "nats_password_file")]
    pub nats_user: Option<String>,

    /// With --nats-user: the file holding the password.
    #[arg(long, value_name = "PATH", requires = "nats_user")]
    pub nats_password_file: Option<PathBuf>,

    /// Token for the queue system. Visible to `ps` on this machine: prefer --token-file or HERALD_TOKEN.
    #[arg(long, value_name = "T", help_heading = ONLY_ON_THE_COMMAND_LINE)]
    pub token: Option<Secret>,

    /// A CA certificate file (PEM) that wss:// also trusts, e.g. the municipality's internal CA
    /// (the public web roots and the system's roots are always trusted).
    #[arg(long, value_name = "FILE.pem")]
    pub ca_file: Option<PathBuf>,

    /// Where the board is remembered across restarts (default: $STATE_DIRECTORY under
    /// systemd; without either, nothing is remembered).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    /// Address of the status endpoints (/healthz, /metrics, /screenshot.png), or "off". An
    /// address other than loopback needs --status-token-file.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9797")]
    pub status: String,

    /// File whose first line is the token the status endpoints ask for (Bearer).
    #[arg(long, value_name = "PATH")]
    pub status_token_file: Option<PathBuf>,

    /// /healthz fails once the queue feed has been lost this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub lost_limit: u64,

    /// File whose first line is the token for the queue system.
    #[arg(long, value_name = "PATH", conflicts_with = "token")]
    pub token_file: Option<PathBuf>,

    /// This display's id, sent to the queue system in `hello`.
    #[arg(long, value_name = "ID", default_value = "herald")]
    pub display: String,

    /// Layout to show: waiting-room, waiting-room-portrait, counter, or the name of another
    /// file in assets/layouts/ (NAME.layout.toml).
    #[arg(long, value_name = "NAME", default_value = "waiting-room")]
    pub layout: String,

    /// Theme: civic, high-contrast, or the name of another file in assets/themes/
    /// (NAME.theme.toml). Default: the layout's own (high-contrast for accessible), else civic.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,

    /// The counter a `counter` layout shows (its id in the queue system).
    #[arg(long, value_name = "ID")]
    pub counter: Option<String>,

    /// The office's name in the header (default: "client centre" in the display language).
    #[arg(long, value_name = "TEXT")]
    pub office_name: Option<String>,

    /// The office's emblem in the header: a PNG under assets/ (default: the theme's logo).
    #[arg(long, value_name = "FILE.png")]
    pub logo: Option<String>,

    /// Opening hours shown on the closed-office screen, e.g. "Po–Pi 8:00–16:00".
    #[arg(long, value_name = "TEXT")]
    pub hours: Option<String>,

    /// Only these counters on this screen and its loudspeaker: labels and ranges, "1-6,9,12A".
    #[arg(long, value_name = "LIST", value_parser = parse_counters)]
    pub counters: Option<String>,

    /// This screen's floor (0 = ground floor; several: "0,1"): other floors' calls are only
    /// listed as "elsewhere", with their floor and which way to go.
    #[arg(long, value_name = "FLOOR", value_parser = parse_floor)]
    pub floor: Option<String>,

    /// Only these services: the queue system's service ids or the tickets' letters, "A,P".
    #[arg(long, value_name = "LIST")]
    pub services: Option<String>,

    /// Hide the waiting figures when the queue system has not updated them for this long.
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(10..=86_400))]
    pub queue_stale: u64,

    /// Opening hours, one line per group of days: "mon-fri 8:00-12:00,13:00-16:00",
    /// "wed 8:00-17:30", "sat closed"; repeatable, a later line wins. Outside them the screen
    /// shows the closed office and when it opens next, whatever the queue system says.
    #[arg(long = "open", value_name = "DAYS HOURS", value_parser = parse_open)]
    pub open: Vec<String>,

    /// A day that differs from the week: "2026-12-24" (closed) or "2026-12-31 8:00-11:00";
    /// repeatable.
    #[arg(long = "holiday", value_name = "DATE [HOURS]", value_parser = parse_holiday)]
    pub holidays: Vec<String>,

    /// A command run (by `sh -c`) when the office opens, e.g. to switch the screen on.
    #[arg(long, value_name = "COMMAND")]
    pub on_open: Option<String>,

    /// A command run (by `sh -c`) when the office closes, e.g. to switch the screen off.
    #[arg(long, value_name = "COMMAND")]
    pub on_close: Option<String>,

    /// The URL the QR code zone shows (the office's e-services, a feedback survey), e.g.
    /// "https://www.slovensko.sk/".
    #[arg(long, value_name = "URL", value_parser = parse_qr_url)]
    pub qr_url: Option<String>,

    /// A folder of images (PNG, JPEG) for the media zone, shown in turn; watched, so images
    /// added, replaced or removed show from the next turn on.
    #[arg(long, value_name = "FOLDER")]
    pub media: Option<std::path::PathBuf>,

    /// Show a visitor's initials ("J. N.") when the queue system sends a name. Off: tickets
    /// only. Names never reach the log, the metrics or the state file either way.
    #[arg(long)]
    pub show_names: bool,

    /// Metres from the screen to the farthest seat: call texts are sized for it (ADA 703.5).
    /// Needs --screen-height-mm or --screen-diagonal-in.
    #[arg(long, value_name = "METRES", value_parser = parse_distance)]
    pub distance: Option<f32>,

    /// The height of the screen's picture, in millimetres.
    #[arg(long, value_name = "MM", requires = "distance", value_parser = parse_screen_mm)]
    pub screen_height_mm: Option<f32>,

    /// The screen's diagonal in inches, as sold (used with the window's aspect ratio).
    #[arg(
        long,
        value_name = "INCHES",
        requires = "distance",
        conflicts_with = "screen_height_mm",
        value_parser = parse_screen_in
    )]
    pub screen_diagonal_in: Option<f32>,

    /// The office's display languages, comma-separated; the first is the primary one.
    #[arg(
        long,
        value_name = "LANGS",
        default_value = "sk,en",
        value_delimiter = ',',
        value_parser = parse_language
    )]
    pub lang: Vec<String>,

    /// Staff preview: a normal window meant for trying layouts, languages and calls.
    #[arg(long, help_heading = ONLY_ON_THE_COMMAND_LINE)]
    pub preview: bool,

    /// Render, write the screen to this PNG file, and exit 0. Works under xvfb-run.
    #[arg(long, value_name = "FILE.png", help_heading = ONLY_ON_THE_COMMAND_LINE)]
    pub screenshot: Option<PathBuf>,

    /// Seconds to run before taking the --screenshot.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 3.0,
        requires = "screenshot",
        help_heading = ONLY_ON_THE_COMMAND_LINE
    )]
    pub after: f64,

    /// Window size in pixels, WIDTHxHEIGHT (ignored with --fullscreen).
    #[arg(long, value_name = "WxH", default_value = "1920x1080", value_parser = parse_size)]
    pub size: (u32, u32),

    /// Average seconds between calls in the demo office (it varies each time by ±40 %).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub demo_every: f64,

    /// Replace motion with plain changes (no pop-in, no pulsing highlight).
    #[arg(long)]
    pub reduced_motion: bool,

    /// Measure what each frame costs the renderer (time per render pass, pixels shaded) and
    /// report it every 10 s (log event `render_passes`); for benchmarks, it adds a little work.
    #[arg(long, help_heading = ONLY_ON_THE_COMMAND_LINE)]
    pub frame_costs: bool,

    /// One JSON object per line on stdout for key events, each with a timestamp.
    #[arg(long)]
    pub log_json: bool,

    /// This display is the room's announcer: chime and speak each call (the default; beats a
    /// config file's `mute`).
    #[arg(long, conflicts_with = "mute", help_heading = ONLY_ON_THE_COMMAND_LINE)]
    pub announce: bool,

    /// Show calls without sound; only one display per room should speak.
    #[arg(long)]
    pub mute: bool,

    /// Loudness of the chime and the voice, in percent.
    #[arg(long, value_name = "PERCENT", default_value_t = 100, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub volume: u8,

    /// A quieter stretch of the day: HH:MM-HH:MM (silent) or HH:MM-HH:MM=PERCENT; repeatable.
    #[arg(long = "quiet", value_name = "PERIOD")]
    pub quiet: Vec<QuietPeriod>,

    /// Office languages to speak each call in, after the visitor's own (default: the primary
    /// display language, i.e. the first of --lang).
    #[arg(long, value_name = "LANGS", value_delimiter = ',')]
    pub speak: Vec<String>,

    /// How many times each call is said.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=3))]
    pub repeat: u32,

    /// The system voice for a language, e.g. --voice sk=Slovak+Annie; repeatable (in the
    /// file: `voice = { sk = "Slovak" }`).
    #[arg(long, value_name = "LANG=NAME", value_parser = parse_voice)]
    pub voice: Vec<(String, String)>,

    /// A voice pack (the office's own recordings) for a language, e.g. --voice-pack
    /// sk=/var/lib/herald/voice/sk; repeatable (in the file: `voice_pack = { sk = "…" }`).
    /// Calls in that language are joined from its recordings; a word it lacks is said by the
    /// system voice. See docs/announcements.md.
    #[arg(long, value_name = "LANG=DIR", value_parser = parse_voice_pack)]
    pub voice_pack: Vec<(String, PathBuf)>,

    /// How ticket numbers are read: whole (A042: "A forty-two") or digits ("A zero four two").
    #[arg(long, value_name = "HOW", default_value = "whole", value_parser = parse_reading)]
    pub ticket_reading: herald_core::announcement::TicketReading,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the config file (with --config), every locale and font, and report the voices,
    /// the audio output and the renderer; exits non-zero on any problem.
    Check,
    /// Print the JSON Schema of protocol v1.
    Schema,
    /// Print the table of `--log-json` events (docs/log-events.md).
    LogEvents,
    /// Print every option and config-file key with its default (docs/options.md).
    Options,
    /// Voice packs: the words to record, or a sample pack made with espeak-ng.
    #[command(subcommand)]
    VoicePack(crate::voice::pack::sample::PackCommand),
}

pub(crate) fn parse_language(text: &str) -> Result<String, String> {
    let lang = text.trim();
    if lang.is_empty() || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!(
            "{text:?} is not a language tag like sk, uk, bg, mk or en"
        ));
    }
    Ok(lang.to_owned())
}

/// A queue system's address: `ws://` or `wss://`.
fn parse_feed_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    if !(url.starts_with("ws://") || url.starts_with("wss://")) {
        return Err(format!(
            "{} is not a WebSocket address; give ws://… or wss://… (for NATS, --nats)",
            herald_core::secret::shown_url(url)
        ));
    }
    Ok(url.to_owned())
}

fn parse_counters(text: &str) -> Result<String, String> {
    herald_core::scope::Scope::parse(Some(text), None, None).map(|_| text.to_owned())
}

/// `--floor 1`, `--floor 0,1` (and `floor = 1` in the file).
fn parse_floor(text: &str) -> Result<String, String> {
    herald_core::scope::Scope::parse(None, Some(text), None).map(|_| text.to_owned())
}

fn parse_open(text: &str) -> Result<String, String> {
    herald_core::opening::Opening::parse(&[text.to_owned()], &[]).map(|_| text.to_owned())
}

fn parse_holiday(text: &str) -> Result<String, String> {
    herald_core::opening::check_holidays(&[text.to_owned()]).map(|_| text.to_owned())
}

fn parse_voice(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((lang, name)) if !lang.trim().is_empty() && !name.trim().is_empty() => {
            Ok((lang.trim().to_owned(), name.trim().to_owned()))
        }
        _ => Err(format!(
            "{text:?} is not LANG=NAME, e.g. sk=Slovak (`spd-say -L` lists the voices)"
        )),
    }
}

fn parse_voice_pack(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((lang, dir)) if !lang.trim().is_empty() && !dir.trim().is_empty() => {
            Ok((parse_language(lang)?, PathBuf::from(dir.trim())))
        }
        _ => Err(format!(
            "{text:?} is not LANG=DIR, e.g. sk=/var/lib/herald/voice/sk"
        )),
    }
}

fn parse_reading(text: &str) -> Result<herald_core::announcement::TicketReading, String> {
    use herald_core::announcement::TicketReading;
    match text.trim() {
        "whole" => Ok(TicketReading::Whole),
        "digits" => Ok(TicketReading::Digits),
        other => Err(format!("{other:?} is neither whole nor digits")),
    }
}

pub(crate) fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("{text:?} is not WIDTHxHEIGHT, e.g. 1920x1080"))?;
    let w: u32 = w
        .trim()
        .parse()
        .map_err(|_| format!("width {w:?} is not a number"))?;
    let h: u32 = h
        .trim()
        .parse()
        .map_err(|_| format!("height {h:?} is not a number"))?;
    if !(320..=8192).contains(&w) || !(240..=8192).contains(&h) {
        return Err(format!("{w}x{h} is outside 320x240 … 8192x8192"));
    }
    Ok((w, h))
}

impl Cli {
    /// The token from --token, --token-file or HERALD_TOKEN, in that order.
    pub fn resolve_token(&self) -> Result<Option<Secret>, String> {
        if let Some(token) = &self.token {
            return Ok(Some(token.clone()));
        }
        if let Some(path) = &self.token_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                format!(
                    "--token-file {}: cannot be read: {e}; check the path and its permissions",
                    path.display()
                )
            })?;
            let token = text.lines().next().unwrap_or("").trim().to_owned();
            if token.is_empty() {
                return Err(format!(
                    "--token-file {}: the file is empty",
                    path.display()
                ));
            }
            return Ok(Some(Secret::new(token)));
        }
        Ok(std::env::var("HERALD_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())
            .map(Secret::new))
    }
}

fn parse_number(
    text: &str,
    what: &str,
    range: std::ops::RangeInclusive<f32>,
) -> Result<f32, String> {
    text.trim()
        .parse::<f32>()
        .ok()
        .filter(|v| range.contains(v))
        .ok_or_else(|| {
            format!(
                "{text:?} is not a {what} between {} and {}",
                range.start(),
                range.end()
            )
        })
}

pub(crate) fn parse_distance(text: &str) -> Result<f32, String> {
    parse_number(text, "distance in metres", 0.5..=60.0)
}

pub(crate) fn parse_screen_mm(text: &str) -> Result<f32, String> {
    parse_number(text, "height in millimetres", 50.0..=5000.0)
}

pub(crate) fn parse_screen_in(text: &str) -> Result<f32, String> {
    parse_number(text, "diagonal in inches", 5.0..=300.0)
}

/// A URL for the QR code: http(s), printable, short enough for a code a phone reads across a
/// room (a longer URL makes smaller modules).
pub fn parse_qr_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(format!(
            "{url:?} is not a web address; give one starting with https://"
        ));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("the address contains spaces or control characters".into());
    }
    if url.len() > 300 {
        return Err(format!(
            "the address is {} characters; a QR code for more than 300 is too fine to read across a room, use a shorter link",
            url.len()
        ));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_options_page_is_the_declaration() {
        let docs = include_str!("../docs/options.md");
        let generated = options_markdown();
        if docs != generated && std::env::var_os("HERALD_WRITE_DOCS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/options.md");
            std::fs::write(path, &generated).expect("docs/options.md is writable");
            return;
        }
        assert!(
            docs == generated,
            "docs/options.md and src/cli.rs disagree; regenerate it with \
             `herald options > docs/options.md`"
        );
    }

    #[test]
    fn languages_and_size_parse() {
        let cli = Cli::try_parse_from(["herald", "--lang", "uk,en", "--size", "1280x720"])
            .expect("valid arguments");
        assert_eq!(cli.lang, ["uk", "en"]);
        assert_eq!(cli.size, (1280, 720));
        assert!(Cli::try_parse_from(["herald", "--size", "big"]).is_err());
        assert!(
            Cli::try_parse_from(["herald", "--after", "2"]).is_err(),
            "--after needs --screenshot"
        );
    }
}
