//! The words: every language is complete, formats, and can be drawn with the bundled fonts;
//! `herald check` catches a broken `.ftl` with a message that says where.

use std::path::{Path, PathBuf};
use std::process::Command;

use herald::check;
use herald_core::catalogue::Catalogue;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_five_languages_are_complete_and_every_message_formats() {
    let (catalogue, problems) = Catalogue::load(&root().join("locales"), "sk").expect("load");
    assert!(problems.is_empty(), "{problems:?}");
    let langs: Vec<&str> = catalogue.languages().collect();
    for lang in ["bg", "en", "mk", "sk", "uk"] {
        assert!(langs.contains(&lang), "{lang} missing");
        let (missing, extra) = catalogue.compare_with_reference(lang);
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{lang}: missing {missing:?}, extra {extra:?}"
        );
        let (strings, errors) = check::formatted_strings(&catalogue, lang);
        assert!(errors.is_empty(), "{errors:?}");
        for s in strings {
            assert!(!s.trim().is_empty(), "{lang}: an empty string");
            assert!(
                !s.contains('\u{2068}') && !s.contains('\u{2069}'),
                "{lang}: isolation marks in {s:?}"
            );
        }
    }
}

#[test]
fn floors_read_naturally() {
    let (catalogue, _) = Catalogue::load(&root().join("locales"), "sk").expect("load");
    let floor = |lang: &str, n: i32| {
        catalogue.text(lang, "floor-name", &herald_core::catalogue::floor_args(n))
    };
    assert_eq!(floor("sk", 0), "prízemie");
    assert_eq!(floor("sk", 2), "2. poschodie");
    assert_eq!(floor("en", 1), "1st floor");
    assert_eq!(floor("mk", 0), "приземје");
    // Ukrainian and Bulgarian buildings count the ground floor as the first.
    assert_eq!(floor("uk", 0), "1 поверх");
    assert_eq!(floor("bg", 2), "етаж 3");
}

#[test]
fn every_character_herald_draws_is_in_the_bundled_fonts() {
    let found = check::problems(root());
    assert!(found.is_empty(), "herald check found: {found:#?}");
    // And the check really looks: Noto Sans has no arrow, DejaVu Sans Bold has.
    let noto = std::fs::read(root().join(check::TEXT_FONTS[0])).expect("font");
    assert!(
        check::missing_glyphs(&noto, "→")
            .expect("font")
            .contains(&'→')
    );
    assert!(
        check::missing_glyphs(&noto, "ľščťžýáíéôäňďĺŕ їєґі ќѓѕљњџ")
            .expect("font")
            .is_empty()
    );
    let dejavu = std::fs::read(root().join(check::ARROW_FONT)).expect("font");
    assert!(
        check::missing_glyphs(&dejavu, "→")
            .expect("font")
            .is_empty()
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn herald_check_fails_clearly_on_a_broken_ftl() {
    let temp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("broken-locales");
    let _ = std::fs::remove_dir_all(&temp);
    copy_dir(&root().join("locales"), &temp.join("locales"));
    copy_dir(&root().join("assets"), &temp.join("assets"));
    let sk = temp.join("locales/sk/herald.ftl");
    let mut text = std::fs::read_to_string(&sk).expect("sk");
    text = text.replace("recall = Opakované vyvolanie\n", "recall = { $broken\n");
    text.push_str("stray = Žlté ☃\n");
    std::fs::write(&sk, text).expect("write");

    let output = Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("check")
        .env("HERALD_ROOT", &temp)
        .output()
        .expect("run herald check");
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "a broken .ftl must fail the check:\n{report}"
    );
    assert!(
        report.contains("sk/herald.ftl:"),
        "the report names the file and line:\n{report}"
    );
    assert!(report.contains("missing `recall`"), "{report}");
    assert!(report.contains("extra `stray`"), "{report}");
    assert!(
        report.contains("'☃'") || report.contains('☃'),
        "undrawable character reported:\n{report}"
    );

    // (The machine's part, voice and sound, is checked in announce.rs with a real sound room.)
    let good = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["--mute", "--status", "off", "check"])
        .env("HERALD_ROOT", root())
        .output()
        .expect("run herald check");
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
}

fn sample_call(ticket: &str, floor: Option<i32>, recall: bool) -> herald_core::protocol::Call {
    herald_core::protocol::Call {
        floor,
        recall,
        ..herald_core::protocol::Call::new("c", ticket, "3", "2026-11-22T09:00:00Z")
    }
}

#[test]
fn a_call_is_spoken_naturally_in_every_language() {
    use herald_core::announcement::{spoken_call, spoken_ticket};
    let (catalogue, _) = Catalogue::load(&root().join("locales"), "sk").expect("load");
    assert_eq!(
        spoken_ticket(&catalogue, "sk", "A042"),
        "písmeno A štyridsaťdva"
    );
    assert_eq!(
        spoken_ticket(&catalogue, "uk", "A042"),
        "літера а сорок два"
    );
    assert_eq!(
        spoken_ticket(&catalogue, "en", "PAS-007"),
        "pee ay ess seven"
    );
    assert_eq!(spoken_ticket(&catalogue, "bg", "K000"), "ка нула");
    let expected = [
        (
            "sk",
            "Lístok písmeno A štyridsaťdva, prosíme, pristúpte k okienku číslo tri, na prvom poschodí.",
        ),
        (
            "uk",
            "Талон літера а сорок два, будь ласка, підійдіть до вікна номер три, на другому поверсі.",
        ),
        (
            "bg",
            "Номер буква а четиридесет и две, моля, заповядайте на гише номер три, на втория етаж.",
        ),
        (
            "mk",
            "Број буквата а четириесет и два, ве молиме, дојдете на шалтер број три, на првиот кат.",
        ),
        (
            "en",
            "Ticket ay forty-two, please go to counter three, on the first floor.",
        ),
    ];
    for (lang, sentence) in expected {
        assert_eq!(
            spoken_call(&catalogue, lang, &sample_call("A042", Some(1), false)),
            sentence
        );
    }
    assert_eq!(
        spoken_call(&catalogue, "sk", &sample_call("B007", None, true)),
        "Opakujeme: lístok bé sedem, okienko číslo tri."
    );
}

#[test]
fn plural_forms_follow_cldr() {
    let (catalogue, _) = Catalogue::load(&root().join("locales"), "sk").expect("load");
    let waiting = |lang: &str, n: i64| {
        catalogue.text(
            lang,
            "people-waiting",
            &[("count", fluent_bundle::FluentValue::from(n))],
        )
    };
    assert_eq!(waiting("sk", 1), "1 človek čaká");
    assert_eq!(waiting("sk", 3), "3 ľudia čakajú");
    assert_eq!(waiting("sk", 5), "5 ľudí čaká");
    assert_eq!(waiting("sk", 0), "0 ľudí čaká");
    assert_eq!(waiting("uk", 21), "21 людина чекає");
    assert_eq!(waiting("uk", 22), "22 людини чекають");
    assert_eq!(waiting("uk", 11), "11 людей чекають");
    assert_eq!(waiting("uk", 5), "5 людей чекають");
    assert_eq!(waiting("mk", 21), "21 човек чека");
    assert_eq!(waiting("mk", 11), "11 луѓе чекаат");
    assert_eq!(waiting("bg", 1), "1 човек чака");
    assert_eq!(waiting("bg", 2), "2 души чакат");
    assert_eq!(waiting("en", 1), "1 person waiting");
    assert_eq!(waiting("en", 101), "101 people waiting");
}

#[test]
fn a_missing_message_falls_back_to_the_primary_language_then_english_never_a_raw_key() {
    let temp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fallback-locales");
    let _ = std::fs::remove_dir_all(&temp);
    copy_dir(&root().join("locales"), &temp);
    // Ukrainian loses `recall`, Slovak loses `recent-calls`.
    for (lang, key) in [("uk", "recall = "), ("sk", "recent-calls = ")] {
        let path = temp.join(lang).join("herald.ftl");
        let text = std::fs::read_to_string(&path).expect("ftl");
        let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with(key)).collect();
        std::fs::write(&path, kept.join("\n")).expect("write");
    }
    let (catalogue, _) = Catalogue::load(&temp, "sk").expect("load");
    assert_eq!(
        catalogue.text("uk", "recall", &[]),
        "Opakované vyvolanie",
        "uk → primary sk"
    );
    assert_eq!(
        catalogue.text("sk", "recent-calls", &[]),
        "Recent calls",
        "sk → en"
    );
    assert_eq!(
        catalogue.text("uk", "no-such-key", &[]),
        "no such key",
        "never a raw key"
    );
}
