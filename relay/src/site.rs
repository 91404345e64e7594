//! The site file (TOML): where the relay listens, where its log lives, how long it keeps
//! events, and per office its tokens and how the queue system's counter and service ids map
//! to what the waiting room reads. `docs/relay.md` shows a whole file; a mistake is refused
//! as `file:line: what` before anything starts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use herald_core::protocol::Localized;
use herald_core::secret::Secret;
use serde::Deserialize;

pub use crate::console::settings::{Account, ConsoleSite, Role};

/// The site file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    listen: Option<String>,
    database: Option<PathBuf>,
    retention_events: Option<u64>,
    retention_hours: Option<f64>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    status_token_file: Option<PathBuf>,
    #[serde(default)]
    office: Vec<OfficeFile>,
    nats: Option<NatsFile>,
    console: Option<crate::console::settings::ConsoleFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NatsFile {
    url: String,
    token_file: Option<PathBuf>,
    user: Option<String>,
    password_file: Option<PathBuf>,
    creds_file: Option<PathBuf>,
    ca_file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficeFile {
    id: String,
    #[serde(default = "default_lang")]
    lang: String,
    webhook_token_file: Option<PathBuf>,
    display_token_file: Option<PathBuf>,
    orchestra_branch: Option<serde_json::Value>,
    #[serde(default)]
    counters: BTreeMap<String, CounterPlace>,
    #[serde(default)]
    services: BTreeMap<String, Localized>,
    novosga: Option<NovosgaFile>,
    /// The office's name as people say it ("Rajec, Námestie SNP").
    name: Option<String>,
    /// Opening hours, as herald's `--open` ("mon-fri 8:00-16:00"); alerts only while open.
    #[serde(default)]
    opening: Vec<String>,
    #[serde(default)]
    holidays: Vec<String>,
    /// CAP 1.2 alerts may be POSTed to `/v1/offices/{id}/cap` with this token (docs/console.md).
    cap_token_file: Option<PathBuf>,
    /// The CAP areas (`areaDesc` or a geocode value) that mean this office; empty: every alert
    /// posted to its address.
    #[serde(default)]
    cap_areas: Vec<String>,
    /// A URL that answers the office's current CAP message, asked every `cap_every_seconds`.
    cap_feed_url: Option<String>,
    cap_every_seconds: Option<f64>,
}

fn default_lang() -> String {
    "sk".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NovosgaFile {
    url: String,
    unit: u64,
    services: Vec<u64>,
    client_id: String,
    client_secret_file: PathBuf,
    username: String,
    password_file: PathBuf,
    every_seconds: Option<f64>,
    ca_file: Option<PathBuf>,
}

/// Where a vendor's counter is, as the visitor reads it.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CounterPlace {
    /// The sign above the counter ("3", "12A").
    pub label: Option<String>,
    pub floor: Option<i32>,
    pub room: Option<String>,
}

/// The relay's settings, checked.
#[derive(Clone, Debug)]
pub struct Site {
    pub listen: String,
    pub database: PathBuf,
    pub retention_events: u64,
    pub retention: Duration,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub offices: Vec<OfficeSite>,
    /// Publish every office to NATS JetStream (docs/fleet.md).
    pub nats: Option<herald_wire::fleet::Broker>,
    /// With it, `/healthz` names the offices to whoever gives it (otherwise only to the
    /// relay's own machine).
    pub status_token: Option<Secret>,
    /// The console at `/console/` and the displays' reports (docs/console.md).
    pub console: Option<ConsoleSite>,
}

/// One office: its tokens and its maps.
#[derive(Clone, Debug)]
pub struct OfficeSite {
    /// "sk.rajec": in URLs, logs and (later) NATS subjects.
    pub id: String,
    /// Language of names the queue system sends without a translation.
    pub lang: String,
    pub webhook_token: Option<Secret>,
    pub display_token: Option<Secret>,
    /// Orchestra's branch id of this office; hooks of other branches are ignored.
    pub orchestra_branch: Option<String>,
    pub counters: BTreeMap<String, CounterPlace>,
    pub services: BTreeMap<String, Localized>,
    pub novosga: Option<Novosga>,
    pub name: Option<String>,
    /// When the office is open (always, when not given).
    pub opening: herald_core::opening::Opening,
    /// The token a CAP source sends; without one the office takes no CAP alerts.
    pub cap_token: Option<Secret>,
    /// The CAP areas that mean this office (empty: all).
    pub cap_areas: Vec<String>,
    /// A CAP source the relay asks itself.
    pub cap_feed: Option<crate::cap::poll::CapFeed>,
}

/// How to poll a NovoSGA server for this office's panel.
#[derive(Clone, Debug)]
pub struct Novosga {
    pub url: String,
    pub unit: u64,
    pub services: Vec<u64>,
    pub client_id: String,
    pub client_secret: Secret,
    pub username: String,
    pub password: Secret,
    pub every: Duration,
    pub ca_file: Option<PathBuf>,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8700";

impl OfficeSite {
    /// An office with no tokens and no maps (the demo, tests).
    pub fn open(id: &str, lang: &str) -> Self {
        Self {
            id: id.into(),
            lang: lang.into(),
            webhook_token: None,
            display_token: None,
            orchestra_branch: None,
            counters: BTreeMap::new(),
            services: BTreeMap::new(),
            novosga: None,
            cap_token: None,
            cap_areas: Vec::new(),
            cap_feed: None,
            name: None,
            opening: herald_core::opening::Opening::default(),
        }
    }

    /// Open now by its hours (always, when it has none).
    pub fn is_open(&self, at: chrono::NaiveDateTime) -> bool {
        !self.opening.is_set() || self.opening.is_open(at)
    }

    /// The service's names for a vendor service id (or the name the vendor sent, in the
    /// office's language, when the site file does not list it).
    pub fn service(&self, id: Option<&str>, name: Option<&str>) -> Localized {
        if let Some(names) = id.and_then(|id| self.services.get(id)) {
            return names.clone();
        }
        let mut out = Localized::new();
        if let Some(text) = name.or(id).filter(|t| !t.trim().is_empty()) {
            out.insert(self.lang.clone(), text.trim().to_owned());
        }
        out
    }

    /// The counter's place for a vendor counter id; `name` is what the vendor calls it.
    pub fn counter(&self, id: &str, name: Option<&str>) -> (String, CounterPlace) {
        let place = self.counters.get(id).cloned().unwrap_or_default();
        let label = place
            .label
            .clone()
            .or_else(|| name.map(short_label))
            .unwrap_or_else(|| id.to_owned());
        (label, place)
    }
}

/// "Prepážka 3" → "3": the number on the sign is what the waiting room reads; a name with no
/// number is kept whole.
fn short_label(name: &str) -> String {
    name.split_whitespace()
        .last()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .unwrap_or(name)
        .trim()
        .to_owned()
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

pub(crate) fn read_secret(
    file: &str,
    base: &Path,
    path: &Path,
    what: &str,
) -> Result<Secret, String> {
    let full = base.join(path);
    let text = std::fs::read_to_string(&full).map_err(|e| {
        format!(
            "{file}: {what} {}: cannot be read: {e}; write the secret into that file (mode 0600)",
            full.display()
        )
    })?;
    let value = text.trim();
    if value.is_empty() {
        return Err(format!("{file}: {what} {} is empty", full.display()));
    }
    Ok(Secret::new(value))
}

impl Site {
    /// A relay with one open office and its log in memory or at `database`.
    pub fn single(office: OfficeSite, listen: &str, database: PathBuf) -> Self {
        Self {
            listen: listen.into(),
            database,
            retention_events: 10_000,
            retention: Duration::from_secs(24 * 3600),
            tls: None,
            offices: vec![office],
            nats: None,
            status_token: None,
            console: None,
        }
    }

    pub fn office(&self, id: &str) -> Option<&OfficeSite> {
        self.offices.iter().find(|o| o.id == id)
    }

    /// Reads and checks the site file at `path`; relative paths in it are relative to its folder.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "{}: cannot be read: {e}; check the path and its permissions",
                path.display()
            )
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&path.display().to_string(), &text, base)
    }

    pub fn parse(file: &str, text: &str, base: &Path) -> Result<Self, String> {
        let raw: SiteFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            format!("{file}:{line}: {}", e.message())
        })?;
        if raw.office.is_empty() {
            return Err(format!(
                "{file}: no [[office]]; add one with at least `id = \"sk.rajec\"`"
            ));
        }
        let mut offices = Vec::new();
        for office in raw.office {
            if office.id.is_empty()
                || !office
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            {
                return Err(format!(
                    "{file}: office id {:?} may hold only letters, digits, '.', '-' and '_' (it goes into URLs)",
                    office.id
                ));
            }
            if offices.iter().any(|o: &OfficeSite| o.id == office.id) {
                return Err(format!("{file}: office {:?} is listed twice", office.id));
            }
            let webhook_token = office
                .webhook_token_file
                .as_deref()
                .map(|p| read_secret(file, base, p, "webhook_token_file"))
                .transpose()?;
            let display_token = office
                .display_token_file
                .as_deref()
                .map(|p| read_secret(file, base, p, "display_token_file"))
                .transpose()?;
            let novosga = match office.novosga {
                None => None,
                Some(n) => {
                    let every = n.every_seconds.unwrap_or(3.0);
                    if !(0.2..=600.0).contains(&every) {
                        return Err(format!(
                            "{file}: office {}: novosga.every_seconds = {every} is outside 0.2–600",
                            office.id
                        ));
                    }
                    if herald_core::secret::has_credentials(&n.url) {
                        return Err(format!(
                            "{file}: office {}: novosga.url {} carries a user and password; \
                             give them as username and password_file instead (a URL ends up in logs)",
                            office.id,
                            herald_core::secret::shown_url(&n.url)
                        ));
                    }
                    if !(n.url.starts_with("http://") || n.url.starts_with("https://")) {
                        return Err(format!(
                            "{file}: office {}: novosga.url {:?} must start with http:// or https://",
                            office.id, n.url
                        ));
                    }
                    Some(Novosga {
                        url: n.url.trim_end_matches('/').to_owned(),
                        unit: n.unit,
                        services: n.services,
                        client_id: n.client_id,
                        client_secret: read_secret(
                            file,
                            base,
                            &n.client_secret_file,
                            "novosga.client_secret_file",
                        )?,
                        username: n.username,
                        password: read_secret(
                            file,
                            base,
                            &n.password_file,
                            "novosga.password_file",
                        )?,
                        every: Duration::from_secs_f64(every),
                        ca_file: n.ca_file.map(|p| base.join(p)),
                    })
                }
            };
            let cap_feed = crate::cap::poll::CapFeed::checked(
                file,
                &office.id,
                office.cap_feed_url,
                office.cap_every_seconds,
            )?;
            let opening = herald_core::opening::Opening::parse(&office.opening, &office.holidays)
                .map_err(|e| format!("{file}: office {}: {e}", office.id))?;
            offices.push(OfficeSite {
                id: office.id,
                lang: office.lang,
                webhook_token,
                display_token,
                orchestra_branch: office.orchestra_branch.map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                }),
                counters: office.counters,
                services: office.services,
                novosga,
                name: office.name,
                opening,
                cap_token: office
                    .cap_token_file
                    .as_deref()
                    .map(|p| read_secret(file, base, p, "cap_token_file"))
                    .transpose()?,
                cap_areas: office.cap_areas,
                cap_feed,
            });
        }
        let hours = raw.retention_hours.unwrap_or(24.0);
        if !(hours > 0.0 && hours <= 24.0 * 366.0) {
            return Err(format!(
                "{file}: retention_hours = {hours} must be more than 0 and at most a year"
            ));
        }
        let tls = match (raw.tls_cert, raw.tls_key) {
            (Some(cert), Some(key)) => Some((base.join(cert), base.join(key))),
            (None, None) => None,
            _ => {
                return Err(format!(
                    "{file}: give both tls_cert and tls_key (PEM files) for wss://, or neither"
                ));
            }
        };
        let nats = match raw.nats {
            None => None,
            Some(n) => {
                if herald_core::secret::has_credentials(&n.url) {
                    return Err(format!(
                        "{file}: nats.url {} carries a user and password; give them as user and \
                         password_file (or token_file, creds_file) instead (a URL ends up in logs)",
                        herald_core::secret::shown_url(&n.url)
                    ));
                }
                if !(n.url.starts_with("nats://") || n.url.starts_with("tls://")) {
                    return Err(format!(
                        "{file}: nats.url {:?} must start with nats:// or tls://",
                        n.url
                    ));
                }
                for office in &offices {
                    herald_wire::fleet::check_office_id(&office.id)
                        .map_err(|e| format!("{file}: {e}"))?;
                }
                let auth = match (n.token_file, n.user, n.password_file, n.creds_file) {
                    (None, None, None, None) => herald_wire::fleet::Auth::None,
                    (Some(token), None, None, None) => herald_wire::fleet::Auth::Token(
                        read_secret(file, base, &token, "nats.token_file")?,
                    ),
                    (None, Some(user), Some(password), None) => {
                        herald_wire::fleet::Auth::UserPassword(
                            user,
                            read_secret(file, base, &password, "nats.password_file")?,
                        )
                    }
                    (None, None, None, Some(creds)) => {
                        herald_wire::fleet::Auth::Creds(base.join(creds))
                    }
                    _ => {
                        return Err(format!(
                            "{file}: [nats] takes one way to log in: token_file, user + password_file, or creds_file"
                        ));
                    }
                };
                Some(herald_wire::fleet::Broker {
                    url: n.url,
                    auth,
                    ca_file: n.ca_file.map(|p| base.join(p)),
                })
            }
        };
        let status_token = raw
            .status_token_file
            .as_ref()
            .map(|p| read_secret(file, base, p, "status_token_file"))
            .transpose()?;
        let console = match raw.console {
            None => None,
            Some(c) => Some(crate::console::settings::read(file, base, c, &offices)?),
        };
        Ok(Self {
            console,
            nats,
            status_token,
            listen: raw.listen.unwrap_or_else(|| DEFAULT_LISTEN.into()),
            database: base.join(raw.database.unwrap_or_else(|| "relay.db".into())),
            retention_events: raw.retention_events.unwrap_or(10_000).max(1),
            retention: Duration::from_secs_f64(hours * 3600.0),
            tls,
            offices,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_file_maps_counters_and_services_and_reads_its_tokens() {
        let dir = std::env::temp_dir().join(format!("herald-site-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("hook.token"), "s3cret\n").expect("token");
        let text = r#"
listen = "127.0.0.1:0"
retention_events = 50

[[office]]
id = "sk.rajec"
webhook_token_file = "hook.token"
[office.counters.4]
label = "3"
floor = 1
[office.services.12]
sk = "Miestne dane"
uk = "Місцеві податки"
"#;
        let site = Site::parse("site.toml", text, &dir).expect("site");
        let office = site.office("sk.rajec").expect("office");
        assert_eq!(
            office.webhook_token.as_ref().map(Secret::expose),
            Some("s3cret")
        );
        assert_eq!(office.counter("4", None).0, "3");
        assert_eq!(office.counter("9", Some("Prepážka 9")).0, "9");
        assert_eq!(
            office
                .service(Some("12"), None)
                .get("uk")
                .map(String::as_str),
            Some("Місцеві податки")
        );
        assert_eq!(
            office
                .service(Some("77"), Some("Parkovanie"))
                .get("sk")
                .map(String::as_str),
            Some("Parkovanie")
        );
        assert_eq!(site.database, dir.join("relay.db"));
    }

    #[test]
    fn a_mistake_names_the_line() {
        let err = Site::parse(
            "site.toml",
            "[[office]]\nid = \"a\"\ncolour = 1\n",
            Path::new("."),
        )
        .expect_err("unknown key");
        assert!(err.starts_with("site.toml:3:"), "{err}");
        let err = Site::parse("site.toml", "[[office]]\nid = \"a b\"\n", Path::new("."))
            .expect_err("bad id");
        assert!(err.contains("only letters"), "{err}");
    }

    #[test]
    fn a_password_in_a_url_is_refused_without_being_repeated() {
        let err = Site::parse(
            "site.toml",
            "[nats]\nurl = \"nats://herald:s3cret@broker:4222\"\n[[office]]\nid = \"a\"\n",
            Path::new("."),
        )
        .expect_err("credentials in the URL");
        assert!(err.contains("carries a user and password"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
        let err = Site::parse(
            "site.toml",
            "[[office]]\nid = \"a\"\n[office.novosga]\nurl = \"https://admin:s3cret@sga\"\n\
             unit = 1\nservices = [1]\nclient_id = \"c\"\nclient_secret_file = \"x\"\n\
             username = \"u\"\npassword_file = \"y\"\n",
            Path::new("."),
        )
        .expect_err("credentials in the URL");
        assert!(!err.contains("s3cret"), "{err}");
        assert!(err.contains("carries a user and password"), "{err}");
    }
}
