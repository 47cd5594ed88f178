//! Exact means and PERCENTILE.INC quantiles of many series over many runs,
//! in memory that grows like `runs^(2/3)` rather than `runs`, fed by the run
//! driver ([`crate::engine::driver`]) together with any output that wants
//! every run (a [`Tap`]: `samples.csv`, the histogram), in one pass.
//!
//! The method:
//!
//! 1. **Pilot.** The first `n0` runs (`n0 ~ (12 runs)^(2/3)`, at least 65,536,
//!    in whole chunks) are kept whole. If that is every run, quantiles come
//!    from them directly.
//! 2. **Brackets.** For each order statistic a quantile needs (rank `r` of
//!    `N`), the pilot's order statistics at `r n0 / N -/+ 5 sqrt(n0 p (1-p))`
//!    give a value interval `[lo, hi]` that holds the full sample's rank-`r`
//!    value unless the pilot is off by more than five standard deviations.
//! 3. **Count and keep.** Every run is classified: values below, equal to,
//!    strictly inside or above each interval are counted; only the values
//!    strictly inside are kept. Ties at the ends (a constant series, a mass
//!    of zeros) are counted, never stored. The pilot's runs are classified
//!    from memory; the others are simulated once, here.
//! 4. **Resolve.** Counts locate each rank inside its interval, and selection
//!    over the kept values gives it exactly. A rank that fell outside its
//!    interval (a five-sigma miss) is found by one more pass that keeps the
//!    values of the gap it fell in, so the answer is exact in every case.
//!
//! So the worlds are simulated once (twice after a five-sigma miss),
//! whatever outputs are asked for. Means add per-chunk sums in chunk order,
//! so every result is the same on any number of threads.

use super::brackets::{BRACKET_SIGMAS, Brackets, Classify, Located, Miss, MissPass, Pending};
use super::moments::{MomentsPass, Totals};
use super::{inc_ranks, interpolate, select_ranks};
use crate::engine::driver::{self, CHUNK_RUNS, Consumer, Progress, Source};

/// Smallest pilot, in runs; at or below this every value is kept.
const MIN_PILOT: u64 = 1 << 16;

/// What is reported for one series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSummary {
    /// Mean over all runs.
    pub mean: f64,
    /// PERCENTILE.INC at each requested probability.
    pub quantiles: Vec<f64>,
    /// Share of runs whose value is strictly positive.
    pub share_positive: f64,
}

/// The pilot runs, kept whole: what a [`Tap`] may look at before the runs
/// are fed to it (e.g. to choose a histogram's range).
pub struct Pilot<'a> {
    chunks: &'a [Vec<f64>],
    runs: u64,
}

impl Pilot<'_> {
    /// Runs in the pilot (every run when the run count is at most 65,536).
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// PERCENTILE.INC at `p` of series `k` over the pilot runs.
    pub fn quantile(&self, k: usize, p: f64) -> f64 {
        let mut col = Vec::with_capacity(self.runs as usize);
        for (c, cols) in self.chunks.iter().enumerate() {
            let (_, n) = driver::chunk_bounds(c as u64, self.runs);
            col.extend_from_slice(&cols[k * n..(k + 1) * n]);
        }
        let (lo, hi, w) = inc_ranks(self.runs, p);
        let ranks: Vec<usize> = if lo == hi {
            vec![lo as usize]
        } else {
            vec![lo as usize, hi as usize]
        };
        let v = select_ranks(&mut col, &ranks);
        interpolate(v[0], v[v.len() - 1], w)
    }
}

/// An output fed every run, in run order, by the same passes as the
/// statistics: it is started once the pilot runs exist, then given every
/// chunk (the pilot's from memory, the others as they are simulated).
pub trait Tap: Consumer {
    /// Called once, after the pilot and before any chunk is fed.
    fn start(&mut self, _pilot: &Pilot<'_>) {}
}

impl Tap for () {}

impl<T: Tap> Tap for Option<T> {
    fn start(&mut self, pilot: &Pilot<'_>) {
        if let Some(t) = self {
            t.start(pilot);
        }
    }
}

impl<T: Tap> Tap for &mut T {
    fn start(&mut self, pilot: &Pilot<'_>) {
        (**self).start(pilot);
    }
}

impl<A: Tap, B: Tap> Tap for (A, B) {
    fn start(&mut self, pilot: &Pilot<'_>) {
        self.0.start(pilot);
        self.1.start(pilot);
    }
}

/// Exact summaries of every series (column) of the rows of `runs` runs of
/// `src`, with every run also fed to `taps`. `probs` are probabilities in
/// `[0, 1]`. `progress` is called once per simulated chunk with its run
/// count; when it (or a tap) says stop, the result is `None` (Ctrl-C, a
/// failed write).
pub fn summarize<T: Tap>(
    src: &dyn Source,
    runs: u64,
    probs: &[f64],
    taps: &mut T,
    progress: Progress<'_>,
) -> Option<Vec<SeriesSummary>> {
    assert!(runs > 0, "the checked model has at least one run");
    let width = src.width();
    let chunks = driver::chunk_count(runs);
    let pilot_chunks = pilot_runs(runs).div_ceil(CHUNK_RUNS).min(chunks);
    let n0 = (pilot_chunks * CHUNK_RUNS).min(runs);
    // Polls for a stop between the steps of the phases that simulate
    // nothing (feeding held chunks, selection), as the driver does between
    // blocks of runs.
    let go = || progress(0);
    let poll = || !go();

    // Ranks every quantile needs, ascending and distinct.
    let mut ranks: Vec<u64> = probs
        .iter()
        .flat_map(|&p| {
            let (lo, hi, _) = inc_ranks(runs, p);
            [lo, hi]
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();

    // 1. Pilot: keep every value of the first n0 runs, and their moments.
    let mut totals = Totals::new(width);
    let mut moments = MomentsPass {
        totals: &mut totals,
    };
    let pilot = driver::drive_keeping(src, runs, 0..pilot_chunks, &mut moments, progress)?;
    taps.start(&Pilot {
        chunks: &pilot,
        runs: n0,
    });
    // Series `k` of the pilot as one column (a copy, one series at a time,
    // so the pilot is never held twice).
    let column = |k: usize| -> Vec<f64> {
        let mut col = Vec::with_capacity(n0 as usize);
        for cols in &pilot {
            let n = cols.len() / width;
            col.extend_from_slice(&cols[k * n..(k + 1) * n]);
        }
        col
    };

    if n0 == runs {
        if !driver::feed(&pilot, 0, runs, taps, &poll) {
            return None;
        }
        let ranks_usize: Vec<usize> = ranks.iter().map(|&r| r as usize).collect();
        use rayon::prelude::*;
        let series: Vec<Option<SeriesSummary>> = (0..width)
            .into_par_iter()
            .map(|k| {
                if !go() {
                    return None;
                }
                let values = select_ranks(&mut column(k), &ranks_usize);
                let at = |r: u64| values[ranks.binary_search(&r).expect("rank was requested")];
                Some(totals.summary(k, runs, probs, at))
            })
            .collect();
        return series.into_iter().collect();
    }

    // 2. Brackets from the pilot's order statistics.
    let brackets = Brackets::from_pilot(width, &column, &ranks, runs, &go);
    if !go() {
        return None;
    }

    // 3. Classify the pilot's values from memory, then simulate and
    //    classify every other run; the taps see every run in order.
    let mut classify = Classify::new(&brackets);
    if !driver::feed(&pilot, 0, runs, &mut (&mut classify, &mut *taps), &poll) {
        return None;
    }
    drop(pilot);
    classify.totals = Some(&mut totals);
    let rest = pilot_chunks..chunks;
    if !driver::drive(src, runs, rest, &mut (&mut classify, &mut *taps), progress) {
        return None;
    }
    let mut acc = classify.finish();

    // 4. Resolve every rank; misses get one more pass.
    let mut found: Vec<Vec<Option<f64>>> = (0..width).map(|_| vec![None; ranks.len()]).collect();
    let mut misses: Vec<Miss> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    for (k, slots) in found.iter_mut().enumerate() {
        for (slot, &r) in ranks.iter().enumerate() {
            if r == 0 {
                slots[slot] = Some(totals.min[k]);
            } else if r == runs - 1 {
                slots[slot] = Some(totals.max[k]);
            } else {
                match acc.locate(&brackets, k, r) {
                    Located::Value(v) => slots[slot] = Some(v),
                    Located::Inside { interval, offset } => pending.push(Pending {
                        interval,
                        offset,
                        series: k,
                        slot,
                    }),
                    Located::Gap { gap, offset } => misses.push(Miss {
                        series: k,
                        gap,
                        offset,
                        slot,
                    }),
                }
            }
        }
    }
    for (p, v) in acc.select(pending, &go) {
        found[p.series][p.slot] = Some(v);
    }
    if !go() {
        return None;
    }
    if !misses.is_empty() {
        let mut pass = MissPass {
            brackets: &brackets,
            misses: &misses,
            kept: vec![Vec::new(); misses.len()],
        };
        if !driver::drive(src, runs, 0..chunks, &mut pass, progress) {
            return None;
        }
        for (m, v) in pass.resolve() {
            found[m.series][m.slot] = Some(v);
        }
    }
    Some(
        (0..width)
            .map(|k| {
                let at = |r: u64| {
                    found[k][ranks.binary_search(&r).expect("rank was requested")]
                        .expect("every rank resolved")
                };
                totals.summary(k, runs, probs, at)
            })
            .collect(),
    )
}

/// An estimate, in bytes, of the memory [`summarize`] needs for `runs` runs
/// of `width` series at probabilities `probs` on `threads` threads: the
/// pilot, the values kept inside the brackets (the bracket of probability
/// `p` spans about `2 * 5 * sqrt(p (1 - p) / n0)` of the runs), and the
/// chunks in flight in the driver (a column buffer and a part each).
pub fn memory_estimate(runs: u64, width: usize, probs: &[f64], threads: usize) -> u64 {
    let n0 = (pilot_runs(runs).div_ceil(CHUNK_RUNS) * CHUNK_RUNS).min(runs);
    let pilot = n0 * width as u64 * 8;
    let kept = if n0 == runs {
        0
    } else {
        let mut distinct = probs.to_vec();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let spread: f64 = distinct.iter().map(|p| (p * (1.0 - p)).sqrt()).sum();
        let fraction = (2.0 * BRACKET_SIGMAS * spread / (n0 as f64).sqrt()).min(1.0);
        (fraction * runs as f64 * width as f64 * 8.0) as u64
    };
    let chunks = driver::chunk_count(runs) as usize;
    let in_flight = driver::in_flight(threads, width).min(chunks) as u64;
    let chunk_bytes = CHUNK_RUNS.min(runs) * width as u64 * 8;
    pilot + kept + in_flight * 2 * chunk_bytes
}

/// Pilot size: minimises pilot storage plus kept bracket values, which is
/// about `n0 + 24 N / sqrt(n0)` values per series (seven default quantiles,
/// `2 * 5 * sum sqrt(p(1-p)) ~ 24`), at `n0 = (12 N)^(2/3)`.
fn pilot_runs(runs: u64) -> u64 {
    let n0 = (12.0 * runs as f64).powf(2.0 / 3.0) as u64;
    n0.max(MIN_PILOT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::percentile_inc;

    /// Rows whose columns have a continuous spread, a mass of zeros,
    /// a constant, and heavy ties: a pure function of the run index.
    struct Synthetic {
        width: usize,
    }

    fn hash(i: u64) -> f64 {
        let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    impl Source for Synthetic {
        fn width(&self) -> usize {
            self.width
        }
        fn fill(&self, first: u64, rows: &mut [f64]) {
            for (j, row) in rows.chunks_exact_mut(self.width).enumerate() {
                let u = hash(first + j as u64);
                row[0] = (u * 6.0 - 3.0).exp() * 1000.0; // spread over decades
                row[1] = if u < 0.6 { 0.0 } else { (u - 0.6) * 1e6 }; // 60 % zeros
                row[2] = 42.0; // constant
                row[3] = (u * 10.0).floor(); // ten tied values
                row[4] = -u; // negative values
            }
        }
    }

    fn reference(src: &Synthetic, runs: u64, probs: &[f64]) -> Vec<Vec<f64>> {
        let mut rows = vec![0.0; runs as usize * src.width];
        src.fill(0, &mut rows);
        (0..src.width)
            .map(|k| {
                let mut col: Vec<f64> = rows.iter().skip(k).step_by(src.width).copied().collect();
                col.sort_by(f64::total_cmp);
                probs.iter().map(|&p| percentile_inc(&col, p)).collect()
            })
            .collect()
    }

    fn check(runs: u64) {
        let src = Synthetic { width: 5 };
        let probs = [
            0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 0.95, 0.99, 1.0,
        ];
        let got = summarize(&src, runs, &probs, &mut (), &|_| true).expect("not stopped");
        let want = reference(&src, runs, &probs);
        for k in 0..5 {
            assert_eq!(got[k].quantiles, want[k], "series {k}, {runs} runs");
        }
    }

    #[test]
    fn pilot_only_quantiles_equal_a_full_sort() {
        check(10_000);
    }

    #[test]
    fn bracketed_quantiles_equal_a_full_sort() {
        // More runs than the pilot, so brackets, ties and atoms are used.
        check(300_001);
    }

    #[test]
    fn share_positive_and_mean_are_exact_counts() {
        let src = Synthetic { width: 5 };
        let s = summarize(&src, 200_000, &[0.5], &mut (), &|_| true).expect("not stopped");
        let mut rows = vec![0.0; 200_000 * 5];
        src.fill(0, &mut rows);
        let positives = rows.iter().skip(1).step_by(5).filter(|&&x| x > 0.0).count();
        assert_eq!(s[1].share_positive, positives as f64 / 200_000.0);
        assert_eq!(s[2].mean, 42.0);
    }

    /// A source whose first runs are unrepresentative, so the pilot's
    /// brackets miss and the extra pass must find the ranks.
    struct Drifting;

    impl Source for Drifting {
        fn width(&self) -> usize {
            1
        }
        fn fill(&self, first: u64, rows: &mut [f64]) {
            for (j, x) in rows.iter_mut().enumerate() {
                *x = (first + j as u64) as f64;
            }
        }
    }

    #[test]
    fn ranks_outside_the_pilot_brackets_are_still_exact() {
        let runs = 200_000;
        let probs = [0.1, 0.5, 0.9];
        let got = summarize(&Drifting, runs, &probs, &mut (), &|_| true).expect("not stopped");
        let sorted: Vec<f64> = (0..runs).map(|i| i as f64).collect();
        let want: Vec<f64> = probs.iter().map(|&p| percentile_inc(&sorted, p)).collect();
        assert_eq!(got[0].quantiles, want);
    }
}
