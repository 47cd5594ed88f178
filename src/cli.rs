//! Command-line interface (clap derive). Parsed arguments are turned into a
//! checked run configuration in `app.rs` before any work starts.

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

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
    /// Write a commented starter scenario (your current job and one offer)
    /// to edit, then run.
    ///
    /// It runs as it is; its comments say which numbers to replace with
    /// your own. An existing file is never overwritten.
    Init(InitArgs),
    /// Replay one world and print its year-by-year cash-flow ledger per
    /// strategy: base, bonus, sign-on, each vest, exercises, payouts,
    /// forfeitures, company events, and the yearly totals.
    Trace(TraceArgs),
    /// Run the scenario for each value (or grid of values) of one or more
    /// keys and write sweep.csv: the swept values, then cumulative TC at the
    /// horizon and the comparison with the baseline. Every point uses the
    /// same seed (unless simulation.seed is swept), so differences come from
    /// the parameter.
    Sweep(SweepArgs),
    /// Find the value of one key at which a strategy meets a target against
    /// the baseline, e.g. the base that makes an offer break even, and
    /// write solve.csv and evaluations.csv.
    ///
    /// Every evaluation simulates the scenario with the key set to one
    /// value, on the same seed (common random numbers), so the search is
    /// deterministic: the two ends of the range, then bisection to a cent
    /// for a money key (1e-6 of the range otherwise). Prints the value, its
    /// 90 % interval and the number of evaluations.
    Solve(SolveArgs),
    /// Combine the partial files of a sharded run or sweep (`--shard I/N`)
    /// into the files one machine would have written, byte for byte.
    ///
    /// Give every part, in any order (`part-0-of-16.tcsim` ...); parts of
    /// different scenarios, seeds, run counts or tcsim versions are refused.
    Merge(MergeArgs),
    /// Print a shell completion script for tcsim on stdout.
    ///
    /// For bash: `tcsim completions bash > ~/.local/share/bash-completion/completions/tcsim`;
    /// for zsh, a file `_tcsim` in a directory of your $fpath; for fish,
    /// `~/.config/fish/completions/tcsim.fish`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print tcsim's manual page (roff) on stdout: `tcsim man | man -l -`,
    /// or save it as tcsim.1 in a man directory.
    Man,
}

/// Arguments of `tcsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML), e.g. scenarios/stay-vs-switch.toml.
    pub file: PathBuf,
    /// How to simulate and where to write.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Optional outputs.
    #[command(flatten)]
    pub outputs: OutputArgs,

    #[command(flatten)]
    pub shard: ShardArgs,
    /// With --shard, after `tcsim merge` met a bracket miss: gather this
    /// shard's values in the gaps that misses.json (written by the merge)
    /// names, into part-I-of-N.gaps.tcsim, instead of simulating the shard.
    #[arg(long, value_name = "FILE")]
    pub resolve: Option<PathBuf>,
    /// Years the summary's tables show: `all`, or a list such as `1,3,5`
    /// [default: the horizon]. The verdict stays at the horizon.
    #[arg(long, value_name = "all|Y,...", value_parser = summary_years)]
    pub years: Option<SummaryYears>,
}

/// `--years`: every year, or the listed ones (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryYears {
    /// `all`.
    All,
    /// `1,3,5`.
    List(Vec<u32>),
}

fn summary_years(s: &str) -> Result<SummaryYears, String> {
    if s == "all" {
        return Ok(SummaryYears::All);
    }
    let years = s
        .split(',')
        .map(|y| match y.trim().parse::<u32>() {
            Ok(y) if y >= 1 => Ok(y),
            _ => Err(format!(
                "`{y}` is not a year: give `all` or 1-based years such as 1,3,5"
            )),
        })
        .collect::<Result<Vec<u32>, String>>()?;
    Ok(SummaryYears::List(years))
}

/// Flags shared by `tcsim run` and `tcsim sweep`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Number of simulated worlds (overrides simulation.runs).
    #[arg(long, value_name = "N", value_parser = integer::<u64>(1, 1_000_000_000))]
    pub runs: Option<u64>,
    /// Random seed, 0 to 9223372036854775807 as in the file; the same seed
    /// and file give the same output bytes (overrides simulation.seed).
    #[arg(long, value_name = "S", value_parser = seed_range())]
    pub seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, value_name = "T", value_parser = integer::<u16>(1, 1024))]
    pub threads: Option<u16>,
    /// Output directory [default: out/<file stem>/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar and no summary table.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The values `--seed` takes: those `simulation.seed` takes, 0 to
/// `i64::MAX`, the largest integer TOML can write.
fn seed_range() -> impl Fn(&str) -> Result<u64, String> + Clone + Send + Sync + 'static {
    integer::<u64>(0, i64::MAX as u64)
}

/// The parser of an integer flag: a whole number in `[lo, hi]`, written as
/// the scenario file writes integers, so `--runs 100_000` means what
/// `runs = 100_000` means. TOML's rule (toml.io, v1.0.0, "Integer"): an
/// underscore stands between two digits, none leading, trailing or doubled.
/// The errors read as clap's own range parser words them (`0 is not in
/// 1..=1000000000`); clap adds the flag and the value.
pub fn integer<T>(
    lo: u64,
    hi: u64,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: TryFrom<u64>,
{
    move |s: &str| {
        let b = s.as_bytes();
        let digit = |i: Option<usize>| i.and_then(|i| b.get(i)).is_some_and(u8::is_ascii_digit);
        let misplaced =
            (0..b.len()).any(|i| b[i] == b'_' && !(digit(i.checked_sub(1)) && digit(Some(i + 1))));
        if misplaced {
            return Err("an underscore must stand between two digits, as in 100_000".into());
        }
        let n: u64 = s
            .replace('_', "")
            .parse()
            .map_err(|e: std::num::ParseIntError| e.to_string())?;
        if !(lo..=hi).contains(&n) {
            return Err(format!("{n} is not in {lo}..={hi}"));
        }
        T::try_from(n).map_err(|_| format!("{n} is not in {lo}..={hi}"))
    }
}

/// Arguments of `tcsim trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    /// Which world to replay: run I of the seed, 0-based, the same world as
    /// run I inside `tcsim run`.
    #[arg(long, value_name = "I", value_parser = integer::<u64>(0, u64::MAX))]
    pub run: u64,
    /// Only this strategy [default: every strategy].
    #[arg(long, value_name = "NAME")]
    pub strategy: Option<String>,
    /// Random seed, 0 to 9223372036854775807 as in the file (overrides
    /// simulation.seed).
    #[arg(long, value_name = "S", value_parser = seed_range())]
    pub seed: Option<u64>,
    /// Print the ledger as CSV instead of text.
    #[arg(long)]
    pub csv: bool,
}

/// Arguments of `tcsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    /// A key as a dotted path into the file and the values to try, e.g.
    /// --set companies.rocket.exit_rate=0.05,0.1,0.2; [N] indexes an array
    /// of tables: --set 'jobs.offer.grants[0].vesting=[25,25,25,25],[5,15,40,40]'.
    /// Repeat --set (each key once) for a grid of every combination.
    #[arg(long = "set", value_name = "KEY=V1,V2,...", required = true)]
    pub set: Vec<String>,
    /// How to simulate and where to write.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Format of sweep.csv (csv) or sweep.json (json).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = TableFormat::Csv)]
    pub format: TableFormat,

    #[command(flatten)]
    pub shard: ShardArgs,
}

/// Arguments of `tcsim solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    /// The numeric key to vary, as a dotted path into the file (the syntax
    /// of sweep's --set), e.g. jobs.offer.base, companies.rocket.exit_rate,
    /// 'jobs.offer.grants[0].value'.
    #[arg(long, value_name = "KEY")]
    pub vary: String,
    /// What the strategy must reach against the baseline: p_ahead=X (the
    /// share of worlds ahead), median_diff=X or mean_diff=X (dollars of
    /// cumulative TC, net_cumulative with [tax]).
    #[arg(long, value_name = "STAT=X")]
    pub target: String,
    /// The strategy compared with the baseline [default: the only one].
    #[arg(long, value_name = "NAME")]
    pub strategy: Option<String>,
    /// The year of the comparison, 1-based [default: the horizon].
    #[arg(long, value_name = "Y", value_parser = clap::value_parser!(u32).range(1..))]
    pub year: Option<u32>,
    /// The range of the key to search [default: 0 to twice the file's
    /// value, kept within the range the key's rule allows].
    #[arg(long, value_name = "LO,HI", allow_hyphen_values = true)]
    pub between: Option<String>,
    /// How to simulate and where to write.
    #[command(flatten)]
    pub sim: SimArgs,
}

/// Optional outputs of `tcsim run`, beside or instead of the two CSV tables.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Format of the result tables: csv writes percentiles.csv and
    /// compare.csv, json writes percentiles.json and compare.json instead
    /// (the same rows, as arrays of objects).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = TableFormat::Csv)]
    pub format: TableFormat,
    /// Also write samples.csv: every run's total and cumulative TC per
    /// strategy and year (runs x strategies x years rows), streamed from the
    /// same pass over the worlds as the percentiles.
    #[arg(long)]
    pub samples: bool,
    /// Also write the charts: fan.svg (cumulative TC by year: median,
    /// p25-p75 and p10-p90 bands), diff.svg (the difference to the
    /// baseline by year), unrealized.svg (held private equity, when some is
    /// held) and final.svg (histogram at the horizon), counted in the same
    /// pass over the worlds as the percentiles; net of tax with [tax].
    #[arg(long)]
    pub plot: bool,
    /// Also write report.html: one self-contained page (no script, nothing
    /// fetched) with the verdict, the charts, the per-year tables, the
    /// assumptions `tcsim check` prints and where the numbers came from.
    #[arg(long)]
    pub report: bool,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// Comma-separated values.
    Csv,
    /// JSON arrays of objects.
    Json,
}

/// Which share of the work one machine computes (model.md section 14).
#[derive(Debug, Args)]
pub struct ShardArgs {
    /// Compute only shard I of N (0-based) and write part-I-of-N.tcsim to
    /// the output directory for `tcsim merge` [default: from
    /// SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, less
    /// SLURM_ARRAY_TASK_MIN, or JOB_COMPLETION_INDEX with --shard-count].
    #[arg(long, value_name = "I/N", value_parser = crate::shard::ShardSpec::parse)]
    pub shard: Option<crate::shard::ShardSpec>,
    /// The number of shards, for an index taken from the environment
    /// (JOB_COMPLETION_INDEX of a Kubernetes Indexed Job: its completions).
    #[arg(long, value_name = "N", value_parser = integer::<u64>(1, crate::shard::MAX_SHARDS))]
    pub shard_count: Option<u64>,
}

/// Arguments of `tcsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial files, every shard once, in any order.
    #[arg(required = true, value_name = "PARTS")]
    pub parts: Vec<PathBuf>,
    /// Output directory: the files the unsharded command would write.
    #[arg(long, value_name = "DIR", required = true)]
    pub out: PathBuf,
    /// No summary on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `tcsim init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the scenario.
    #[arg(default_value = "scenario.toml")]
    pub path: PathBuf,
}

/// `tcsim completions SHELL`: the completion script clap_complete makes of
/// this definition.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tcsim", &mut script);
    script
}

/// `tcsim man`: one roff page, tcsim(1), made by clap_mangen of this
/// definition: the program's name, synopsis and description, then a
/// section per command with its synopsis, description and every flag
/// (clap_mangen's own page would point to a tcsim-run(1) page per command,
/// which nothing installs).
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut cli = Cli::command();
    cli.build();
    let top = clap_mangen::Man::new(cli.clone());
    let mut page = Vec::new();
    top.render_title(&mut page)?;
    top.render_name_section(&mut page)?;
    top.render_synopsis_section(&mut page)?;
    top.render_description_section(&mut page)?;
    top.render_options_section(&mut page)?;
    for sub in cli.get_subcommands().filter(|s| s.get_name() != "help") {
        writeln!(page, ".SH \"TCSIM {}\"", sub.get_name().to_uppercase())?;
        let man = clap_mangen::Man::new(sub.clone());
        let mut part = Vec::new();
        man.render_synopsis_section(&mut part)?;
        man.render_description_section(&mut part)?;
        man.render_options_section(&mut part)?;
        // The command's sections become subsections of its own; the
        // apostrophe preamble roff repeats before each part is said once.
        for line in String::from_utf8_lossy(&part).lines() {
            if line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq") {
                continue;
            }
            match line.strip_prefix(".SH ") {
                Some(heading) => writeln!(page, ".SS {heading}")?,
                None => writeln!(page, "{line}")?,
            }
        }
    }
    top.render_version_section(&mut page)?;
    Ok(page)
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
