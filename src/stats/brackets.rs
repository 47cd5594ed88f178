//! Exact order statistics in memory that grows like `runs^(2/3)`: value
//! intervals from the pilot runs that hold each wanted rank, a pass that
//! counts every run below, at, inside or above them and keeps only the
//! values inside, and a pass that resolves a rank which fell outside (see
//! [`super::summarize`] for the method).

use std::sync::Mutex;

use rayon::prelude::*;

use super::moments::{ChunkStats, Moments, Totals};
use super::select_ranks;
use crate::codec::{DecodeError, Decoder, Encoder};
use crate::engine::driver::{Chunk, Consumer};

/// Half-width of a pilot bracket in standard deviations of the rank.
pub const BRACKET_SIGMAS: f64 = 5.0;

/// Disjoint closed value intervals per series, ascending.
#[derive(Debug, Clone)]
pub(super) struct Brackets {
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// Series `k` owns intervals `start[k] .. start[k + 1]` and gaps
    /// `start[k] + k ..= start[k + 1] + k` (one more gap than intervals).
    start: Vec<usize>,
}

impl Brackets {
    pub(super) fn from_pilot(
        width: usize,
        column: &(dyn Fn(usize) -> Vec<f64> + Sync),
        ranks: &[u64],
        runs: u64,
        sigmas: f64,
        go: &(dyn Fn() -> bool + Sync),
    ) -> Brackets {
        let per_series: Vec<Vec<(f64, f64)>> = (0..width)
            .into_par_iter()
            .map(|k| {
                // Stopped: the caller discards these brackets.
                if !go() {
                    return Vec::new();
                }
                let col = &mut column(k);
                let n0 = col.len() as f64;
                let mut wanted: Vec<(usize, usize)> = Vec::new();
                for &r in ranks {
                    if r == 0 || r == runs - 1 {
                        continue; // from the exact minimum and maximum
                    }
                    let p = r as f64 / (runs - 1) as f64;
                    let centre = p * (n0 - 1.0);
                    let half = sigmas * (n0 * p * (1.0 - p)).sqrt() + 2.0;
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

    pub(super) fn intervals(&self, k: usize) -> std::ops::Range<usize> {
        self.start[k]..self.start[k + 1]
    }

    /// Series `k`'s interval ends: lower, upper.
    pub(super) fn series(&self, k: usize) -> (&[f64], &[f64]) {
        let r = self.intervals(k);
        (&self.lo[r.clone()], &self.hi[r])
    }

    /// The global index of series `k`'s gap `j` (0: below its intervals).
    pub(super) fn gap_index(&self, k: usize, j: usize) -> usize {
        self.start[k] + k + j
    }

    /// Number of series.
    pub(super) fn width(&self) -> usize {
        self.start.len() - 1
    }

    /// The same intervals, bit for bit (every shard derives them from the
    /// same pilot runs, so they always are).
    pub(super) fn same_as(&self, other: &Brackets) -> bool {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        self.start == other.start
            && bits(&self.lo) == bits(&other.lo)
            && bits(&self.hi) == bits(&other.hi)
    }

    pub(super) fn encode(&self, e: &mut Encoder) {
        e.u64s(&self.start.iter().map(|&s| s as u64).collect::<Vec<_>>());
        e.f64s(&self.lo);
        e.f64s(&self.hi);
    }

    /// Reads what [`Brackets::encode`] wrote for `width` series.
    pub(super) fn decode(d: &mut Decoder<'_>, width: usize) -> Result<Brackets, DecodeError> {
        let start = d.u64s_of(width + 1, "the brackets' series")?;
        let lo = d.f64s("the brackets' lower ends")?;
        let hi = d.f64s_of(lo.len(), "the brackets' upper ends")?;
        let ascending = start.windows(2).all(|w| w[0] <= w[1]);
        if start[0] != 0 || !ascending || start[width] != lo.len() as u64 {
            return Err("the brackets' series do not cover their intervals".into());
        }
        Ok(Brackets {
            lo,
            hi,
            start: start.into_iter().map(|s| s as usize).collect(),
        })
    }
}

/// Where a value falls among a series' ascending, disjoint intervals.
pub(super) enum Place {
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
pub(super) fn place(lo: &[f64], hi: &[f64], x: f64) -> Place {
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
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Classified {
    /// Values below, between and above a series' intervals.
    gap: Vec<u64>,
    eq_lo: Vec<u64>,
    eq_hi: Vec<u64>,
    inside: Vec<Vec<f64>>,
}

/// A rank that lies strictly inside an interval's kept values.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pending {
    pub(super) interval: usize,
    /// Rank within the interval's kept values.
    pub(super) offset: u64,
    pub(super) series: usize,
    /// Which requested rank this is.
    pub(super) slot: usize,
}

pub(super) enum Located {
    Value(f64),
    Inside { interval: usize, offset: u64 },
    Gap { gap: usize, offset: u64 },
}

impl Classified {
    pub(super) fn new(b: &Brackets) -> Classified {
        let n = b.lo.len();
        Classified {
            gap: vec![0; n + b.width()],
            eq_lo: vec![0; n],
            eq_hi: vec![0; n],
            inside: vec![Vec::new(); n],
        }
    }

    /// Counts (and keeps, when strictly inside an interval) every value of
    /// series `k` in `col`.
    #[inline(never)]
    pub(super) fn add_column(&mut self, b: &Brackets, k: usize, col: &[f64]) -> Moments {
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

    /// Adds `other`'s counts and kept values to these and empties `other`,
    /// keeping its capacity for the next chunk.
    pub(super) fn merge(&mut self, other: &mut Classified) {
        for (a, b) in self.gap.iter_mut().zip(&mut other.gap) {
            *a += std::mem::take(b);
        }
        for (a, b) in self.eq_lo.iter_mut().zip(&mut other.eq_lo) {
            *a += std::mem::take(b);
        }
        for (a, b) in self.eq_hi.iter_mut().zip(&mut other.eq_hi) {
            *a += std::mem::take(b);
        }
        for (a, b) in self.inside.iter_mut().zip(&mut other.inside) {
            a.extend_from_slice(b);
            b.clear();
        }
    }

    /// Values of series `k` counted: every run once, when whole.
    pub(super) fn counted(&self, b: &Brackets, k: usize) -> u64 {
        let r = b.intervals(k);
        let gaps: u64 = self.gap[r.start + k..=r.end + k].iter().sum();
        let ends: u64 = r.clone().map(|i| self.eq_lo[i] + self.eq_hi[i]).sum();
        let inside: u64 = r.map(|i| self.inside[i].len() as u64).sum();
        gaps + ends + inside
    }

    /// Values counted in global gap `g`.
    pub(super) fn in_gap(&self, g: usize) -> u64 {
        self.gap[g]
    }

    /// Writes the counts, and each interval's kept values as a sorted set
    /// (their order does not change a selection; sorted, they take about
    /// half the bytes). The kept values are sorted in place.
    pub(super) fn encode(&mut self, e: &mut Encoder) {
        e.u64s(&self.gap);
        e.u64s(&self.eq_lo);
        e.u64s(&self.eq_hi);
        for values in &mut self.inside {
            e.f64_set(values);
        }
    }

    /// Reads what [`Classified::encode`] wrote against `b`.
    pub(super) fn decode(d: &mut Decoder<'_>, b: &Brackets) -> Result<Classified, DecodeError> {
        let n = b.lo.len();
        let gap = d.u64s_of(n + b.width(), "the gap counts")?;
        let eq_lo = d.u64s_of(n, "the counts at lower ends")?;
        let eq_hi = d.u64s_of(n, "the counts at upper ends")?;
        let inside = (0..n)
            .map(|_| d.f64_set("the values inside a bracket"))
            .collect::<Result<_, _>>()?;
        Ok(Classified {
            gap,
            eq_lo,
            eq_hi,
            inside,
        })
    }

    /// Where rank `r` of series `k` lies.
    pub(super) fn locate(&self, b: &Brackets, k: usize, r: u64) -> Located {
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
    /// Stops early (leaving ranks unselected) once `go` says stop; the
    /// caller then discards the result.
    pub(super) fn select(
        &mut self,
        mut pending: Vec<Pending>,
        go: &(dyn Fn() -> bool + Sync),
    ) -> Vec<(Pending, f64)> {
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
                if !go() {
                    return Vec::new();
                }
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
pub(super) struct Miss {
    pub(super) series: usize,
    /// Gap index (see [`Brackets::start`]).
    pub(super) gap: usize,
    /// Rank within the gap's values.
    pub(super) offset: u64,
    /// Which requested rank this is.
    pub(super) slot: usize,
}

/// The counting pass: classifies every value of every series of each chunk
/// against the brackets, and adds each chunk's moments to `totals`.
pub(super) struct Classify<'a> {
    brackets: &'a Brackets,
    acc: Classified,
    totals: &'a mut Totals,
    /// Emptied per-chunk accumulators, reused so that each chunk's kept
    /// values go into vectors already grown by earlier chunks.
    spare: Mutex<Vec<Classified>>,
}

impl<'a> Classify<'a> {
    pub(super) fn new(brackets: &'a Brackets, totals: &'a mut Totals) -> Classify<'a> {
        Classify {
            brackets,
            acc: Classified::new(brackets),
            totals,
            spare: Mutex::new(Vec::new()),
        }
    }

    /// Every value counted so far.
    pub(super) fn finish(self) -> Classified {
        self.acc
    }
}

impl Consumer for Classify<'_> {
    type Part = (ChunkStats, Classified);

    fn part(&self, chunk: &Chunk<'_>) -> Self::Part {
        let width = chunk.width();
        let mut acc = self
            .spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_else(|| Classified::new(self.brackets));
        let mut stats = ChunkStats::empty(width);
        stats.chunk = chunk.index;
        for k in 0..width {
            stats.set(k, acc.add_column(self.brackets, k, chunk.series(k)));
        }
        (stats, acc)
    }

    fn absorb(&mut self, (stats, mut acc): Self::Part) -> bool {
        self.acc.merge(&mut acc);
        if let Ok(mut s) = self.spare.lock() {
            s.push(acc);
        }
        self.totals.add(&stats);
        true
    }
}

/// One gap whose values are wanted: series `series`'s gap `gap` (0 below
/// its first interval, `j` between intervals `j - 1` and `j`) among its
/// intervals `lo`, `hi`. It carries the intervals, so a shard rerun to
/// fill it needs nothing else from the merge.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct GapSpec {
    pub(super) series: usize,
    pub(super) gap: usize,
    pub(super) lo: Vec<f64>,
    pub(super) hi: Vec<f64>,
}

/// The pass that resolves misses: keeps every value that falls in a wanted
/// gap, by the same [`place`] rule as the counting pass.
pub(super) struct GapPass<'a> {
    pub(super) gaps: &'a [GapSpec],
    /// Kept values per gap.
    pub(super) kept: Vec<Vec<f64>>,
}

impl Consumer for GapPass<'_> {
    type Part = Vec<Vec<f64>>;

    fn part(&self, chunk: &Chunk<'_>) -> Self::Part {
        self.gaps
            .iter()
            .map(|g| {
                chunk
                    .series(g.series)
                    .iter()
                    .copied()
                    .filter(|&x| matches!(place(&g.lo, &g.hi, x), Place::Gap(j) if j == g.gap))
                    .collect()
            })
            .collect()
    }

    fn absorb(&mut self, part: Self::Part) -> bool {
        for (kept, values) in self.kept.iter_mut().zip(part) {
            kept.extend(values);
        }
        true
    }
}
