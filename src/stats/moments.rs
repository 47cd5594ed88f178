//! Means, shares of positive values, minima and maxima: exact, and the same
//! on any number of threads, because each chunk sums its runs in run order
//! and the chunk sums are added in chunk order.

use super::{SeriesSummary, inc_ranks, interpolate};
use crate::engine::driver::{Chunk, Consumer};

/// Sum (in order), positive count, minimum and maximum of a slice.
#[derive(Clone, Copy)]
pub(super) struct Moments {
    sum: f64,
    positive: u64,
    min: f64,
    max: f64,
}

impl Moments {
    pub(super) fn new() -> Moments {
        Moments {
            sum: 0.0,
            positive: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    #[inline]
    pub(super) fn add(&mut self, x: f64) {
        self.sum += x;
        self.positive += u64::from(x > 0.0);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }
}

/// Per-chunk sums (in run order), positive counts, minima and maxima.
pub(super) struct ChunkStats {
    pub(super) chunk: u64,
    pub(super) sum: Vec<f64>,
    pub(super) positive: Vec<u64>,
    pub(super) min: Vec<f64>,
    pub(super) max: Vec<f64>,
}

impl ChunkStats {
    pub(super) fn empty(width: usize) -> ChunkStats {
        ChunkStats {
            chunk: 0,
            sum: vec![0.0; width],
            positive: vec![0; width],
            min: vec![f64::INFINITY; width],
            max: vec![f64::NEG_INFINITY; width],
        }
    }

    pub(super) fn set(&mut self, k: usize, m: Moments) {
        self.sum[k] = m.sum;
        self.positive[k] = m.positive;
        self.min[k] = m.min;
        self.max[k] = m.max;
    }

    /// Statistics of a column-major chunk of `width` series.
    pub(super) fn of(cols: &[f64], width: usize) -> ChunkStats {
        let n = cols.len() / width;
        let mut s = ChunkStats::empty(width);
        for (k, col) in cols.chunks_exact(n).enumerate() {
            let mut m = Moments::new();
            for &x in col {
                m.add(x);
            }
            s.set(k, m);
        }
        s
    }
}

/// Running totals over chunks, added in chunk order.
pub(super) struct Totals {
    pub(super) sum: Vec<f64>,
    pub(super) positive: Vec<u64>,
    pub(super) min: Vec<f64>,
    pub(super) max: Vec<f64>,
}

impl Totals {
    pub(super) fn new(width: usize) -> Totals {
        Totals {
            sum: vec![0.0; width],
            positive: vec![0; width],
            min: vec![f64::INFINITY; width],
            max: vec![f64::NEG_INFINITY; width],
        }
    }

    pub(super) fn add(&mut self, c: &ChunkStats) {
        for k in 0..self.sum.len() {
            self.sum[k] += c.sum[k];
            self.positive[k] += c.positive[k];
            self.min[k] = self.min[k].min(c.min[k]);
            self.max[k] = self.max[k].max(c.max[k]);
        }
    }

    pub(super) fn summary(
        &self,
        k: usize,
        runs: u64,
        probs: &[f64],
        at: impl Fn(u64) -> f64,
    ) -> SeriesSummary {
        let quantiles = probs
            .iter()
            .map(|&p| {
                let (lo, hi, w) = inc_ranks(runs, p);
                interpolate(at(lo), at(hi), w)
            })
            .collect();
        // Rounding in the running sum of huge values (10^16 and more, within
        // the limits) can leave the mean just outside the values it averages;
        // it is the mean of values in [min, max], so it is kept there.
        let mean = (self.sum[k] / runs as f64).clamp(self.min[k], self.max[k]);
        SeriesSummary {
            mean,
            quantiles,
            share_positive: self.positive[k] as f64 / runs as f64,
        }
    }
}

/// The moments of every series of every chunk a pass is fed, added into
/// [`Totals`] in chunk order.
pub(super) struct MomentsPass<'a> {
    pub(super) totals: &'a mut Totals,
}

impl Consumer for MomentsPass<'_> {
    type Part = ChunkStats;

    fn part(&self, chunk: &Chunk<'_>) -> ChunkStats {
        ChunkStats::of(chunk.cols, chunk.width())
    }

    fn absorb(&mut self, part: ChunkStats) -> bool {
        self.totals.add(&part);
        true
    }
}
