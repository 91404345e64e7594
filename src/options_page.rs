//! `herald options`: docs/options.md written from the option declarations in [`crate::cli`],
//! so the page and the program cannot disagree.

use crate::cli::{Cli, ONLY_ON_THE_COMMAND_LINE};

/// `docs/options.md`: every option, its config-file key and default, from the declaration.
pub fn options_markdown() -> String {
    use clap::CommandFactory;
    let command = Cli::command();
    let one_line = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::from(
        "# herald's options\n\n\
         Every option of `herald`, and its key in the config file (`/etc/herald/herald.toml` or\n\
         `--config FILE`; example: [herald.example.toml](herald.example.toml)). An option given\n\
         on the command line wins over the file. The list is declared once, in `src/cli.rs`;\n\
         `herald options` prints this page from it and a test checks that the two agree.\n\n\
         | option | config key | default | what it does |\n|---|---|---|---|\n",
    );
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else {
            continue;
        };
        if long == "help" || long == "version" {
            continue;
        }
        let takes_values = arg.get_action().takes_values();
        let value = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map(|name| format!(" {name}"))
            .filter(|_| takes_values)
            .unwrap_or_default();
        let key = if arg.get_help_heading() == Some(ONLY_ON_THE_COMMAND_LINE) {
            "–".to_owned()
        } else {
            format!("`{}`", arg.get_id())
        };
        let default: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        let default = if default.is_empty() {
            String::new()
        } else {
            format!("`{}`", default.join(","))
        };
        let help = arg
            .get_long_help()
            .or_else(|| arg.get_help())
            .map(|h| one_line(h.to_string()))
            .unwrap_or_default()
            .replace('|', "\\|")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        out.push_str(&format!(
            "| `--{long}{value}` | {key} | {default} | {help} |\n"
        ));
    }
    out
}
