//! The office's pictures (`--media FOLDER`): PNG and JPEG files shown one at a time, in the
//! order of their names, each for the layout's `media_seconds`, cross-fading into the next.
//!
//! Memory stays bounded whatever the folder holds: a file is decoded only when its turn comes
//! (on a thread of its own, so the screen never waits), scaled down on load to the largest box
//! it can show in, and at most three pictures are held: the one fading out, the one on show
//! and the next one, ready. A file that is not a PNG or JPEG, is broken, too large on disk or
//! too many pixels is refused with one log line (once per version of the file) and skipped.
//!
//! The folder is watched (inotify): a picture added, replaced or removed shows from the next
//! turn on, with no polling and no wake-ups while nothing changes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::SystemTime;

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy::winit::EventLoopProxyWrapper;
use herald_core::design::ZoneKind;
use herald_core::log_event::{self, LogEvent};

mod pictures;

pub use pictures::{
    Decoded, MAX_FILE_BYTES, MAX_PIXELS, MAX_SIDE, fit_inside, list_pictures, load_picture,
};
use pictures::{Stamp, stamp_of};

use crate::screen::design_assets::ActiveLayout;
use crate::screen::{ScreenArea, ScreenSettings, ScreenSystems};

/// Seconds one picture takes to fade into the next.
pub const FADE_SECS: f64 = 1.0;
pub fn plugin(app: &mut App) {
    app.init_resource::<MediaShow>()
        .add_systems(Startup, start_media)
        .add_systems(Update, run_media.in_set(ScreenSystems::Decide));
}

/// A picture decoded, scaled and uploaded, ready to show.
#[derive(Clone, Debug)]
pub struct Picture {
    pub handle: Handle<Image>,
    pub file: PathBuf,
    /// Its size in pixels after scaling down (for its aspect ratio on screen).
    pub size: UVec2,
    stamp: Stamp,
}

struct Ask {
    file: PathBuf,
    fit: UVec2,
}

struct Answer {
    file: PathBuf,
    stamp: Option<Stamp>,
    result: Result<Decoded, String>,
    /// The file changed while it was read (still being copied): tried again at its next turn,
    /// not refused.
    busy: bool,
}

/// The loader thread and the folder watcher.
struct Link {
    asks: mpsc::Sender<Ask>,
    answers: mpsc::Receiver<Answer>,
    /// Set by the watcher when something in the folder changed.
    changed: Arc<AtomicBool>,
    // Kept alive: dropping it stops the watching.
    _watcher: Option<notify::RecommendedWatcher>,
}

/// The pictures: which files there are, which one shows, which one fades out.
#[derive(Resource, Default)]
pub struct MediaShow {
    pub folder: Option<PathBuf>,
    /// The folder's PNG and JPEG files, by name.
    pub files: Vec<PathBuf>,
    /// Where in `files` the next picture to load is.
    cursor: usize,
    /// Files refused, with the version that was refused (logged once per version) and why.
    refused: HashMap<PathBuf, (Stamp, String)>,
    pub current: Option<Picture>,
    /// The picture fading out under `current`, until `FADE_SECS` after `fade_since`.
    pub previous: Option<Picture>,
    /// `Time<Real>` seconds when `current` came up.
    pub shown_since: f64,
    pub fade_since: f64,
    /// The next picture, decoded and uploaded, waiting for its turn.
    ready: Option<Picture>,
    /// The file the loader is working on.
    asked: Option<PathBuf>,
    /// Files refused since the last one that loaded: when every file was, stop asking.
    refused_in_a_row: usize,
    /// Whether the pictures are on screen (a media zone, or the hero while it shows them,
    /// and the office not closed): hidden pictures do not rotate, so they cost no frames.
    pub on_screen: bool,
    /// Behind a lock only because a resource must be `Sync`; one system uses it.
    link: Option<std::sync::Mutex<Link>>,
}

impl MediaShow {
    /// The fade-in of `current` at `now`, 0 → 1 (1 when nothing fades).
    pub fn fade(&self, now: f64) -> f32 {
        if self.previous.is_none() {
            return 1.0;
        }
        (((now - self.fade_since) / FADE_SECS).clamp(0.0, 1.0)) as f32
    }

    pub fn fading(&self, now: f64) -> bool {
        self.previous.is_some() && now - self.fade_since < FADE_SECS
    }

    /// Seconds until the next picture should come up, while they rotate.
    pub fn next_turn_in(&self, now: f64, every: f64, paused: bool) -> Option<f64> {
        (self.on_screen && !paused && self.current.is_some() && self.files.len() > 1)
            .then_some(self.shown_since + every - now)
    }
}

/// Starts the loader thread and the folder's watcher when `--media` names a folder.
fn start_media(
    settings: Res<ScreenSettings>,
    proxy: Option<Res<EventLoopProxyWrapper>>,
    mut show: ResMut<MediaShow>,
) {
    if let Some(folder) = settings.design.media.clone() {
        show.open(
            folder,
            crate::screen::feed_link::event_loop_waker(proxy.as_deref()),
        );
    }
}

impl MediaShow {
    /// Shows the pictures of `folder` from now on (at start, or another folder picked in the
    /// preview): a loader thread and a watcher of its own; the old ones stop.
    pub fn open(&mut self, folder: PathBuf, wake: crate::feed::Waker) {
        *self = Self::default();
        let (asks, todo) = mpsc::channel::<Ask>();
        let (done, answers) = mpsc::channel::<Answer>();
        let loader_wake = wake.clone();
        let spawned = std::thread::Builder::new()
            .name("media-loader".into())
            .spawn(move || {
                // Ends when the show drops its sender (another folder, or the app quits).
                for ask in todo {
                    let stamp = stamp_of(&ask.file);
                    let result = load_picture(&ask.file, ask.fit);
                    // Changed or removed while it was read (a copy still writing it, or staff
                    // taking it away): not a bad picture.
                    let busy = result.is_err() && stamp_of(&ask.file) != stamp
                        || stamp.is_none()
                        || stamp.is_some_and(|s| s.modified.is_some_and(just_now));
                    if done
                        .send(Answer {
                            file: ask.file,
                            stamp,
                            result,
                            busy,
                        })
                        .is_err()
                    {
                        break;
                    }
                    loader_wake();
                }
            });
        if let Err(e) = spawned {
            error!("cannot start the media loader thread: {e}; the media zone stays empty");
            return;
        }
        let changed = Arc::new(AtomicBool::new(true));
        let watcher = watch(&folder, changed.clone(), wake);
        self.folder = Some(folder);
        self.link = Some(std::sync::Mutex::new(Link {
            asks,
            answers,
            changed,
            _watcher: watcher,
        }));
    }

    /// Why each refused file was refused (for the preview panel).
    pub fn refused(&self) -> impl Iterator<Item = (&Path, &str)> {
        self.refused
            .iter()
            .map(|(p, (_, why))| (p.as_path(), why.as_str()))
    }

    /// Brings the next picture up now (the preview's "next picture").
    pub fn skip_now(&mut self) {
        self.shown_since = f64::NEG_INFINITY;
    }
}

/// Whether a file was changed in the last second: a copy may still be writing it.
fn just_now(modified: SystemTime) -> bool {
    SystemTime::now()
        .duration_since(modified)
        .is_ok_and(|age| age < std::time::Duration::from_secs(1))
}

/// Watches the folder (or, while it does not exist, its parent) for changes.
fn watch(
    folder: &Path,
    changed: Arc<AtomicBool>,
    wake: crate::feed::Waker,
) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    use notify::event::{AccessKind, AccessMode, EventKind};
    let handler = move |event: notify::Result<notify::Event>| {
        // Herald's own reading of a picture is an access too: only a file closed after being
        // written counts among those, so loading never triggers another scan.
        let counts = event.is_ok_and(|e| match e.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) => false,
            _ => true,
        });
        if counts {
            changed.store(true, Ordering::Relaxed);
            wake();
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(e) => {
            warn!(
                "cannot watch the media folder {} ({e}); pictures added later show after a restart",
                folder.display()
            );
            return None;
        }
    };
    let target = if folder.is_dir() {
        folder.to_path_buf()
    } else {
        // Created later: watching the parent sees it appear.
        folder.parent().unwrap_or(Path::new(".")).to_path_buf()
    };
    if let Err(e) = watcher.watch(&target, notify::RecursiveMode::NonRecursive) {
        warn!(
            "cannot watch {} for the media folder ({e}); pictures added later show after a restart",
            target.display()
        );
    }
    Some(watcher)
}

fn upload(decoded: Decoded, images: &mut Assets<Image>) -> (Handle<Image>, UVec2) {
    let size = UVec2::new(decoded.width, decoded.height);
    let image = Image::new(
        Extent3d {
            width: decoded.width,
            height: decoded.height,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        decoded.rgba,
        TextureFormat::Rgba8UnormSrgb,
        // Only the GPU copy is kept: the pixels are not needed again in main memory.
        RenderAssetUsages::RENDER_WORLD,
    );
    (images.add(image), size)
}

/// The largest box a picture shows in, in pixels: the media zone, or the hero when the layout
/// gives it the pictures.
pub fn largest_box(layout: &herald_core::design::Layout, area: Vec2) -> UVec2 {
    let mut fit = Vec2::ZERO;
    for zone in &layout.zones {
        let shows = zone.kind == ZoneKind::Media
            || (zone.kind == ZoneKind::Hero && layout.media_in_hero_after.is_some());
        if shows {
            fit = fit.max(Vec2::new(
                area.x * zone.rect.width / 100.0,
                area.y * zone.rect.height / 100.0,
            ));
        }
    }
    fit.ceil().as_uvec2()
}

/// Rescans the folder when it changed, takes the loader's pictures, and brings up the next one
/// when the current one has had its time (unless the rotation is paused or nothing shows them).
#[allow(
    clippy::too_many_arguments,
    reason = "a Bevy system reading what decides the pictures' turns"
)]
fn run_media(
    time: Res<Time<Real>>,
    layout: Res<ActiveLayout>,
    area: Res<ScreenArea>,
    rotation: Res<crate::screen::zones::notices::NoticeRotation>,
    images: Option<ResMut<Assets<Image>>>,
    mut show: ResMut<MediaShow>,
) {
    let Some(mut images) = images else {
        return;
    };
    let now = time.elapsed_secs_f64();
    let show = &mut *show;
    // What the watcher and the loader have for us.
    let Some((changed, answers, asks)) = show.link.as_ref().and_then(|l| {
        let link = l.lock().ok()?;
        Some((
            link.changed.swap(false, Ordering::Relaxed),
            link.answers.try_iter().collect::<Vec<_>>(),
            link.asks.clone(),
        ))
    }) else {
        return;
    };
    let folder = show.folder.clone().unwrap_or_default();
    if changed {
        let files = match list_pictures(&folder) {
            Ok(files) => files,
            Err(e) => {
                warn!(
                    "the media folder {} cannot be read ({e}); the media zone stays empty until it can",
                    folder.display()
                );
                Vec::new()
            }
        };
        if files != show.files {
            info!(
                "media folder {}: {} picture file(s)",
                folder.display(),
                files.len()
            );
            log_event::emit(LogEvent::MediaFolder {
                folder: folder.display().to_string(),
                files: files.len(),
            });
        }
        // A picture whose file went away leaves the screen now, not at its next turn.
        if let Some(current) = &show.current
            && !files.contains(&current.file)
        {
            show.current = None;
            show.previous = None;
        }
        if show
            .ready
            .as_ref()
            .is_some_and(|r| !files.contains(&r.file))
        {
            show.ready = None;
        }
        show.files = files;
        show.refused_in_a_row = 0;
        if show.cursor >= show.files.len() {
            show.cursor = 0;
        }
    }
    // Pictures from the loader.
    for answer in answers {
        show.asked = None;
        if answer.busy && answer.result.is_err() {
            // Still being copied (its closing wakes a scan and its turn comes again), or gone.
            continue;
        }
        match answer.result {
            Ok(decoded) => {
                show.refused_in_a_row = 0;
                show.refused.remove(&answer.file);
                let (handle, size) = upload(decoded, &mut images);
                show.ready = Some(Picture {
                    handle,
                    file: answer.file,
                    size,
                    stamp: answer.stamp.unwrap_or_default(),
                });
            }
            Err(reason) => {
                show.refused_in_a_row += 1;
                let stamp = answer.stamp.unwrap_or_default();
                if show.refused.get(&answer.file).map(|r| r.0) != Some(stamp) {
                    show.refused
                        .insert(answer.file.clone(), (stamp, reason.clone()));
                    let file = answer.file.display().to_string();
                    warn!("media picture {file} {reason}; it is skipped");
                    log_event::emit(LogEvent::MediaRefused { file, reason });
                }
            }
        }
    }
    // The next picture's turn: at once when nothing shows, else after `media_seconds`.
    let every = layout.0.media_seconds;
    let new_version =
        matches!((&show.ready, &show.current), (Some(r), Some(c)) if r.file == c.file);
    let due = show.current.is_none()
        || new_version
        || show
            .next_turn_in(now, every, rotation.paused)
            .is_some_and(|left| left <= 0.0);
    if due
        && !show.fading(now)
        && let Some(next) = show.ready.take()
    {
        show.previous = show.current.take();
        show.fade_since = now;
        show.shown_since = now;
        show.current = Some(next);
    }
    if show.previous.is_some() && !show.fading(now) {
        // Faded out: its texture is freed with the handle.
        show.previous = None;
    }
    // Ask for the one after, so it is ready when its turn comes.
    let fit = largest_box(&layout.0, area.0);
    let wanted = show.ready.is_none()
        && show.asked.is_none()
        && !show.files.is_empty()
        && fit.x > 0
        && show.refused_in_a_row < show.files.len();
    if wanted {
        let file = show.files[show.cursor % show.files.len()].clone();
        show.cursor = (show.cursor + 1) % show.files.len();
        let unchanged = show
            .current
            .as_ref()
            .is_some_and(|c| c.file == file && stamp_of(&file) == Some(c.stamp));
        if unchanged && show.files.len() == 1 {
            // One picture, already on show: nothing to load, nothing to rotate.
            return;
        }
        if show
            .refused
            .get(&file)
            .is_some_and(|(s, _)| stamp_of(&file) == Some(*s))
        {
            // Refused before and not changed since: skip it without reading it again.
            show.refused_in_a_row += 1;
            return;
        }
        show.asked = Some(file.clone());
        if asks.send(Ask { file, fit }).is_err() {
            show.asked = None;
        }
    }
}
