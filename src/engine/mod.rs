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
mod private;
pub mod trace;
pub mod world;

use crate::model::Scenario;
pub use crate::schema::{Layout, Measure};
use crate::stats::{self, DecisionPass, DecisionStats, LevelCounts, LevelPass, SeriesSummary, Tap};
pub use compile::Plan;
use driver::{BLOCK_RUNS, Progress, Source, transpose_block};
pub use world::World;

/// A scenario ready to produce rows of runs.
pub struct Engine<'a> {
    scenario: &'a Scenario,
    plan: Plan,
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
        }
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
        let sim = &self.scenario.sim;
        // The level counts ride along with the taps: every run is fed to
        // them exactly once, in run order.
        let most = self
            .scenario
            .jobs
            .iter()
            .filter_map(|j| j.ladder)
            .map(|o| self.scenario.ladders[o.ladder].levels.len())
            .max()
            .unwrap_or(0);
        let mut levels = LevelPass::new(&self.plan.layout, most);
        let mut decision = DecisionPass::new(self.scenario, &self.plan.layout);
        let series = stats::summarize(
            self,
            sim.runs,
            &probs,
            &mut ((&mut levels, &mut decision), &mut *taps),
            progress,
        )?;
        Some(Results {
            layout: self.plan.layout.clone(),
            percentiles: sim.percentiles.clone(),
            series,
            probs,
            runs: sim.runs,
            levels: levels.map(LevelPass::finish),
            decision: decision.map(DecisionPass::finish),
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
