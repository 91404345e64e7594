//! herald itself under Xvfb, its `--log-json` lines read as they come.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// herald under Xvfb with its JSON log read line by line.
pub struct Herald {
    child: Child,
    lines: mpsc::Receiver<Value>,
    pub log: Vec<Value>,
    stderr: PathBuf,
    /// Where the X display's name is written when herald starts.
    display_file: PathBuf,
    stopped: bool,
}

impl Drop for Herald {
    /// A test that fails half-way must not leave herald running (it would go on writing into
    /// the next run's files and loading the machine).
    fn drop(&mut self) {
        if !self.stopped {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = self.child.wait();
        }
    }
}

impl Herald {
    /// Starts herald under Xvfb at 1280×720 with `--log-json`; its stderr goes to `dir/name.stderr`
    /// and `XDG_RUNTIME_DIR` is `dir` (a private sound system, or none).
    pub fn start(dir: &Path, name: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        use std::os::unix::process::CommandExt;
        let stderr = dir.join(format!("{name}.stderr"));
        let display_file = dir.join(format!("{name}.display"));
        let _ = std::fs::remove_file(&display_file);
        let mut command = Command::new("xvfb-run");
        command
            // `-ac`: a test may read the screen's pixels over X without the session's cookie.
            .args(["-a", "-s", "-ac -screen 0 1280x720x24"])
            // Tell the test which display xvfb-run picked, then become herald.
            .args(["sh", "-c", "echo \"$DISPLAY\" > \"$0\"; exec \"$@\""])
            .arg(&display_file)
            .arg(env!("CARGO_BIN_EXE_herald"))
            .args(["--size", "1280x720", "--log-json"])
            // Tests run side by side: only those that ask for the status endpoints get them.
            .args(if args.contains(&"--status") {
                &[][..]
            } else {
                &["--status", "off"][..]
            })
            .args(args)
            .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
            .env("XDG_RUNTIME_DIR", dir)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            // Its own process group, so xvfb-run, Xvfb and herald stop together.
            .process_group(0);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command
            .spawn()
            .expect("xvfb-run must be installed (the README's test command installs it)");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str::<Value>(&line) {
                    let _ = tx.send(value);
                }
            }
        });
        Self {
            child,
            lines,
            log: Vec::new(),
            stderr,
            display_file,
            stopped: false,
        }
    }

    /// The X display herald draws on (":99"), once xvfb-run has started it.
    pub fn display(&self) -> String {
        let end = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(name) = std::fs::read_to_string(&self.display_file)
                && !name.trim().is_empty()
            {
                return name.trim().to_owned();
            }
            assert!(
                Instant::now() < end,
                "xvfb-run did not say which display it started"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `count` events named `event` were logged; panics after `limit`.
    pub fn wait_for(&mut self, event: &str, count: usize, limit: Duration) {
        let end = Instant::now() + limit;
        while self.log.iter().filter(|l| l["event"] == event).count() < count {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.log.push(line),
                Err(_) => panic!(
                    "no {count}× {event} within {limit:?}; log so far:\n{}\nstderr:\n{}",
                    self.log
                        .iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    std::fs::read_to_string(&self.stderr).unwrap_or_default()
                ),
            }
        }
    }

    /// Waits until `done` holds for the log read so far; panics after `limit`, saying `what`.
    #[allow(dead_code, reason = "not every test binary waits this way")]
    pub fn wait_until(&mut self, what: &str, limit: Duration, done: impl Fn(&[Value]) -> bool) {
        let end = Instant::now() + limit;
        while !done(&self.log) {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.log.push(line),
                Err(_) => panic!(
                    "{what}: not within {limit:?}; stderr:\n{}",
                    std::fs::read_to_string(&self.stderr).unwrap_or_default()
                ),
            }
        }
    }

    pub fn events(&self, event: &str) -> Vec<&Value> {
        self.log.iter().filter(|l| l["event"] == event).collect()
    }

    /// Kills herald at once (SIGKILL: no chance to save or flush anything).
    /// The `ticket` of every logged `event`, in order.
    pub fn tickets(&self, event: &str) -> Vec<String> {
        self.events(event)
            .iter()
            .filter_map(|l| l["ticket"].as_str().map(str::to_owned))
            .collect()
    }

    pub fn kill_hard(mut self) {
        self.stopped = true;
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }

    /// Waits for herald to end by itself (a start that must fail); panics after `limit`.
    pub fn ended(mut self, limit: Duration) -> (std::process::ExitStatus, String) {
        let end = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("waitable") {
                self.stopped = true;
                return (
                    status,
                    std::fs::read_to_string(&self.stderr).unwrap_or_default(),
                );
            }
            assert!(Instant::now() < end, "herald still runs after {limit:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM to herald alone (as `systemctl stop` does) and waits for it to end:
    /// its exit status (xvfb-run passes it on) and its stderr.
    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        self.stopped = true;
        let group = self.child.id().to_string();
        let found = Command::new("pgrep")
            .args(["-g", &group, "-x", "herald"])
            .output()
            .expect("pgrep (procps) is installed");
        let pid = String::from_utf8_lossy(&found.stdout).trim().to_owned();
        assert!(!pid.is_empty(), "no herald process in group {group}");
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().expect("herald ends");
        (
            status,
            std::fs::read_to_string(&self.stderr).unwrap_or_default(),
        )
    }

    pub fn stop(mut self) -> String {
        self.stopped = true;
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}
