//! Command-line interface (clap derive). Parsed arguments are turned into a
//! checked run configuration in `app.rs` before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Monte Carlo simulator of a software engineer's total compensation.
///
/// tcsim samples many possible worlds (share-price paths, startup exits,
/// bonus and raise draws), evaluates every strategy in your scenario file in
/// the same worlds, and writes percentile tables of TC per year and of each
/// strategy minus your baseline.
#[derive(Debug, Parser)]
#[command(name = "tcsim", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write percentiles.csv and compare.csv.
    ///
    /// Flags override the file's [simulation] values. Output goes to
    /// out/<file stem>/ unless --out is given; files are replaced whole or
    /// not at all.
    Run(RunArgs),
    /// Validate a scenario and print what it contains, without simulating.
    Check {
        /// Scenario file (TOML).
        file: PathBuf,
    },
}

/// Arguments of `tcsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML), e.g. scenarios/stay-vs-switch.toml.
    pub file: PathBuf,
    /// Number of simulated worlds (overrides simulation.runs).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub runs: Option<u64>,
    /// Random seed; the same seed and file give the same output bytes
    /// (overrides simulation.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output directory [default: out/<file stem>/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar and no summary table.
    #[arg(long, short)]
    pub quiet: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
