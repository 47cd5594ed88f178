//! Statistics over runs: exact PERCENTILE.INC quantiles and means, and
//! the counts of runs by the ladder level reached.

mod brackets;
pub mod decision;
mod levels;
mod moments;
mod partial;
mod summarize;

pub use brackets::BRACKET_SIGMAS;
pub use decision::{DecisionPass, DecisionStats, Ruin};
pub use levels::{LevelCounts, LevelPass};
pub use moments::ChunkSums;
pub use partial::{GapValues, Gaps, ShardState};
pub use summarize::{
    Pilot, SeriesSummary, Tap, gap_values, memory_estimate, merge_memory_estimate, shard_chunks,
    shard_memory_estimate, shard_simulated_runs, summarize, summarize_shard,
};

/// The two order-statistic ranks (0-based) and the weight that
/// PERCENTILE.INC (Excel), NumPy's default and R's type 7 combine for
/// probability `p` over `n` sorted values:
/// `h = (n - 1) p`, result `x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`.
pub fn inc_ranks(n: u64, p: f64) -> (u64, u64, f64) {
    debug_assert!(n > 0 && (0.0..=1.0).contains(&p));
    let h = (n - 1) as f64 * p;
    let lo = (h.floor() as u64).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    (lo, hi, h - lo as f64)
}

/// Linear interpolation between the two order statistics; exact when they
/// are equal, so a constant sample gives that constant at every `p`.
pub fn interpolate(lo: f64, hi: f64, weight: f64) -> f64 {
    if weight == 0.0 || lo == hi {
        lo
    } else {
        lo + weight * (hi - lo)
    }
}

/// PERCENTILE.INC of an ascending slice at probability `p` in `[0, 1]`.
///
/// ```
/// use tcsim::stats::percentile_inc;
/// let x = [1.0, 2.0, 3.0, 4.0];
/// assert_eq!(percentile_inc(&x, 0.5), 2.5);   // =PERCENTILE.INC({1,2,3,4}, 0.5)
/// assert_eq!(percentile_inc(&x, 0.1), 1.3);   // h = 0.3
/// ```
pub fn percentile_inc(sorted: &[f64], p: f64) -> f64 {
    let (lo, hi, w) = inc_ranks(sorted.len() as u64, p);
    interpolate(sorted[lo as usize], sorted[hi as usize], w)
}

/// The values at the given ascending, distinct 0-based `ranks` of `values`
/// in ascending order, by recursive selection (no full sort). `values` is
/// reordered.
pub fn select_ranks(values: &mut [f64], ranks: &[usize]) -> Vec<f64> {
    let mut out = vec![0.0; ranks.len()];
    select_into(values, ranks, 0, &mut out);
    out
}

fn select_into(values: &mut [f64], ranks: &[usize], offset: usize, out: &mut [f64]) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let r = ranks[mid] - offset;
    let (left, nth, right) = values.select_nth_unstable_by(r, f64::total_cmp);
    out[mid] = *nth;
    let (out_left, out_rest) = out.split_at_mut(mid);
    select_into(left, &ranks[..mid], offset, out_left);
    select_into(right, &ranks[mid + 1..], offset + r + 1, &mut out_rest[1..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_inc_matches_spreadsheet_values() {
        // Hand-computed with h = (n-1) p, as Excel's PERCENTILE.INC.
        let x = [15.0, 20.0, 35.0, 40.0, 50.0];
        assert_eq!(percentile_inc(&x, 0.0), 15.0);
        assert_eq!(percentile_inc(&x, 1.0), 50.0);
        assert_eq!(percentile_inc(&x, 0.5), 35.0);
        // h = 4 * 0.4 = 1.6: 20 + 0.6 * 15 = 29
        assert!((percentile_inc(&x, 0.4) - 29.0).abs() < 1e-12);
        // h = 4 * 0.05 = 0.2: 15 + 0.2 * 5 = 16
        assert!((percentile_inc(&x, 0.05) - 16.0).abs() < 1e-12);
        // h = 4 * 0.95 = 3.8: 40 + 0.8 * 10 = 48
        assert!((percentile_inc(&x, 0.95) - 48.0).abs() < 1e-12);
    }

    #[test]
    fn percentile_inc_of_one_value_is_that_value() {
        assert_eq!(percentile_inc(&[7.5], 0.3), 7.5);
    }

    #[test]
    fn percentile_of_a_constant_sample_is_exactly_the_constant() {
        let x = [0.1 + 0.2; 9];
        for p in [0.05, 0.1, 0.33, 0.5, 0.9] {
            assert_eq!(percentile_inc(&x, p), 0.1 + 0.2);
        }
    }

    #[test]
    fn select_ranks_agrees_with_sorting() {
        let mut v: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.5 - 100.0)
            .collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let ranks = [0, 1, 50, 499, 500, 900, 999];
        let got = select_ranks(&mut v, &ranks);
        let want: Vec<f64> = ranks.iter().map(|&r| sorted[r]).collect();
        assert_eq!(got, want);
    }
}
