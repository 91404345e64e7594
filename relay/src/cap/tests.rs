use super::*;

fn sample(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cap")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rajec() -> OfficeSite {
    let mut office = OfficeSite::open("sk.rajec", "sk");
    office.cap_areas = vec!["Rajec".into()];
    office
}

fn raised(t: Translation) -> Emergency {
    match t {
        Translation::Events(events) => match events.as_slice() {
            [ServerMessage::Emergency { emergency, .. }] => emergency.clone(),
            other => panic!("not one emergency: {other:?}"),
        },
        Translation::Ignored(why) => panic!("ignored: {why}"),
    }
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

#[test]
fn an_alert_raises_an_update_replaces_and_a_cancel_clears() {
    let office = rajec();
    let mut board = Board::new();
    board.apply(&ServerMessage::Snapshot {
        v: VERSION,
        seq: 0,
        state: Default::default(),
    });
    let first = raised(translate(&sample("alert.xml"), &office, &board, now()).expect("alert"));
    assert_eq!(first.id, "cap:ZA-RAJEC-2026-0001");
    assert_eq!(first.kind, EmergencyKind::Evacuation);
    assert_eq!(
        first.text.get("sk").map(String::as_str),
        Some(
            "Únik plynu v budove mestského úradu. Okamžite opustite budovu hlavným vchodom a \
             zhromaždite sa na námestí."
        )
    );
    assert!(
        first
            .expires
            .as_deref()
            .is_some_and(|e| e.starts_with("2036-12-04T12:00:00"))
    );
    board.apply(&ServerMessage::Emergency {
        v: VERSION,
        seq: 1,
        emergency: first,
    });
    let second = raised(translate(&sample("update.xml"), &office, &board, now()).expect("update"));
    assert_eq!(second.id, "cap:ZA-RAJEC-2026-0002");
    assert!(second.text["sk"].contains("parku za kostolom"));
    // A cancel of the first alert no longer matches: the update replaced it.
    board.apply(&ServerMessage::Emergency {
        v: VERSION,
        seq: 2,
        emergency: second,
    });
    match translate(&sample("cancel.xml"), &office, &board, now()).expect("cancel") {
        Translation::Events(events) => assert!(matches!(
            events.as_slice(),
            [ServerMessage::EmergencyCleared { emergency_id, .. }] if emergency_id == "cap:ZA-RAJEC-2026-0002"
        )),
        Translation::Ignored(why) => panic!("cancel ignored: {why}"),
    }
}

#[test]
fn two_languages_give_two_texts_and_expired_or_foreign_alerts_change_nothing() {
    let office = rajec();
    let board = Board::new();
    let both = raised(
        translate(&sample("two-languages.xml"), &office, &board, now()).expect("two languages"),
    );
    assert_eq!(both.text.keys().collect::<Vec<_>>(), ["sk", "uk"]);
    assert!(both.text["uk"].starts_with("Відключення електроенергії."));
    assert_eq!(both.kind, EmergencyKind::Other);
    for (name, why) in [("expired.xml", "expired"), ("elsewhere.xml", "no <area>")] {
        match translate(&sample(name), &office, &board, now()).expect(name) {
            Translation::Ignored(reason) => assert!(reason.contains(why), "{name}: {reason}"),
            Translation::Events(e) => panic!("{name} made {e:?}"),
        }
    }
    // An office that names no areas takes every alert posted to it.
    let open = OfficeSite::open("sk.rajec", "sk");
    raised(translate(&sample("elsewhere.xml"), &open, &board, now()).expect("no areas"));
}

#[test]
fn what_is_not_cap_is_refused_with_the_parsers_reason() {
    let office = rajec();
    let board = Board::new();
    for body in [
        sample("invalid.xml"),
        b"{\"type\":\"emergency\"}".to_vec(),
        b"<alert><unclosed>".to_vec(),
        vec![0xff, 0xfe, 0x00],
    ] {
        let Err(BadBody(why)) = translate(&body, &office, &board, now()) else {
            panic!("accepted {:?}", String::from_utf8_lossy(&body));
        };
        assert!(why.contains("CAP"), "{why}");
    }
}

#[test]
fn text_from_a_cap_source_is_one_plain_line() {
    assert_eq!(plain("  a\n\tb \u{202E}c ", 100), "a b c");
    assert_eq!(plain("abcdef", 4), "abc…");
}
