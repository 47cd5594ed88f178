//! Means, shares of positive values, minima and maxima: exact, and the same
//! on any number of threads and any number of shards, because each chunk
//! sums its runs in run order and the chunk sums are added in chunk order
//! ([`ChunkSums`]); counts, minima and maxima do not depend on the order.

use super::{SeriesSummary, inc_ranks, interpolate};
use crate::codec::{DecodeError, Decoder, Encoder};
use crate::engine::driver::{Chunk, Consumer};

/// The smaller of `m` and `x`, `m` on a tie: `0.0` and `-0.0` compare
/// equal, and keeping the first seen makes the minimum of a sequence the
/// same however it is cut into pieces and the pieces' minima combined
/// (`f64::min` may return either zero).
#[inline]
pub(super) fn first_min(m: f64, x: f64) -> f64 {
    if x < m { x } else { m }
}

/// The larger of `m` and `x`, `m` on a tie (see [`first_min`]).
#[inline]
pub(super) fn first_max(m: f64, x: f64) -> f64 {
    if x > m { x } else { m }
}

/// Float sums of `width` numbers per chunk that must be added in chunk
/// order to give the same bits on every machine: float addition is not
/// associative, so a shard cannot hand over its own total. From chunk 0
/// the sums are a running total, exactly as one machine adds them; from a
/// later chunk (a shard's first), each chunk's own sums are kept, to be
/// added after those of the chunks before it ([`ChunkSums::append`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkSums {
    width: usize,
    /// Chunks added.
    chunks: u64,
    /// `Some`: the running total from chunk 0.
    total: Option<Vec<f64>>,
    /// Without a running total: each chunk's sums, chunk by chunk.
    each: Vec<f64>,
}

impl ChunkSums {
    /// Sums of `width` numbers, the first chunk to come being `first_chunk`.
    pub fn new(width: usize, first_chunk: u64) -> ChunkSums {
        ChunkSums {
            width,
            chunks: 0,
            total: (first_chunk == 0).then(|| vec![0.0; width]),
            each: Vec::new(),
        }
    }

    /// Adds the next chunk's `width` sums.
    pub fn add(&mut self, sums: impl IntoIterator<Item = f64>) {
        self.chunks += 1;
        match &mut self.total {
            Some(total) => {
                for (t, x) in total.iter_mut().zip(sums) {
                    *t += x;
                }
            }
            None => {
                let before = self.each.len();
                self.each.extend(sums);
                self.each.resize(before + self.width, 0.0);
            }
        }
    }

    /// Sums per chunk.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Chunks added.
    pub fn chunks(&self) -> u64 {
        self.chunks
    }

    /// The running total from chunk 0 (`None` for sums that start later).
    pub fn total(&self) -> Option<&[f64]> {
        self.total.as_deref()
    }

    /// Adds the sums of the chunks that follow these, in chunk order: the
    /// same additions one machine makes.
    pub fn append(&mut self, later: ChunkSums) -> Result<(), String> {
        if later.width != self.width {
            return Err(format!(
                "{} sums per chunk where {} belong",
                later.width, self.width
            ));
        }
        match (&mut self.total, later.total) {
            // Sums that start at chunk 0 after an empty start: its total.
            (Some(_), Some(t)) if self.chunks == 0 => self.total = Some(t),
            (_, Some(_)) => return Err("two sets of sums both start at chunk 0".into()),
            (Some(total), None) => {
                for chunk in later.each.chunks_exact(self.width.max(1)) {
                    for (t, x) in total.iter_mut().zip(chunk) {
                        *t += x;
                    }
                }
            }
            (None, None) => self.each.extend_from_slice(&later.each),
        }
        self.chunks += later.chunks;
        Ok(())
    }

    /// Writes these sums.
    pub fn encode(&self, e: &mut Encoder) {
        e.usize(self.width);
        e.u64(self.chunks);
        match &self.total {
            Some(t) => {
                e.bool(true);
                e.f64s(t);
            }
            None => {
                e.bool(false);
                e.f64s(&self.each);
            }
        }
    }

    /// Reads what [`ChunkSums::encode`] wrote: `width` sums per chunk.
    pub fn decode(d: &mut Decoder<'_>, width: usize) -> Result<ChunkSums, DecodeError> {
        let w = d.usize(usize::MAX, "the sums' width")?;
        if w != width {
            return Err(format!("{w} sums per chunk where {width} belong"));
        }
        let chunks = d.u64("the chunks summed")?;
        let running = d.bool("the sums' kind")?;
        let values = d.f64s("the sums")?;
        let (total, each) = match running {
            true if values.len() == width => (Some(values), Vec::new()),
            true => {
                return Err(format!(
                    "{} running sums where {width} belong",
                    values.len()
                ));
            }
            false => {
                let n = (chunks as u128) * width as u128;
                if values.len() as u128 != n {
                    return Err(format!(
                        "{} sums for {chunks} chunks of {width}",
                        values.len()
                    ));
                }
                (None, values)
            }
        };
        Ok(ChunkSums {
            width,
            chunks,
            total,
            each,
        })
    }
}

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
        self.min = first_min(self.min, x);
        self.max = first_max(self.max, x);
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

/// Running totals over chunks, added in chunk order: the sums as
/// [`ChunkSums`] (so a shard's totals append to the earlier shards'
/// exactly), the counts, minima and maxima as they are.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Totals {
    pub(super) sum: ChunkSums,
    pub(super) positive: Vec<u64>,
    pub(super) min: Vec<f64>,
    pub(super) max: Vec<f64>,
}

impl Totals {
    /// Totals of `width` series over chunks from `first_chunk` on.
    pub(super) fn new(width: usize, first_chunk: u64) -> Totals {
        Totals {
            sum: ChunkSums::new(width, first_chunk),
            positive: vec![0; width],
            min: vec![f64::INFINITY; width],
            max: vec![f64::NEG_INFINITY; width],
        }
    }

    pub(super) fn add(&mut self, c: &ChunkStats) {
        self.sum.add(c.sum.iter().copied());
        self.combine(&c.positive, &c.min, &c.max);
    }

    fn combine(&mut self, positive: &[u64], min: &[f64], max: &[f64]) {
        for k in 0..self.positive.len() {
            self.positive[k] += positive[k];
            self.min[k] = first_min(self.min[k], min[k]);
            self.max[k] = first_max(self.max[k], max[k]);
        }
    }

    /// Adds the totals of the chunks that follow these.
    pub(super) fn append(&mut self, later: Totals) -> Result<(), String> {
        self.sum.append(later.sum)?;
        self.combine(&later.positive, &later.min, &later.max);
        Ok(())
    }

    pub(super) fn encode(&self, e: &mut Encoder) {
        self.sum.encode(e);
        e.u64s(&self.positive);
        e.f64s(&self.min);
        e.f64s(&self.max);
    }

    pub(super) fn decode(d: &mut Decoder<'_>, width: usize) -> Result<Totals, DecodeError> {
        Ok(Totals {
            sum: ChunkSums::decode(d, width)?,
            positive: d.u64s_of(width, "the positive counts")?,
            min: d.f64s_of(width, "the minima")?,
            max: d.f64s_of(width, "the maxima")?,
        })
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
        let sum = self.sum.total().expect("the totals of every chunk")[k];
        let mean = (sum / runs as f64).clamp(self.min[k], self.max[k]);
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
