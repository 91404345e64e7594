//! The config file with the real binary: `herald check --config` accepts a good file and
//! refuses a bad one with `file:line: what`; a screen started from a file uses it, and the
//! command line wins over it.

mod support;

use std::path::PathBuf;
use std::process::Command;

fn folder() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("config");
    std::fs::create_dir_all(&dir).expect("test folder");
    dir
}

fn herald(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(args)
        .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("herald runs")
}

#[test]
fn check_accepts_the_example_and_refuses_a_broken_file_with_its_line() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/herald.example.toml");
    let out = herald(&["check", "--config", example]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("herald.example.toml is valid"), "{stdout}");

    let broken = folder().join("broken.toml");
    std::fs::write(&broken, "lang = [\"uk\"]\nvolume = 140\n").expect("file");
    let out = herald(&["check", "--config", &broken.to_string_lossy()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a broken file passed the check");
    assert!(
        stderr.contains("broken.toml:2: volume: invalid value '140'"),
        "{stderr}"
    );

    // Mistakes found after reading (what a key names, how keys go together) at their line too.
    let cases = [
        (
            "lang = [\"uk\"]\nlayout = \"lobby\"\n",
            "lobby.toml:2: layout",
            "no such layout",
        ),
        ("\ntheme = \"pink\"\n", "pink.toml:2: theme", "pink"),
        (
            "token_file = \"/nonexistent/token\"\n",
            "token.toml:1: token_file",
            "/nonexistent/token",
        ),
        (
            "feed = \"wss://hall:pw@queue.example/d\"\n",
            "creds.toml:1: feed",
            "user name or password",
        ),
        (
            "lang = [\"sk\"]\nstatus = \"0.0.0.0:9797\"\n",
            "open.toml:2: status",
            "status_token_file",
        ),
    ];
    for (name, (text, at, what)) in ["lobby", "pink", "token", "creds", "open"]
        .iter()
        .zip(cases)
    {
        let file = folder().join(format!("{name}.toml"));
        std::fs::write(&file, text).expect("file");
        let out = herald(&["check", "--config", &file.to_string_lossy()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: passed the check");
        assert!(
            stderr.contains(at) && stderr.contains(what),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("pw@"), "a password in the error: {stderr}");
    }
    let latin1 = folder().join("latin1.toml");
    std::fs::write(
        &latin1,
        b"lang = [\"sk\"]\noffice_name = \"Mesto \xdailina\"\n",
    )
    .expect("file");
    let out = herald(&["check", "--config", &latin1.to_string_lossy()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("latin1.toml:2: not UTF-8"), "{stderr}");
}

#[test]
fn a_screen_starts_from_its_file_and_the_command_line_wins() {
    let file = folder().join("hall.toml");
    // The file's layout does not exist: only the command line's choice lets the screen start.
    std::fs::write(
        &file,
        "layout = \"lobby\"\nlang = [\"uk\"]\ndistance = 8.0\nscreen_height_mm = 1080.0\n\
         log_json = true\nmute = true\n",
    )
    .expect("file");
    let shot = folder().join("hall.png");
    let out = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1920x1080x24"])
        .arg(env!("CARGO_BIN_EXE_herald"))
        .args([
            "--config",
            &file.to_string_lossy(),
            "--layout",
            "waiting-room",
        ])
        .args(["--screenshot", &shot.to_string_lossy(), "--after", "2"])
        .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("xvfb-run must be installed (the README's test command installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // log_json and the room's size came from the file.
    let sizing = stdout
        .lines()
        .find(|l| l.contains("\"room_sizing\""))
        .unwrap_or_else(|| panic!("no room_sizing line: the file was not used\n{stdout}"));
    assert!(sizing.contains("\"distance_m\":8.0"), "{sizing}");
    assert!(shot.is_file());
}

#[test]
fn check_never_hangs_on_a_speech_dispatcher_that_never_answers() {
    use std::time::{Duration, Instant};
    let socket = folder().join(format!("hung-{}.sock", std::process::id()));
    let address = support::speech::hung_speech_dispatcher(&socket);
    let mut child = Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("check")
        .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
        .env("SPEECHD_ADDRESS", address)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("herald runs");
    // Not a timing target: a check that hangs never ends, one that works ends after its limit.
    let started = Instant::now();
    while child.try_wait().expect("waitable").is_none() {
        if started.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!(
                "herald check still hangs after 5 minutes on a speech-dispatcher that never answers"
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "a hung voice passed the check");
    assert!(
        stdout.contains("speech-dispatcher did not answer within"),
        "{stdout}"
    );
    let _ = std::fs::remove_file(&socket);
}
