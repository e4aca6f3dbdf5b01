//! What the command line does, subcommand by subcommand; `main` parses and dispatches.

pub mod args;
pub mod config;
mod config_report;
pub mod keys;

/// One JSON document per line on standard output: what scripts read.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), String> {
    let line = serde_json::to_string(value).map_err(|e| e.to_string())?;
    println!("{line}");
    Ok(())
}
