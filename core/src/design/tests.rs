use super::*;

#[test]
fn every_shipped_layout_and_theme_reads_cleanly() {
    for (name, text) in SHIPPED_LAYOUTS {
        let layout = Layout::parse(text, name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(layout.name, name);
    }
    for (name, text) in SHIPPED_THEMES {
        let theme = Theme::parse(text, name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(theme.name, name);
    }
    let wall = shipped_layout("waiting-room").expect("shipped");
    assert!(wall.zone(ZoneKind::Hero).is_some());
    assert!(
        shipped_layout("counter")
            .and_then(|l| l.zone(ZoneKind::Counter).cloned())
            .is_some()
    );
}

#[test]
fn a_broken_layout_names_the_file_the_line_and_the_mistake() {
    let cases = [
        (
            "name = \"x\"\n\n[[zone]]\nkind = \"hero\"\nrect = { left = 50, top = 0, width = 60, height = 50 }\n",
            3,
            "past the right edge",
        ),
        (
            "name = \"x\"\n[[zone]]\nkind = \"heroo\"\nrect = { left = 0, top = 0, width = 10, height = 10 }\n",
            3,
            "heroo",
        ),
        ("name = \"x\"\n[[zone]\n", 2, ""),
        ("name = \"x\"\n", 1, "no [[zone]]"),
        (
            "name = \"x\"\n[[zone]]\nkind = \"notice\"\nrect = { left = 0, top = 90, width = 100, height = 20 }\n",
            2,
            "bottom edge",
        ),
    ];
    for (text, line, words) in cases {
        let e = Layout::parse(text, "assets/layouts/x.layout.toml").expect_err(text);
        assert_eq!(e.line, line, "{e}");
        assert!(e.message.contains(words), "{e}");
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("assets/layouts/x.layout.toml:{line}: ")),
            "{shown}"
        );
        assert!(!shown.contains('\n'), "one line: {shown}");
    }
}

#[test]
fn every_text_colour_of_the_shipped_themes_has_aaa_contrast_on_its_background() {
    use crate::colour::contrast;
    for (name, text) in SHIPPED_THEMES {
        let t = Theme::parse(text, name).unwrap_or_else(|e| panic!("{e}"));
        let pairs = [
            ("text on panel", t.text, t.panel),
            ("muted on panel", t.muted, t.panel),
            ("accent on panel", t.accent, t.panel),
            ("paused on panel", t.paused, t.panel),
            ("closed on panel", t.closed, t.panel),
            ("text on header", t.text, t.header),
            ("muted on header", t.muted, t.header),
            ("alert on header", t.alert, t.header),
            ("text on background", t.text, t.background),
            ("muted on background", t.muted, t.background),
            ("text on highlight", t.text_on_highlight, t.highlight),
            ("recall badge", t.accent, t.text_on_highlight),
            ("emergency text", t.emergency_text, t.emergency),
        ];
        for (what, fg, bg) in pairs {
            let ratio = contrast(fg, bg);
            assert!(ratio >= 7.0, "{name}: {what} is {ratio:.2}:1, below 7:1");
        }
    }
}

#[test]
fn a_bad_colour_names_its_line() {
    let text = SHIPPED_THEMES[0]
        .1
        .replace("panel = \"#122941\"", "panel = \"navy\"");
    let e = Theme::parse(&text, "assets/themes/civic.theme.toml").expect_err("bad colour");
    let expected = text
        .lines()
        .position(|l| l.starts_with("panel ="))
        .map(|i| i + 1);
    assert_eq!(Some(e.line), expected, "{e}");
    assert!(e.message.contains("colors.panel"), "{e}");
}
