//! The engine: worlds in, rows of cash flows out, fed to the statistics and
//! outputs by the run driver. Pure: no I/O, no printing; progress goes
//! through the callback it is handed.
//!
//! - [`world`]: one sampled world (prices, fates, job draws) per run;
//! - [`compile`]: each strategy compiled once into what it holds and when;
//! - [`evaluate`]: a compiled strategy's cash flows in one world;
//! - [`ledger`]: the same evaluation, flow by flow, for `tcsim trace`;
//! - `private`: equity at a private company (rounds, exits, the window);
//! - [`trace`]: one world replayed with its ledger;
//! - [`driver`]: the one parallel, seeded, stoppable loop over runs.

pub mod compile;
pub mod driver;
pub mod evaluate;
pub mod ledger;
pub mod normal;
mod private;
pub mod trace;
pub mod world;

use std::ops::Range;

use crate::codec::{DecodeError, Decoder, Encoder};
use crate::model::Scenario;
pub use crate::schema::{Layout, Measure};
use crate::stats::decision::DecisionPartial;
use crate::stats::{
    self, DecisionPass, DecisionStats, GapValues, Gaps, LevelCounts, LevelPass, SeriesSummary,
    ShardState, Tap,
};
pub use compile::Plan;
use driver::{BLOCK_RUNS, Progress, Source, transpose_block};
pub use world::World;

/// A scenario ready to produce rows of runs.
pub struct Engine<'a> {
    scenario: &'a Scenario,
    plan: Plan,
    /// Half-width of the percentiles' brackets, in standard deviations.
    sigmas: f64,
}

/// Everything the reports need.
#[derive(Debug, Clone)]
pub struct Results {
    /// Where each series sits.
    pub layout: Layout,
    /// Percentiles requested, in percent (the file's list).
    pub percentiles: Vec<f64>,
    /// One summary per series of [`Layout`]; quantiles at
    /// [`Results::probs`].
    pub series: Vec<SeriesSummary>,
    /// Probabilities the quantiles were computed at: the requested ones,
    /// then 0.1, 0.25, 0.5, 0.75 and 0.9 (the terminal summary and the fan
    /// chart).
    pub probs: Vec<f64>,
    /// Runs simulated.
    pub runs: u64,
    /// With `level` reported (some job on a ladder): per strategy, how many
    /// runs end the horizon at each level (model.md section 11), exact
    /// counts from the same pass over the worlds.
    pub levels: Option<LevelCounts>,
    /// With `risk_aversion`, `discount_rate` or a private company: the
    /// certainty equivalents, `p_equity_zero` and the verdict counting
    /// held equity (model.md section 12), from the same pass.
    pub decision: Option<DecisionStats>,
}

/// What one shard of a run computes ([`Engine::simulate_shard`]): the
/// summaries' state over its chunks and the level and decision figures of
/// its runs. The parts of consecutive shards append into the part of all
/// of them, which gives the one machine's [`Results`] bit for bit
/// ([`Engine::results`]).
#[derive(Debug, Clone)]
pub struct ShardResults {
    stats: ShardState,
    levels: Option<LevelCounts>,
    decision: Option<DecisionPartial>,
}

impl ShardResults {
    /// The chunks it covers.
    pub fn chunks(&self) -> Range<u64> {
        self.stats.chunks()
    }

    /// Appends the part of the shard that follows this one.
    pub fn append(&mut self, later: ShardResults) -> Result<(), String> {
        self.stats.append(later.stats)?;
        match (&mut self.levels, later.levels) {
            (Some(a), Some(b)) => a.append(&b)?,
            (None, None) => {}
            _ => return Err("level counts in one part only".into()),
        }
        match (&mut self.decision, later.decision) {
            (Some(a), Some(b)) => a.append(b)?,
            (None, None) => {}
            _ => return Err("decision figures in one part only".into()),
        }
        Ok(())
    }

    /// The gaps a whole part still needs the values of (a five-sigma miss
    /// of the pilot; `None`, the usual case, when there is none).
    pub fn misses(&self) -> Result<Option<Gaps>, String> {
        self.stats.misses()
    }

    /// Whether this part's runs have values in one of `gaps`.
    pub fn touches(&self, gaps: &Gaps) -> bool {
        self.stats.touches(gaps)
    }

    /// Writes the part: the summaries' state ([`ShardState::encode`]),
    /// then a presence flag and the level counts, then a presence flag and
    /// the decision figures.
    pub fn encode(&mut self, e: &mut Encoder) {
        self.stats.encode(e);
        e.bool(self.levels.is_some());
        if let Some(l) = &self.levels {
            l.encode(e);
        }
        e.bool(self.decision.is_some());
        if let Some(d) = &self.decision {
            d.encode(e);
        }
    }
}

impl Results {
    /// Quantile at probability `p` (one of [`Results::probs`]) of series `k`.
    pub fn quantile(&self, k: usize, p: f64) -> f64 {
        let i = self
            .probs
            .iter()
            .position(|&q| q == p)
            .expect("probability was computed");
        self.series[k].quantiles[i]
    }
}

impl<'a> Engine<'a> {
    /// Compiles `scenario`.
    pub fn new(scenario: &'a Scenario) -> Engine<'a> {
        Engine {
            scenario,
            plan: Plan::new(scenario),
            sigmas: stats::BRACKET_SIGMAS,
        }
    }

    /// The same engine with the percentiles' brackets `sigmas` standard
    /// deviations wide each way instead of [`stats::BRACKET_SIGMAS`]: the
    /// results are the same bits (a rank outside the brackets costs a
    /// second pass, or in shards a rerun); tests narrow them to make the
    /// pilot miss.
    pub fn with_bracket_sigmas(mut self, sigmas: f64) -> Engine<'a> {
        self.sigmas = sigmas;
        self
    }

    /// The scenario it simulates.
    pub fn scenario(&self) -> &Scenario {
        self.scenario
    }

    /// The compiled strategies.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The row layout.
    pub fn layout(&self) -> &Layout {
        &self.plan.layout
    }

    /// Samples run `run`'s world into `world` and writes its row.
    pub fn run_into(&self, run: u64, world: &mut World, row: &mut [f64]) {
        world.sample(self.scenario, &self.plan.shape, run);
        self.plan.evaluate(self.scenario, world, row);
    }

    /// Samples run `run`'s world only (benchmarks: the cost of the draws and
    /// the price path without the cash flows).
    pub fn sample_only(&self, run: u64, world: &mut World) {
        world.sample(self.scenario, &self.plan.shape, run);
    }

    /// Probabilities the quantiles are computed at: the file's percentiles,
    /// then 0.1, 0.5 and 0.9 for the terminal summary and 0.25 and 0.75 for
    /// the fan chart's bands. Repeats cost nothing: the ranks they need are
    /// computed once.
    pub fn probs(&self) -> Vec<f64> {
        let mut probs: Vec<f64> = self
            .scenario
            .sim
            .percentiles
            .iter()
            .map(|p| p / 100.0)
            .collect();
        probs.extend([0.1, 0.25, 0.5, 0.75, 0.9]);
        probs
    }

    /// Upper estimate of the memory a run needs on `threads` threads.
    pub fn memory_estimate(&self, threads: usize) -> u64 {
        stats::memory_estimate(self.scenario.sim.runs, self.width(), &self.probs(), threads)
    }

    /// Upper estimate of the memory the shard of chunks `chunks` needs on
    /// `threads` threads ([`stats::shard_memory_estimate`]).
    pub fn shard_memory_estimate(&self, threads: usize, chunks: Range<u64>) -> u64 {
        let runs = self.scenario.sim.runs;
        stats::shard_memory_estimate(runs, self.width(), &self.probs(), threads, chunks)
    }

    /// Upper estimate of the memory merging `shards` parts of the run
    /// needs ([`stats::merge_memory_estimate`]).
    pub fn merge_memory_estimate(&self, shards: u64) -> u64 {
        let runs = self.scenario.sim.runs;
        stats::merge_memory_estimate(runs, self.width(), &self.probs(), shards)
    }

    /// Simulates every run of the scenario on the current rayon pool,
    /// summarises each series and feeds every run to `taps` (samples, a
    /// histogram), in one pass over the worlds. `progress` receives run
    /// counts, once per chunk, and stops the work by returning `false`, as
    /// does a tap (then `None`).
    pub fn simulate_with<T: Tap>(&self, taps: &mut T, progress: Progress<'_>) -> Option<Results> {
        self.simulate_probs(self.probs(), taps, progress)
    }

    /// [`Engine::simulate_with`] with quantiles also at the probabilities
    /// `extra` (in `[0, 1]`), appended to [`Results::probs`] after
    /// [`Engine::probs`] and read with [`Results::quantile`] (`tcsim solve`'s
    /// order-statistic bounds on a median). The reports read only the
    /// file's percentiles and [`Engine::probs`], so what they show is the
    /// same as without `extra`.
    pub fn simulate_with_probs<T: Tap>(
        &self,
        extra: &[f64],
        taps: &mut T,
        progress: Progress<'_>,
    ) -> Option<Results> {
        let mut probs = self.probs();
        probs.extend_from_slice(extra);
        self.simulate_probs(probs, taps, progress)
    }

    fn simulate_probs<T: Tap>(
        &self,
        probs: Vec<f64>,
        taps: &mut T,
        progress: Progress<'_>,
    ) -> Option<Results> {
        // One machine is the one-shard case: every chunk, then the values
        // of any gap a rank fell in, then the results.
        let all = 0..driver::chunk_count(self.scenario.sim.runs);
        let part = self.simulate_part(probs, all.clone(), taps, progress)?;
        let values = match part.misses().expect("one machine's part is whole") {
            Some(gaps) => Some(self.gap_values(all, &gaps, progress)?),
            None => None,
        };
        self.results(part, values, &|| progress(0))
            .expect("one machine's part is whole")
    }

    /// Shard `index` of `count` of the run (model.md section 14): its share
    /// of whole chunks ([`stats::shard_chunks`]) simulated, summarised and
    /// fed to `taps`, the pilot simulated as every shard does. `None` when
    /// stopped.
    pub fn simulate_shard<T: Tap>(
        &self,
        index: u64,
        count: u64,
        taps: &mut T,
        progress: Progress<'_>,
    ) -> Option<ShardResults> {
        let chunks = self.shard_chunks(index, count);
        self.simulate_part(self.probs(), chunks, taps, progress)
    }

    /// The chunks shard `index` of `count` computes.
    pub fn shard_chunks(&self, index: u64, count: u64) -> Range<u64> {
        stats::shard_chunks(self.scenario.sim.runs, index, count)
    }

    fn simulate_part<T: Tap>(
        &self,
        probs: Vec<f64>,
        chunks: Range<u64>,
        taps: &mut T,
        progress: Progress<'_>,
    ) -> Option<ShardResults> {
        let sim = &self.scenario.sim;
        // The level counts and decision figures ride along with the taps:
        // every run is fed to them exactly once, in run order.
        let (mut levels, mut decision) = self.passes(chunks.start);
        let stats = stats::summarize_shard(
            self,
            sim.runs,
            &probs,
            self.sigmas,
            chunks,
            &mut ((&mut levels, &mut decision), &mut *taps),
            progress,
        )?;
        Some(ShardResults {
            stats,
            levels: levels.map(LevelPass::finish),
            decision: decision.map(DecisionPass::partial),
        })
    }

    /// The level and decision passes of this scenario's rows, fed from
    /// chunk `first_chunk`.
    fn passes(&self, first_chunk: u64) -> (Option<LevelPass>, Option<DecisionPass>) {
        let most = self
            .scenario
            .jobs
            .iter()
            .filter_map(|j| j.ladder)
            .map(|o| self.scenario.ladders[o.ladder].levels.len())
            .max()
            .unwrap_or(0);
        (
            LevelPass::new(&self.plan.layout, most),
            DecisionPass::new(self.scenario, &self.plan.layout, first_chunk),
        )
    }

    /// The values over chunks `chunks` in the gaps `gaps` (one machine:
    /// every chunk, after a five-sigma miss; a shard rerun: its own).
    pub fn gap_values(
        &self,
        chunks: Range<u64>,
        gaps: &Gaps,
        progress: Progress<'_>,
    ) -> Option<GapValues> {
        stats::gap_values(self, self.scenario.sim.runs, chunks, gaps, progress)
    }

    /// The results of a whole part (every shard's appended, or one
    /// machine's), with the values of the gaps [`ShardResults::misses`]
    /// named. `Ok(None)` when `go` said stop; an error when the part is not
    /// whole or the values do not fit it.
    pub fn results(
        &self,
        part: ShardResults,
        values: Option<GapValues>,
        go: &(dyn Fn() -> bool + Sync),
    ) -> Result<Option<Results>, String> {
        let sim = &self.scenario.sim;
        let probs = part.stats.probs().to_vec();
        let decision = match part.decision {
            Some(d) => Some(
                d.finish()
                    .ok_or("decision figures not from the first chunk")?,
            ),
            None => None,
        };
        let Some(series) = part.stats.finish(values, go)? else {
            return Ok(None);
        };
        Ok(Some(Results {
            layout: self.plan.layout.clone(),
            percentiles: sim.percentiles.clone(),
            series,
            probs,
            runs: sim.runs,
            levels: part.levels,
            decision,
        }))
    }

    /// Reads what [`ShardResults::encode`] wrote, checked against this
    /// scenario's rows.
    pub fn decode_shard(&self, d: &mut Decoder<'_>) -> Result<ShardResults, DecodeError> {
        let stats = ShardState::decode(d, self.scenario.sim.runs, self.width(), &self.probs())?;
        let (levels, decision) = self.passes(stats.chunks().start);
        let levels = match (d.bool("the level counts' presence")?, levels) {
            (true, Some(pass)) => Some(pass.decode(d)?),
            (false, None) => None,
            _ => return Err("level counts where none belong, or none where some do".into()),
        };
        let decision = match (d.bool("the decision figures' presence")?, decision) {
            (true, Some(pass)) => Some(pass.decode(d)?),
            (false, None) => None,
            _ => return Err("decision figures where none belong, or none where some do".into()),
        };
        Ok(ShardResults {
            stats,
            levels,
            decision,
        })
    }

    /// [`Engine::simulate_with`] without taps, run to completion.
    pub fn simulate(&self, progress: &(dyn Fn(u64) + Sync)) -> Results {
        self.simulate_with(&mut (), &|n| {
            progress(n);
            true
        })
        .expect("never stopped")
    }
}

impl Source for Engine<'_> {
    fn width(&self) -> usize {
        self.plan.layout.width()
    }

    fn fill_columns(&self, first: u64, n: usize, cols: &mut [f64], go: &dyn Fn() -> bool) -> bool {
        // One world and one block of rows per chunk, reused by every run:
        // a block stays in cache while it is transposed.
        let width = self.width();
        let mut world = World::new(self.scenario);
        let mut rows = vec![0.0; BLOCK_RUNS * width];
        for start in (0..n).step_by(BLOCK_RUNS) {
            if !go() {
                return false;
            }
            let count = BLOCK_RUNS.min(n - start);
            let block = &mut rows[..count * width];
            for (j, row) in block.chunks_exact_mut(width).enumerate() {
                self.run_into(first + (start + j) as u64, &mut world, row);
            }
            transpose_block(block, width, start, n, cols);
        }
        true
    }

    fn fill(&self, first: u64, rows: &mut [f64]) {
        // One world's storage per chunk, reused by every run in it.
        let mut world = World::new(self.scenario);
        for (j, row) in rows.chunks_exact_mut(self.width()).enumerate() {
            self.run_into(first + j as u64, &mut world, row);
        }
    }
}
