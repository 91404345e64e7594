//! Text that comes from displays, made fit for a page and a log line; times as a page shows them.

use chrono::{DateTime, Local};

/// At most `chars` characters.
pub fn clip(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// Text from a display as a person should see it in the console: control characters and
/// bidi overrides shown as their code (`⟦U+202E⟧`) instead of acting on the page.
pub fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        {
            out.push_str(&format!("⟦U+{:04X}⟧", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// When a display's state is worth a timestamp in a page ("offline since 10:42").
pub fn since_text(at: DateTime<Local>) -> String {
    if at.date_naive() == Local::now().date_naive() {
        at.format("%H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// How long ago, in whole seconds.
pub fn ago(at: DateTime<Local>) -> i64 {
    (Local::now() - at).num_seconds().max(0)
}

pub fn thumbnail_width() -> u32 {
    320
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_overrides_and_controls_are_shown_not_obeyed() {
        assert_eq!(shown("hall\u{202E}gnp.exe"), "hall⟦U+202E⟧gnp.exe");
        assert_eq!(shown("a\nb"), "a⟦U+000A⟧b");
        assert_eq!(shown("<script>"), "<script>", "markup is the page's job");
        assert_eq!(shown("Košice — Київ"), "Košice — Київ");
    }
}
