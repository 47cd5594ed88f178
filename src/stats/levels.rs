//! How many runs end at each ladder level, per strategy (model.md section
//! 11: "`P(level >= k)` is what people ask"): exact integer counts of the
//! last year's `level`, taken in the same pass over the worlds as the
//! percentiles. A chunk counts its runs into one small array; the arrays
//! are added in chunk order, so the counts are the same on any number of
//! threads (integers: in any order, in fact). Nothing is allocated or
//! locked per run.

use super::Tap;
use crate::codec::{DecodeError, Decoder, Encoder};
use crate::engine::driver::{Chunk, Consumer};
use crate::schema::{Layout, Measure};

/// Each strategy's count of runs by the level held in the horizon's last
/// month: `0` (a job without a ladder) to the highest level of any ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelCounts {
    /// Levels counted past 0: the most levels of any ladder a job uses.
    levels: usize,
    /// `counts[s * (levels + 1) + i]`: runs of strategy `s` ending at level
    /// `i` (1-based; 0 for none).
    counts: Vec<u64>,
    /// Runs counted.
    runs: u64,
}

impl LevelCounts {
    /// Counts for `strategies` strategies of levels `0 ..= levels`, all 0.
    pub fn new(strategies: usize, levels: usize) -> LevelCounts {
        LevelCounts {
            levels,
            counts: vec![0; strategies * (levels + 1)],
            runs: 0,
        }
    }

    /// The highest level counted (the most levels of any ladder a job
    /// uses).
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// Runs counted (per strategy: every run counts once for each).
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Runs where strategy `s` ends exactly at `level` (1-based; 0 for a
    /// job without a ladder).
    pub fn at(&self, s: usize, level: usize) -> u64 {
        self.counts[s * (self.levels + 1) + level]
    }

    /// Runs where strategy `s` ends at `level` or above.
    pub fn at_or_above(&self, s: usize, level: usize) -> u64 {
        (level.min(self.levels + 1)..=self.levels)
            .map(|i| self.at(s, i))
            .sum()
    }

    /// The share of runs where strategy `s` ends at `level` or above (0
    /// before any run is counted).
    pub fn share_at_or_above(&self, s: usize, level: usize) -> f64 {
        if self.runs == 0 {
            0.0
        } else {
            self.at_or_above(s, level) as f64 / self.runs as f64
        }
    }

    /// Adds the counts of other runs (a later chunk or shard) of the same
    /// strategies and levels.
    pub fn append(&mut self, later: &LevelCounts) -> Result<(), String> {
        if later.levels != self.levels || later.counts.len() != self.counts.len() {
            return Err("level counts of another shape".into());
        }
        for (t, p) in self.counts.iter_mut().zip(&later.counts) {
            *t += p;
        }
        self.runs += later.runs;
        Ok(())
    }

    /// Writes the counts: the runs, then every count.
    pub fn encode(&self, e: &mut Encoder) {
        e.u64(self.runs);
        e.u64s(&self.counts);
    }

    /// Adds one run where strategy `s` ends at `level` (clamped to the
    /// counted range).
    #[inline]
    fn add(&mut self, s: usize, level: usize) {
        self.counts[s * (self.levels + 1) + level.min(self.levels)] += 1;
    }
}

/// The pass that counts: for each strategy the series of its last year's
/// `level`, counted chunk by chunk.
pub struct LevelPass {
    /// Series of `level` in the last year, per strategy.
    series: Vec<usize>,
    /// The counts so far, chunks added in chunk order.
    total: LevelCounts,
}

impl LevelPass {
    /// A pass over rows laid out as `layout` counting levels `0 ..=
    /// levels`; `None` when the layout does not report `level`.
    pub fn new(layout: &Layout, levels: usize) -> Option<LevelPass> {
        if !layout.reports(Measure::Level) || layout.years == 0 {
            return None;
        }
        let y = layout.years - 1;
        Some(LevelPass {
            series: (0..layout.strategies)
                .map(|s| layout.at(s, y, Measure::Level))
                .collect(),
            total: LevelCounts::new(layout.strategies, levels),
        })
    }

    /// The counts over every run fed.
    pub fn finish(self) -> LevelCounts {
        self.total
    }

    /// Reads what [`LevelCounts::encode`] wrote for this pass's rows.
    pub fn decode(&self, d: &mut Decoder<'_>) -> Result<LevelCounts, DecodeError> {
        let runs = d.u64("the level counts' runs")?;
        let counts = d.u64s_of(self.total.counts.len(), "the level counts")?;
        Ok(LevelCounts {
            levels: self.total.levels,
            counts,
            runs,
        })
    }
}

impl Consumer for LevelPass {
    type Part = LevelCounts;

    fn part(&self, chunk: &Chunk<'_>) -> LevelCounts {
        let mut c = LevelCounts::new(self.series.len(), self.total.levels);
        for (s, &k) in self.series.iter().enumerate() {
            for &x in chunk.series(k) {
                // A level is a small whole number; `as` saturates (a NaN,
                // which the engine never writes, would count as 0).
                c.add(s, x as usize);
            }
        }
        c.runs = chunk.runs as u64;
        c
    }

    fn absorb(&mut self, part: LevelCounts) -> bool {
        self.total.append(&part).is_ok()
    }
}

impl Tap for LevelPass {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::driver::{self, Source};

    /// Two strategies, one year, one measure (`level`): strategy 0 at
    /// `run % 4`, strategy 1 always at 2.
    struct Levels;

    impl Source for Levels {
        fn width(&self) -> usize {
            2
        }
        fn fill(&self, first: u64, rows: &mut [f64]) {
            for (j, row) in rows.chunks_exact_mut(2).enumerate() {
                row[0] = ((first + j as u64) % 4) as f64;
                row[1] = 2.0;
            }
        }
    }

    #[test]
    fn every_run_counts_once_at_its_level_on_any_number_of_threads() {
        let layout = Layout::with_measures(2, 1, 0, vec![Measure::Level]);
        let runs = 3 * driver::CHUNK_RUNS + 7;
        let count = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut pass = LevelPass::new(&layout, 3).unwrap();
            assert!(pool.install(|| driver::drive(
                &Levels,
                runs,
                0..driver::chunk_count(runs),
                &mut pass,
                &|_| true
            )));
            pass.finish()
        };
        let c = count(1);
        assert_eq!(c, count(3));
        assert_eq!(c.runs(), runs);
        let per: Vec<u64> = (0..=3).map(|i| c.at(0, i)).collect();
        let want: Vec<u64> = (0..4u64)
            .map(|i| (0..runs).filter(|r| r % 4 == i).count() as u64)
            .collect();
        assert_eq!(per, want);
        assert_eq!(c.at_or_above(0, 0), runs);
        assert_eq!(c.at_or_above(0, 2), want[2] + want[3]);
        assert_eq!(c.at_or_above(0, 4), 0);
        assert_eq!(c.share_at_or_above(1, 2), 1.0);
        assert_eq!(c.share_at_or_above(1, 3), 0.0);
    }

    #[test]
    fn a_layout_without_level_has_no_pass() {
        let layout = Layout::with_measures(1, 1, 0, vec![Measure::Total]);
        assert!(LevelPass::new(&layout, 5).is_none());
    }
}
