//! The summaries' state over a range of chunks (a shard's share of a run,
//! or every chunk on one machine), how the states of consecutive ranges
//! combine into the state of all of them, bit for bit what one machine
//! computes, and how the combined state gives the answer.
//!
//! What combines exactly, and how:
//!
//! - the means: each chunk's sums, re-added in chunk order
//!   ([`super::moments::ChunkSums`]);
//! - positive counts, the counts below, at and above each bracket, the
//!   minima and maxima: added or compared, in any grouping;
//! - the values kept inside each bracket: concatenated (a selection's
//!   answer does not depend on their order);
//! - the brackets themselves: every shard derives them from the same pilot
//!   runs, so they are equal, and are checked to be;
//! - a rank that fell in a gap (a five-sigma miss): the gap's values,
//!   gathered by the shards that counted some there ([`Gaps`],
//!   [`GapValues`]).

use std::ops::Range;

use super::brackets::{Brackets, Classified, GapSpec, Located, Miss, Pending};
use super::moments::Totals;
use super::{SeriesSummary, select_ranks};
use crate::codec::{DecodeError, Decoder, Encoder};
use crate::engine::driver;

/// The summaries' state over a range of chunks ([`super::summarize_shard`]).
#[derive(Debug, Clone)]
pub struct ShardState {
    pub(super) runs: u64,
    pub(super) width: usize,
    pub(super) probs: Vec<f64>,
    pub(super) chunks: Range<u64>,
    pub(super) totals: Totals,
    pub(super) quantiles: Quantiles,
}

/// What a state holds for the quantiles.
#[derive(Debug, Clone)]
pub(super) enum Quantiles {
    /// Every run is a pilot run, so every shard has every value: the value
    /// at each wanted rank of each series, `[k * ranks + i]`.
    Exact(Vec<f64>),
    /// The brackets from the pilot, and the counts and kept values of this
    /// state's chunks.
    Bracketed {
        brackets: Brackets,
        counts: Classified,
    },
}

/// The gaps between brackets where some wanted rank fell (a five-sigma
/// miss of the pilot), each with its series' intervals: what a pass over
/// the runs needs to gather their values ([`super::gap_values`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Gaps {
    pub(super) gaps: Vec<GapSpec>,
}

/// The values found in each of a [`Gaps`]' gaps, in its order.
#[derive(Debug, Clone, PartialEq)]
pub struct GapValues {
    pub(super) values: Vec<Vec<f64>>,
}

/// Where each wanted rank was found: a value, a rank inside an interval's
/// kept values, or a rank in a gap.
struct Plan {
    ranks: Vec<u64>,
    found: Vec<Vec<Option<f64>>>,
    pending: Vec<Pending>,
    misses: Vec<Miss>,
}

impl ShardState {
    /// The chunks this state covers.
    pub fn chunks(&self) -> Range<u64> {
        self.chunks.clone()
    }

    /// Runs of the whole run this state is part of.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The probabilities of its quantiles.
    pub fn probs(&self) -> &[f64] {
        &self.probs
    }

    /// Appends the state of the chunks that follow these: the state of
    /// both ranges, exactly as one pass over them makes it. An error says
    /// what does not fit (another run, a range that does not follow).
    pub fn append(&mut self, later: ShardState) -> Result<(), String> {
        if later.runs != self.runs || later.width != self.width {
            return Err(format!(
                "{} runs of {} series, not {} of {}",
                later.runs, later.width, self.runs, self.width
            ));
        }
        let bits = |v: &[f64]| v.iter().map(|p| p.to_bits()).collect::<Vec<_>>();
        if bits(&later.probs) != bits(&self.probs) {
            return Err("other probabilities".into());
        }
        if later.chunks.start != self.chunks.end {
            return Err(format!(
                "chunks {}..{} do not follow chunks {}..{}",
                later.chunks.start, later.chunks.end, self.chunks.start, self.chunks.end
            ));
        }
        match (&mut self.quantiles, later.quantiles) {
            (Quantiles::Exact(a), Quantiles::Exact(b)) if bits(a) == bits(&b) => {}
            (
                Quantiles::Bracketed { brackets, counts },
                Quantiles::Bracketed {
                    brackets: b,
                    counts: mut c,
                },
            ) if brackets.same_as(&b) => counts.merge(&mut c),
            _ => return Err("other pilot brackets".into()),
        }
        self.totals.append(later.totals)?;
        self.chunks.end = later.chunks.end;
        Ok(())
    }

    /// Whether this state covers every chunk of its run.
    fn whole(&self) -> Result<(), String> {
        let all = 0..driver::chunk_count(self.runs);
        if self.chunks != all || self.totals.sum.total().is_none() {
            return Err(format!(
                "chunks {}..{} of {}..{}",
                self.chunks.start, self.chunks.end, all.start, all.end
            ));
        }
        if let Quantiles::Bracketed { brackets, counts } = &self.quantiles
            && let Some(k) = (0..self.width).find(|&k| counts.counted(brackets, k) != self.runs)
        {
            return Err(format!(
                "series {k} counts {} runs of {}",
                counts.counted(brackets, k),
                self.runs
            ));
        }
        Ok(())
    }

    /// Locates every wanted rank of a whole state.
    fn plan(&self) -> Plan {
        let ranks = super::summarize::wanted_ranks(self.runs, &self.probs);
        let mut found: Vec<Vec<Option<f64>>> =
            (0..self.width).map(|_| vec![None; ranks.len()]).collect();
        let (mut pending, mut misses) = (Vec::new(), Vec::new());
        match &self.quantiles {
            Quantiles::Exact(values) => {
                for (k, slots) in found.iter_mut().enumerate() {
                    for (slot, v) in slots.iter_mut().enumerate() {
                        *v = Some(values[k * ranks.len() + slot]);
                    }
                }
            }
            Quantiles::Bracketed { brackets, counts } => {
                let t = &self.totals;
                for (k, slots) in found.iter_mut().enumerate() {
                    for (slot, &r) in ranks.iter().enumerate() {
                        if r == 0 {
                            slots[slot] = Some(t.min[k]);
                        } else if r == self.runs - 1 {
                            slots[slot] = Some(t.max[k]);
                        } else {
                            match counts.locate(brackets, k, r) {
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
            }
        }
        Plan {
            ranks,
            found,
            pending,
            misses,
        }
    }

    /// The gaps whose values a whole state still needs (`None`: none, the
    /// usual case). An error when the state is not whole.
    pub fn misses(&self) -> Result<Option<Gaps>, String> {
        self.whole()?;
        let plan = self.plan();
        let Quantiles::Bracketed { brackets, .. } = &self.quantiles else {
            return Ok(None);
        };
        Ok(gaps_of(brackets, &plan.misses))
    }

    /// Whether this state counted some value in one of `gaps` (its chunks
    /// must be passed over again to gather them).
    pub fn touches(&self, gaps: &Gaps) -> bool {
        let Quantiles::Bracketed { brackets, counts } = &self.quantiles else {
            return false;
        };
        gaps.gaps
            .iter()
            .any(|g| counts.in_gap(brackets.gap_index(g.series, g.gap)) > 0)
    }

    /// The summaries of a whole state, with the values of the gaps
    /// [`ShardState::misses`] named (`None` when it named none). `Ok(None)`
    /// when `go` said stop; an error when the state is not whole or the
    /// gap values do not fit it.
    pub fn finish(
        self,
        values: Option<GapValues>,
        go: &(dyn Fn() -> bool + Sync),
    ) -> Result<Option<Vec<SeriesSummary>>, String> {
        self.whole()?;
        let Plan {
            ranks,
            mut found,
            pending,
            misses,
        } = self.plan();
        if let Quantiles::Bracketed { brackets, counts } = self.quantiles {
            let mut counts = counts;
            if !misses.is_empty() {
                let gaps = gaps_of(&brackets, &misses).expect("some miss");
                let values =
                    values.ok_or("the values of the gaps the ranks fell in are missing")?;
                if values.values.len() != gaps.gaps.len() {
                    return Err("gap values for other gaps".into());
                }
                for m in &misses {
                    let i = gaps
                        .gaps
                        .iter()
                        .position(|g| brackets.gap_index(g.series, g.gap) == m.gap)
                        .expect("the miss's gap");
                    let mut kept = values.values[i].clone();
                    if kept.len() as u64 != counts.in_gap(m.gap) {
                        return Err(format!(
                            "{} values in a gap that counts {}",
                            kept.len(),
                            counts.in_gap(m.gap)
                        ));
                    }
                    found[m.series][m.slot] =
                        Some(select_ranks(&mut kept, &[m.offset as usize])[0]);
                }
            }
            for (p, v) in counts.select(pending, go) {
                found[p.series][p.slot] = Some(v);
            }
        }
        if !go() {
            return Ok(None);
        }
        let t = &self.totals;
        Ok(Some(
            (0..self.width)
                .map(|k| {
                    let at = |r: u64| {
                        found[k][ranks.binary_search(&r).expect("rank was requested")]
                            .expect("every rank resolved")
                    };
                    t.summary(k, self.runs, &self.probs, at)
                })
                .collect(),
        ))
    }

    /// Writes this state (the kept values are sorted in place: their order
    /// does not matter, and sorted they take fewer bytes).
    ///
    /// Layout: runs, width (u64); the probabilities (length, f64 bits);
    /// the chunk range (two u64); the totals (the sums: width, chunks, a
    /// running-total flag, then the running total or each chunk's sums;
    /// the positive counts, minima, maxima); then a tag: 0 and the exact
    /// values at every rank, or 1, the brackets (series starts, lower and
    /// upper ends) and the counts (gaps, at lower ends, at upper ends) with
    /// each interval's kept values as a sorted set ([`Encoder::f64_set`]).
    pub fn encode(&mut self, e: &mut Encoder) {
        e.u64(self.runs);
        e.usize(self.width);
        e.f64s(&self.probs);
        e.u64(self.chunks.start);
        e.u64(self.chunks.end);
        self.totals.encode(e);
        match &mut self.quantiles {
            Quantiles::Exact(values) => {
                e.u8(0);
                e.f64s(values);
            }
            Quantiles::Bracketed { brackets, counts } => {
                e.u8(1);
                brackets.encode(e);
                counts.encode(e);
            }
        }
    }

    /// Reads what [`ShardState::encode`] wrote, checking it against the
    /// run it must belong to: `runs` runs of `width` series at `probs`.
    pub fn decode(
        d: &mut Decoder<'_>,
        runs: u64,
        width: usize,
        probs: &[f64],
    ) -> Result<ShardState, DecodeError> {
        let r = d.u64("the run count")?;
        let w = d.usize(usize::MAX, "the series count")?;
        let p = d.f64s("the probabilities")?;
        let bits = |v: &[f64]| v.iter().map(|p| p.to_bits()).collect::<Vec<_>>();
        if r != runs || w != width || bits(&p) != bits(probs) {
            return Err(format!(
                "a state of {r} runs of {w} series, not {runs} of {width}"
            ));
        }
        let chunks = d.u64("the first chunk")?..d.u64("the end chunk")?;
        if chunks.start > chunks.end || chunks.end > driver::chunk_count(runs) {
            return Err(format!("chunks {}..{}", chunks.start, chunks.end));
        }
        let totals = Totals::decode(d, width)?;
        if totals.sum.total().is_some() != (chunks.start == 0) {
            return Err("sums of the wrong kind for the first chunk".into());
        }
        if totals.sum.chunks() != chunks.end - chunks.start {
            return Err(format!(
                "sums of {} chunks for chunks {}..{}",
                totals.sum.chunks(),
                chunks.start,
                chunks.end
            ));
        }
        let ranks = super::summarize::wanted_ranks(runs, probs).len();
        let quantiles = match d.u8("the quantiles' kind")? {
            0 => Quantiles::Exact(d.f64s_of(width * ranks, "the values at the ranks")?),
            1 => {
                let brackets = Brackets::decode(d, width)?;
                let counts = Classified::decode(d, &brackets)?;
                Quantiles::Bracketed { brackets, counts }
            }
            t => return Err(format!("quantiles of kind {t}")),
        };
        Ok(ShardState {
            runs,
            width,
            probs: probs.to_vec(),
            chunks,
            totals,
            quantiles,
        })
    }
}

/// The distinct gaps of `misses`, in order.
fn gaps_of(brackets: &Brackets, misses: &[Miss]) -> Option<Gaps> {
    let mut gaps: Vec<GapSpec> = Vec::new();
    for m in misses {
        let j = m.gap - brackets.gap_index(m.series, 0);
        if gaps.iter().any(|g| g.series == m.series && g.gap == j) {
            continue;
        }
        let (lo, hi) = brackets.series(m.series);
        gaps.push(GapSpec {
            series: m.series,
            gap: j,
            lo: lo.to_vec(),
            hi: hi.to_vec(),
        });
    }
    (!gaps.is_empty()).then_some(Gaps { gaps })
}

impl Gaps {
    /// The gaps as JSON: per gap, the series, the gap's index among its
    /// intervals (0 below the first), and the intervals' lower and upper
    /// ends as the bits of their floats (so they read back exactly).
    pub fn to_json(&self) -> serde_json::Value {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
        serde_json::Value::Array(
            self.gaps
                .iter()
                .map(|g| {
                    serde_json::json!({
                        "series": g.series,
                        "gap": g.gap,
                        "lo_bits": bits(&g.lo),
                        "hi_bits": bits(&g.hi),
                    })
                })
                .collect(),
        )
    }

    /// Reads what [`Gaps::to_json`] wrote, for rows of `width` series.
    pub fn from_json(v: &serde_json::Value, width: usize) -> Result<Gaps, String> {
        let list = v.as_array().ok_or("the gaps are not a list")?;
        let floats = |g: &serde_json::Value, key: &str| -> Result<Vec<f64>, String> {
            g.get(key)
                .and_then(|b| b.as_array())
                .ok_or_else(|| format!("a gap without {key}"))?
                .iter()
                .map(|b| b.as_u64().map(f64::from_bits))
                .collect::<Option<Vec<f64>>>()
                .ok_or_else(|| format!("{key} holds something other than bits"))
        };
        let gaps = list
            .iter()
            .map(|g| {
                let index = |key: &str| {
                    g.get(key)
                        .and_then(|x| x.as_u64())
                        .and_then(|x| usize::try_from(x).ok())
                        .ok_or_else(|| format!("a gap without {key}"))
                };
                let (series, gap) = (index("series")?, index("gap")?);
                let (lo, hi) = (floats(g, "lo_bits")?, floats(g, "hi_bits")?);
                if series >= width || lo.len() != hi.len() || gap > lo.len() {
                    return Err(format!(
                        "gap {gap} of series {series} does not fit {width} series"
                    ));
                }
                Ok(GapSpec {
                    series,
                    gap,
                    lo,
                    hi,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        if gaps.is_empty() {
            return Err("no gaps".into());
        }
        Ok(Gaps { gaps })
    }
}

impl GapValues {
    /// Appends the values another range of chunks found in the same gaps.
    pub fn append(&mut self, later: GapValues) -> Result<(), String> {
        if later.values.len() != self.values.len() {
            return Err(format!(
                "values of {} gaps, not {}",
                later.values.len(),
                self.values.len()
            ));
        }
        for (a, b) in self.values.iter_mut().zip(later.values) {
            a.extend(b);
        }
        Ok(())
    }

    /// Writes the values: the number of gaps, then each gap's values as a
    /// sorted set. The values are sorted in place.
    pub fn encode(&mut self, e: &mut Encoder) {
        e.usize(self.values.len());
        for v in &mut self.values {
            e.f64_set(v);
        }
    }

    /// Reads what [`GapValues::encode`] wrote, for `gaps`.
    pub fn decode(d: &mut Decoder<'_>, gaps: &Gaps) -> Result<GapValues, DecodeError> {
        let n = d.usize(gaps.gaps.len(), "the number of gaps")?;
        if n != gaps.gaps.len() {
            return Err(format!("values of {n} gaps, not {}", gaps.gaps.len()));
        }
        let values = (0..n)
            .map(|_| d.f64_set("the values in a gap"))
            .collect::<Result<_, _>>()?;
        Ok(GapValues { values })
    }
}
