//! How this display is set up, as plain data: built from the command line and checked before
//! anything starts (a config file will feed the same type). The screen's assembler
//! (`screen::app`) only reads it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use herald_core::announcement::schedule::QuietPeriod;
use herald_core::design::{self, Layout};
use herald_core::office::demo::DemoOptions;
use herald_core::secret::{self, Secret};

use crate::feed::connect::Trust;
use crate::status::StatusConfig;

use crate::cli::Cli;
use crate::screen::sizing::{RoomSpec, ScreenSize};

/// Where the calls come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The office's queue system at this URL.
    Feed(String),
    /// An office on NATS JetStream.
    Nats(herald_wire::fleet::Broker, String),
    /// The embedded demo office on loopback.
    Demo(DemoOptions),
}

/// What the room sees. The screen keeps it whole (`ScreenSettings::design`), so a setting added
/// here reaches every system of the screen without being copied on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// The layout's name, its file under `assets/`, and the layout to show until the file is
    /// read (the file when it reads cleanly, else the shipped copy).
    pub layout: String,
    pub layout_path: String,
    pub start_layout: Option<Layout>,
    pub theme: String,
    pub theme_path: String,
    pub counter: Option<String>,
    pub office_name: Option<String>,
    pub logo: Option<String>,
    pub hours: Option<String>,
    pub room: Option<RoomSpec>,
    pub reduced_motion: bool,
    /// The counters, floors and services this screen is for (`--counters`, `--floor`,
    /// `--services`).
    pub scope: herald_core::scope::Scope,
    /// Visitors' names: dropped, or kept as initials (`--show-names`).
    pub names: herald_core::board::Names,
    /// Waiting figures older than this are hidden (`--queue-stale`).
    pub queue_stale: std::time::Duration,
    /// The URL a QR zone shows (`--qr-url`).
    pub qr_url: Option<String>,
    /// The folder the media zone shows images from (`--media`).
    pub media: Option<std::path::PathBuf>,
    /// Opening hours and holidays (`--open`, `--holiday`).
    pub opening: herald_core::opening::Opening,
    /// Commands run when the office opens and closes (`--on-open`, `--on-close`).
    pub on_open: Option<String>,
    pub on_close: Option<String>,
}

impl Default for Design {
    /// The waiting room as `herald` with no options shows it.
    fn default() -> Self {
        Self {
            layout: "waiting-room".into(),
            layout_path: "layouts/waiting-room.layout.toml".into(),
            start_layout: None,
            theme: "civic".into(),
            theme_path: "themes/civic.theme.toml".into(),
            counter: None,
            office_name: None,
            logo: None,
            hours: None,
            room: None,
            reduced_motion: false,
            scope: herald_core::scope::Scope::default(),
            names: herald_core::board::Names::Hidden,
            queue_stale: Duration::from_secs(300),
            qr_url: None,
            media: None,
            opening: herald_core::opening::Opening::default(),
            on_open: None,
            on_close: None,
        }
    }
}

/// What the room hears; absent on a muted display.
#[derive(Clone, Debug, PartialEq)]
pub struct Sound {
    /// Office languages to speak, as asked (checked against the catalogue at start).
    pub speak: Vec<String>,
    pub repeat: u32,
    pub volume: u8,
    pub quiet: Vec<QuietPeriod>,
    pub voices: Vec<(String, String)>,
    /// Voice packs per language.
    pub packs: Vec<(String, PathBuf)>,
    pub reading: herald_core::announcement::TicketReading,
    /// The layout asks that quiet hours never silence it (the accessibility display).
    pub always_announce: bool,
}

/// The window or the wall.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub size: (u32, u32),
    pub fullscreen: bool,
    pub preview: bool,
    /// Render for this many seconds, write the screen to this PNG, exit.
    pub screenshot: Option<(PathBuf, f64)>,
    /// Measure and report what each frame costs the renderer (`--frame-costs`).
    pub frame_costs: bool,
}

/// Everything a display needs to start.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The folder holding `assets/` and `locales/`.
    pub root: PathBuf,
    pub source: Source,
    pub display: String,
    pub token: Option<Secret>,
    /// Whom `wss://` trusts (checked at start: a bad `--ca-file` is refused).
    pub trust: Trust,
    /// Display languages, primary first.
    pub langs: Vec<String>,
    pub design: Design,
    pub sound: Option<Sound>,
    pub window: Window,
    pub log_json: bool,
    /// Where the board is remembered across restarts.
    pub state_dir: Option<PathBuf>,
    /// The status endpoints, unless turned off.
    pub status: Option<StatusConfig>,
}

impl Config {
    /// Checks the command line against the files under `root`; the error is one line for the
    /// person who typed it.
    pub fn from_cli(cli: &Cli, root: &Path) -> Result<Self, String> {
        let assets = root.join("assets");
        let layout_path = format!("layouts/{}.layout.toml", cli.layout);
        let layout_file = assets.join(&layout_path);
        if design::shipped_layout(&cli.layout).is_none() && !layout_file.is_file() {
            let shipped: Vec<&str> = design::SHIPPED_LAYOUTS.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "--layout {:?}: there is no such layout: assets/{layout_path} does not exist \
                 (shipped: {})",
                cli.layout,
                shipped.join(", ")
            ));
        }
        let start_layout = std::fs::read_to_string(&layout_file)
            .ok()
            .and_then(|text| Layout::parse(&text, &layout_path).ok())
            .or_else(|| design::shipped_layout(&cli.layout));
        let theme = cli
            .theme
            .clone()
            .or_else(|| start_layout.as_ref().and_then(|l| l.theme.clone()))
            .unwrap_or_else(|| "civic".to_owned());
        let theme_path = format!("themes/{theme}.theme.toml");
        if design::shipped_theme(&theme).is_none() && !assets.join(&theme_path).is_file() {
            return Err(format!(
                "--theme {theme:?}: there is no such theme: assets/{theme_path} does not exist \
                 (shipped: civic, high-contrast)"
            ));
        }
        if let Some(logo) = &cli.logo
            && !(logo.to_ascii_lowercase().ends_with(".png") && assets.join(logo).is_file())
        {
            return Err(format!(
                "--logo {logo:?}: there is no such PNG file under {}; put the office's emblem \
                 there (e.g. images/emblem.png)",
                assets.display()
            ));
        }
        if cli.layout == "counter" && cli.counter.is_none() {
            return Err(
                "the counter layout needs --counter ID (the counter it stands above)".into(),
            );
        }
        if let Some(url) = &cli.feed
            && secret::has_credentials(url)
        {
            return Err(format!(
                "--feed {}: the URL carries a user name or password; give the token with \
                 --token-file or HERALD_TOKEN instead (a URL ends up in logs and process lists)",
                secret::shown_url(url)
            ));
        }
        let room = match (cli.distance, cli.screen_height_mm, cli.screen_diagonal_in) {
            (None, _, _) => None,
            (Some(distance_m), Some(mm), _) => Some(RoomSpec {
                distance_m,
                screen: ScreenSize::HeightMm(mm),
            }),
            (Some(distance_m), None, Some(inches)) => Some(RoomSpec {
                distance_m,
                screen: ScreenSize::DiagonalIn(inches),
            }),
            (Some(_), None, None) => {
                return Err(
                    "--distance needs the screen's size too: --screen-height-mm MM \
                            (the picture's height) or --screen-diagonal-in INCHES"
                        .into(),
                );
            }
        };
        let status = status_config(cli)?;
        let always_announce = start_layout.as_ref().is_some_and(|l| l.always_announce);
        let langs: Vec<String> = cli
            .lang
            .iter()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        Ok(Self {
            root: root.to_path_buf(),
            source: match (&cli.feed, &cli.nats) {
                (Some(url), _) => Source::Feed(url.clone()),
                (None, Some(url)) => nats_source(cli, url)?,
                (None, None) => Source::Demo(demo_options(cli.demo_every)),
            },
            display: cli.display.clone(),
            token: cli.resolve_token()?,
            trust: Trust::new(cli.ca_file.as_deref())?,
            langs,
            design: Design {
                layout: cli.layout.clone(),
                layout_path,
                start_layout,
                theme,
                theme_path,
                counter: cli.counter.clone(),
                office_name: cli.office_name.clone(),
                logo: cli.logo.clone(),
                hours: cli.hours.clone(),
                room,
                reduced_motion: cli.reduced_motion,
                scope: herald_core::scope::Scope::parse(
                    cli.counters.as_deref(),
                    cli.floor.as_deref(),
                    cli.services.as_deref(),
                )
                .map_err(|e| format!("--{e}"))?,
                names: if cli.show_names {
                    herald_core::board::Names::Initials
                } else {
                    herald_core::board::Names::Hidden
                },
                queue_stale: std::time::Duration::from_secs(cli.queue_stale),
                qr_url: cli
                    .qr_url
                    .clone()
                    .or_else(|| cli.feed.as_deref().and_then(phone_page_of)),
                media: cli.media.clone(),
                opening: herald_core::opening::Opening::parse(&cli.open, &cli.holidays)
                    .map_err(|e| format!("--{e}"))?,
                on_open: cli.on_open.clone(),
                on_close: cli.on_close.clone(),
            },
            sound: (!cli.mute).then(|| Sound {
                speak: cli.speak.iter().map(|l| l.trim().to_owned()).collect(),
                repeat: cli.repeat,
                volume: cli.volume,
                quiet: cli.quiet.clone(),
                voices: cli.voice.clone(),
                packs: cli.voice_pack.clone(),
                reading: cli.ticket_reading,
                always_announce,
            }),
            window: Window {
                size: cli.size,
                fullscreen: cli.fullscreen,
                preview: cli.preview,
                screenshot: cli.screenshot.clone().map(|path| (path, cli.after)),
                frame_costs: cli.frame_costs,
            },
            log_json: cli.log_json,
            // systemd's StateDirectory= sets STATE_DIRECTORY (several are separated by ':').
            status,
            state_dir: cli.state_dir.clone().or_else(|| {
                std::env::var_os("STATE_DIRECTORY")
                    .and_then(|v| {
                        v.to_str()
                            .and_then(|s| s.split(':').next())
                            .map(PathBuf::from)
                    })
                    .filter(|p| !p.as_os_str().is_empty())
            }),
        })
    }

    /// The primary display language.
    pub fn primary(&self) -> &str {
        self.langs.first().map_or("en", String::as_str)
    }

    /// The wall's resolution for this layout, where the preview starts.
    pub fn preview_size(&self) -> (u32, u32) {
        match self.design.layout.as_str() {
            "waiting-room-portrait" => (1080, 1920),
            "counter" => (1280, 720),
            _ => (1920, 1080),
        }
    }
}

/// `--nats URL --office ID` and how to log in.
fn nats_source(cli: &Cli, url: &str) -> Result<Source, String> {
    use herald_wire::fleet::{Auth, Broker, check_office_id};
    if !(url.starts_with("nats://") || url.starts_with("tls://")) {
        return Err(format!(
            "--nats {}: give a nats:// or tls:// URL",
            secret::shown_url(url)
        ));
    }
    if secret::has_credentials(url) {
        return Err(format!(
            "--nats {}: the URL carries a user name or password; use --nats-user with \
             --nats-password-file, --nats-creds or --token-file instead",
            secret::shown_url(url)
        ));
    }
    let Some(office) = &cli.office else {
        return Err("--nats needs --office <country>.<office> (e.g. sk.rajec)".into());
    };
    check_office_id(office).map_err(|e| format!("--office: {e}"))?;
    let auth = match (
        &cli.nats_creds,
        &cli.nats_user,
        &cli.nats_password_file,
        cli.resolve_token()?,
    ) {
        (Some(creds), None, None, None) => Auth::Creds(creds.clone()),
        (None, Some(user), Some(path), None) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--nats-password-file {}: {e}", path.display()))?;
            Auth::UserPassword(
                user.clone(),
                Secret::new(text.lines().next().unwrap_or("").trim()),
            )
        }
        (None, None, None, Some(token)) => Auth::Token(token),
        (None, None, None, None) => Auth::None,
        _ => {
            return Err(
                "--nats takes one way to log in: a token, --nats-creds, or --nats-user with --nats-password-file"
                    .into(),
            );
        }
    };
    Ok(Source::Nats(
        Broker {
            url: url.to_owned(),
            auth,
            ca_file: cli.ca_file.clone(),
        },
        office.clone(),
    ))
}

/// The status endpoints from `--status`, `--status-token-file` and `--lost-limit`.
fn status_config(cli: &Cli) -> Result<Option<StatusConfig>, String> {
    // A screenshot run lasts seconds and is nobody's wall: it must not take the port of the
    // herald running on the same machine.
    if cli.status.trim().eq_ignore_ascii_case("off") || cli.screenshot.is_some() {
        return Ok(None);
    }
    let address: std::net::SocketAddr = cli.status.trim().parse().map_err(|_| {
        format!(
            "--status {:?} is not an address like 127.0.0.1:9797 (or \"off\")",
            cli.status
        )
    })?;
    let token = match &cli.status_token_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                format!(
                    "--status-token-file {}: cannot be read: {e}; check the path and its permissions",
                    path.display()
                )
            })?;
            let token = text.lines().next().unwrap_or("").trim().to_owned();
            if token.is_empty() {
                return Err(format!(
                    "--status-token-file {}: the file is empty",
                    path.display()
                ));
            }
            Some(Secret::new(token))
        }
        None => None,
    };
    if !address.ip().is_loopback() && token.is_none() {
        return Err(format!(
            "--status {address}: the status endpoints answer beyond this machine only with a \
             token; give --status-token-file (or keep them on 127.0.0.1)"
        ));
    }
    Ok(Some(StatusConfig {
        address,
        token,
        lost_limit: Duration::from_secs(cli.lost_limit),
    }))
}

/// The demo office's pace: calls every `every` seconds on average, ±40 %.
fn demo_options(every: f64) -> DemoOptions {
    let every = if every.is_finite() {
        every.clamp(0.5, 86_400.0)
    } else {
        8.0
    };
    DemoOptions {
        interval: (
            Duration::from_secs_f64(every * 0.6),
            Duration::from_secs_f64(every * 1.4),
        ),
        ..DemoOptions::default()
    }
}

/// The visitors' phone page of a herald-relay feed (`wss://relay/v1/offices/sk.rajec/feed` →
/// `https://relay/o/sk.rajec/`): where the screen's QR code points when `--qr-url` is not given.
/// Other feeds (a queue system's own) have no such page.
pub fn phone_page_of(feed: &str) -> Option<String> {
    let (scheme, rest) = feed.split_once("://")?;
    let scheme = match scheme {
        "wss" => "https",
        "ws" => "http",
        _ => return None,
    };
    let (host, path) = rest.split_once('/')?;
    let office = path.strip_prefix("v1/offices/")?.strip_suffix("/feed")?;
    (!office.is_empty() && !office.contains('/')).then(|| format!("{scheme}://{host}/o/{office}/"))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn config(args: &[&str]) -> Result<Config, String> {
        let cli = Cli::try_parse_from(std::iter::once("herald").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        Config::from_cli(&cli, &root())
    }

    #[test]
    fn the_defaults_are_the_demo_office_on_the_waiting_room_in_slovak_and_english() {
        let c = config(&[]).expect("defaults are valid");
        assert!(matches!(c.source, Source::Demo(_)));
        assert_eq!(c.langs, ["sk", "en"]);
        assert_eq!(c.design.layout, "waiting-room");
        assert_eq!(c.design.theme, "civic");
        assert!(c.design.start_layout.is_some());
        assert!(c.sound.is_some(), "a display announces unless muted");
        assert_eq!(c.preview_size(), (1920, 1080));
    }

    #[test]
    fn the_accessible_layout_brings_its_theme_and_always_announces() {
        let c = config(&["--layout", "accessible"]).expect("valid");
        assert_eq!(c.design.theme, "high-contrast");
        assert!(c.sound.is_some_and(|s| s.always_announce));
        let c = config(&["--layout", "accessible", "--theme", "civic", "--mute"]).expect("valid");
        assert_eq!(c.design.theme, "civic");
        assert!(c.sound.is_none());
    }

    #[test]
    fn mistakes_are_refused_with_what_to_do() {
        let e = config(&["--layout", "lobby"]).expect_err("no such layout");
        assert!(e.contains("assets/layouts/lobby.layout.toml"), "{e}");
        let e = config(&["--theme", "pink"]).expect_err("no such theme");
        assert!(e.contains("shipped: civic, high-contrast"), "{e}");
        let e = config(&["--layout", "counter"]).expect_err("no counter");
        assert!(e.contains("--counter ID"), "{e}");
        let e = config(&["--logo", "images/none.png"]).expect_err("no logo");
        assert!(e.contains("no such PNG"), "{e}");
    }

    #[test]
    fn the_room_size_and_the_feed_come_through() {
        let c = config(&[
            "--distance",
            "8",
            "--screen-height-mm",
            "1080",
            "--feed",
            "ws://queue.example:9000",
            "--lang",
            " uk , en",
        ])
        .expect("valid");
        assert_eq!(
            c.design.room,
            Some(RoomSpec {
                distance_m: 8.0,
                screen: ScreenSize::HeightMm(1080.0)
            })
        );
        assert_eq!(c.source, Source::Feed("ws://queue.example:9000".into()));
        assert_eq!(c.langs, ["uk", "en"]);
        assert_eq!(c.primary(), "uk");
    }

    #[test]
    fn the_token_never_shows_and_a_url_with_a_password_is_refused() {
        let file = std::env::temp_dir().join(format!("herald-token-{}", std::process::id()));
        std::fs::write(&file, "s3cret-token\n").expect("temp file");
        let path = file.to_string_lossy().into_owned();
        let c = config(&["--token-file", &path]).expect("valid");
        assert_eq!(c.token.as_ref().map(Secret::expose), Some("s3cret-token"));
        assert!(
            !format!("{c:?}").contains("s3cret"),
            "the token is in Debug output"
        );
        let cli = Cli::try_parse_from(["herald", "--token", "s3cret-token"]).expect("valid");
        assert!(
            !format!("{cli:?}").contains("s3cret"),
            "the token is in Debug output"
        );
        let _ = std::fs::remove_file(&file);
        let e = config(&["--feed", "wss://hall:pw@queue.example/displays"]).expect_err("creds");
        assert!(e.contains("--token-file"), "{e}");
        assert!(!e.contains("pw"), "{e}");
    }

    #[test]
    fn status_beyond_this_machine_needs_a_token() {
        let e = config(&["--status", "0.0.0.0:9797"]).expect_err("no token");
        assert!(e.contains("--status-token-file"), "{e}");
        assert!(
            config(&["--status", "off"])
                .expect("valid")
                .status
                .is_none()
        );
        let c = config(&[]).expect("valid");
        assert_eq!(
            c.status.map(|s| s.address.to_string()),
            Some("127.0.0.1:9797".to_owned())
        );
    }

    #[test]
    fn a_relay_feed_gives_the_qr_code_its_phone_page() {
        assert_eq!(
            phone_page_of("wss://relay.rajec.sk/v1/offices/sk.rajec/feed").as_deref(),
            Some("https://relay.rajec.sk/o/sk.rajec/")
        );
        assert_eq!(
            phone_page_of("ws://10.0.0.5:8700/v1/offices/a/feed").as_deref(),
            Some("http://10.0.0.5:8700/o/a/")
        );
        assert_eq!(phone_page_of("wss://queue.example/displays"), None);
        let given = config(&[
            "--feed",
            "wss://relay.example/v1/offices/sk.rajec/feed",
            "--qr-url",
            "https://www.slovensko.sk/",
        ])
        .expect("config");
        assert_eq!(
            given.design.qr_url.as_deref(),
            Some("https://www.slovensko.sk/")
        );
        let derived =
            config(&["--feed", "wss://relay.example/v1/offices/sk.rajec/feed"]).expect("config");
        assert_eq!(
            derived.design.qr_url.as_deref(),
            Some("https://relay.example/o/sk.rajec/")
        );
    }
}
