//! The preview's "Voice pack" panel: record the office's own voice, word by word, for each
//! spoken language. It lists every word a call may need with what to say, records one from the
//! default microphone with a level meter, keeps it trimmed and levelled, plays it back, shows
//! which words are still missing, and speaks a dozen test calls joined from the pack.
//!
//! A display picks up new recordings when it starts (a running announcer keeps the pack it
//! loaded), so staff record in the preview and the wall restarts once.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::egui;

use crate::screen::Words;
use crate::voice::pack::recorder::Studio;

/// The studios, one per spoken language, and the one shown.
#[derive(Resource, Default)]
pub struct VoiceStudio {
    pub studios: Vec<Studio>,
    pub shown: usize,
    /// List only the words still to record.
    pub only_missing: bool,
    /// A pack was given with --voice-pack and lacks words: staff are recording, so the
    /// section starts open.
    pub open: bool,
}

/// Floors whose phrases the panel offers to record (0 is the ground floor).
const FLOORS: i32 = 5;

impl VoiceStudio {
    /// A studio per language, recording into its `--voice-pack` folder, else
    /// `voice-packs/<lang>` under `default_root`.
    pub fn new(
        catalogue: &herald_core::catalogue::Catalogue,
        langs: &[String],
        packs: &[(String, PathBuf)],
        default_root: &std::path::Path,
    ) -> Self {
        let studios = langs
            .iter()
            .map(|lang| {
                let dir = packs
                    .iter()
                    .find(|(l, _)| l == lang)
                    .map(|(_, d)| d.clone())
                    .unwrap_or_else(|| default_root.join("voice-packs").join(lang));
                Studio::new(catalogue, lang, dir, FLOORS)
            })
            .collect::<Vec<Studio>>();
        let open = studios
            .iter()
            .any(|s| packs.iter().any(|(l, _)| *l == s.lang) && s.recorded() < s.words.len());
        Self {
            studios,
            shown: 0,
            only_missing: false,
            open,
        }
    }
}

pub(super) fn studio_section(ui: &mut egui::Ui, studio: &mut VoiceStudio, words: &Words) {
    egui::CollapsingHeader::new("Voice pack (record the office's voice)")
        .default_open(studio.open)
        .show(ui, |ui| {
            if studio.studios.is_empty() {
                ui.label("muted (--mute): nothing is spoken, so no pack is needed");
                return;
            }
            ui.horizontal(|ui| {
                for i in 0..studio.studios.len() {
                    let lang = studio.studios[i].lang.clone();
                    ui.selectable_value(&mut studio.shown, i, lang);
                }
            });
            ui.checkbox(&mut studio.only_missing, "only the words still to record");
            let only_missing = studio.only_missing;
            let shown = studio.shown.min(studio.studios.len() - 1);
            let s = &mut studio.studios[shown];
            ui.label(format!(
                "{} of {} words recorded in {}",
                s.recorded(),
                s.words.len(),
                s.dir.display()
            ));
            if let Some((key, recorder)) = &s.recording {
                ui.label(format!("● recording {key}: {:.1} s", recorder.seconds()));
                ui.add(egui::ProgressBar::new(recorder.level().clamp(0.0, 1.0)).text("level"));
                // The meter moves while the take runs.
                ui.ctx().request_repaint();
            }
            if !s.message.is_empty() {
                ui.label(&s.message);
            }
            if ui.button("Speak 12 test calls").clicked() {
                s.speak_test_calls(&words.0);
            }
            let recording = s.recording.as_ref().map(|(k, _)| k.clone());
            let rows: Vec<(String, String, bool)> = s
                .words
                .iter()
                .map(|w| (w.key.clone(), w.text.clone(), s.has(&w.key)))
                .collect();
            egui::ScrollArea::vertical()
                .id_salt("voice-pack-words")
                .max_height(320.0)
                .show(ui, |ui| {
                    egui::Grid::new("voice-pack-grid")
                        .num_columns(4)
                        .striped(true)
                        .show(ui, |ui| {
                            for (key, text, has) in rows {
                                if only_missing && has {
                                    continue;
                                }
                                ui.label(if has { "✔" } else { "–" });
                                ui.label(egui::RichText::new(&key).monospace());
                                ui.label(format!("„{text}“"));
                                ui.horizontal(|ui| {
                                    if recording.as_deref() == Some(key.as_str()) {
                                        if ui.button("Stop").clicked() {
                                            s.stop();
                                        }
                                    } else if ui.button("Record").clicked() {
                                        s.record(&key);
                                    }
                                    if has && ui.button("Play").clicked() {
                                        s.play_word(&key);
                                    }
                                });
                                ui.end_row();
                            }
                        });
                });
        });
}
