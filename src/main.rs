//! herald's entry point: reads the command line and the config file, and hands over to the
//! screen or a subcommand.

use std::process::ExitCode;

use bevy::app::AppExit;
use herald::cli::Command;
use herald::config::Config;
use herald::config_file::{self, SettingsError};

fn main() -> ExitCode {
    // Before any thread starts (the allocator's arena limit is read then).
    herald::heap::tune();
    // The command line, and the config file under it (the command line wins).
    let (cli, file) = match config_file::settings(std::env::args_os().collect()) {
        Ok(settings) => settings,
        Err(SettingsError::CommandLine(e)) => e.exit(),
        Err(SettingsError::File(e)) => {
            eprintln!("herald: {e}");
            return ExitCode::FAILURE;
        }
    };
    let root = herald_core::catalogue::data_root();
    match cli.command {
        Some(Command::Schema) => {
            println!("{}", herald_core::protocol::schema_json());
            ExitCode::SUCCESS
        }
        Some(Command::Options) => {
            print!("{}", herald::cli::options_markdown());
            ExitCode::SUCCESS
        }
        Some(Command::LogEvents) => {
            print!("{}", herald_core::log_event::markdown_table());
            ExitCode::SUCCESS
        }
        Some(Command::VoicePack(what)) => herald::voice::pack::sample::command(&what, &root),
        Some(Command::Check) => {
            // Everything a start would check (layout, theme, logo, token file, CA file), then
            // what these settings need of this machine.
            let config = match Config::from_cli(&cli, &root) {
                Ok(config) => config,
                Err(e) => {
                    eprintln!("herald check: {}", located(&file, &e));
                    return ExitCode::FAILURE;
                }
            };
            if let Some(path) = &file {
                println!("herald check: {} is valid", path.display());
            }
            herald::check::run(&config)
        }
        None => {
            let config = match Config::from_cli(&cli, &root) {
                Ok(config) => config,
                Err(e) => {
                    eprintln!("herald: {}", located(&file, &e));
                    return ExitCode::FAILURE;
                }
            };
            let exit = herald::screen::app::run(config);
            // The last events (the screenshot written, the window closed) still reach the log.
            herald_core::log_event::flush(std::time::Duration::from_secs(2));
            match exit {
                AppExit::Success => ExitCode::SUCCESS,
                AppExit::Error(_) => ExitCode::FAILURE,
            }
        }
    }
}

/// A settings mistake, at its line of the config file when the file gave that option.
fn located(file: &Option<std::path::PathBuf>, error: &str) -> String {
    let Some(path) = file else {
        return error.to_owned();
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return error.to_owned();
    };
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    config_file::locate(&path.display().to_string(), &text, error, &args)
}
