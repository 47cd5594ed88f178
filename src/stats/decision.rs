//! What a decision needs beyond percentiles (model.md section 12), taken in
//! the same pass over the worlds:
//!
//! - the certainty equivalent: the mean CRRA utility of each strategy's
//!   cumulative cash (net with `[tax]`) plus the wealth `W`, per year;
//! - `p_equity_zero`: how often the equity cash (`rsu + options` summed to
//!   the year) plus the year's `unrealized` is at most 0;
//! - the verdict counting held equity: per compared pair, how often the
//!   horizon's difference plus the difference of `unrealized` is above and
//!   below 0.
//!
//! A chunk sums its runs in run order and the chunk sums are added in chunk
//! order, so every figure is the same on any number of threads. Nothing is
//! allocated or locked per run.

use super::Tap;
use super::moments::ChunkSums;
use crate::codec::{DecodeError, Decoder, Encoder};
use crate::engine::driver::{Chunk, Consumer};
use crate::model::{Risk, Scenario};
use crate::schema::{Layout, Measure};

/// CRRA utility of the wealth ratio `r = (W + X) / W > 0`: `ln r` at
/// `g = 1`, else `r^(1-g) / (1-g)`. Utility is taken of the ratio, not of
/// `W + X` itself: CRRA is scale-free (`u(W r)` is an affine map of `u(r)`
/// for a fixed `W`), so the certainty equivalent is the same (model.md
/// section 12).
///
/// Near log utility (`|1 - g| < 1/2`) the form is `(r^(1-g) - 1) / (1-g)`,
/// computed as `expm1((1-g) ln r) / (1-g)`: another affine map, so the same
/// certainty equivalent, and one that tends to `ln r` as `g -> 1` without
/// the cancellation of `r^(1-g) / (1-g)` (about `1/(1-g) + ln r`), so a
/// larger `g` never gives a larger certainty equivalent through rounding.
/// Farther from 1 the plain form keeps `r^(1-g)` whole where the `- 1`
/// would swamp it (`g = 20`, `r = 10^6`: `10^-114`).
#[inline]
pub fn utility(g: f64, r: f64) -> f64 {
    if g == 1.0 {
        r.ln()
    } else if near_log(g) {
        ((1.0 - g) * r.ln()).exp_m1() / (1.0 - g)
    } else {
        r.powf(1.0 - g) / (1.0 - g)
    }
}

/// The inverse of [`utility`]: the ratio whose utility is `u`.
pub fn inverse_utility(g: f64, u: f64) -> f64 {
    if g == 1.0 {
        u.exp()
    } else if near_log(g) {
        (((1.0 - g) * u).ln_1p() / (1.0 - g)).exp()
    } else {
        ((1.0 - g) * u).powf(1.0 / (1.0 - g))
    }
}

/// Whether [`utility`] takes its shifted form at `g`.
#[inline]
fn near_log(g: f64) -> bool {
    (1.0 - g).abs() < 0.5
}

/// The certainty equivalent `u^-1(E[u(W + X)]) - W` from the mean utility
/// of the ratio `(W + X) / W`.
pub fn certainty_equivalent(risk: Risk, mean_utility: f64) -> f64 {
    risk.wealth * (inverse_utility(risk.aversion, mean_utility) - 1.0)
}

/// A world where the wealth plus a strategy's cumulative cash is not
/// positive, so its utility is undefined (model.md section 12: an error
/// naming the strategy and the year).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ruin {
    /// Strategy index.
    pub strategy: usize,
    /// 0-based year.
    pub year: usize,
    /// The lowest cumulative cash of that strategy and year over all runs.
    pub lowest: f64,
    /// The first run (in run order) with that lowest value.
    pub run: u64,
    /// The lowest cumulative cash of any strategy and year: what the wealth
    /// must exceed for every world to have `W + X > 0`.
    pub worst: f64,
}

/// The decision figures over every run fed.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionStats {
    runs: u64,
    risk: Option<Risk>,
    years: usize,
    /// `[s * years + y]`: sums of `u` and `u^2` of the wealth ratio.
    utility: Vec<f64>,
    utility_sq: Vec<f64>,
    /// `[s * years + y]`: the lowest cumulative cash and its first run.
    lowest: Vec<(f64, u64)>,
    /// `[s * years + y]`: runs whose equity cash plus unrealized is <= 0.
    equity_zero: Vec<u64>,
    /// `[k]`, per compared pair at the horizon: runs whose difference
    /// counting unrealized is above 0, and below 0.
    held_ahead: Vec<u64>,
    held_behind: Vec<u64>,
}

impl DecisionStats {
    fn empty(strategies: usize, years: usize, pairs: usize, risk: Option<Risk>) -> DecisionStats {
        let n = strategies * years;
        DecisionStats {
            runs: 0,
            risk,
            years,
            utility: vec![0.0; if risk.is_some() { n } else { 0 }],
            utility_sq: vec![0.0; if risk.is_some() { n } else { 0 }],
            lowest: vec![(f64::INFINITY, 0); if risk.is_some() { n } else { 0 }],
            equity_zero: vec![0; n],
            held_ahead: vec![0; pairs],
            held_behind: vec![0; pairs],
        }
    }

    /// Runs counted.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The first (strategy, year) in file and year order where some world
    /// has `W + X <= 0`.
    pub fn ruin(&self) -> Option<Ruin> {
        let w = self.risk?.wealth;
        let worst = self
            .lowest
            .iter()
            .map(|l| l.0)
            .fold(f64::INFINITY, f64::min);
        self.lowest
            .iter()
            .position(|&(x, _)| w + x <= 0.0)
            .map(|i| Ruin {
                strategy: i / self.years,
                year: i % self.years,
                lowest: self.lowest[i].0,
                run: self.lowest[i].1,
                worst,
            })
    }

    /// The certainty equivalent of strategy `s` at 0-based year `y`, with
    /// `risk_aversion` (`None` without it, or when [`DecisionStats::ruin`]).
    pub fn certainty_equivalent(&self, s: usize, y: usize) -> Option<f64> {
        let risk = self.risk?;
        if self.ruin().is_some() || self.runs == 0 {
            return None;
        }
        let mean = self.utility[s * self.years + y] / self.runs as f64;
        Some(certainty_equivalent(risk, mean))
    }

    /// The Monte Carlo standard error of [`DecisionStats::certainty_equivalent`]
    /// by the delta method: `SE(mean u) / u'(u^-1(mean u))`, in dollars.
    pub fn certainty_equivalent_se(&self, s: usize, y: usize) -> Option<f64> {
        let risk = self.risk?;
        let ce = self.certainty_equivalent(s, y)?;
        let n = self.runs as f64;
        let i = s * self.years + y;
        let mean = self.utility[i] / n;
        let var = (self.utility_sq[i] / n - mean * mean).max(0.0) * n / (n - 1.0).max(1.0);
        // u'(r) = r^-g for the ratio; d(CE)/d(mean u) = W / u'(r*).
        let r = 1.0 + ce / risk.wealth;
        Some(risk.wealth * (var / n).sqrt() / r.powf(-risk.aversion))
    }

    /// The share of runs where strategy `s`'s equity cash to 0-based year
    /// `y` plus that year's unrealized equity is at most 0.
    pub fn equity_zero_share(&self, s: usize, y: usize) -> f64 {
        self.share(self.equity_zero[s * self.years + y])
    }

    /// For compared pair `k` at the horizon, counting each world's
    /// unrealized equity with its cash: the share of worlds ahead.
    pub fn held_ahead_share(&self, k: usize) -> f64 {
        self.share(self.held_ahead[k])
    }

    /// The sign of the median of pair `k`'s horizon difference counting
    /// unrealized equity: `1` when more than half the worlds are ahead,
    /// `-1` when more than half are behind, `0` otherwise (the median is 0
    /// or straddles it).
    pub fn held_median_sign(&self, k: usize) -> i8 {
        if 2 * self.held_ahead[k] > self.runs {
            1
        } else if 2 * self.held_behind[k] > self.runs {
            -1
        } else {
            0
        }
    }

    fn share(&self, n: u64) -> f64 {
        if self.runs == 0 {
            0.0
        } else {
            n as f64 / self.runs as f64
        }
    }
}

/// The series the pass reads.
pub struct DecisionPass {
    strategies: usize,
    years: usize,
    risk: Option<Risk>,
    /// Per (strategy, year): the cash `X` (cumulative, or net cumulative).
    cash: Vec<usize>,
    /// Per (strategy, year): `rsu`, `options` and (when reported)
    /// `unrealized`; empty when no `decision.csv` is written (no
    /// `risk_aversion` and no `discount_rate`), which alone reports
    /// `p_equity_zero`.
    equity: Vec<(usize, usize, Option<usize>)>,
    /// Per pair: the horizon's difference and the two strategies'
    /// `unrealized` series (empty when it is not reported).
    held: Vec<(usize, usize, usize)>,
    total: DecisionPartial,
}

/// A decision pass's figures over a range of chunks: the counts, lowest
/// values and run count as they are, the sums of utility (and of its
/// square) as [`ChunkSums`], so that a shard's figures append to the
/// earlier shards' exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionPartial {
    /// Everything but the sums of utility (zero until finished).
    counts: DecisionStats,
    /// Per chunk: the sums of `u`, then of `u^2`, per (strategy, year).
    sums: ChunkSums,
}

impl DecisionPartial {
    /// Appends the figures of the chunks that follow these.
    pub fn append(&mut self, later: DecisionPartial) -> Result<(), String> {
        let (t, part) = (&mut self.counts, later.counts);
        if part.lowest.len() != t.lowest.len()
            || part.equity_zero.len() != t.equity_zero.len()
            || part.held_ahead.len() != t.held_ahead.len()
        {
            return Err("decision figures of another shape".into());
        }
        self.sums.append(later.sums)?;
        t.runs += part.runs;
        // Later chunks come after: a tie keeps the earlier run.
        for (a, &b) in t.lowest.iter_mut().zip(&part.lowest) {
            if b.0 < a.0 {
                *a = b;
            }
        }
        for (a, b) in t.equity_zero.iter_mut().zip(&part.equity_zero) {
            *a += b;
        }
        for (a, b) in t.held_ahead.iter_mut().zip(&part.held_ahead) {
            *a += b;
        }
        for (a, b) in t.held_behind.iter_mut().zip(&part.held_behind) {
            *a += b;
        }
        Ok(())
    }

    /// The figures over every chunk from the first (`None` for figures
    /// that start at a later chunk).
    pub fn finish(self) -> Option<DecisionStats> {
        let mut d = self.counts;
        let sums = self.sums.total()?;
        let n = d.utility.len();
        d.utility.copy_from_slice(&sums[..n]);
        d.utility_sq.copy_from_slice(&sums[n..]);
        Some(d)
    }

    /// Writes the figures: runs; the sums; the lowest values (each its
    /// value and run); the counts at or below zero; the counts ahead and
    /// behind.
    pub fn encode(&self, e: &mut Encoder) {
        let c = &self.counts;
        e.u64(c.runs);
        self.sums.encode(e);
        e.usize(c.lowest.len());
        for &(x, run) in &c.lowest {
            e.f64(x);
            e.u64(run);
        }
        e.u64s(&c.equity_zero);
        e.u64s(&c.held_ahead);
        e.u64s(&c.held_behind);
    }
}

impl DecisionPass {
    /// The pass for `scenario`'s rows, fed chunks from `first_chunk` on:
    /// `None` when nothing in it needs one (no `risk_aversion`, no
    /// `discount_rate` and no private company).
    pub fn new(scenario: &Scenario, layout: &Layout, first_chunk: u64) -> Option<DecisionPass> {
        let sim = &scenario.sim;
        let unrealized = layout.reports(Measure::Unrealized);
        if sim.risk.is_none() && sim.discount_rate.is_none() && !unrealized {
            return None;
        }
        let (strategies, years) = (layout.strategies, layout.years);
        let taxed = layout.reports(Measure::NetCumulative);
        let cash_measure = if taxed {
            Measure::NetCumulative
        } else {
            Measure::Cumulative
        };
        let mut cash = Vec::new();
        let mut equity = Vec::new();
        for s in 0..strategies {
            for y in 0..years {
                cash.push(layout.at(s, y, cash_measure));
                if sim.risk.is_none() && sim.discount_rate.is_none() {
                    continue;
                }
                equity.push((
                    layout.at(s, y, Measure::Rsu),
                    layout.at(s, y, Measure::Options),
                    unrealized.then(|| layout.at(s, y, Measure::Unrealized)),
                ));
            }
        }
        let y = years - 1;
        let held = match unrealized {
            true => layout
                .pairs
                .iter()
                .enumerate()
                .map(|(k, &(s, b))| {
                    let diff = if taxed {
                        layout.net_diff(k, y)
                    } else {
                        layout.diff(k, y)
                    };
                    (
                        diff,
                        layout.at(s, y, Measure::Unrealized),
                        layout.at(b, y, Measure::Unrealized),
                    )
                })
                .collect(),
            false => Vec::new(),
        };
        let counts = DecisionStats::empty(strategies, years, held.len(), sim.risk);
        Some(DecisionPass {
            strategies,
            years,
            risk: sim.risk,
            cash,
            equity,
            total: DecisionPartial {
                sums: ChunkSums::new(2 * counts.utility.len(), first_chunk),
                counts,
            },
            held,
        })
    }

    /// The figures over every run fed, from the first chunk.
    pub fn finish(self) -> DecisionStats {
        self.total.finish().expect("fed from the first chunk")
    }

    /// The figures over the chunks fed (a shard's).
    pub fn partial(self) -> DecisionPartial {
        self.total
    }

    /// Reads what [`DecisionPartial::encode`] wrote for this pass's rows.
    pub fn decode(&self, d: &mut Decoder<'_>) -> Result<DecisionPartial, DecodeError> {
        let shape = &self.total.counts;
        let mut counts =
            DecisionStats::empty(self.strategies, self.years, self.held.len(), self.risk);
        counts.runs = d.u64("the decision's run count")?;
        let sums = ChunkSums::decode(d, 2 * shape.utility.len())?;
        let n = d.usize(shape.lowest.len(), "the lowest values")?;
        if n != shape.lowest.len() {
            return Err(format!("{n} lowest values, not {}", shape.lowest.len()));
        }
        for l in &mut counts.lowest {
            *l = (d.f64("a lowest value")?, d.u64("its run")?);
        }
        counts.equity_zero = d.u64s_of(shape.equity_zero.len(), "the counts at zero")?;
        counts.held_ahead = d.u64s_of(shape.held_ahead.len(), "the counts ahead")?;
        counts.held_behind = d.u64s_of(shape.held_behind.len(), "the counts behind")?;
        Ok(DecisionPartial { counts, sums })
    }
}

impl Consumer for DecisionPass {
    type Part = DecisionStats;

    fn part(&self, chunk: &Chunk<'_>) -> DecisionStats {
        let mut d = DecisionStats::empty(self.strategies, self.years, self.held.len(), self.risk);
        d.runs = chunk.runs as u64;
        if let Some(risk) = self.risk {
            for (i, &k) in self.cash.iter().enumerate() {
                let (mut sum, mut sq, mut lowest) = (0.0, 0.0, (f64::INFINITY, 0));
                for (j, &x) in chunk.series(k).iter().enumerate() {
                    if x < lowest.0 {
                        lowest = (x, chunk.first + j as u64);
                    }
                    let r = 1.0 + x / risk.wealth;
                    // A ratio <= 0 is reported as a ruin once the pass
                    // ends; it adds nothing here.
                    if r > 0.0 {
                        let u = utility(risk.aversion, r);
                        sum += u;
                        sq += u * u;
                    }
                }
                d.utility[i] = sum;
                d.utility_sq[i] = sq;
                d.lowest[i] = lowest;
            }
        }
        for s in (0..self.strategies).filter(|_| !self.equity.is_empty()) {
            // Equity cash summed year by year, run by run.
            let mut acc = vec![0.0; chunk.runs];
            for y in 0..self.years {
                let i = s * self.years + y;
                let (rsu, options, unrealized) = self.equity[i];
                let (rsu, options) = (chunk.series(rsu), chunk.series(options));
                let mut n = 0;
                for j in 0..chunk.runs {
                    acc[j] += rsu[j] + options[j];
                    let held = unrealized.map_or(0.0, |u| chunk.series(u)[j]);
                    n += u64::from(acc[j] + held <= 0.0);
                }
                d.equity_zero[i] = n;
            }
        }
        for (k, &(diff, own, other)) in self.held.iter().enumerate() {
            let (diff, own, other) = (chunk.series(diff), chunk.series(own), chunk.series(other));
            let (mut ahead, mut behind) = (0, 0);
            for j in 0..chunk.runs {
                let v = diff[j] + own[j] - other[j];
                ahead += u64::from(v > 0.0);
                behind += u64::from(v < 0.0);
            }
            d.held_ahead[k] = ahead;
            d.held_behind[k] = behind;
        }
        d
    }

    fn absorb(&mut self, part: DecisionStats) -> bool {
        // One chunk: its sums, then its counts as a partial of their own.
        let sums = part.utility.iter().chain(&part.utility_sq).copied();
        let mut chunk = ChunkSums::new(self.total.sums.width(), 1);
        chunk.add(sums);
        let mut counts = part;
        counts.utility.fill(0.0);
        counts.utility_sq.fill(0.0);
        self.total
            .append(DecisionPartial {
                counts,
                sums: chunk,
            })
            .is_ok()
    }
}

impl Tap for DecisionPass {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_utility_undoes_utility() {
        for g in [0.5, 0.9, 1.0, 1.0 + 1e-9, 1.49, 1.5, 2.0, 7.5, 20.0] {
            for r in [0.01, 0.5, 1.0, 3.0, 40.0] {
                let back = inverse_utility(g, utility(g, r));
                assert!((back - r).abs() <= 1e-9 * r, "g {g} r {r}: {back}");
            }
        }
    }

    #[test]
    fn the_certainty_equivalent_is_continuous_through_log_utility() {
        // Two risky outcomes, the ratio 0.5 or 3 with equal odds.
        let ce = |g: f64| {
            let u = (utility(g, 0.5) + utility(g, 3.0)) / 2.0;
            inverse_utility(g, u)
        };
        let (below, at, above) = (ce(1.0 - 1e-12), ce(1.0), ce(1.0 + 1e-12));
        assert!(
            (below - at).abs() < 1e-9 && (above - at).abs() < 1e-9,
            "{below} {at} {above}"
        );
        assert!(below >= at && at >= above, "{below} {at} {above}");
        // sqrt(0.5 * 3) at g = 1: the geometric mean.
        assert!((at - 1.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn a_certain_amount_is_its_own_certainty_equivalent() {
        let risk = Risk {
            aversion: 3.0,
            wealth: 100_000.0,
        };
        let x = 25_000.0;
        let u = utility(3.0, 1.0 + x / risk.wealth);
        assert!((certainty_equivalent(risk, u) - x).abs() < 1e-6);
    }
}
