//! The layout and theme files a screen follows: read through Bevy's asset system at start,
//! taken into use when they are good, and in preview read again whenever they are saved.
//!
//! Preview polls the files' modification times once a second and asks the asset server to
//! reload a changed one. (Bevy's own `file_watcher` feature would do the same with inotify, at
//! the price of recompiling Bevy with another feature set; polling two small files is free.)

use std::path::PathBuf;
use std::time::SystemTime;

use bevy::asset::{AssetLoadError, AssetLoadFailedEvent};
use bevy::prelude::*;

use herald_core::catalogue::Catalogue;
use herald_core::design::DesignError;
use herald_core::log_event::{self, LogEvent};

use super::design_assets::{
    ActiveLayout, ActiveTheme, LayoutFile, LayoutLoader, ThemeFile, ThemeLoader,
};

/// Seconds between two looks at the files' modification times in preview.
pub const WATCH_SECS: f64 = 1.0;

/// The layout and theme files this screen follows (paths under `assets/`).
#[derive(Resource)]
pub struct DesignFiles {
    /// The `assets/` folder the asset server reads.
    pub assets: PathBuf,
    pub layout: String,
    pub theme: String,
    /// Reload a file when it is saved (preview).
    pub watch: bool,
    pub handles: Option<(Handle<LayoutFile>, Handle<ThemeFile>)>,
    /// What the layout and theme files looked like on disk when last read.
    stamps: [Option<Stamp>; 2],
    looked_at: f64,
}

/// A file's modification time and length.
type Stamp = (SystemTime, u64);

impl DesignFiles {
    pub fn new(assets: PathBuf, layout: String, theme: String, watch: bool) -> Self {
        Self {
            assets,
            layout,
            theme,
            watch,
            handles: None,
            stamps: [None, None],
            looked_at: 0.0,
        }
    }

    /// The layout and theme files, in the order of `stamps`.
    fn paths(&self) -> [&String; 2] {
        [&self.layout, &self.theme]
    }

    /// How the files look on disk now.
    fn stamps_now(&self) -> [Option<Stamp>; 2] {
        self.paths().map(|path| stamp(&self.assets.join(path)))
    }

    /// Follows another layout file (the preview's layout picker).
    pub fn follow_layout(&mut self, path: String, handle: Handle<LayoutFile>) {
        if let Some((layout, _)) = &mut self.handles {
            *layout = handle;
        }
        self.layout = path;
        self.stamps = self.stamps_now();
    }

    /// Follows another theme file (the preview's theme picker).
    pub fn follow_theme(&mut self, path: String, handle: Handle<ThemeFile>) {
        if let Some((_, theme)) = &mut self.handles {
            *theme = handle;
        }
        self.theme = path;
        self.stamps = self.stamps_now();
    }
}

/// How the design files fared: the last error stays until a good version is read, so a
/// preview panel can show it and the screen keeps the last good design meanwhile.
#[derive(Resource, Default, Debug, Clone)]
pub struct DesignStatus {
    pub last_error: Option<String>,
    /// How many times a saved file has been taken into use.
    pub reloads: u64,
}

/// In preview, the `locales/` folder whose `.ftl` files are read again when saved.
#[derive(Resource, Debug, Clone)]
pub struct WordsFiles {
    pub locales: PathBuf,
    stamp: Vec<(PathBuf, Option<Stamp>)>,
    looked_at: f64,
}

impl WordsFiles {
    pub fn new(locales: PathBuf) -> Self {
        let stamp = ftl_stamps(&locales);
        Self {
            locales,
            stamp,
            looked_at: 0.0,
        }
    }
}

fn ftl_stamps(locales: &std::path::Path) -> Vec<(PathBuf, Option<Stamp>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(locales)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .flat_map(|lang| std::fs::read_dir(lang.path()).into_iter().flatten())
        .filter_map(Result::ok)
        .map(|f| f.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let s = stamp(&p);
            (p, s)
        })
        .collect()
}

/// In preview, reads the `.ftl` files again when one is saved. A catalogue with any problem is
/// not taken into use: the screen keeps its words and the panel shows the problem.
fn watch_words(
    time: Res<Time<Real>>,
    files: Option<ResMut<WordsFiles>>,
    words: Option<Res<super::Words>>,
    mut commands: Commands,
    mut status: ResMut<DesignStatus>,
    mut generation: ResMut<super::zones::ScreenGeneration>,
) {
    let (Some(mut files), Some(words)) = (files, words) else {
        return;
    };
    let now = time.elapsed_secs_f64();
    if now - files.looked_at < WATCH_SECS {
        return;
    }
    files.looked_at = now;
    let stamps = ftl_stamps(&files.locales);
    if stamps == files.stamp {
        return;
    }
    files.stamp = stamps;
    let primary = words.0.primary().to_owned();
    match Catalogue::load(&files.locales, &primary) {
        Ok((catalogue, problems)) if problems.is_empty() => {
            info!("locales changed on disk; the new words are in use");
            commands.insert_resource(super::Words(std::sync::Arc::new(catalogue)));
            status.last_error = None;
            status.reloads += 1;
            // Every text is drawn again with the new words.
            generation.0 += 1;
        }
        Ok((_, problems)) => {
            let first = problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            let error = format!(
                "{first} ({} problem(s); the screen keeps its last good words)",
                problems.len()
            );
            warn!("{error}");
            log_event::emit(LogEvent::WordsError {
                error: error.clone(),
            });
            status.last_error = Some(error);
        }
        Err(e) => {
            warn!("{e}");
            status.last_error = Some(e);
        }
    }
}

pub fn plugin(app: &mut App) {
    app.init_resource::<DesignStatus>()
        .init_asset::<LayoutFile>()
        .init_asset::<ThemeFile>()
        .register_asset_loader(LayoutLoader)
        .register_asset_loader(ThemeLoader)
        .add_systems(Startup, load_designs)
        .add_systems(
            Update,
            (watch_designs, adopt_designs, watch_words)
                .chain()
                .before(super::ScreenSystems::Decide),
        );
}

fn load_designs(assets: Res<AssetServer>, mut files: ResMut<DesignFiles>) {
    let handles = (
        assets.load(files.layout.clone()),
        assets.load(files.theme.clone()),
    );
    files.handles = Some(handles);
    // What is on disk now is what is being read; a later save differs from it.
    files.stamps = files.stamps_now();
}

/// The file's modification time and length, or `None` when it cannot be read.
fn stamp(path: &std::path::Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// In preview, asks the asset server to read a design file again when it changed on disk.
fn watch_designs(time: Res<Time<Real>>, assets: Res<AssetServer>, mut files: ResMut<DesignFiles>) {
    let now = time.elapsed_secs_f64();
    if !files.watch || now - files.looked_at < WATCH_SECS {
        return;
    }
    files.looked_at = now;
    let stamps = files.stamps_now();
    for (i, path) in files.paths().into_iter().enumerate() {
        if stamps[i] != files.stamps[i] {
            info!("{path} changed on disk; reading it again");
            assets.reload(path.clone());
        }
    }
    files.stamps = stamps;
}

/// Takes a layout or theme into use when its file has been read (at start, or again after
/// a save), and reports a file that could not be used in one line.
#[allow(
    clippy::too_many_arguments,
    reason = "two asset kinds, each with its events and its store"
)]
fn adopt_designs(
    files: Res<DesignFiles>,
    mut layout_events: MessageReader<AssetEvent<LayoutFile>>,
    mut theme_events: MessageReader<AssetEvent<ThemeFile>>,
    mut layout_failed: MessageReader<AssetLoadFailedEvent<LayoutFile>>,
    mut theme_failed: MessageReader<AssetLoadFailedEvent<ThemeFile>>,
    layouts: Res<Assets<LayoutFile>>,
    themes: Res<Assets<ThemeFile>>,
    mut active_layout: ResMut<ActiveLayout>,
    mut active_theme: ResMut<ActiveTheme>,
    mut status: ResMut<DesignStatus>,
) {
    let Some((layout, theme)) = &files.handles else {
        return;
    };
    for event in layout_events.read() {
        if let AssetEvent::LoadedWithDependencies { id } | AssetEvent::Modified { id } = event
            && *id == layout.id()
            && let Some(new) = layouts.get(*id)
        {
            status.last_error = None;
            if new.0 != active_layout.0 {
                info!("layout {} in use", files.layout);
                active_layout.0 = new.0.clone();
                status.reloads += 1;
            }
        }
    }
    for event in theme_events.read() {
        if let AssetEvent::LoadedWithDependencies { id } | AssetEvent::Modified { id } = event
            && *id == theme.id()
            && let Some(new) = themes.get(*id)
        {
            status.last_error = None;
            if new.0 != active_theme.0 {
                info!("theme {} in use", files.theme);
                active_theme.0 = new.0.clone();
                status.reloads += 1;
            }
        }
    }
    let failures = layout_failed
        .read()
        .map(|f| (f.path.to_string(), plain_error(&f.error)))
        .chain(
            theme_failed
                .read()
                .map(|f| (f.path.to_string(), plain_error(&f.error))),
        );
    for (file, error) in failures {
        log_event::emit(LogEvent::DesignError {
            file,
            error: error.clone(),
        });
        status.last_error = Some(error);
    }
}

/// The one line a person needs: our own `DesignError` (file:line: what) when the loader gave
/// it, not Bevy's wrapping of it with the loader's type name and a backtrace.
fn plain_error(error: &AssetLoadError) -> String {
    if let AssetLoadError::AssetLoaderError(e) = error
        && let Some(design) = e.error().downcast_ref::<DesignError>()
    {
        return design.to_string();
    }
    error
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}
