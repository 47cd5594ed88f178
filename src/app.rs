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
use crate::shard::{PartHeader, PartWriter, ShardSpec};
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
            let env = |name: &str| std::env::var(name).ok();
            let shard = ShardSpec::resolve(args.shard.shard, args.shard.shard_count, &env)?;
            match (shard, &args.resolve) {
                (None, None) => run_command(&cfg),
                (Some(spec), None) => shard_command(&cfg, spec),
                (Some(spec), Some(misses)) => resolve_command(&cfg, spec, misses),
                (None, Some(misses)) => Err(AppError::Usage(format!(
                    "--resolve {}: gathers one shard's values; give its --shard I/N (or run it in the job array)",
                    misses.display()
                ))),
            }
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
        Command::Solve(args) => solve_command(&solve_config(&args)?),
        Command::Merge(args) => merge_command(&args),
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
    let mut cfg = SweepConfig::new(run, axes)?;
    cfg.shard = crate::shard::ShardSpec::resolve(args.shard.shard, args.shard.shard_count, &|v| {
        std::env::var(v).ok()
    })?;
    Ok(cfg)
}

fn solve_config(args: &crate::cli::SolveArgs) -> Result<crate::config::SolveConfig, AppError> {
    let run = run_config(
        &args.file,
        &args.sim,
        &OutputArgs {
            format: TableFormat::Csv,
            samples: false,
            plot: false,
            report: false,
        },
    )?;
    crate::config::SolveConfig::new(
        run,
        &args.vary,
        &args.target,
        args.strategy.clone(),
        args.year,
        args.between.as_deref(),
    )
}

// ------------------------------------------------------------- commands

/// `tcsim run`: simulate once, feeding the statistics and every optional
/// output in the same pass, then commit the files together.
fn run_command(cfg: &RunConfig) -> Result<(), AppError> {
    // Signal handlers before anything is written, so a signal at any later
    // moment stops the run through the flag and the unwinding that removes
    // temporary files. (check, init and trace keep the default: they end.)
    let interrupted = interrupt_flag();
    let (text, scenario) = load_run(cfg)?;
    let set = RunSet::new(cfg, &text, &scenario)?;
    let pool = cfg.pool()?;
    let engine = run_engine(&scenario)?;
    crate::resources::check_memory(&engine, pool.current_num_threads())?;
    if cfg.samples
        && let Some(warning) = report::samples::spreadsheet_warning(&scenario)
    {
        crate::terminal::print_warning(&warning);
    }
    let staging = set.staging()?;
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
    let results = with_progress(
        &pool,
        scenario.sim.runs,
        cfg.quiet,
        interrupted,
        |progress| engine.simulate_with(&mut (&mut samples, &mut histogram), progress),
    );
    // A failed write stops the pass too: report it rather than a stop.
    let samples = samples.map(SamplesTap::finish).transpose()?;
    let results = results?;
    let histogram = histogram.and_then(Histogram::finish);
    set.write(staging, &results, samples, histogram, interrupted)
}

/// The engine of `run` and `run --shard`. `TCSIM_BRACKET_SIGMAS` (a
/// testing knob, see docs/reference.md) sets the brackets' half-width:
/// every figure is the same bits at any width, but narrow brackets make
/// the pilot miss, which the tests of the miss protocol need.
fn run_engine(scenario: &crate::model::Scenario) -> Result<Engine<'_>, AppError> {
    const VAR: &str = "TCSIM_BRACKET_SIGMAS";
    let engine = Engine::new(scenario);
    match std::env::var(VAR) {
        Err(_) => Ok(engine),
        Ok(v) => match v.trim().parse::<f64>() {
            Ok(s) if (0.0..=100.0).contains(&s) => Ok(engine.with_bracket_sigmas(s)),
            _ => Err(AppError::Usage(format!(
                "the environment variable {VAR}={v:?} is not a number from 0 to 100"
            ))),
        },
    }
}

/// The scenario a run simulates: the file checked, `--runs` and `--seed`
/// applied; and the file's text.
fn load_run(cfg: &RunConfig) -> Result<(String, crate::model::Scenario), AppError> {
    let (text, mut scenario) = scenario::load_with_text(&cfg.file)?;
    cfg.overrides.apply(&mut scenario);
    Ok((text, scenario))
}

/// What `run` and `merge` share around the results: the scenario as
/// simulated, its file's text, the summary's years and the provenance.
struct RunSet<'a> {
    cfg: &'a RunConfig,
    text: &'a str,
    scenario: &'a crate::model::Scenario,
    summary_years: Vec<usize>,
    provenance: Provenance,
}

impl<'a> RunSet<'a> {
    /// Checks `--years` against the horizon.
    fn new(
        cfg: &'a RunConfig,
        text: &'a str,
        scenario: &'a crate::model::Scenario,
    ) -> Result<RunSet<'a>, AppError> {
        Ok(RunSet {
            cfg,
            text,
            scenario,
            summary_years: cfg.summary_years(scenario.sim.years)?,
            provenance: Provenance::new(&cfg.file, text.as_bytes(), &[scenario]),
        })
    }

    /// The output directory, locked for the set.
    fn staging(&self) -> Result<Staging, AppError> {
        let cfg = self.cfg;
        Staging::new(&cfg.out_dir, self.provenance.clone(), cfg.other_scenario())
    }

    /// Everything `run` does after its simulation, and `merge` after
    /// reading its parts: the decision check, the tables, `samples.csv`
    /// (already streamed into `samples`), the charts, the summary,
    /// `report.html`, the commit of the set and what the terminal prints.
    /// One function, so a merge writes the bytes a run would.
    fn write(
        &self,
        mut staging: Staging,
        results: &Results,
        samples: Option<report::Stream>,
        histogram: Option<(report::plot::Bins, Vec<u64>)>,
        interrupted: &AtomicUsize,
    ) -> Result<(), AppError> {
        let (cfg, scenario) = (self.cfg, self.scenario);
        report::check_decision(scenario, results)?;
        for (name, bytes) in report::tables(cfg.format, scenario, results)? {
            staging.add(name, &bytes)?;
        }
        if let Some(stream) = samples {
            staging.push(stream)?;
        }
        if cfg.plot
            && let Some((bins, counts)) = &histogram
        {
            for (name, bytes) in report::plot::files(&cfg.name(), scenario, results, bins, counts) {
                staging.add(name, &bytes)?;
            }
        }
        // What the terminal prints, the report says.
        let summary = report::summary::render_years(scenario, results, &self.summary_years);
        if cfg.report {
            let html = report_html(
                cfg,
                self.text,
                scenario,
                results,
                &summary,
                &self.provenance,
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
}

/// `tcsim run --shard I/N`: the shard's share of the runs (and the pilot,
/// as every shard), written to `part-I-of-N.tcsim` in the output
/// directory: its statistics, its share of the histogram and its rows of
/// `samples.csv`, for `tcsim merge`. No summary: a shard has no results of
/// its own. Interrupted, it writes nothing.
fn shard_command(cfg: &RunConfig, spec: ShardSpec) -> Result<(), AppError> {
    use crate::shard::run::{self as part, Sections, tag};
    let interrupted = interrupt_flag();
    let (text, scenario) = load_run(cfg)?;
    // Checked here too, so that the merge cannot fail on it.
    cfg.summary_years(scenario.sim.years)?;
    let pool = cfg.pool()?;
    let engine = run_engine(&scenario)?;
    let chunks = engine.shard_chunks(spec.index, spec.count);
    let threads = pool.current_num_threads();
    crate::resources::check_shard_memory(&engine, threads, chunks.clone())?;
    let header = PartHeader::new(
        part::RUN,
        spec,
        &cfg.file,
        &text,
        part::settings(cfg, &scenario),
    );
    let mut writer = PartWriter::create(&cfg.out_dir, &header)?;
    let mut samples = cfg.samples.then(|| {
        SamplesTap::rows(
            Samples::new(&scenario, engine.layout()),
            Sections(&mut writer),
        )
    });
    let mut histogram =
        (cfg.plot || cfg.report).then(|| Histogram::new(engine.layout(), scenario.sim.runs));
    let simulated = crate::stats::shard_simulated_runs(scenario.sim.runs, chunks);
    let result = with_progress(&pool, simulated, cfg.quiet, interrupted, |progress| {
        engine.simulate_shard(
            spec.index,
            spec.count,
            &mut (&mut samples, &mut histogram),
            progress,
        )
    });
    // The rows went into the part as they came; only an error is left.
    samples.map(SamplesTap::finish).transpose()?;
    let mut result = result?;
    let mut sections = Sections(&mut writer);
    sections.encode(tag::STATS, |e| result.encode(e))?;
    if let Some(h) = &histogram {
        sections.encode(tag::HISTOGRAM, |e| h.encode(e))?;
    }
    finish_part(writer, cfg.quiet, interrupted)
}

/// Ends a part and puts it in place, unless a signal came first; says so.
fn finish_part(
    mut writer: PartWriter,
    quiet: bool,
    interrupted: &AtomicUsize,
) -> Result<(), AppError> {
    crate::shard::run::Sections(&mut writer).end()?;
    stopped(interrupted)?;
    let path = writer.finish()?;
    if !quiet {
        print_status(&format!("wrote {}", path.display()));
    }
    Ok(())
}

/// `tcsim run --shard I/N --resolve misses.json`: after a merge met a
/// bracket miss, the shard's values in the gaps it names, gathered in one
/// pass over the shard's runs into `part-I-of-N.gaps.tcsim`.
fn resolve_command(cfg: &RunConfig, spec: ShardSpec, path: &Path) -> Result<(), AppError> {
    use crate::shard::run::{self as part, Misses, Sections, tag};
    let interrupted = interrupt_flag();
    let misses = Misses::read(path)?;
    let (text, scenario) = load_run(cfg)?;
    let refuse = |what: String| {
        AppError::Usage(format!(
            "--resolve {}: the misses of {} {what}; rerun with that file and its --runs and --seed",
            path.display(),
            misses.scenario
        ))
    };
    let sha = report::manifest::sha256(text.as_bytes());
    if sha != misses.sha256 {
        return Err(refuse(format!(
            "(sha256 {:.12}), not of {} (sha256 {sha:.12})",
            misses.sha256,
            cfg.file.display()
        )));
    }
    let sim = &scenario.sim;
    if (sim.runs, sim.seed, spec.count) != (misses.runs, misses.seed, misses.shards) {
        return Err(refuse(format!(
            "at {} runs, seed {}, in {} shards, not {} runs, seed {}, shard {}/{}",
            misses.runs, misses.seed, misses.shards, sim.runs, sim.seed, spec.index, spec.count
        )));
    }
    let pool = cfg.pool()?;
    let engine = Engine::new(&scenario);
    let gaps = crate::stats::Gaps::from_json(&misses.gaps, engine.layout().width())
        .map_err(|e| AppError::Usage(format!("--resolve {}: {e}", path.display())))?;
    let header = PartHeader::new(
        part::GAPS,
        spec,
        &cfg.file,
        &text,
        part::gaps_settings(&scenario, &gaps),
    );
    let mut writer = PartWriter::create(&cfg.out_dir, &header)?;
    let chunks = engine.shard_chunks(spec.index, spec.count);
    let simulated = chunks
        .clone()
        .map(|c| crate::engine::driver::chunk_bounds(c, sim.runs).1 as u64)
        .sum();
    let mut values = with_progress(&pool, simulated, cfg.quiet, interrupted, |progress| {
        engine.gap_values(chunks, &gaps, progress)
    })?;
    Sections(&mut writer).encode(tag::GAP_VALUES, |e| values.encode(e))?;
    finish_part(writer, cfg.quiet, interrupted)
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
    let runs = engine.scenario().sim.runs;
    with_progress(pool, runs, quiet, interrupted, |progress| {
        engine.simulate_with(taps, progress)
    })
}

/// Runs `work` on `pool` with a progress bar of `runs` runs; Ctrl-C stops
/// it (an error once it returns).
fn with_progress<R: Send>(
    pool: &rayon::ThreadPool,
    runs: u64,
    quiet: bool,
    interrupted: &AtomicUsize,
    work: impl FnOnce(crate::engine::driver::Progress<'_>) -> Option<R> + Send,
) -> Result<R, AppError> {
    let bar = progress_bar(runs, quiet);
    let result = pool.install(|| {
        work(&|n| {
            bar.inc(n);
            interrupted.load(Ordering::Relaxed) == 0
        })
    });
    bar.finish_and_clear();
    stopped(interrupted)?;
    // Without a signal only a tap stops the pass, and its own error is
    // reported before this one is looked at.
    result.ok_or_else(|| AppError::Internal("the simulation stopped without a signal".into()))
}

/// An error if a signal has stopped the run (checked again before the
/// files are committed: a signal while they are staged writes nothing).
fn stopped(interrupted: &AtomicUsize) -> Result<(), AppError> {
    match interrupted.load(Ordering::SeqCst) {
        0 => Ok(()),
        signal => Err(AppError::Interrupted(signal as i32)),
    }
}

/// `tcsim merge`: the partial files of a sharded run or sweep, combined.
fn merge_command(args: &crate::cli::MergeArgs) -> Result<(), AppError> {
    let mut headers = Vec::with_capacity(args.parts.len());
    for path in &args.parts {
        headers.push((path.clone(), crate::shard::open_part(path)?.0));
    }
    // The kind of the set: its first part's (a run's gaps parts go with it).
    let kind = headers
        .iter()
        .map(|(_, h)| h.kind.as_str())
        .find(|&k| k != crate::shard::run::GAPS)
        .unwrap_or(crate::shard::run::GAPS);
    match kind {
        "run" => merge_run(args, headers),
        report::sweep_merge::KIND => {
            out_dir(Path::new(""), Some(&args.out))?;
            let parts = headers
                .iter()
                .map(|(p, _)| crate::shard::read_part(p).map(|(h, body)| (p.clone(), h, body)))
                .collect::<Result<Vec<_>, _>>()?;
            report::sweep_merge::merge(args, crate::shard::check_set(parts)?)
        }
        _ => Err(AppError::Usage(format!(
            "{}: a part of kind {kind:?}, which tcsim merge does not know",
            headers[0].0.display()
        ))),
    }
}

/// `tcsim merge` of a sharded run's parts (kind `"run"`, and the `"gaps"`
/// parts of shards rerun after a bracket miss): every part checked against
/// the others, the statistics appended in shard order, then the files `run`
/// would have written, by the same code, `samples.csv` copied from the
/// parts in run order.
fn merge_run(
    args: &crate::cli::MergeArgs,
    headers: Vec<(PathBuf, PartHeader)>,
) -> Result<(), AppError> {
    use crate::shard::run::{self as part, Body, tag};
    let interrupted = interrupt_flag();
    let (gap_parts, run_parts): (Vec<_>, Vec<_>) =
        headers.into_iter().partition(|(_, h)| h.kind == part::GAPS);
    let parts = crate::shard::check_set(
        run_parts
            .into_iter()
            .map(|(p, h)| (p, h, Vec::new()))
            .collect(),
    )?;
    let (first_path, first) = (&parts[0].0, &parts[0].1);
    if report::manifest::sha256(first.text.as_bytes()) != first.sha256 {
        return Err(AppError::Usage(format!(
            "{}: the scenario's text does not match its sha256; rerun that shard",
            first_path.display()
        )));
    }
    let out = out_dir(Path::new(&first.scenario), Some(&args.out))?;
    let cfg = part::config(first_path, first, &out, args.quiet)?;
    // The scenario as the shards read it: the same checks of the same text
    // under the same name, then the same --runs and --seed.
    let mut scenario = scenario::parse(&first.scenario, &first.text)?;
    cfg.overrides.apply(&mut scenario);
    let set = RunSet::new(&cfg, &first.text, &scenario)?;
    let engine = Engine::new(&scenario);
    crate::resources::check_merge_memory(&engine, first.shards)?;

    // The statistics of every part, appended in shard order.
    let mut whole: Option<crate::engine::ShardResults> = None;
    let mut histogram =
        (cfg.plot || cfg.report).then(|| Histogram::new(engine.layout(), scenario.sim.runs));
    let mut bodies: Vec<Body> = Vec::with_capacity(parts.len());
    for (path, header, _) in &parts {
        stopped(interrupted)?;
        let body = part::read(path)?;
        let shard = body.decode(tag::STATS, "statistics", |d| engine.decode_shard(d))?;
        if shard.chunks() != engine.shard_chunks(header.shard, header.shards) {
            return Err(body.damaged("its chunks are not its shard's"));
        }
        if let Some(h) = &mut histogram {
            body.decode(tag::HISTOGRAM, "histogram", |d| h.append_decoded(d))?;
        }
        if !cfg.samples && body.has_samples() {
            return Err(body.damaged("rows of samples.csv without --samples"));
        }
        match &mut whole {
            None => whole = Some(shard),
            Some(w) => w.append(shard).map_err(|e| {
                AppError::Usage(format!(
                    "{}: does not follow the parts before it ({e}); rerun its shard",
                    path.display()
                ))
            })?,
        }
        // Only where its rows are is kept: the statistics are appended.
        bodies.push(body.rows_only());
    }
    let whole = whole.expect("a checked set has a part");
    let inconsistent = |e: String| {
        AppError::Usage(format!(
            "tcsim merge: the parts do not add up ({e}); rerun their shards"
        ))
    };
    let values = match whole.misses().map_err(inconsistent)? {
        None => {
            if let Some((path, _)) = gap_parts.first() {
                return Err(AppError::Usage(format!(
                    "{}: a gaps part, but these parts have no bracket miss; leave it out",
                    path.display()
                )));
            }
            None
        }
        Some(gaps) => Some(merge_gaps(
            &engine,
            &parts,
            &gap_parts,
            &gaps,
            &cfg.out_dir,
        )?),
    };
    let results = engine
        .results(whole, values, &|| interrupted.load(Ordering::Relaxed) == 0)
        .map_err(inconsistent)?;
    stopped(interrupted)?;
    let results =
        results.ok_or_else(|| AppError::Internal("the merge stopped without a signal".into()))?;

    let staging = set.staging()?;
    let samples = match cfg.samples {
        true => {
            if let Some(warning) = report::samples::spreadsheet_warning(&scenario) {
                crate::terminal::print_warning(&warning);
            }
            let mut stream = staging.begin("samples.csv")?;
            stream.write(Samples::new(&scenario, engine.layout()).header().as_bytes())?;
            for body in &bodies {
                stopped(interrupted)?;
                body.copy_samples(&mut stream)?;
            }
            Some(stream)
        }
        false => None,
    };
    let histogram = histogram.and_then(Histogram::finish);
    set.write(staging, &results, samples, histogram, interrupted)
}

/// The values in the gaps of a bracket miss, from the gaps parts of the
/// shards whose runs hold some. Without every one of them, writes
/// `misses.json` into `out` and fails (exit 3) naming the shards to rerun
/// and the commands that do it.
fn merge_gaps(
    engine: &Engine,
    parts: &[(PathBuf, PartHeader, Vec<u8>)],
    gap_parts: &[(PathBuf, PartHeader)],
    gaps: &crate::stats::Gaps,
    out: &Path,
) -> Result<crate::stats::GapValues, AppError> {
    use crate::shard::run::{self as part, Misses, tag};
    let first = &parts[0].1;
    // The shards that counted values in the gaps: each part read again (a
    // miss is a five-sigma event; the usual merge holds no part twice).
    let mut needed = Vec::new();
    for (path, header, _) in parts {
        let body = part::read(path)?;
        let shard = body.decode(tag::STATS, "statistics", |d| engine.decode_shard(d))?;
        if shard.touches(gaps) {
            needed.push(header.spec());
        }
    }
    let fingerprint = part::fingerprint(gaps);
    let mut given: Vec<(u64, &PathBuf)> = Vec::new();
    for (path, h) in gap_parts {
        let differs = |what: &str| {
            AppError::Usage(format!(
                "{} and {} are not of one run: {what}; give the gaps parts of this merge's misses.json",
                parts[0].0.display(),
                path.display()
            ))
        };
        if h.sha256 != first.sha256 {
            return Err(differs("the scenario differs"));
        }
        if h.shards != first.shards {
            return Err(differs("the number of shards differs"));
        }
        for key in ["runs", "seed"] {
            if h.settings.get(key) != first.settings.get(key) {
                return Err(differs(&format!("the {key} differs")));
            }
        }
        if h.settings.get("gaps").and_then(|g| g.as_str()) != Some(fingerprint.as_str()) {
            return Err(differs(
                "it holds the values of other gaps (of another misses.json)",
            ));
        }
        if let Some((_, other)) = given.iter().find(|(i, _)| *i == h.shard) {
            return Err(AppError::Usage(format!(
                "{} and {} are both the gaps of shard {}/{}: give each once",
                other.display(),
                path.display(),
                h.shard,
                h.shards
            )));
        }
        given.push((h.shard, path));
    }
    let missing: Vec<ShardSpec> = needed
        .iter()
        .copied()
        .filter(|s| !given.iter().any(|(i, _)| *i == s.index))
        .collect();
    if !missing.is_empty() {
        let misses = Misses {
            scenario: first.scenario.clone(),
            sha256: first.sha256.clone(),
            runs: first
                .settings
                .get("runs")
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            seed: first
                .settings
                .get("seed")
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            shards: first.shards,
            rerun: needed.iter().map(|s| s.index).collect(),
            gaps: gaps.to_json(),
        };
        let file = misses.write(out)?;
        let dir_of = |s: &ShardSpec| {
            let path = &parts[s.index as usize].0;
            match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        let names: Vec<String> = missing
            .iter()
            .map(|s| format!("{}/{}", s.index, s.count))
            .collect();
        let dirs: Vec<PathBuf> = missing.iter().map(dir_of).collect();
        // One command with I for the shard when every part is in one
        // directory (the usual case), else one command per shard.
        let commands = if dirs.iter().all(|d| *d == dirs[0]) {
            let template = part::rerun_command(first, &"I", &file, &dirs[0]);
            let list: Vec<String> = missing.iter().map(|s| s.index.to_string()).collect();
            format!("`{template}` for I in {}", list.join(", "))
        } else {
            let each: Vec<String> = missing
                .iter()
                .zip(&dirs)
                .map(|(s, d)| format!("`{}`", part::rerun_command(first, &s.index, &file, d)))
                .collect();
            each.join(", ")
        };
        let new_parts: Vec<String> = missing
            .iter()
            .zip(&dirs)
            .map(|(s, d)| part::shell_word(&d.join(s.gaps_file_name()).display().to_string()))
            .collect();
        return Err(AppError::Rerun(format!(
            "tcsim merge: a bracket miss: a percentile's rank fell outside the brackets the pilot runs chose \
             (a five-sigma event), and the values around it are in the runs of shard{} {}; wrote {}; \
             rerun {} with --resolve: {commands}; then run this merge again with {} added",
            if missing.len() == 1 { "" } else { "s" },
            names.join(", "),
            file.display(),
            if missing.len() == 1 { "it" } else { "them" },
            new_parts.join(" "),
        )));
    }
    let mut values: Option<crate::stats::GapValues> = None;
    given.sort_by_key(|(i, _)| *i);
    for (_, path) in given {
        let body = part::read(path)?;
        let v = body.decode(tag::GAP_VALUES, "gap values", |d| {
            crate::stats::GapValues::decode(d, gaps)
        })?;
        match &mut values {
            None => values = Some(v),
            Some(all) => all.append(v).map_err(|e| body.damaged(&e))?,
        }
    }
    values.ok_or_else(|| AppError::Internal("a miss with no shard to gather it".into()))
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
    if let Some(spec) = cfg.shard {
        return sweep_shard(cfg, spec, &text, points, &pool, interrupted);
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

/// `tcsim sweep --shard I/N`: every point checked (by the caller), this
/// shard's points simulated, and their rows of `sweep.csv` written to
/// `part-I-of-N.tcsim` in the output directory, for `tcsim merge`.
fn sweep_shard(
    cfg: &SweepConfig,
    spec: crate::shard::ShardSpec,
    text: &str,
    points: Vec<patch::SweepPoint>,
    pool: &rayon::ThreadPool,
    interrupted: &AtomicUsize,
) -> Result<(), AppError> {
    use report::sweep_merge;
    let run = &cfg.run;
    let total = points.len();
    // The columns come from every point, simulated here or not.
    let shape = {
        let scenarios: Vec<_> = points.iter().map(|p| &p.scenario).collect();
        report::sweep::Shape::new(&scenarios)
    };
    let mut rows = Vec::new();
    let mut mine = Vec::new();
    for (k, point) in points.into_iter().enumerate() {
        if !sweep_merge::owns(spec, k) {
            continue;
        }
        let engine = Engine::new(&point.scenario);
        let results = simulate(&engine, pool, run.quiet, &mut (), interrupted)?;
        report::check_decision(&point.scenario, &results)?;
        let done = report::sweep::Point {
            values: point.values,
            scenario: point.scenario,
            results,
        };
        rows.push((k, shape.rows(&done)));
        mine.push(done.scenario);
    }
    let header = crate::shard::PartHeader::new(
        sweep_merge::KIND,
        spec,
        &run.file,
        text,
        sweep_merge::settings(&cfg.axes, run.overrides, run.format),
    );
    let body = sweep_merge::body(&rows)?;
    stopped(interrupted)?;
    let path = crate::shard::write_part(&run.out_dir, &header, &body)?;
    if !run.quiet {
        let mine: Vec<_> = mine.iter().collect();
        print_stdout(&sweep_merge::shard_summary(spec, total, &mine))?;
        print_status(&wrote(&[path]));
    }
    Ok(())
}

/// `tcsim solve`: the key's kind and the range (both ends checked, scenario
/// and memory) before anything is simulated, then one evaluation at a time,
/// each the whole scenario with the key set to one value on the file's
/// seed (common random numbers); `solve.csv` and `evaluations.csv` are
/// committed together.
fn solve_command(cfg: &crate::config::SolveConfig) -> Result<(), AppError> {
    use crate::report::solve as out;
    use crate::schema::{Layout, Measure};
    use crate::solve::{self, Estimate, Outcome, RangeProblem, Search, Spread, Stat};

    let interrupted = interrupt_flag();
    let run = &cfg.run;
    // The file must be valid as it is, with its own positions.
    let (text, base) = scenario::load_with_text(&run.file)?;
    let label = run.file.display().to_string();
    let doc: toml::Table = toml::from_str(&text)
        .map_err(|e| AppError::Internal(format!("a checked file no longer parses: {e}")))?;
    let vary = |why: &str| AppError::Usage(format!("--vary {}: {why}", cfg.key));
    let file = solve::file_value(&doc, &cfg.path).map_err(|why| vary(&why))?;
    // The scenario with the key at `value`, checked as a sweep point is.
    let at = |value: &str| -> Result<Result<crate::model::Scenario, crate::error::ScenarioError>, AppError> {
        let axis = patch::Axis {
            key: cfg.key.clone(),
            path: cfg.path.clone(),
            values: vec![value.to_string()],
        };
        // The patch layer words its errors for `sweep --set`; here the
        // key came from `--vary`.
        let patched = patch::apply(&text, &[axis], &[0]).map_err(|e| match e {
            AppError::Usage(m) => AppError::Usage(match m.strip_prefix("--set ") {
                Some(rest) => format!("--vary {rest}"),
                None => m,
            }),
            e => e,
        })?;
        Ok(scenario::parse(&label, &patched).map(|mut s| {
            run.overrides.apply(&mut s);
            s
        }))
    };
    let mut check = |value: &str| at(value).map(|r| r.map(|_| ()));
    let kind = solve::key_kind(&cfg.path, &mut check)?;
    let refused = |value: &str, e: &crate::error::ScenarioError, default: bool| {
        let note = match default {
            true => " (an end of the default range; give --between LO,HI)",
            false => "",
        };
        AppError::Usage(format!(
            "{label} with --vary {}={}{note}: {} {}",
            cfg.key,
            out::key_text(kind, value),
            e.key,
            e.message
        ))
    };
    let scenario_at = |value: &str| at(value)?.map_err(|e| refused(value, &e, false));
    let grid =
        solve::search_grid(&cfg.path, kind, cfg.between, &file, &mut check).map_err(|problem| {
            match problem {
                RangeProblem::Failed(e) => e,
                RangeProblem::NeedsBetween(why) => vary(&format!("{why}; give --between LO,HI")),
                RangeProblem::Grid(why) => vary(&why),
                RangeProblem::Refused {
                    value,
                    error,
                    default,
                } => refused(&value, &error, default),
            }
        })?;

    let strategy = cfg.strategy_index(&base)?;
    let layout = Layout::new(&base);
    let k = layout
        .compared_index(strategy)
        .ok_or_else(|| AppError::Internal("the strategy is not compared".into()))?;
    let measure = match layout.reports(Measure::NetCumulative) {
        true => Measure::NetCumulative,
        false => Measure::Cumulative,
    };
    // The 0-based year compared in `scenario` (whose horizon a varied
    // simulation.years sets).
    let year_in = |scenario: &crate::model::Scenario, value: &str| -> Result<usize, AppError> {
        let years = scenario.sim.years;
        match cfg.year {
            None => Ok(years as usize - 1),
            Some(y) if y <= years => Ok(y as usize - 1),
            Some(y) => Err(AppError::Usage(format!(
                "--year {y}: the scenario with --vary {}={} has a horizon of {}",
                cfg.key,
                out::key_text(kind, value),
                report::summary::count(u64::from(years), "year", "years")
            ))),
        }
    };
    let pool = run.pool()?;
    let threads = pool.current_num_threads();
    let (lo_text, hi_text) = (grid.text(grid.lo), grid.text(grid.hi));
    let ends = [scenario_at(&lo_text)?, scenario_at(&hi_text)?];
    for (end, value) in ends.iter().zip([&lo_text, &hi_text]) {
        year_in(end, value)?;
        crate::resources::check_memory(&Engine::new(end), threads)?;
    }
    let provenance = Provenance::new(&run.file, text.as_bytes(), &[&ends[0], &ends[1]]);
    stopped(interrupted)?;
    let mut staging = Staging::new(&run.out_dir, provenance, run.other_scenario())?;

    let names = |i: usize| base.strategies[i].name.as_str();
    let subject = out::Subject {
        key: &cfg.key,
        kind,
        target: cfg.target,
        strategy: names(strategy),
        baseline: names(layout.baseline),
        measure,
    };
    let stat = cfg.target.stat;
    // (year, runs, seed) of each evaluation, in the order made.
    let mut made: Vec<(u32, u64, u64)> = Vec::new();
    let evaluate = |i: i64, search: Search| -> Result<Estimate, AppError> {
        let value = grid.text(i);
        let scenario = scenario_at(&value)?;
        let y = year_in(&scenario, &value)?;
        let layout = Layout::new(&scenario);
        let series = match measure {
            Measure::NetCumulative => layout.net_diff(k, y),
            _ => layout.diff(k, y),
        };
        let engine = Engine::new(&scenario);
        crate::resources::check_memory(&engine, threads)?;
        let extra = solve::extra_probs(stat, scenario.sim.runs);
        let mut spread = (stat == Stat::MeanDiff).then(|| Spread::new(series));
        // No per-run work: the callback only polls for a signal.
        let results = pool.install(|| {
            engine.simulate_with_probs(&extra, &mut spread, &|_| {
                interrupted.load(Ordering::Relaxed) == 0
            })
        });
        stopped(interrupted)?;
        let results = results
            .ok_or_else(|| AppError::Internal("the simulation stopped without a signal".into()))?;
        let estimate = solve::estimate(stat, &results, series, spread.as_ref());
        made.push((y as u32 + 1, scenario.sim.runs, scenario.sim.seed));
        if !run.quiet {
            let line =
                out::progress_line(made.len(), &cfg.key, kind, &value, search, stat, &estimate);
            print_status(&line);
        }
        Ok(estimate)
    };
    let solution = match solve::solve(&grid, cfg.target.value, evaluate)? {
        Outcome::Solved(s) => s,
        Outcome::NoBracket { low, high } => {
            // The two ends, evaluated first (in order: low, high).
            let year = (
                made.first().map_or(0, |m| m.0),
                made.get(1).or(made.first()).map_or(0, |m| m.0),
            );
            return Err(AppError::Usage(out::no_bracket(
                &subject,
                &target_text(cfg.target),
                (&lo_text, &hi_text),
                (&low, &high),
                year,
            )));
        }
    };
    let answer = solution
        .evaluations
        .iter()
        .position(|e| e.index == solution.answer)
        .and_then(|n| made.get(n))
        .copied()
        .ok_or_else(|| AppError::Internal("the answer was not evaluated".into()))?;
    let years: Vec<u32> = made.iter().map(|m| m.0).collect();
    let report = out::Report {
        subject,
        runs: answer.1,
        seed: answer.2,
        solution: &solution,
        years: &years,
    };
    staging.add("solve.csv", &report::csv::write(&out::table(&report))?)?;
    staging.add(
        "evaluations.csv",
        &report::csv::write(&out::evaluations(&report))?,
    )?;
    stopped(interrupted)?;
    let written = staging.commit()?;
    if !run.quiet {
        print_stdout(&out::text(&report))?;
        print_status(&wrote(&written));
    }
    Ok(())
}

/// The target as the user would write it: `median_diff=0`.
fn target_text(t: crate::solve::Target) -> String {
    format!("{}={}", t.stat.name(), t.value)
}
