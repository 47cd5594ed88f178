//! The commands: load and check the scenario, simulate, report. Everything
//! that touches the terminal or the file system for a command lives here.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{
    Cli, Command, InitArgs, OutputArgs, RunArgs, SimArgs, SweepArgs, TableFormat, TraceArgs,
};
use crate::engine::{Engine, Results};
use crate::error::AppError;
use crate::model::{Base, CompanyKind, GrantKind, GrantSize, Scenario};
use crate::report;
use crate::stats::CHUNK_RUNS;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), AppError> {
    match cli.command {
        Command::Run(args) => run_command(&args),
        Command::Check { file } => {
            let scenario = crate::scenario::load(&file)?;
            print_stdout(&describe(&file, &scenario));
            Ok(())
        }
        Command::Init(args) => init_command(&args),
        Command::Trace(args) => trace_command(&args),
        Command::Sweep(args) => sweep_command(&args),
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
    let (scenario, out_dir, pool) = prepare(&args.file, &args.sim)?;
    let engine = Engine::new(&scenario).with_quantiles(extra_quantiles(&args.outputs));
    let interrupted = interrupt_flag();
    let results = simulate(&engine, &scenario, &pool, args.sim.quiet, &interrupted)?;
    let written = write_outputs(args, &scenario, &engine, &results, &out_dir, &interrupted)?;
    if !args.sim.quiet {
        let mut text = report::summary::render(&scenario, &results);
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(text, "wrote {}", names.join(", "));
        print_stdout(&text);
    }
    Ok(())
}

/// Loads the scenario, applies `--runs` and `--seed`, and builds the
/// thread pool: everything checked before any work starts.
fn prepare(file: &Path, sim: &SimArgs) -> Result<(Scenario, PathBuf, rayon::ThreadPool), AppError> {
    let mut scenario = crate::scenario::load(file)?;
    if let Some(runs) = sim.runs {
        scenario.sim.runs = runs;
    }
    if let Some(seed) = sim.seed {
        scenario.sim.seed = seed;
    }
    let out_dir = sim.out.clone().unwrap_or_else(|| default_out_dir(file));
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = sim.threads {
        pool = pool.num_threads(usize::from(t));
    }
    let pool = pool
        .build()
        .map_err(|e| AppError::Usage(format!("cannot start {:?} threads: {e}", sim.threads)))?;
    Ok((scenario, out_dir, pool))
}

/// Ctrl-C sets this flag; the engine reads it once per chunk, so a run
/// stops within milliseconds and nothing is written.
fn interrupt_flag() -> Arc<AtomicBool> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    // A second handler (a sweep's later points, tests) is not an error.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    interrupted
}

/// Simulates with a progress bar, after the memory check.
fn simulate(
    engine: &Engine,
    scenario: &Scenario,
    pool: &rayon::ThreadPool,
    quiet: bool,
    interrupted: &AtomicBool,
) -> Result<Results, AppError> {
    check_memory(engine, scenario, pool.current_num_threads())?;
    let bar = progress_bar(scenario.sim.runs, quiet);
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
    Ok(results)
}

// -------------------------------------------------------------------- trace

fn trace_command(args: &TraceArgs) -> Result<(), AppError> {
    let mut scenario = crate::scenario::load(&args.file)?;
    if let Some(seed) = args.seed {
        scenario.sim.seed = seed;
    }
    let only = match &args.strategy {
        None => None,
        Some(name) => Some(
            scenario
                .strategies
                .iter()
                .position(|s| &s.name == name)
                .ok_or_else(|| {
                    let names: Vec<&str> = scenario
                        .strategies
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect();
                    AppError::Usage(format!(
                        "--strategy {name}: no such strategy (strategies: {})",
                        names.join(", ")
                    ))
                })?,
        ),
    };
    let (world, traces) = crate::trace::replay(&scenario, args.run, only);
    let measures = Engine::new(&scenario).layout().measures().to_vec();
    if args.csv {
        let bytes = crate::trace::render_csv(&scenario, &traces, &measures);
        print_stdout(&String::from_utf8_lossy(&bytes));
    } else {
        let label = args.file.display().to_string();
        print_stdout(&crate::trace::render_text(
            &scenario, &label, args.run, &world, &traces, &measures,
        ));
    }
    Ok(())
}

// -------------------------------------------------------------------- sweep

fn sweep_command(args: &SweepArgs) -> Result<(), AppError> {
    let axes = args
        .set
        .iter()
        .map(|a| crate::sweep::parse_axis(a))
        .collect::<Result<Vec<_>, _>>()?;
    let points = crate::sweep::grid(&axes)?;
    // The unswept file must be valid on its own, with its own positions.
    let (base, _, pool) = prepare(&args.file, &args.sim)?;
    let out_dir = args
        .sim
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.file));
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| AppError::Usage(format!("cannot read {}: {e}", args.file.display())))?;
    let label = args.file.display().to_string();
    // Check every point before simulating any.
    let mut scenarios = Vec::with_capacity(points.len());
    for point in &points {
        let mut s = crate::sweep::scenario_at(&label, &text, &axes, point)?;
        s.sim.runs = base.sim.runs;
        s.sim.seed = base.sim.seed;
        scenarios.push(s);
    }
    let interrupted = interrupt_flag();
    let mut done = Vec::with_capacity(points.len());
    for (point, scenario) in points.iter().zip(scenarios) {
        let engine = Engine::new(&scenario);
        let results = simulate(&engine, &scenario, &pool, args.sim.quiet, &interrupted)?;
        let values = axes
            .iter()
            .zip(point)
            .map(|(a, &i)| a.values[i].clone())
            .collect();
        done.push(crate::sweep::Point {
            values,
            scenario,
            results,
        });
    }
    let table = crate::sweep::table(&axes, &base.sim.percentiles, &done);
    let file = match args.format {
        TableFormat::Csv => ("sweep.csv", report::csv::write(&table)),
        TableFormat::Json => ("sweep.json", report::json::write(&table)),
    };
    let written = report::write_files(&out_dir, &[file])?;
    if !args.sim.quiet {
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        print_stdout(&format!(
            "{} points, {} runs each (seed {})\nwrote {}\n",
            done.len(),
            base.sim.runs,
            base.sim.seed,
            names.join(", ")
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------ outputs
// The files `tcsim run` writes: the two tables in the chosen format, and
// the optional samples and charts, all committed together.

/// Quantiles the outputs need beyond the engine's own: the histogram's
/// range with `--plot`.
fn extra_quantiles(outputs: &OutputArgs) -> &'static [f64] {
    if outputs.plot {
        &report::plot::RANGE_PROBS
    } else {
        &[]
    }
}

/// Writes every output file into `out_dir`, whole or not at all: the two
/// tables, then with `--samples` or `--plot` a replay of every run feeding
/// `samples.csv` and the histogram. Ctrl-C during the replay writes nothing.
fn write_outputs(
    args: &RunArgs,
    scenario: &Scenario,
    engine: &Engine,
    results: &Results,
    out_dir: &Path,
    interrupted: &AtomicBool,
) -> Result<Vec<PathBuf>, AppError> {
    let o = &args.outputs;
    let format = match o.format {
        TableFormat::Csv => report::Format::Csv,
        TableFormat::Json => report::Format::Json,
    };
    let mut staging = report::Staging::new(out_dir)?;
    for (name, bytes) in report::tables(format, scenario, results) {
        staging.add(name, &bytes)?;
    }
    if o.samples || o.plot {
        let counts = replay_outputs(args, scenario, engine, results, &mut staging, interrupted)?;
        if let Some((bins, counts)) = counts {
            let name = scenario_name(&args.file);
            staging.add("fan.svg", &report::plot::fan(&name, scenario, results))?;
            let hist = report::plot::histogram(&name, scenario, results, &bins, &counts);
            staging.add("final.svg", &hist)?;
        }
    }
    staging.commit()
}

/// Replays every run once for `samples.csv` (streamed into `staging`) and
/// the histogram's counts (returned with `--plot`).
fn replay_outputs(
    args: &RunArgs,
    scenario: &Scenario,
    engine: &Engine,
    results: &Results,
    staging: &mut report::Staging,
    interrupted: &AtomicBool,
) -> Result<Option<(report::plot::Bins, Vec<u64>)>, AppError> {
    use report::samples::{HEADER, Samples};

    /// What one piece of runs produces.
    struct Piece {
        text: Vec<u8>,
        counts: Vec<u64>,
    }
    /// Formatted samples per piece: pieces stay around a megabyte however
    /// many strategies and years a run has.
    const PIECE_BYTES: usize = 1 << 20;

    let o = &args.outputs;
    let samples = o.samples.then(|| Samples::new(scenario, engine.layout()));
    let bins = o.plot.then(|| report::plot::Bins::for_horizon(results));
    let piece_runs = samples.as_ref().map_or(CHUNK_RUNS, |s| {
        (PIECE_BYTES / s.bytes_per_run().max(1)).clamp(1, CHUNK_RUNS as usize) as u64
    });
    let mut stream = match samples {
        Some(_) => {
            let mut s = staging.begin("samples.csv")?;
            s.write(HEADER.as_bytes())?;
            Some(s)
        }
        None => None,
    };
    let mut counts = bins.as_ref().map(report::plot::Bins::counts);
    let mut failed = None;
    let what = match (o.samples, o.plot) {
        (true, true) => "samples, histogram",
        (true, false) => "samples",
        _ => "histogram",
    };
    let bar = replay_bar(scenario.sim.runs, args.sim.quiet, what);
    let done = engine.replay(
        piece_runs,
        || Piece {
            text: Vec::with_capacity(
                samples
                    .as_ref()
                    .map_or(0, |s| s.bytes_per_run() * piece_runs as usize),
            ),
            counts: bins
                .as_ref()
                .map_or_else(Vec::new, report::plot::Bins::counts),
        },
        |p, run, row| {
            if let Some(s) = &samples {
                s.write_run(&mut p.text, run, row);
            }
            if let Some(b) = &bins {
                b.add(&mut p.counts, row);
            }
        },
        &|n| {
            bar.inc(n);
            !interrupted.load(Ordering::Relaxed)
        },
        |p| {
            if let Some(s) = &mut stream
                && let Err(e) = s.write(&p.text)
            {
                failed = Some(e);
                return false;
            }
            if let Some(c) = &mut counts {
                for (total, n) in c.iter_mut().zip(&p.counts) {
                    *total += n;
                }
            }
            true
        },
    );
    bar.finish_and_clear();
    if let Some(e) = failed {
        return Err(e);
    }
    if !done || interrupted.load(Ordering::SeqCst) {
        return Err(AppError::Interrupted);
    }
    if let Some(s) = stream {
        s.finish()?;
    }
    Ok(bins.zip(counts))
}

/// The scenario's name in chart titles: the file stem.
fn scenario_name(file: &Path) -> String {
    file.file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}

/// A bar for a replay pass, labelled with what it writes.
fn replay_bar(runs: u64, quiet: bool, what: &str) -> ProgressBar {
    let bar = progress_bar(runs, quiet);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} {bar:40} {human_pos}/{human_len} runs  {per_sec}  eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_message(format!("writing {what}:"));
    bar
}

// --------------------------------------------------------------------- init

/// The starter scenario `tcsim init` writes.
pub const STARTER: &str = include_str!("starter.toml");

/// `tcsim init [PATH]`: writes [`STARTER`] to `PATH`, never over an existing
/// file, whole or not at all.
fn init_command(args: &InitArgs) -> Result<(), AppError> {
    let path = &args.path;
    let refuse = || {
        AppError::Usage(format!(
            "{} already exists; tcsim init never overwrites a file. Pick another path, e.g. `tcsim init my-offer.toml`",
            path.display()
        ))
    };
    if path.is_dir() {
        return Err(AppError::Usage(format!(
            "{} is a directory; give tcsim init a file path, e.g. `tcsim init {}`",
            path.display(),
            path.join("scenario.toml").display()
        )));
    }
    if path.exists() {
        return Err(refuse());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| AppError::Io { path: p, source }
    };
    if !dir.is_dir() {
        return Err(AppError::Io {
            path: path.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("cannot create it: {} is not a directory", dir.display()),
            ),
        });
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tcsim-init.").suffix(".tmp");
    // 0666 so the umask decides, as for any new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io(dir))?;
    tmp.write_all(STARTER.as_bytes()).map_err(io(tmp.path()))?;
    tmp.as_file().sync_all().map_err(io(tmp.path()))?;
    // Refuses atomically a file created meanwhile.
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            refuse()
        } else {
            AppError::Io {
                path: path.clone(),
                source: e.error,
            }
        }
    })?;
    print_stdout(&format!(
        "wrote {p}: your current job and one offer, at two public companies.\n\
         Replace the numbers marked EDIT with your own, check it with `tcsim check {p}`,\n\
         then run `tcsim run {p}`.\n",
        p = path.display()
    ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_scenario_parses_and_runs() {
        let mut scenario = crate::scenario::parse("scenario.toml", STARTER)
            .unwrap_or_else(|e| panic!("the starter is invalid: {e}"));
        assert_eq!(scenario.strategies.len(), 2);
        assert!(
            scenario
                .companies
                .iter()
                .all(|c| matches!(c.kind, CompanyKind::Public(_))),
            "the starter uses public companies only"
        );
        scenario.sim.runs = 2000;
        let results = Engine::new(&scenario).simulate(&|_| {});
        let summary = report::summary::render(&scenario, &results);
        assert!(summary.contains("switch ahead of stay"), "{summary}");
    }
}
