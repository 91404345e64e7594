//! A speech-dispatcher that has hung: it accepts connections and never says a word.

use std::os::unix::net::UnixListener;
use std::path::Path;

/// Listens on `socket` for as long as the test runs, holding every connection open without
/// answering. Returns the `SPEECHD_ADDRESS` that points herald at it.
pub fn hung_speech_dispatcher(socket: &Path) -> String {
    let _ = std::fs::remove_file(socket);
    let listener = UnixListener::bind(socket).expect("a unix socket");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for connection in listener.incoming().flatten() {
            held.push(connection);
        }
    });
    format!("unix_socket:{}", socket.to_string_lossy())
}
