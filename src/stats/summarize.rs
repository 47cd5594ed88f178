//! Exact means and PERCENTILE.INC quantiles of many series over many runs,
//! in memory that grows like `runs^(2/3)` rather than `runs`.
//!
//! Run `i` is a pure function of `(seed, i)`, so the runs arrive as chunks
//! from a [`Source`] and any chunk can be produced again. The method:
//!
//! 1. **Pilot.** The first `n0` runs (`n0 ~ (12 runs)^(2/3)`, at least 65,536)
//!    are kept whole. If that is every run, quantiles come from them directly.
//! 2. **Brackets.** For each order statistic a quantile needs (rank `r` of
//!    `N`), the pilot's order statistics at `r n0 / N -/+ 5 sqrt(n0 p (1-p))`
//!    give a value interval `[lo, hi]` that holds the full sample's rank-`r`
//!    value unless the pilot is off by more than five standard deviations.
//! 3. **Count and keep.** Every run is classified: values below, equal to,
//!    strictly inside or above each interval are counted; only the values
//!    strictly inside are kept. Ties at the ends (a constant series, a mass
//!    of zeros) are counted, never stored.
//! 4. **Resolve.** Counts locate each rank inside its interval, and selection
//!    over the kept values gives it exactly. A rank that fell outside its
//!    interval (a five-sigma miss) is found by one more pass that keeps the
//!    values of the gap it fell in, so the answer is exact in every case.
//!
//! Means add per-chunk sums in chunk order, so every result is the same on
//! any number of threads.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::{inc_ranks, interpolate, select_ranks};

/// Runs per chunk: the unit of parallel work, of progress reports, and of
/// the fixed summation order of means.
pub const CHUNK_RUNS: u64 = 4096;
/// Smallest pilot, in runs; at or below this every value is kept.
const MIN_PILOT: u64 = 1 << 16;
/// Half-width of a pilot bracket in standard deviations of the rank.
const BRACKET_SIGMAS: f64 = 5.0;

/// Produces the rows of a range of runs.
pub trait Source: Sync {
    /// Numbers per run.
    fn width(&self) -> usize;
    /// Writes the rows of runs `first .. first + rows.len() / width`,
    /// row-major, into `rows`.
    fn fill(&self, first: u64, rows: &mut [f64]);

    /// Writes runs `first .. first + n` column-major into `cols`
    /// (`cols[k * n + j]`). The default fills blocks of rows and transposes
    /// them; a source may fuse the two.
    fn fill_columns(&self, first: u64, n: usize, cols: &mut [f64]) {
        let width = self.width();
        let mut rows = vec![0.0; BLOCK_RUNS * width];
        for start in (0..n).step_by(BLOCK_RUNS) {
            let count = BLOCK_RUNS.min(n - start);
            let block = &mut rows[..count * width];
            self.fill(first + start as u64, block);
            transpose_block(block, width, start, n, cols);
        }
    }
}

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

/// Exact summaries of every series (column) of the rows of `runs` runs.
/// `probs` are probabilities in `[0, 1]`. `progress` is called once per
/// chunk with the number of runs just simulated; when it returns `false`
/// the remaining chunks are skipped and the result is `None` (Ctrl-C).
pub fn summarize(
    src: &dyn Source,
    runs: u64,
    probs: &[f64],
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Option<Vec<SeriesSummary>> {
    assert!(runs > 0, "the checked model has at least one run");
    let stop = AtomicBool::new(false);
    let stopped = || stop.load(Ordering::Relaxed);
    let report = |n: u64| {
        if !progress(n) {
            stop.store(true, Ordering::Relaxed);
        }
    };
    let width = src.width();
    let chunks = runs.div_ceil(CHUNK_RUNS);
    let pilot_chunks = pilot_runs(runs).div_ceil(CHUNK_RUNS).min(chunks);
    let n0 = (pilot_chunks * CHUNK_RUNS).min(runs);

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

    // 1. Pilot: keep every value of the first n0 runs, one column per series.
    let pilot: Vec<(ChunkStats, Vec<f64>)> = (0..pilot_chunks)
        .into_par_iter()
        .map(|c| {
            let mut cols = Vec::new();
            if stopped() {
                return (ChunkStats::empty(width), cols);
            }
            let n = columns_of(src, c, runs, &mut cols);
            report(n as u64);
            (ChunkStats::of(&cols, width), cols)
        })
        .collect();
    if stopped() {
        return None;
    }
    let mut totals = Totals::new(width);
    for (c, _) in &pilot {
        totals.add(c);
    }
    // Series `k` of the pilot as one column (a copy, one series at a time,
    // so the pilot is never held twice).
    let column = |k: usize| -> Vec<f64> {
        let mut col = Vec::with_capacity(n0 as usize);
        for (_, cols) in &pilot {
            let n = cols.len() / width;
            col.extend_from_slice(&cols[k * n..(k + 1) * n]);
        }
        col
    };

    if n0 == runs {
        let ranks_usize: Vec<usize> = ranks.iter().map(|&r| r as usize).collect();
        return Some(
            (0..width)
                .into_par_iter()
                .map(|k| {
                    let values = select_ranks(&mut column(k), &ranks_usize);
                    let at = |r: u64| values[ranks.binary_search(&r).expect("rank was requested")];
                    totals.summary(k, runs, probs, at)
                })
                .collect(),
        );
    }

    // 2. Brackets from the pilot's order statistics.
    let brackets = Brackets::from_pilot(width, &column, &ranks, runs);

    // 3. Classify the pilot's values, then every other run.
    let mut acc = pilot
        .par_iter()
        .fold(
            || Classified::new(&brackets),
            |mut acc, (_, cols)| {
                let n = cols.len() / width;
                for (k, col) in cols.chunks_exact(n).enumerate() {
                    acc.add_column(&brackets, k, col);
                }
                acc
            },
        )
        .reduce(
            || Classified::new(&brackets),
            |mut a, b| {
                a.merge(b);
                a
            },
        );
    drop(pilot);
    let rest: Vec<Worker> = (pilot_chunks..chunks)
        .into_par_iter()
        .fold(
            || Worker {
                stats: Vec::new(),
                acc: Classified::new(&brackets),
                cols: Vec::new(),
            },
            |mut w, c| {
                if stopped() {
                    return w;
                }
                let n = columns_of(src, c, runs, &mut w.cols);
                report(n as u64);
                let mut s = ChunkStats::empty(width);
                s.chunk = c;
                for (k, col) in w.cols.chunks_exact(n).enumerate() {
                    s.set(k, w.acc.add_column(&brackets, k, col));
                }
                w.stats.push(s);
                w
            },
        )
        .collect();
    if stopped() {
        return None;
    }
    let mut chunk_stats = Vec::new();
    for w in rest {
        chunk_stats.extend(w.stats);
        acc.merge(w.acc);
    }
    // Means add in chunk order whatever the thread count.
    chunk_stats.sort_by_key(|s| s.chunk);
    for s in &chunk_stats {
        totals.add(s);
    }

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
    for (p, v) in acc.select(pending) {
        found[p.series][p.slot] = Some(v);
    }
    if !misses.is_empty() {
        for (m, v) in resolve_misses(src, runs, &brackets, &misses, &stopped)? {
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
/// of `width` series at probabilities `probs`: the pilot, the values kept
/// inside the brackets (the bracket of probability `p` spans about
/// `2 * 5 * sqrt(p (1 - p) / n0)` of the runs), and per-thread chunk buffers.
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
    let buffers = threads as u64 * 3 * CHUNK_RUNS * width as u64 * 8;
    pilot + kept + buffers
}

/// Pilot size: minimises pilot storage plus kept bracket values, which is
/// about `n0 + 24 N / sqrt(n0)` values per series (seven default quantiles,
/// `2 * 5 * sum sqrt(p(1-p)) ~ 24`), at `n0 = (12 N)^(2/3)`.
fn pilot_runs(runs: u64) -> u64 {
    let n0 = (12.0 * runs as f64).powf(2.0 / 3.0) as u64;
    n0.max(MIN_PILOT)
}

fn chunk_bounds(c: u64, runs: u64) -> (u64, u64) {
    let first = c * CHUNK_RUNS;
    (first, CHUNK_RUNS.min(runs - first))
}

/// Chunk `c`'s values, column-major (`cols[k * n + j]` is series `k` of the
/// chunk's run `j`), so each series is then read as one contiguous slice.
fn columns_of(src: &dyn Source, c: u64, runs: u64, cols: &mut Vec<f64>) -> usize {
    let (first, n) = chunk_bounds(c, runs);
    let n = n as usize;
    cols.resize(n * src.width(), 0.0);
    src.fill_columns(first, n, cols);
    n
}

/// Rows per block of [`transpose_block`]: 64 rows of a few hundred series
/// stay in the L1/L2 cache while each series' slice is written.
pub const BLOCK_RUNS: usize = 64;

/// Copies a block of row-major `rows` (runs `start ..` of a chunk of `n`
/// runs) into column-major `cols`.
pub fn transpose_block(rows: &[f64], width: usize, start: usize, n: usize, cols: &mut [f64]) {
    let count = rows.len() / width;
    for k in 0..width {
        let out = &mut cols[k * n + start..k * n + start + count];
        for (o, row) in out.iter_mut().zip(rows.chunks_exact(width)) {
            *o = row[k];
        }
    }
}

/// Per-chunk sums (in run order), positive counts, minima and maxima.
struct ChunkStats {
    chunk: u64,
    sum: Vec<f64>,
    positive: Vec<u64>,
    min: Vec<f64>,
    max: Vec<f64>,
}

impl ChunkStats {
    fn empty(width: usize) -> ChunkStats {
        ChunkStats {
            chunk: 0,
            sum: vec![0.0; width],
            positive: vec![0; width],
            min: vec![f64::INFINITY; width],
            max: vec![f64::NEG_INFINITY; width],
        }
    }

    fn set(&mut self, k: usize, m: Moments) {
        self.sum[k] = m.sum;
        self.positive[k] = m.positive;
        self.min[k] = m.min;
        self.max[k] = m.max;
    }

    /// Statistics of a column-major chunk of `width` series.
    fn of(cols: &[f64], width: usize) -> ChunkStats {
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

/// Sum (in order), positive count, minimum and maximum of a slice.
#[derive(Clone, Copy)]
struct Moments {
    sum: f64,
    positive: u64,
    min: f64,
    max: f64,
}

impl Moments {
    fn new() -> Moments {
        Moments {
            sum: 0.0,
            positive: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    #[inline]
    fn add(&mut self, x: f64) {
        self.sum += x;
        self.positive += u64::from(x > 0.0);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }
}

/// One worker's share of the classification pass, with reusable buffers.
struct Worker {
    stats: Vec<ChunkStats>,
    acc: Classified,
    cols: Vec<f64>,
}

/// Running totals over chunks, added in chunk order.
struct Totals {
    sum: Vec<f64>,
    positive: Vec<u64>,
    min: Vec<f64>,
    max: Vec<f64>,
}

impl Totals {
    fn new(width: usize) -> Totals {
        Totals {
            sum: vec![0.0; width],
            positive: vec![0; width],
            min: vec![f64::INFINITY; width],
            max: vec![f64::NEG_INFINITY; width],
        }
    }

    fn add(&mut self, c: &ChunkStats) {
        for k in 0..self.sum.len() {
            self.sum[k] += c.sum[k];
            self.positive[k] += c.positive[k];
            self.min[k] = self.min[k].min(c.min[k]);
            self.max[k] = self.max[k].max(c.max[k]);
        }
    }

    fn summary(
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
        SeriesSummary {
            mean: self.sum[k] / runs as f64,
            quantiles,
            share_positive: self.positive[k] as f64 / runs as f64,
        }
    }
}

/// Disjoint closed value intervals per series, ascending.
struct Brackets {
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// Series `k` owns intervals `start[k] .. start[k + 1]` and gaps
    /// `start[k] + k ..= start[k + 1] + k` (one more gap than intervals).
    start: Vec<usize>,
}

impl Brackets {
    fn from_pilot(
        width: usize,
        column: &(dyn Fn(usize) -> Vec<f64> + Sync),
        ranks: &[u64],
        runs: u64,
    ) -> Brackets {
        let per_series: Vec<Vec<(f64, f64)>> = (0..width)
            .into_par_iter()
            .map(|k| {
                let col = &mut column(k);
                let n0 = col.len() as f64;
                let mut wanted: Vec<(usize, usize)> = Vec::new();
                for &r in ranks {
                    if r == 0 || r == runs - 1 {
                        continue; // from the exact minimum and maximum
                    }
                    let p = r as f64 / (runs - 1) as f64;
                    let centre = p * (n0 - 1.0);
                    let half = BRACKET_SIGMAS * (n0 * p * (1.0 - p)).sqrt() + 2.0;
                    let lo = (centre - half).floor().max(0.0) as usize;
                    let hi = ((centre + half).ceil() as usize).min(col.len() - 1);
                    wanted.push((lo, hi));
                }
                let mut pilot_ranks: Vec<usize> =
                    wanted.iter().flat_map(|&(a, b)| [a, b]).collect();
                pilot_ranks.sort_unstable();
                pilot_ranks.dedup();
                let values = select_ranks(col, &pilot_ranks);
                let value = |r: usize| values[pilot_ranks.binary_search(&r).expect("selected")];
                // A bracket reaching the pilot's minimum (maximum) is open
                // below (above): the full sample's extremes lie beyond the
                // pilot's, so a closed end would miss there.
                let last = col.len() - 1;
                let mut intervals: Vec<(f64, f64)> = wanted
                    .iter()
                    .map(|&(a, b)| {
                        let lo = if a == 0 { f64::NEG_INFINITY } else { value(a) };
                        let hi = if b == last { f64::INFINITY } else { value(b) };
                        (lo, hi)
                    })
                    .collect();
                intervals.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut merged: Vec<(f64, f64)> = Vec::with_capacity(intervals.len());
                for (lo, hi) in intervals {
                    match merged.last_mut() {
                        Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                        _ => merged.push((lo, hi)),
                    }
                }
                merged
            })
            .collect();
        let mut b = Brackets {
            lo: Vec::new(),
            hi: Vec::new(),
            start: vec![0],
        };
        for iv in per_series {
            for (lo, hi) in iv {
                b.lo.push(lo);
                b.hi.push(hi);
            }
            b.start.push(b.lo.len());
        }
        b
    }

    fn intervals(&self, k: usize) -> std::ops::Range<usize> {
        self.start[k]..self.start[k + 1]
    }
}

/// Where a value falls among a series' ascending, disjoint intervals.
enum Place {
    /// Below every interval (0), between intervals `j-1` and `j`, or above
    /// the last.
    Gap(usize),
    /// Equal to interval `i`'s lower end.
    Low(usize),
    /// Equal to interval `i`'s upper end.
    High(usize),
    /// Strictly inside interval `i`.
    Inside(usize),
}

/// The one classification rule, shared by the counting pass and the pass
/// that resolves misses, so both always agree on every value.
#[inline]
fn place(lo: &[f64], hi: &[f64], x: f64) -> Place {
    // Intervals starting at or below x, counted without branches.
    let j: usize = lo.iter().map(|&l| usize::from(x >= l)).sum();
    if j == 0 {
        return Place::Gap(0);
    }
    let i = j - 1;
    if x > hi[i] {
        Place::Gap(j)
    } else if x == lo[i] {
        Place::Low(i)
    } else if x == hi[i] {
        Place::High(i)
    } else {
        Place::Inside(i)
    }
}

/// Counts and kept values for every interval and gap.
struct Classified {
    /// Values below, between and above a series' intervals.
    gap: Vec<u64>,
    eq_lo: Vec<u64>,
    eq_hi: Vec<u64>,
    inside: Vec<Vec<f64>>,
}

/// A rank that lies strictly inside an interval's kept values.
#[derive(Debug, Clone, Copy)]
struct Pending {
    interval: usize,
    /// Rank within the interval's kept values.
    offset: u64,
    series: usize,
    /// Which requested rank this is.
    slot: usize,
}

enum Located {
    Value(f64),
    Inside { interval: usize, offset: u64 },
    Gap { gap: usize, offset: u64 },
}

impl Classified {
    fn new(b: &Brackets) -> Classified {
        let n = b.lo.len();
        Classified {
            gap: vec![0; n + b.start.len() - 1],
            eq_lo: vec![0; n],
            eq_hi: vec![0; n],
            inside: vec![Vec::new(); n],
        }
    }

    /// Counts (and keeps, when strictly inside an interval) every value of
    /// series `k` in `col`.
    fn add_column(&mut self, b: &Brackets, k: usize, col: &[f64]) -> Moments {
        let range = b.intervals(k);
        let lo = &b.lo[range.clone()];
        let hi = &b.hi[range.clone()];
        let gap = &mut self.gap[range.start + k..=range.end + k];
        let eq_lo = &mut self.eq_lo[range.clone()];
        let eq_hi = &mut self.eq_hi[range.clone()];
        let inside = &mut self.inside[range];
        let mut moments = Moments::new();
        // A series that was constant in the pilot (no options, a fixed
        // sign-on) usually still is: count the chunk in one comparison pass.
        if lo.len() == 1 && lo[0] == hi[0] && col.iter().all(|&x| x == lo[0]) {
            for &x in col {
                moments.add(x);
            }
            eq_lo[0] += col.len() as u64;
            return moments;
        }
        for &x in col {
            moments.add(x);
            match place(lo, hi, x) {
                Place::Gap(j) => gap[j] += 1,
                Place::Low(i) => eq_lo[i] += 1,
                Place::High(i) => eq_hi[i] += 1,
                Place::Inside(i) => inside[i].push(x),
            }
        }
        moments
    }

    fn merge(&mut self, other: Classified) {
        for (a, b) in self.gap.iter_mut().zip(other.gap) {
            *a += b;
        }
        for (a, b) in self.eq_lo.iter_mut().zip(other.eq_lo) {
            *a += b;
        }
        for (a, b) in self.eq_hi.iter_mut().zip(other.eq_hi) {
            *a += b;
        }
        for (a, b) in self.inside.iter_mut().zip(other.inside) {
            a.extend(b);
        }
    }

    /// Where rank `r` of series `k` lies.
    fn locate(&self, b: &Brackets, k: usize, r: u64) -> Located {
        let mut below = 0u64;
        for i in b.intervals(k) {
            let g = i + k;
            if r < below + self.gap[g] {
                return Located::Gap {
                    gap: g,
                    offset: r - below,
                };
            }
            below += self.gap[g];
            if r < below + self.eq_lo[i] {
                return Located::Value(b.lo[i]);
            }
            below += self.eq_lo[i];
            let kept = self.inside[i].len() as u64;
            if r < below + kept {
                return Located::Inside {
                    interval: i,
                    offset: r - below,
                };
            }
            below += kept;
            if r < below + self.eq_hi[i] {
                return Located::Value(b.hi[i]);
            }
            below += self.eq_hi[i];
        }
        let g = b.intervals(k).end + k;
        Located::Gap {
            gap: g,
            offset: r - below,
        }
    }

    /// Selects every pending rank inside its interval's kept values.
    fn select(&mut self, mut pending: Vec<Pending>) -> Vec<(Pending, f64)> {
        pending.sort_by_key(|p| (p.interval, p.offset));
        let groups: Vec<&[Pending]> = pending.chunk_by(|a, b| a.interval == b.interval).collect();
        // Each interval's kept values are selected on their own thread; the
        // answers do not depend on the order.
        let mut inside: Vec<(usize, Vec<f64>)> = groups
            .iter()
            .map(|g| {
                (
                    g[0].interval,
                    std::mem::take(&mut self.inside[g[0].interval]),
                )
            })
            .collect();
        inside
            .par_iter_mut()
            .zip(groups.par_iter())
            .flat_map_iter(|((_, values), group)| {
                let mut offsets: Vec<usize> = group.iter().map(|p| p.offset as usize).collect();
                offsets.dedup();
                let selected = select_ranks(values, &offsets);
                group
                    .iter()
                    .map(move |p| {
                        (
                            *p,
                            selected[offsets
                                .binary_search(&(p.offset as usize))
                                .expect("selected")],
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// A rank that fell in a gap between a series' intervals.
#[derive(Debug, Clone, Copy)]
struct Miss {
    series: usize,
    /// Gap index (see [`Brackets::start`]).
    gap: usize,
    /// Rank within the gap's values.
    offset: u64,
    /// Which requested rank this is.
    slot: usize,
}

/// One more pass over every run, keeping the values of each missed gap.
fn resolve_misses(
    src: &dyn Source,
    runs: u64,
    b: &Brackets,
    misses: &[Miss],
    stopped: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<(Miss, f64)>> {
    let width = src.width();
    // Open value bounds of each missed gap.
    let chunks = runs.div_ceil(CHUNK_RUNS);
    let kept: Vec<Vec<f64>> = (0..chunks)
        .into_par_iter()
        .fold(
            || vec![Vec::new(); misses.len()],
            |mut kept, c| {
                if stopped() {
                    return kept;
                }
                let (first, n) = chunk_bounds(c, runs);
                let mut rows = vec![0.0; n as usize * width];
                src.fill(first, &mut rows);
                for row in rows.chunks_exact(width) {
                    for (i, m) in misses.iter().enumerate() {
                        let k = m.series;
                        let r = b.intervals(k);
                        let x = row[k];
                        if matches!(place(&b.lo[r.clone()], &b.hi[r.clone()], x), Place::Gap(j) if r.start + k + j == m.gap) {
                            kept[i].push(x);
                        }
                    }
                }
                kept
            },
        )
        .reduce(
            || vec![Vec::new(); misses.len()],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    x.extend(y);
                }
                a
            },
        );
    if stopped() {
        return None;
    }
    Some(
        misses
            .iter()
            .zip(kept)
            .map(|(m, mut values)| {
                let v = select_ranks(&mut values, &[m.offset as usize])[0];
                (*m, v)
            })
            .collect(),
    )
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
        let got = summarize(&src, runs, &probs, &|_| true).expect("not stopped");
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
        let s = summarize(&src, 200_000, &[0.5], &|_| true).expect("not stopped");
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
        let got = summarize(&Drifting, runs, &probs, &|_| true).expect("not stopped");
        let sorted: Vec<f64> = (0..runs).map(|i| i as f64).collect();
        let want: Vec<f64> = probs.iter().map(|&p| percentile_inc(&sorted, p)).collect();
        assert_eq!(got[0].quantiles, want);
    }
}
