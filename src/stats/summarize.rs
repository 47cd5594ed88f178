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
//!
//! **Shards** (model.md section 14). Steps 1 to 3 run over any contiguous
//! range of whole chunks ([`summarize_shard`]): every shard simulates the
//! same pilot, so all derive the same brackets, and counts and keeps only
//! its own chunks. The states of consecutive ranges append into the state
//! of all of them, bit for bit the one machine's (see [`super::partial`]),
//! and step 4 runs on that. One machine is the case of one shard.

use std::ops::Range;

use super::brackets::{BRACKET_SIGMAS, Brackets, Classify, GapPass};
use super::moments::{MomentsPass, Totals};
use super::partial::{GapValues, Gaps, Quantiles, ShardState};
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
///
/// One machine is the one-shard case of a sharded run: the state of every
/// chunk ([`summarize_shard`]), then, after a five-sigma miss, the values
/// of the gaps it fell in ([`gap_values`]), then the answer
/// ([`ShardState::finish`]).
pub fn summarize<T: Tap>(
    src: &dyn Source,
    runs: u64,
    probs: &[f64],
    taps: &mut T,
    progress: Progress<'_>,
) -> Option<Vec<SeriesSummary>> {
    let all = 0..driver::chunk_count(runs);
    let state = summarize_shard(
        src,
        runs,
        probs,
        BRACKET_SIGMAS,
        all.clone(),
        taps,
        progress,
    )?;
    let values = match state.misses().expect("one machine's state is whole") {
        Some(gaps) => Some(gap_values(src, runs, all, &gaps, progress)?),
        None => None,
    };
    state
        .finish(values, &|| progress(0))
        .expect("one machine's state is whole")
}

/// The chunks shard `index` of `count` computes: a contiguous range of
/// whole chunks, `[floor(C i / n), floor(C (i + 1) / n))` of the `C`
/// chunks, so the shards in order cover every chunk once (a shard is empty
/// when there are more shards than chunks).
pub fn shard_chunks(runs: u64, index: u64, count: u64) -> Range<u64> {
    let c = u128::from(driver::chunk_count(runs));
    let at = |i: u64| (c * u128::from(i) / u128::from(count.max(1))) as u64;
    at(index)..at(index + 1)
}

/// Runs a shard of chunks `chunks` simulates: the pilot's, which every
/// shard simulates, and its own beyond them.
pub fn shard_simulated_runs(runs: u64, chunks: Range<u64>) -> u64 {
    let pilot = pilot_chunks(runs);
    let own: u64 = (chunks.start.max(pilot)..chunks.end.max(pilot))
        .map(|c| driver::chunk_bounds(c, runs).1 as u64)
        .sum();
    pilot_size(runs) + own
}

/// Chunks of the pilot of a run of `runs` runs.
fn pilot_chunks(runs: u64) -> u64 {
    pilot_runs(runs)
        .div_ceil(CHUNK_RUNS)
        .min(driver::chunk_count(runs))
}

/// Runs in the pilot.
fn pilot_size(runs: u64) -> u64 {
    (pilot_chunks(runs) * CHUNK_RUNS).min(runs)
}

/// The state of the summaries over chunks `chunks` of a run of `runs`
/// runs of `src` (a shard's share; every chunk for one machine), with the
/// runs of those chunks fed to `taps` in run order. Every shard simulates
/// the same pilot runs, so every shard derives the same brackets and
/// starts its taps on the same pilot, without talking to the others; it
/// then classifies only its own chunks (the pilot's from memory, the
/// others as they are simulated). The brackets are `sigmas` standard
/// deviations of each rank wide each way ([`BRACKET_SIGMAS`]; narrower
/// brackets keep fewer values and miss more often, and the answer is exact
/// either way). `None` when stopped.
pub fn summarize_shard<T: Tap>(
    src: &dyn Source,
    runs: u64,
    probs: &[f64],
    sigmas: f64,
    chunks: Range<u64>,
    taps: &mut T,
    progress: Progress<'_>,
) -> Option<ShardState> {
    assert!(runs > 0, "the checked model has at least one run");
    assert!(chunks.start <= chunks.end && chunks.end <= driver::chunk_count(runs));
    let width = src.width();
    let pilot_chunks = pilot_chunks(runs);
    let n0 = pilot_size(runs);
    // Polls for a stop between the steps of the phases that simulate
    // nothing (feeding held chunks, selection), as the driver does between
    // blocks of runs.
    let go = || progress(0);
    let poll = || !go();
    let ranks = wanted_ranks(runs, probs);

    // 1. Pilot: keep every value of the first n0 runs.
    let pilot = driver::drive_keeping(src, runs, 0..pilot_chunks, &mut (), progress)?;
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
    // This shard's chunks among the pilot's, held, and beyond them.
    let held = chunks.start.min(pilot_chunks)..chunks.end.min(pilot_chunks);
    let rest = chunks.start.max(pilot_chunks)..chunks.end.max(pilot_chunks);
    let (own, first) = (held.start as usize..held.end as usize, held.start);
    let mut totals = Totals::new(width, chunks.start);
    let state = |totals, quantiles| ShardState {
        runs,
        width,
        probs: probs.to_vec(),
        chunks: chunks.clone(),
        totals,
        quantiles,
    };

    if n0 == runs {
        // Every run is a pilot run: every shard has every value, and the
        // ranks come from them directly.
        let mut moments = MomentsPass {
            totals: &mut totals,
        };
        let both = &mut (&mut moments, &mut *taps);
        if !driver::feed(&pilot[own], first, runs, both, &poll) {
            return None;
        }
        let ranks_usize: Vec<usize> = ranks.iter().map(|&r| r as usize).collect();
        use rayon::prelude::*;
        let values: Vec<Option<Vec<f64>>> = (0..width)
            .into_par_iter()
            .map(|k| go().then(|| select_ranks(&mut column(k), &ranks_usize)))
            .collect();
        let values: Option<Vec<Vec<f64>>> = values.into_iter().collect();
        return Some(state(totals, Quantiles::Exact(values?.concat())));
    }

    // 2. Brackets from the pilot's order statistics.
    let brackets = Brackets::from_pilot(width, &column, &ranks, runs, sigmas, &go);
    if !go() {
        return None;
    }

    // 3. Classify this shard's pilot values from memory, then simulate and
    //    classify its other runs; the taps see every run in order.
    let mut classify = Classify::new(&brackets, &mut totals);
    let both = &mut (&mut classify, &mut *taps);
    if !driver::feed(&pilot[own], first, runs, both, &poll) {
        return None;
    }
    drop(pilot);
    if !driver::drive(src, runs, rest, &mut (&mut classify, &mut *taps), progress) {
        return None;
    }
    let counts = classify.finish();
    Some(state(totals, Quantiles::Bracketed { brackets, counts }))
}

/// The values of `runs` runs of `src`, over chunks `chunks`, that fall in
/// the gaps `gaps` (one machine: every chunk; a shard rerun after a miss:
/// its own). `None` when stopped.
pub fn gap_values(
    src: &dyn Source,
    runs: u64,
    chunks: Range<u64>,
    gaps: &Gaps,
    progress: Progress<'_>,
) -> Option<GapValues> {
    let mut pass = GapPass {
        gaps: &gaps.gaps,
        kept: vec![Vec::new(); gaps.gaps.len()],
    };
    driver::drive(src, runs, chunks, &mut pass, progress).then_some(GapValues { values: pass.kept })
}

/// The ranks (0-based, ascending, distinct) that the quantiles at `probs`
/// of `runs` values need.
pub(super) fn wanted_ranks(runs: u64, probs: &[f64]) -> Vec<u64> {
    let mut ranks: Vec<u64> = probs
        .iter()
        .flat_map(|&p| {
            let (lo, hi, _) = inc_ranks(runs, p);
            [lo, hi]
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    ranks
}

/// An estimate, in bytes, of the memory [`summarize`] needs for `runs` runs
/// of `width` series at probabilities `probs` on `threads` threads: the
/// pilot, the values kept inside the brackets (the bracket of probability
/// `p` spans about `2 * 5 * sqrt(p (1 - p) / n0)` of the runs), and the
/// chunks in flight in the driver (a column buffer and a part each).
pub fn memory_estimate(runs: u64, width: usize, probs: &[f64], threads: usize) -> u64 {
    shard_memory_estimate(runs, width, probs, threads, 0..driver::chunk_count(runs))
}

/// [`memory_estimate`] for the shard of chunks `chunks`: the whole pilot
/// (every shard simulates it), the values its own runs keep inside the
/// brackets, the chunks in flight, and its chunks' own sums (a shard that
/// does not start at chunk 0 keeps each chunk's, `8 width` bytes a chunk).
pub fn shard_memory_estimate(
    runs: u64,
    width: usize,
    probs: &[f64],
    threads: usize,
    chunks: Range<u64>,
) -> u64 {
    let n0 = pilot_size(runs);
    let pilot = n0 * width as u64 * 8;
    let own: u64 = chunks
        .clone()
        .map(|c| driver::chunk_bounds(c, runs).1 as u64)
        .sum();
    let kept = kept_bytes(runs, width, probs, own);
    let count = driver::chunk_count(runs) as usize;
    let in_flight = driver::in_flight(threads, width).min(count) as u64;
    let chunk_bytes = CHUNK_RUNS.min(runs) * width as u64 * 8;
    let sums = match chunks.start {
        0 => 0,
        _ => (chunks.end - chunks.start) * width as u64 * 8,
    };
    pilot + kept + in_flight * 2 * chunk_bytes + sums
}

/// An estimate, in bytes, of the memory `tcsim merge` needs for the
/// `shards` parts of a run of `runs` runs of `width` series: the values
/// every shard kept inside the brackets (as much as one machine keeps),
/// one part's kept values more while it is read, and the sums of every
/// chunk but the first shard's (`8 width` bytes a chunk).
pub fn merge_memory_estimate(runs: u64, width: usize, probs: &[f64], shards: u64) -> u64 {
    let kept = kept_bytes(runs, width, probs, runs);
    let chunks = driver::chunk_count(runs);
    let largest = kept_bytes(
        runs,
        width,
        probs,
        runs.div_ceil(shards.max(1)).max(CHUNK_RUNS),
    );
    kept + largest.min(kept) + chunks * width as u64 * 8
}

/// Bytes of the values `own` of the `runs` runs keep inside the brackets
/// (none when every run is a pilot run).
fn kept_bytes(runs: u64, width: usize, probs: &[f64], own: u64) -> u64 {
    let n0 = pilot_size(runs);
    if n0 == runs {
        return 0;
    }
    let mut distinct = probs.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let spread: f64 = distinct.iter().map(|p| (p * (1.0 - p)).sqrt()).sum();
    let fraction = (2.0 * BRACKET_SIGMAS * spread / (n0 as f64).sqrt()).min(1.0);
    (fraction * own as f64 * width as f64 * 8.0) as u64
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

    /// Bit patterns of every figure, so that `-0.0` and `0.0` differ.
    fn bits(s: &[SeriesSummary]) -> Vec<Vec<u64>> {
        s.iter()
            .map(|x| {
                let mut v = vec![x.mean.to_bits(), x.share_positive.to_bits()];
                v.extend(x.quantiles.iter().map(|q| q.to_bits()));
                v
            })
            .collect()
    }

    /// Every shard of `count` summarised, written and read back, then
    /// appended in order: the merged state.
    fn sharded(src: &dyn Source, runs: u64, probs: &[f64], count: u64) -> Vec<ShardState> {
        (0..count)
            .map(|i| {
                let chunks = shard_chunks(runs, i, count);
                let mut state =
                    summarize_shard(src, runs, probs, BRACKET_SIGMAS, chunks, &mut (), &|_| true)
                        .expect("not stopped");
                let mut e = crate::codec::Encoder::new();
                state.encode(&mut e);
                let bytes = e.into_bytes();
                let mut d = crate::codec::Decoder::new(&bytes);
                let back =
                    ShardState::decode(&mut d, runs, src.width(), probs).expect("reads back");
                d.finish("a state").unwrap();
                back
            })
            .collect()
    }

    fn appended(states: Vec<ShardState>) -> ShardState {
        let mut it = states.into_iter();
        let mut whole = it.next().unwrap();
        for s in it {
            whole.append(s).expect("consecutive shards");
        }
        whole
    }

    #[test]
    fn shards_of_whole_chunks_append_to_the_one_machine_bits() {
        let src = Synthetic { width: 5 };
        let probs = [0.0, 0.05, 0.25, 0.5, 0.6, 0.9, 0.99, 1.0];
        // 300,001 runs: 74 chunks, brackets; 10,000: every run a pilot run.
        for runs in [300_001, 10_000] {
            let one = summarize(&src, runs, &probs, &mut (), &|_| true).unwrap();
            // 100 shards of 74 chunks: some shards are empty.
            for count in [1, 2, 3, 7, 100] {
                let whole = appended(sharded(&src, runs, &probs, count));
                assert_eq!(whole.misses().unwrap(), None);
                let got = whole.finish(None, &|| true).unwrap().unwrap();
                assert_eq!(bits(&got), bits(&one), "{runs} runs, {count} shards");
            }
        }
    }

    #[test]
    fn shards_cover_every_chunk_once_in_order() {
        for (runs, count) in [(300_001, 7), (4096, 3), (1, 1), (10 * CHUNK_RUNS, 10)] {
            let mut next = 0;
            for i in 0..count {
                let c = shard_chunks(runs, i, count);
                assert_eq!(c.start, next);
                next = c.end;
            }
            assert_eq!(next, driver::chunk_count(runs));
        }
        assert_eq!(
            shard_chunks(3 * CHUNK_RUNS, 0, 7),
            0..0,
            "more shards than chunks"
        );
    }

    #[test]
    fn a_state_refuses_one_that_does_not_follow_it_or_is_not_whole() {
        let src = Synthetic { width: 5 };
        let mut states = sharded(&src, 200_000, &[0.5], 3);
        let third = states.pop().unwrap();
        let mut first = states.remove(0);
        assert!(
            first.clone().append(third.clone()).is_err(),
            "a gap between"
        );
        assert!(first.misses().is_err(), "not whole");
        assert!(first.clone().finish(None, &|| true).is_err());
        first.append(states.remove(0)).unwrap();
        first.append(third).unwrap();
        assert!(first.misses().is_ok());
    }

    #[test]
    fn a_miss_in_shards_is_resolved_by_rerunning_the_shards_that_counted_in_its_gap() {
        // The pilot is the first 65,536 runs of a rising series: the ranks
        // past it fall in the gaps between or above its brackets.
        let (runs, count) = (200_000, 7);
        for probs in [vec![0.1, 0.5, 0.9], vec![0.5]] {
            let one = summarize(&Drifting, runs, &probs, &mut (), &|_| true).unwrap();
            let states = sharded(&Drifting, runs, &probs, count);
            let whole = appended(states.clone());
            let gaps = whole.misses().unwrap().expect("a five-sigma miss");
            assert!(
                whole.clone().finish(None, &|| true).is_err(),
                "values needed"
            );
            let rerun: Vec<u64> = (0..count)
                .filter(|&i| states[i as usize].touches(&gaps))
                .collect();
            if probs == [0.5] {
                // Only values above the median's bracket are wanted: the
                // first shard's runs (0 to 28,671) are all below it.
                assert_eq!(rerun, (1..count).collect::<Vec<_>>());
            }
            let mut values: Option<GapValues> = None;
            for &i in &rerun {
                let chunks = shard_chunks(runs, i, count);
                let mut v = gap_values(&Drifting, runs, chunks, &gaps, &|_| true).unwrap();
                let mut e = crate::codec::Encoder::new();
                v.encode(&mut e);
                let bytes = e.into_bytes();
                let v = GapValues::decode(&mut crate::codec::Decoder::new(&bytes), &gaps).unwrap();
                match &mut values {
                    None => values = Some(v),
                    Some(all) => all.append(v).unwrap(),
                }
            }
            // The gaps read back from their JSON as they were.
            assert_eq!(Gaps::from_json(&gaps.to_json(), 1).unwrap(), gaps);
            let got = whole.finish(values, &|| true).unwrap().unwrap();
            assert_eq!(bits(&got), bits(&one));
            let sorted: Vec<f64> = (0..runs).map(|i| i as f64).collect();
            let want: Vec<f64> = probs.iter().map(|&p| percentile_inc(&sorted, p)).collect();
            assert_eq!(got[0].quantiles, want);
        }
    }
}
