//! Which system voice speaks each language.

/// Picks the voice for `lang` from `(name, primary language)` pairs: the office's choice when
/// the system has it, else the plain voice of the language (espeak-ng lists every variant, e.g.
/// "Bulgarian" and "Bulgarian+Adam"; the plain one is preferred), else the shortest name.
pub fn choose_voice(
    offered: &[(String, String)],
    lang: &str,
    wanted: Option<&String>,
) -> Option<String> {
    if let Some(wanted) = wanted
        && let Some((name, _)) = offered.iter().find(|(n, _)| n == wanted)
    {
        return Some(name.clone());
    }
    offered
        .iter()
        .filter(|(_, l)| l.eq_ignore_ascii_case(lang))
        .min_by_key(|(name, _)| (name.contains('+'), name.len(), name.clone()))
        .map(|(name, _)| name.clone())
}
