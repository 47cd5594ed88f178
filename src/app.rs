//! The command layer: turns the parsed command line into a checked
//! configuration and runs the stages in order (scenario -> engine ->
//! statistics -> reports). No clap type travels past this file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::cli::{
    Cli, Command, OutputArgs, SimArgs, SummaryYears, SweepArgs, TableFormat, TraceArgs,
};
use crate::config::{Overrides, RunConfig, SweepConfig, TraceConfig, default_out_dir};
use crate::engine::{Engine, Results};
use crate::error::AppError;
use crate::report::manifest::Provenance;
use crate::report::plot::Histogram;
use crate::report::samples::{Samples, SamplesTap};
use crate::report::{self, Format, Staging};
use crate::scenario::{self, patch};
use crate::stats::Tap;
use crate::terminal::{
    interrupt_flag, print_status, print_stdout, print_stdout_bytes, progress_bar,
};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), AppError> {
    match cli.command {
        Command::Run(args) => {
            let mut cfg = run_config(&args.file, &args.sim, &args.outputs)?;
            cfg.summary_years = args.years.map(|y| match y {
                SummaryYears::All => Vec::new(),
                SummaryYears::List(list) => list,
            });
            run_command(&cfg)
        }
        Command::Check { file } => {
            let (scenario, written) = scenario::load_as_written(&file)?;
            print_stdout(&report::describe::describe(&file, &scenario, &written))
        }
        Command::Init(args) => {
            scenario::starter::write(&args.path)?;
            // A status, not a result: stderr (stdout stays empty).
            print_status(&format!(
                "wrote {p}: your current job and one offer, at two public companies.\n\
                 Replace the numbers marked EDIT with your own, check it with `tcsim check {p}`,\n\
                 then run `tcsim run {p}`.",
                p = args.path.display()
            ));
            Ok(())
        }
        Command::Trace(args) => trace_command(&trace_config(&args)),
        Command::Sweep(args) => sweep_command(&sweep_config(&args)?),
        // Both from the clap definition, so they never disagree with --help;
        // written as generated (a script's tabs stay tabs).
        Command::Completions { shell } => print_stdout_bytes(&crate::cli::completions(shell)),
        Command::Man => {
            let page = crate::cli::man_page()
                .map_err(|e| AppError::Internal(format!("cannot render the man page: {e}")))?;
            print_stdout_bytes(&page)
        }
    }
}

// ------------------------------------------------------- the command line

fn format(f: TableFormat) -> Format {
    match f {
        TableFormat::Csv => Format::Csv,
        TableFormat::Json => Format::Json,
    }
}

fn run_config(file: &Path, sim: &SimArgs, outputs: &OutputArgs) -> Result<RunConfig, AppError> {
    Ok(RunConfig {
        file: file.to_path_buf(),
        overrides: Overrides {
            runs: sim.runs,
            seed: sim.seed,
        },
        threads: sim.threads.map(usize::from),
        out_dir: out_dir(file, sim.out.as_deref())?,
        quiet: sim.quiet,
        format: format(outputs.format),
        samples: outputs.samples,
        plot: outputs.plot,
        report: outputs.report,
        summary_years: None,
    })
}

/// The output directory: `--out DIR`, or `out/<file stem>/`. A `--out`
/// that is a file, or inside one, is refused before the scenario is read
/// (exit 2, nothing written): the directory could never be created there.
/// The nearest part of the path that exists must be a directory; below it
/// the directories are created when the files are staged.
fn out_dir(file: &Path, out: Option<&Path>) -> Result<PathBuf, AppError> {
    let Some(out) = out else {
        return Ok(default_out_dir(file));
    };
    // `metadata` follows symbolic links: a link to a directory is one.
    let existing = out
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .find_map(|a| a.metadata().ok().map(|m| (a, m.is_dir())));
    match existing {
        Some((blocker, false)) => Err(AppError::Usage(format!(
            "--out {}: {} is a file, not a directory; give a directory (created if missing)",
            out.display(),
            blocker.display()
        ))),
        _ => Ok(out.to_path_buf()),
    }
}

fn trace_config(args: &TraceArgs) -> TraceConfig {
    TraceConfig {
        file: args.file.clone(),
        run: args.run,
        strategy: args.strategy.clone(),
        overrides: Overrides {
            runs: None,
            seed: args.seed,
        },
        csv: args.csv,
    }
}

fn sweep_config(args: &SweepArgs) -> Result<SweepConfig, AppError> {
    let mut run = run_config(
        &args.file,
        &args.sim,
        &OutputArgs {
            format: args.format,
            samples: false,
            plot: false,
            report: false,
        },
    )?;
    run.format = format(args.format);
    let axes = args
        .set
        .iter()
        .map(|a| patch::parse_axis(a))
        .collect::<Result<Vec<_>, _>>()?;
    SweepConfig::new(run, axes)
}

// ------------------------------------------------------------- commands

/// `tcsim run`: simulate once, feeding the statistics and every optional
/// output in the same pass, then commit the files together.
fn run_command(cfg: &RunConfig) -> Result<(), AppError> {
    // Signal handlers before anything is written, so a signal at any later
    // moment stops the run through the flag and the unwinding that removes
    // temporary files. (check, init and trace keep the default: they end.)
    let interrupted = interrupt_flag();
    let (text, mut scenario) = scenario::load_with_text(&cfg.file)?;
    cfg.overrides.apply(&mut scenario);
    let summary_years = cfg.summary_years(scenario.sim.years)?;
    let provenance = Provenance::new(&cfg.file, text.as_bytes(), &[&scenario]);
    let pool = cfg.pool()?;
    let engine = Engine::new(&scenario);
    crate::resources::check_memory(&engine, pool.current_num_threads())?;
    if cfg.samples
        && let Some(warning) = report::samples::spreadsheet_warning(&scenario)
    {
        crate::terminal::print_warning(&warning);
    }
    let mut staging = Staging::new(&cfg.out_dir, provenance.clone(), cfg.other_scenario())?;
    let mut samples = match cfg.samples {
        true => Some(SamplesTap::new(
            Samples::new(&scenario, engine.layout()),
            staging.begin("samples.csv")?,
        )?),
        false => None,
    };
    // The report shows the histogram too: counted in the same pass.
    let mut histogram =
        (cfg.plot || cfg.report).then(|| Histogram::new(engine.layout(), scenario.sim.runs));
    let results = simulate(
        &engine,
        &pool,
        cfg.quiet,
        &mut (&mut samples, &mut histogram),
        interrupted,
    );
    // A failed write stops the pass too: report it rather than a stop.
    let samples = samples.map(SamplesTap::finish).transpose()?;
    let results = results?;
    report::check_decision(&scenario, &results)?;
    for (name, bytes) in report::tables(cfg.format, &scenario, &results)? {
        staging.add(name, &bytes)?;
    }
    if let Some(stream) = samples {
        staging.push(stream)?;
    }
    let histogram = histogram.and_then(Histogram::finish);
    if cfg.plot
        && let Some((bins, counts)) = &histogram
    {
        for (name, bytes) in report::plot::files(&cfg.name(), &scenario, &results, bins, counts) {
            staging.add(name, &bytes)?;
        }
    }
    // What the terminal prints, the report says.
    let summary = report::summary::render_years(&scenario, &results, &summary_years);
    if cfg.report {
        let html = report_html(
            cfg,
            &text,
            &scenario,
            &results,
            &summary,
            &provenance,
            &histogram,
        )?;
        staging.add("report.html", &html)?;
    }
    stopped(interrupted)?;
    let written = staging.commit()?;
    if !cfg.quiet {
        print_stdout(&summary)?;
        print_status(&wrote(&written));
    }
    Ok(())
}

/// The status line after a commit: `wrote out/x/percentiles.csv, ...`
/// (stderr: stdout holds only the summary, for a pipe or a file).
fn wrote(written: &[PathBuf]) -> String {
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    format!("wrote {}", names.join(", "))
}

/// `report.html`: the terminal summary and what `tcsim check` prints (for
/// the scenario simulated, from the text already read), beside the tables
/// and charts.
fn report_html(
    cfg: &RunConfig,
    text: &str,
    scenario: &crate::model::Scenario,
    results: &Results,
    summary: &str,
    provenance: &Provenance,
    histogram: &Option<(report::plot::Bins, Vec<u64>)>,
) -> Result<Vec<u8>, AppError> {
    let (_, written) = scenario::parse_as_written(&cfg.file.display().to_string(), text)?;
    let assumptions = report::describe::describe(&cfg.file, scenario, &written);
    Ok(report::html::render(&report::html::Report {
        name: &cfg.name(),
        scenario,
        results,
        summary,
        assumptions: &assumptions,
        provenance,
        histogram: histogram.as_ref().map(|(b, c)| (b, c.as_slice())),
    }))
}

/// Simulates with a progress bar; Ctrl-C stops it.
fn simulate<T: Tap + Send>(
    engine: &Engine,
    pool: &rayon::ThreadPool,
    quiet: bool,
    taps: &mut T,
    interrupted: &AtomicUsize,
) -> Result<Results, AppError> {
    let bar = progress_bar(engine.scenario().sim.runs, quiet);
    let results = pool.install(|| {
        engine.simulate_with(taps, &|n| {
            bar.inc(n);
            interrupted.load(Ordering::Relaxed) == 0
        })
    });
    bar.finish_and_clear();
    stopped(interrupted)?;
    // Without a signal only a tap stops the pass, and its own error is
    // reported before this one is looked at.
    results.ok_or_else(|| AppError::Internal("the simulation stopped without a signal".into()))
}

/// An error if a signal has stopped the run (checked again before the
/// files are committed: a signal while they are staged writes nothing).
fn stopped(interrupted: &AtomicUsize) -> Result<(), AppError> {
    match interrupted.load(Ordering::SeqCst) {
        0 => Ok(()),
        signal => Err(AppError::Interrupted(signal as i32)),
    }
}

/// `tcsim trace`: one world's ledger, as text or CSV.
fn trace_command(cfg: &TraceConfig) -> Result<(), AppError> {
    let mut scenario = scenario::load(&cfg.file)?;
    cfg.overrides.apply(&mut scenario);
    cfg.check_run(&scenario)?;
    let only = cfg.strategy_index(&scenario)?;
    let (world, traces) = crate::engine::trace::replay(&scenario, cfg.run, only);
    let measures = crate::schema::Layout::new(&scenario).measures().to_vec();
    if cfg.csv {
        let bytes = report::trace::render_csv(&scenario, &traces, &measures)?;
        print_stdout(&String::from_utf8_lossy(&bytes))?;
    } else {
        let label = cfg.file.display().to_string();
        print_stdout(&report::trace::render_text(
            &scenario, &label, cfg.run, &world, &traces, &measures,
        ))?;
    }
    Ok(())
}

/// `tcsim sweep`: every point checked (scenario and memory) before the
/// first is simulated, then one row per (point, strategy) in `sweep.csv`.
fn sweep_command(cfg: &SweepConfig) -> Result<(), AppError> {
    let interrupted = interrupt_flag();
    let run = &cfg.run;
    // The unswept file must be valid on its own, with its own positions.
    let (text, _) = scenario::load_with_text(&run.file)?;
    let label = run.file.display().to_string();
    let points = patch::points(&label, &text, &cfg.axes, run.overrides)?;
    let pool = run.pool()?;
    for p in &points {
        crate::resources::check_memory(&Engine::new(&p.scenario), pool.current_num_threads())?;
    }
    let scenarios: Vec<_> = points.iter().map(|p| &p.scenario).collect();
    let provenance = Provenance::new(&run.file, text.as_bytes(), &scenarios);
    stopped(interrupted)?;
    let mut staging = Staging::new(&run.out_dir, provenance, run.other_scenario())?;
    let mut done = Vec::with_capacity(points.len());
    for point in points {
        let engine = Engine::new(&point.scenario);
        let results = simulate(&engine, &pool, run.quiet, &mut (), interrupted)?;
        report::check_decision(&point.scenario, &results)?;
        done.push(report::sweep::Point {
            values: point.values,
            scenario: point.scenario,
            results,
        });
    }
    let table = report::sweep::table(&cfg.axes, &done)?;
    let (name, bytes) = match run.format {
        Format::Csv => ("sweep.csv", report::csv::write(&table)?),
        Format::Json => ("sweep.json", report::json::write(&table)?),
    };
    staging.add(name, &bytes)?;
    stopped(interrupted)?;
    let written = staging.commit()?;
    if !run.quiet {
        print_stdout(&report::sweep::summary(&done))?;
        print_status(&wrote(&written));
    }
    Ok(())
}
