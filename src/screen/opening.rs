//! Opening hours on the screen: notices when the office opens or closes by its schedule, runs
//! the site's on-open / on-close commands then (a screen switched off at night and on in the
//! morning), and logs each. The closed screen itself is the view's (`view::ScreenView`).

use bevy::prelude::*;

use super::ScreenSettings;

/// The schedule's state as last seen, and the commands to run at its changes.
#[derive(Resource, Default, Debug)]
pub struct OfficeHours {
    pub on_open: Option<String>,
    pub on_close: Option<String>,
    /// Open by the schedule at the last look; `None` before the first.
    pub open: Option<bool>,
}

pub fn plugin(app: &mut App) {
    app.add_systems(Update, follow_the_schedule);
}

fn follow_the_schedule(settings: Res<ScreenSettings>, mut hours: ResMut<OfficeHours>) {
    let open = settings
        .design
        .opening
        .is_open(settings.now().naive_local());
    if hours.open == Some(open) {
        return;
    }
    // At start too: after a reboot at night the screen is switched off again.
    let first = hours.open.is_none();
    hours.open = Some(open);
    let (what, command) = if open {
        ("opens", hours.on_open.clone())
    } else {
        ("closes", hours.on_close.clone())
    };
    if !first {
        info!("the office {what} by its opening hours");
    }
    if let Some(command) = command {
        run(what, command);
    }
}

/// Runs a site command without holding up the screen; its outcome goes to the log.
fn run(what: &'static str, command: String) {
    let spawned = std::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .stdin(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            std::thread::spawn(move || match child.wait() {
                Ok(status) if status.success() => {
                    info!("the office {what}: ran `{command}`");
                }
                Ok(status) => warn!(
                    "the office {what}: `{command}` failed ({status}); check the command in --on-open / --on-close"
                ),
                Err(e) => warn!("the office {what}: `{command}`: {e}"),
            });
        }
        Err(e) => warn!("the office {what}: cannot run `{command}`: {e}"),
    }
}
