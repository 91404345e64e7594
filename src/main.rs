//! herald's entry point: parses the command line and hands over to the screen or a subcommand.

use std::process::ExitCode;

use bevy::app::AppExit;
use clap::Parser;
use herald::cli::{Cli, Command};
use herald::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Schema) => {
            println!("{}", herald_core::protocol::schema_json());
            ExitCode::SUCCESS
        }
        Some(Command::LogEvents) => {
            print!("{}", herald_core::log_event::markdown_table());
            ExitCode::SUCCESS
        }
        Some(Command::Check) => herald::check::run(),
        None => {
            let root = herald_core::catalogue::data_root();
            let config = match Config::from_cli(&cli, &root) {
                Ok(config) => config,
                Err(e) => {
                    eprintln!("herald: {e}");
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
