//! The liquidation-preference waterfall of a private company's exit
//! (docs/reference.md, "The model's rules"): what one common share receives.

/// Common price per share at an exit of value `value` with `shares` fully
/// diluted shares, a preference stack `preference` held by a fraction
/// `preferred` of the shares (single class, 1x, non-participating).
///
/// - IPO: preferred converts, common gets `V / N`.
/// - Acquisition: preferred converts when that pays it more than its
///   preference, i.e. when `f V >= P`, so `V >= P / f`: common gets `V / N`.
///   Below that, preferred takes `P` (or all of `V` when `V <= P`) and common
///   shares the rest: `(V - P) / ((1 - f) N)`, floored at 0.
///
/// Continuity at `V = P / f`: `(P/f - P) / ((1 - f) N) = P / (f N) = V / N`.
/// With `P = 0` every branch is `V / N`.
pub fn common_price(value: f64, shares: f64, preference: f64, preferred: f64, ipo: bool) -> f64 {
    if ipo || preference <= 0.0 || value * preferred >= preference {
        return value / shares;
    }
    if value <= preference {
        return 0.0;
    }
    (value - preference) / ((1.0 - preferred) * shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: f64 = 1_000_000.0;
    const P: f64 = 50_000_000.0;
    const F: f64 = 0.4;

    #[test]
    fn acquisition_at_or_below_the_preference_pays_common_nothing() {
        assert_eq!(common_price(P, N, P, F, false), 0.0);
        assert_eq!(common_price(10_000_000.0, N, P, F, false), 0.0);
        assert_eq!(common_price(0.0, N, P, F, false), 0.0);
    }

    #[test]
    fn acquisition_between_preference_and_conversion_point_splits_the_remainder() {
        // P < V < P/f = 125M: common shares V - P over (1-f) N shares.
        let v = 80_000_000.0;
        let expected = (v - P) / (0.6 * N);
        assert!((common_price(v, N, P, F, false) - expected).abs() < 1e-9);
    }

    #[test]
    fn acquisition_above_the_conversion_point_pays_value_per_share() {
        let v = 200_000_000.0;
        assert_eq!(common_price(v, N, P, F, false), v / N);
    }

    #[test]
    fn waterfall_is_continuous_at_the_conversion_point() {
        let v = P / F;
        let just_below = common_price(v * (1.0 - 1e-12), N, P, F, false);
        let at = common_price(v, N, P, F, false);
        assert!((at - v / N).abs() < 1e-9);
        assert!((just_below - at).abs() < 1e-6, "{just_below} vs {at}");
    }

    #[test]
    fn ipo_converts_preferred_so_common_gets_value_per_share() {
        assert_eq!(common_price(30_000_000.0, N, P, F, true), 30.0);
    }

    #[test]
    fn zero_preference_pays_value_per_share() {
        assert_eq!(common_price(30_000_000.0, N, 0.0, F, false), 30.0);
    }

    #[test]
    fn zero_preferred_fraction_with_no_preference_pays_value_per_share() {
        assert_eq!(common_price(30_000_000.0, N, 0.0, 0.0, false), 30.0);
    }

    #[test]
    fn zero_preferred_fraction_with_a_preference_never_converts() {
        // f = 0: preferred never prefers converting; common gets V - P over N.
        assert_eq!(common_price(80_000_000.0, N, P, 0.0, false), 30.0);
        assert_eq!(common_price(40_000_000.0, N, P, 0.0, false), 0.0);
    }
}
