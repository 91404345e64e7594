//! The Bevy side of layouts and themes: the design on screen now (`ActiveLayout`,
//! `ActiveTheme`), and the asset loaders that read `*.layout.toml` and `*.theme.toml` through
//! Bevy's asset server. What a file may say, and its checks, live in `herald_core::design`.

use bevy::asset::io::Reader;
use bevy::asset::{AssetLoader, LoadContext};
use bevy::prelude::*;
use herald_core::design::{DesignError, Layout, MarkStyle, Theme, civic, shipped_layout};

/// The layout the screen shows now.
#[derive(Resource, Clone, Debug)]
pub struct ActiveLayout(pub Layout);

impl Default for ActiveLayout {
    fn default() -> Self {
        Self(shipped_layout("waiting-room").unwrap_or_else(|| Layout {
            name: "waiting-room".into(),
            zones: Vec::new(),
            recent_rows: 6,
            notice_seconds: 10.0,
            reduced_motion: false,
            mark: MarkStyle::Border,
            mark_seconds: 10.0,
            always_announce: false,
            theme: None,
            next_tickets: false,
            queue_rows: 5,
            media_seconds: 10.0,
            media_in_hero_after: None,
        }))
    }
}

/// The theme the screen shows now.
#[derive(Resource, Clone, Debug)]
pub struct ActiveTheme(pub Theme);

impl Default for ActiveTheme {
    fn default() -> Self {
        Self(civic())
    }
}

/// A layout file read by the asset server.
#[derive(Asset, TypePath, Clone, Debug)]
pub struct LayoutFile(pub Layout);

/// A theme file read by the asset server.
#[derive(Asset, TypePath, Clone, Debug)]
pub struct ThemeFile(pub Theme);

#[derive(Default, TypePath)]
pub struct LayoutLoader;

#[derive(Default, TypePath)]
pub struct ThemeLoader;

async fn read_text(reader: &mut dyn Reader, file: &str) -> Result<String, DesignError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| DesignError {
            file: file.to_owned(),
            line: 1,
            message: format!("cannot be read: {e}"),
        })?;
    String::from_utf8(bytes).map_err(|_| DesignError {
        file: file.to_owned(),
        line: 1,
        message: "is not UTF-8 text".into(),
    })
}

impl AssetLoader for LayoutLoader {
    type Asset = LayoutFile;
    type Settings = ();
    type Error = DesignError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<LayoutFile, DesignError> {
        let file = format!("assets/{}", load_context.path());
        let text = read_text(reader, &file).await?;
        Layout::parse(&text, &file).map(LayoutFile)
    }

    fn extensions(&self) -> &[&str] {
        &["layout.toml"]
    }
}

impl AssetLoader for ThemeLoader {
    type Asset = ThemeFile;
    type Settings = ();
    type Error = DesignError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<ThemeFile, DesignError> {
        let file = format!("assets/{}", load_context.path());
        let text = read_text(reader, &file).await?;
        Theme::parse(&text, &file).map(ThemeFile)
    }

    fn extensions(&self) -> &[&str] {
        &["theme.toml"]
    }
}
