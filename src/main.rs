//! herald's entry point: parses the command line and hands over to the screen or a subcommand.

use std::process::ExitCode;

use bevy::app::AppExit;
use clap::Parser;
use herald::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Schema) => {
            println!("{}", herald::protocol::schema_json());
            ExitCode::SUCCESS
        }
        Some(Command::Check) => herald::check::run(),
        None => match herald::screen::app::run(&cli) {
            AppExit::Success => ExitCode::SUCCESS,
            AppExit::Error(_) => ExitCode::FAILURE,
        },
    }
}
