//! `herald-relay`: see `docs/relay.md`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use herald_core::office::demo::DemoOptions;
use herald_relay::running::{self, Extras};
use herald_relay::site::{self, OfficeSite, Site};
use herald_relay::store::Store;
use herald_relay::{server, webhook};

/// The site file used when no --site is given.
const DEFAULT_SITE: &str = "/etc/herald-relay/site.toml";

#[derive(Parser)]
#[command(
    name = "herald-relay",
    version,
    about = "Connects an office's queue system to its herald displays through a durable numbered log"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The site file (offices, tokens, id maps); /etc/herald-relay/site.toml when it exists.
    #[arg(long, global = true)]
    site: Option<PathBuf>,
    /// Address to listen on, overriding the site file (e.g. 0.0.0.0:8700; port 0 picks a free one).
    #[arg(long)]
    listen: Option<String>,
    /// The SQLite log, overriding the site file.
    #[arg(long)]
    database: Option<PathBuf>,
    /// Run the demo office as an input (office "demo" when there is no site file).
    #[arg(long)]
    demo: bool,
    /// With --demo: seconds between office moments.
    #[arg(long, default_value_t = 8.0)]
    demo_every: f64,
}

#[derive(Subcommand)]
enum Command {
    /// Check the site file (and its token files) without starting.
    Check,
    /// Print the JSON Schema of the webhook body (docs/webhook.schema.json).
    Schema,
    /// Make a console account's password hash: reads the password (twice on a terminal, or
    /// one line from a pipe) and prints the `[[console.account]]` lines for the site file.
    Passwd {
        /// The account's name, as it signs in.
        name: String,
        /// `it` (every office) or `staff` (the offices listed after it).
        #[arg(long, default_value = "it")]
        role: String,
        /// For staff: their offices, comma-separated.
        #[arg(long, value_delimiter = ',')]
        offices: Vec<String>,
    },
}

/// Reads the new password without showing it on a terminal.
fn read_password() -> Result<String, String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ; nothing written".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    }
}

fn site_of(cli: &Cli) -> Result<Site, String> {
    let path = cli.site.clone().or_else(|| {
        let default = PathBuf::from(DEFAULT_SITE);
        default.exists().then_some(default)
    });
    let mut site = match path {
        Some(path) => Site::read(&path)?,
        None if cli.demo => Site::single(
            OfficeSite::open("demo", "sk"),
            site::DEFAULT_LISTEN,
            PathBuf::new(),
        ),
        None => {
            return Err(format!(
                "no site file: give --site FILE (see docs/relay.md) or create {DEFAULT_SITE}; or try --demo"
            ));
        }
    };
    if let Some(listen) = &cli.listen {
        site.listen.clone_from(listen);
    }
    if let Some(database) = &cli.database {
        site.database.clone_from(database);
    }
    Ok(site)
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    {
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::util::SubscriberInitExt;
        // async-nats says every failed reconnect at INFO (about 28 lines per 15 s outage); the
        // relay says an outage once itself.
        let quiet = tracing_subscriber::filter::Targets::new()
            .with_default(tracing::Level::INFO)
            .with_target("async_nats", tracing::Level::WARN);
        tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_target(false)
                    .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                    .with_writer(std::io::stderr),
            )
            .with(quiet)
            .init();
    }
    match &cli.command {
        Some(Command::Passwd {
            name,
            role,
            offices,
        }) => {
            if !matches!(role.as_str(), "it" | "staff") {
                eprintln!("herald-relay passwd: --role is it or staff, not {role:?}");
                return ExitCode::FAILURE;
            }
            let made = read_password().and_then(|password| {
                if password.chars().count() < 10 {
                    return Err("a console password needs at least 10 characters".into());
                }
                herald_relay::console::logins::hash(&password)
            });
            return match made {
                Ok(hash) => {
                    println!("[[console.account]]");
                    println!("name = {}", toml_string(name));
                    println!("role = \"{role}\"");
                    if !offices.is_empty() {
                        let list: Vec<String> = offices.iter().map(|o| toml_string(o)).collect();
                        println!("offices = [{}]", list.join(", "));
                    }
                    println!("password_hash = \"{hash}\"");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("herald-relay passwd: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Some(Command::Schema) => {
            print!("{}", webhook::schema_json());
            return ExitCode::SUCCESS;
        }
        Some(Command::Check) => {
            return match site_of(&cli) {
                Ok(site) => {
                    if let Some((cert, key)) = &site.tls
                        && let Err(e) = server::tls_acceptor(cert, key)
                    {
                        eprintln!("herald-relay: {e}");
                        return ExitCode::FAILURE;
                    }
                    println!(
                        "herald-relay: site file is fine: {} office(s) ({}), listening on {}, log {}",
                        site.offices.len(),
                        site.offices
                            .iter()
                            .map(|o| o.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        site.listen,
                        site.database.display()
                    );
                    if let Some(console) = &site.console {
                        println!(
                            "herald-relay: console at /console/: {} account(s), alerts after {} s{}",
                            console.accounts.len(),
                            console.alert_after.as_secs(),
                            if console.alert_webhook.is_some() {
                                ", posted to the alert webhook"
                            } else {
                                " (no alert_webhook: alerts on the page, the log and /metrics)"
                            }
                        );
                        if console.accounts.is_empty() {
                            println!(
                                "herald-relay: nobody can sign in to the console yet; add an account with `herald-relay passwd NAME`"
                            );
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("herald-relay: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        None => {}
    }
    let site = match site_of(&cli) {
        Ok(site) => site,
        Err(e) => {
            eprintln!("herald-relay: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tls = match &site.tls {
        None => None,
        Some((cert, key)) => match server::tls_acceptor(cert, key) {
            Ok(acceptor) => Some(acceptor),
            Err(e) => {
                eprintln!("herald-relay: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let store = if site.database.as_os_str().is_empty() {
        Store::in_memory()
    } else {
        Store::open(&site.database)
    };
    let store = match store {
        Ok(store) => store,
        Err(e) => {
            eprintln!("herald-relay: {e}");
            return ExitCode::FAILURE;
        }
    };
    let loopback = site.listen.starts_with("127.")
        || site.listen.starts_with("localhost")
        || site.listen.starts_with("[::1]");
    for office in &site.offices {
        if !loopback && (office.webhook_token.is_none() || office.display_token.is_none()) {
            tracing::warn!(
                "{}: no webhook_token_file or display_token_file while listening on {}: anyone on the network can post or read",
                office.id,
                site.listen
            );
        }
    }
    let demo = cli.demo.then(|| {
        let office = site
            .offices
            .first()
            .map_or_else(|| "demo".to_owned(), |o| o.id.clone());
        let every = cli.demo_every.clamp(0.2, 3600.0);
        (
            office,
            DemoOptions {
                first_call_after: Duration::from_millis(1500),
                interval: (
                    Duration::from_secs_f64(every * 0.6),
                    Duration::from_secs_f64(every * 1.4),
                ),
            },
        )
    });
    let offices: Vec<String> = site.offices.iter().map(|o| o.id.clone()).collect();
    let database = if site.database.as_os_str().is_empty() {
        "memory (not kept)".to_owned()
    } else {
        site.database.display().to_string()
    };
    let running = match running::spawn(
        site,
        store,
        tls,
        Extras {
            demo,
            until_signal: true,
        },
    ) {
        Ok(running) => running,
        Err(e) => {
            eprintln!("herald-relay: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Tests and scripts read this line to find the port.
    eprintln!("herald-relay: listening on {}", running.address);
    for office in &offices {
        eprintln!(
            "herald-relay: office {office}: displays {} · webhooks {} · log {database}",
            running.feed_url(office),
            running.url(&format!("/v1/offices/{office}/events"))
        );
    }
    running.wait();
    ExitCode::SUCCESS
}
