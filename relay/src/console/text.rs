//! Text that comes from displays, made fit for a page and a log line.

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
