//! The console's words: `locales/<lang>/console.ftl`, the same Fluent catalogue (and the same
//! five languages) as the waiting-room screens.

use herald_core::catalogue::Catalogue;

/// The console's languages, in the order the language menu lists them.
pub const LANGUAGES: [(&str, &str); 5] = [
    ("sk", "Slovenčina"),
    ("uk", "Українська"),
    ("bg", "Български"),
    ("mk", "Македонски"),
    ("en", "English"),
];

pub struct Words {
    catalogue: Option<Catalogue>,
}

impl Words {
    /// Reads the catalogue from herald's data folder (`HERALD_ROOT`, the working folder,
    /// /usr/share/herald or the source tree); without it the console shows message ids.
    pub fn load() -> Self {
        let dir = herald_core::catalogue::data_root().join("locales");
        let catalogue = match Catalogue::load(&dir, "en") {
            Ok((catalogue, problems)) => {
                for p in problems {
                    tracing::warn!("console words: {p}");
                }
                Some(catalogue)
            }
            Err(e) => {
                tracing::error!("console words: {e}; the console will show message ids");
                None
            }
        };
        Self { catalogue }
    }

    pub fn text(&self, lang: &str, key: &str) -> String {
        self.with(lang, key, &[])
    }

    pub fn with(&self, lang: &str, key: &str, args: &[(&str, String)]) -> String {
        match &self.catalogue {
            Some(c) => {
                let args: Vec<(&str, fluent_bundle::FluentValue<'_>)> = args
                    .iter()
                    .map(|(k, v)| (*k, fluent_bundle::FluentValue::from(v.as_str())))
                    .collect();
                c.text(lang, key, &args)
            }
            None => key.to_owned(),
        }
    }
}

/// A supported language from a `lang` parameter or an `Accept-Language` header; English
/// otherwise.
pub fn pick(asked: Option<&str>, accept: Option<&str>) -> &'static str {
    let known = |tag: &str| {
        let primary = tag.trim().split(['-', '_', ';']).next().unwrap_or("");
        LANGUAGES
            .iter()
            .map(|(l, _)| *l)
            .find(|l| l.eq_ignore_ascii_case(primary))
    };
    asked
        .and_then(known)
        .or_else(|| accept.and_then(|a| a.split(',').find_map(known)))
        .unwrap_or("en")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_the_link_then_the_browser() {
        assert_eq!(pick(Some("uk"), Some("sk")), "uk");
        assert_eq!(pick(None, Some("mk-MK,mk;q=0.9,en;q=0.8")), "mk");
        assert_eq!(pick(Some("de"), Some("de-AT,bg;q=0.5")), "bg");
        assert_eq!(pick(None, None), "en");
    }
}
