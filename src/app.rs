//! The commands: load and check the scenario, simulate, report. Everything
//! that touches the terminal or the file system for a command lives here.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{Cli, Command, RunArgs};
use crate::engine::Engine;
use crate::error::AppError;
use crate::model::{Base, CompanyKind, GrantKind, GrantSize, Scenario};
use crate::report;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), AppError> {
    match cli.command {
        Command::Run(args) => run_command(&args),
        Command::Check { file } => {
            let scenario = crate::scenario::load(&file)?;
            print_stdout(&describe(&file, &scenario));
            Ok(())
        }
    }
}

/// Default output directory: `out/<file stem>/`.
pub fn default_out_dir(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    Path::new("out").join(stem)
}

fn run_command(args: &RunArgs) -> Result<(), AppError> {
    let mut scenario = crate::scenario::load(&args.file)?;
    if let Some(runs) = args.runs {
        scenario.sim.runs = runs;
    }
    if let Some(seed) = args.seed {
        scenario.sim.seed = seed;
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.file));

    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = args.threads {
        pool = pool.num_threads(usize::from(t));
    }
    let pool = pool
        .build()
        .map_err(|e| AppError::Usage(format!("cannot start {:?} threads: {e}", args.threads)))?;

    let engine = Engine::new(&scenario);
    check_memory(&engine, &scenario, pool.current_num_threads())?;

    // Ctrl-C sets a flag the engine reads once per chunk: the run stops
    // within milliseconds and nothing is written.
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let flag = Arc::clone(&interrupted);
        // A second handler (tests calling `run` twice) is not an error.
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    }
    let bar = progress_bar(scenario.sim.runs, args.quiet);
    let results = pool.install(|| {
        engine.simulate_until(&|n| {
            bar.inc(n);
            !interrupted.load(Ordering::Relaxed)
        })
    });
    bar.finish_and_clear();
    let results = results.ok_or(AppError::Interrupted)?;
    if interrupted.load(Ordering::SeqCst) {
        return Err(AppError::Interrupted);
    }

    let files = [
        (
            "percentiles.csv",
            report::csv::percentiles(&scenario, &results),
        ),
        ("compare.csv", report::csv::compare(&scenario, &results)),
    ];
    let written = report::write_files(&out_dir, &files)?;
    if !args.quiet {
        let mut text = report::summary::render(&scenario, &results);
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(text, "wrote {}", names.join(", "));
        print_stdout(&text);
    }
    Ok(())
}

/// Refuses a run whose memory estimate exceeds the memory available now
/// (Linux `MemAvailable`; elsewhere the check is skipped).
fn check_memory(engine: &Engine, scenario: &Scenario, threads: usize) -> Result<(), AppError> {
    let need = engine.memory_estimate(threads);
    let Some(available) = available_memory() else {
        return Ok(());
    };
    if need > available {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        return Err(AppError::Memory(format!(
            "this run needs about {:.1} GiB of memory ({} runs, {} strategies, {} years) but {:.1} GiB is available; \
             lower --runs, or the number of strategies, years or percentiles",
            gib(need),
            scenario.sim.runs,
            scenario.strategies.len(),
            scenario.sim.years,
            gib(available)
        )));
    }
    Ok(())
}

fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A bar on stderr when it is a terminal, advanced once per chunk of runs.
fn progress_bar(runs: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {human_pos}/{human_len} runs  {per_sec}  eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// Prints to stdout; a closed pipe (`tcsim ... | head`) is not an error.
fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// What `tcsim check` prints: the scenario as tcsim understood it.
pub fn describe(file: &Path, s: &Scenario) -> String {
    let mut o = String::new();
    let sim = &s.sim;
    let pct: Vec<String> = sim.percentiles.iter().map(|p| format!("{p}")).collect();
    let _ = writeln!(o, "{}: ok", file.display());
    let _ = writeln!(
        o,
        "horizon {} years, {} runs, seed {}, {} price steps a year, percentiles {}",
        sim.years,
        sim.runs,
        sim.seed,
        sim.steps_per_year,
        pct.join(", ")
    );
    let _ = writeln!(o, "\ncompanies:");
    for c in &s.companies {
        match &c.kind {
            CompanyKind::Public(g) => {
                let _ = writeln!(
                    o,
                    "  {}: public, share price {}, drift {:.1}%, volatility {:.1}%",
                    c.name,
                    g.share_price,
                    100.0 * g.drift,
                    100.0 * g.volatility
                );
            }
            CompanyKind::Private(p) => {
                let _ = writeln!(
                    o,
                    "  {}: private, valuation {}, {} shares ({:.4}/share), preference {}, exit {:.1}%/yr, failure {:.1}%/yr",
                    c.name,
                    report::summary::dollars(p.valuation),
                    report::summary::dollars(p.shares),
                    p.round_price(),
                    report::summary::dollars(p.preference),
                    100.0 * p.exit_rate,
                    100.0 * p.failure_rate
                );
            }
        }
    }
    let _ = writeln!(o, "\njobs:");
    for j in &s.jobs {
        let base = match j.base {
            Base::Fixed(b) => format!("base {}", report::summary::dollars(b)),
            Base::Relative { min, max } => format!(
                "base = last base +{:.0}% to +{:.0}%",
                100.0 * min,
                100.0 * max
            ),
        };
        let grants: Vec<String> = j
            .grants
            .iter()
            .map(|g| {
                let size = match g.size {
                    GrantSize::Units(u) => format!("{} units", report::summary::dollars(u)),
                    GrantSize::Value(v) => format!("${}", report::summary::dollars(v)),
                };
                let kind = match g.kind {
                    GrantKind::Rsu => "RSU".to_string(),
                    GrantKind::Option { strike, .. } => format!("options @ {strike}"),
                };
                if g.granted_months_ago > 0 {
                    format!(
                        "{kind} {size} (granted {} months ago)",
                        g.granted_months_ago
                    )
                } else {
                    format!("{kind} {size}")
                }
            })
            .collect();
        let _ = writeln!(
            o,
            "  {} at {}: {}, bonus target {:.0}%, grants: {}{}",
            j.name,
            s.companies[j.company].name,
            base,
            100.0 * j.bonus.target,
            if grants.is_empty() {
                "none".into()
            } else {
                grants.join("; ")
            },
            if j.refresh.is_some() {
                ", refreshers"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(o, "\nstrategies:");
    for (i, st) in s.strategies.iter().enumerate() {
        let path: Vec<String> = st
            .stints
            .iter()
            .map(|t| format!("{} (years {}-{})", s.jobs[t.job].name, t.start + 1, t.end))
            .collect();
        let tag = if i == sim.baseline { " [baseline]" } else { "" };
        let _ = writeln!(o, "  {}{}: {}", st.name, tag, path.join(" -> "));
    }
    o
}
