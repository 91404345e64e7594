//! The catalogue: every word herald shows or speaks, from `locales/<lang>/*.ftl` (Fluent).
//!
//! Bundles are built once at start. A lookup falls back from the requested language to the
//! office's primary one, then to English; a missing key is logged once and never shows as a
//! raw key or an empty zone.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The language every other one is checked against, and the last fallback.
pub const REFERENCE: &str = "en";

/// A problem found while loading the `.ftl` files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadProblem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

pub struct Catalogue {
    bundles: BTreeMap<String, FluentBundle<FluentResource>>,
    /// Message ids per language, for the completeness check.
    keys: BTreeMap<String, Vec<String>>,
    primary: String,
    logged: Mutex<HashSet<(String, String)>>,
}

impl Catalogue {
    /// Loads every `locales/<lang>/*.ftl`. Syntax errors are returned alongside the catalogue
    /// (the rest of the file still loads), so `herald check` can report them all.
    pub fn load(dir: &Path, primary: &str) -> Result<(Self, Vec<LoadProblem>), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            format!(
                "cannot read the locales folder {}: {e}; run herald from its folder or set HERALD_ROOT",
                dir.display()
            )
        })?;
        let mut problems = Vec::new();
        let mut bundles = BTreeMap::new();
        let mut keys = BTreeMap::new();
        let mut langs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        langs.sort();
        for lang_dir in langs {
            let Some(lang) = lang_dir
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_owned)
            else {
                continue;
            };
            let id: LanguageIdentifier = match lang.parse() {
                Ok(id) => id,
                Err(_) => {
                    problems.push(LoadProblem {
                        file: lang_dir.clone(),
                        line: 0,
                        message: format!(
                            "folder name {lang:?} is not a language tag (use e.g. sk, uk, bg)"
                        ),
                    });
                    continue;
                }
            };
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Isolation marks (U+2068/U+2069) would show as boxes and reach the voice.
            bundle.set_use_isolating(false);
            let mut ids = Vec::new();
            let mut files: Vec<PathBuf> = std::fs::read_dir(&lang_dir)
                .map_err(|e| format!("cannot read {}: {e}", lang_dir.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
                .collect();
            files.sort();
            for file in files {
                let source = std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                let resource = match FluentResource::try_new(source.clone()) {
                    Ok(resource) => resource,
                    Err((resource, errors)) => {
                        for error in errors {
                            let line = source[..error.pos.start.min(source.len())]
                                .matches('\n')
                                .count()
                                + 1;
                            problems.push(LoadProblem {
                                file: file.clone(),
                                line,
                                message: format!("Fluent syntax error: {:?}", error.kind),
                            });
                        }
                        resource
                    }
                };
                for entry in resource.entries() {
                    if let fluent_syntax::ast::Entry::Message(m) = entry {
                        ids.push(m.id.name.to_owned());
                    }
                }
                if let Err(errors) = bundle.add_resource(resource) {
                    for error in errors {
                        problems.push(LoadProblem {
                            file: file.clone(),
                            line: 0,
                            message: format!("{error}"),
                        });
                    }
                }
            }
            ids.sort();
            keys.insert(lang.clone(), ids);
            bundles.insert(lang, bundle);
        }
        if !bundles.contains_key(REFERENCE) {
            return Err(format!(
                "{} has no `{REFERENCE}` folder; English is the fallback every lookup needs",
                dir.display()
            ));
        }
        let primary = if bundles.contains_key(primary) {
            primary.to_owned()
        } else {
            tracing::warn!(
                "display language {primary:?} has no folder in {}; using {REFERENCE}",
                dir.display()
            );
            REFERENCE.to_owned()
        };
        Ok((
            Self {
                bundles,
                keys,
                primary,
                logged: Mutex::new(HashSet::new()),
            },
            problems,
        ))
    }

    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.bundles.keys().map(String::as_str)
    }

    pub fn has_language(&self, lang: &str) -> bool {
        self.bundles.contains_key(lang)
    }

    pub fn primary(&self) -> &str {
        &self.primary
    }

    /// Message ids of one language.
    pub fn keys(&self, lang: &str) -> &[String] {
        self.keys.get(lang).map_or(&[], Vec::as_slice)
    }

    /// Keys missing from `lang` and extra in it, compared with English.
    pub fn compare_with_reference(&self, lang: &str) -> (Vec<String>, Vec<String>) {
        let reference: HashSet<&String> = self.keys(REFERENCE).iter().collect();
        let own: HashSet<&String> = self.keys(lang).iter().collect();
        let mut missing: Vec<String> = reference.difference(&own).map(|s| (*s).clone()).collect();
        let mut extra: Vec<String> = own.difference(&reference).map(|s| (*s).clone()).collect();
        missing.sort();
        extra.sort();
        (missing, extra)
    }

    /// Formats `key` in `lang`, falling back to the primary language, then English.
    pub fn text(&self, lang: &str, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        for candidate in [lang, self.primary.as_str(), REFERENCE] {
            if let Some(text) = self.try_text(candidate, key, &fluent_args) {
                return text;
            }
            self.log_once(candidate, key);
        }
        // Not even English has it: show something readable rather than a raw key.
        key.replace('-', " ")
    }

    /// Formats `key` in exactly `lang`, with no fallback. `None` when missing or broken.
    pub fn try_text(&self, lang: &str, key: &str, args: &FluentArgs<'_>) -> Option<String> {
        let bundle = self.bundles.get(lang)?;
        let pattern = bundle.get_message(key)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(args), &mut errors);
        if errors.is_empty() {
            Some(text.into_owned())
        } else {
            tracing::warn!(
                "locales/{lang}: message `{key}` has formatting errors: {errors:?}; using a fallback language"
            );
            None
        }
    }

    fn log_once(&self, lang: &str, key: &str) {
        if let Ok(mut logged) = self.logged.lock()
            && logged.insert((lang.to_owned(), key.to_owned()))
        {
            tracing::warn!(
                "locales/{lang}: message `{key}` is missing; add it to locales/{lang}/herald.ftl (showing a fallback language meanwhile)"
            );
        }
    }
}

/// Arguments for `floor-name`: `$floor` (0 = ground floor) and `$storey` (`$floor` + 1), since
/// Ukrainian and Bulgarian buildings count the ground floor as the first.
pub fn floor_args(floor: i32) -> [(&'static str, FluentValue<'static>); 2] {
    [
        ("floor", FluentValue::from(floor)),
        ("storey", FluentValue::from(floor.saturating_add(1))),
    ]
}

/// Finds the folder holding `assets/` and `locales/`: `HERALD_ROOT`, else the current folder
/// when it has them, else `/usr/share/herald` (the package), else the workspace herald was
/// built from.
pub fn data_root() -> PathBuf {
    if let Some(root) = std::env::var_os("HERALD_ROOT") {
        return PathBuf::from(root);
    }
    let complete = |dir: &Path| dir.join("locales").is_dir() && dir.join("assets").is_dir();
    if let Ok(cwd) = std::env::current_dir()
        && complete(&cwd)
    {
        return cwd;
    }
    // Where the Debian package puts them.
    let installed = Path::new("/usr/share/herald");
    if complete(installed) {
        return installed.to_path_buf();
    }
    // The workspace this crate lives in (`core/..`).
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    core.parent().unwrap_or(core).to_path_buf()
}
