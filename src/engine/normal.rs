//! Counter-keyed standard normals: each normal a pure function of one
//! 64-bit key, so the engine can compute any node of a price path's
//! Brownian-bridge tree without drawing the others (model.md section 14).
//!
//! The sampler is the ziggurat of Marsaglia and Tsang (2000, "The Ziggurat
//! Method for Generating Random Variables", J. Stat. Softw. 5(8)), with 256
//! layers and, as Doornik (2005, "An Improved Ziggurat Method to Generate
//! Normal Random Samples") requires, the layer index taken from bits of the
//! word that the abscissa does not use. It is exact: rejection sampling
//! from equal-area layers, the wedges tested against the density and the
//! tail beyond `R` drawn by Marsaglia's method (1964). Its word source is
//! the SplitMix64 stream seeded with the key: 98.5 % of calls need only
//! the stream's first word, `splitmix(key)`, and take the fast path (an
//! integer compare, a conversion and a product); the others read on down
//! the same stream. It measured 1.65 times as fast per key as
//! `rand_distr::StandardNormal` sampled from that stream, which spends the
//! same one word on its fast path (`cargo bench --bench normals`).
//!
//! The tables are literals (`normal/tables.rs`, written in 60-digit
//! arithmetic by `tools/ziggurat_tables.py`), not computed at start-up, so
//! every machine samples the same layers.

use rand::{Rng, SeedableRng};
use rand_xoshiro::SplitMix64;

mod tables;
use tables::{F, R, X};

/// 2^55: the fast path's abscissa is a 56-bit signed integer over this.
const SCALE: f64 = (1u64 << 55) as f64;

/// `W[i] = X[i] / 2^55`: a 56-bit signed `j` times it is `u * X[i]` for
/// `u = j / 2^55` in `[-1, 1)` (a power of two: the division is exact).
static W: [f64; 256] = {
    let mut w = [0.0; 256];
    let mut i = 0;
    while i < 256 {
        w[i] = X[i] / SCALE;
        i += 1;
    }
    w
};

/// `K[i] = ceil(2^55 X[i+1] / X[i])`: `|j| < K[i]` iff `|u| X[i] < X[i+1]`,
/// the point lies in layer `i`'s part wholly under the density (`K[255] =
/// 0`: the top layer has none).
static K: [u64; 256] = {
    let mut k = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let r = X[i + 1] / X[i] * SCALE;
        // A const `ceil`: `r` is below 2^55, so the conversions are exact.
        let t = r as u64;
        k[i] = if (t as f64) < r { t + 1 } else { t };
        i += 1;
    }
    k
};

/// SplitMix64's finaliser (Steele, Lea, Flood 2014), as the stream's first
/// word: `splitmix(key) == SplitMix64::seed_from_u64(key).next_u64()`.
#[inline(always)]
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A standard normal that is a pure function of `key` (a well-mixed 64-bit
/// key; `keyed` mixes it once more, so neighbouring keys such as
/// `base ^ node` also give independent normals).
#[inline]
pub fn keyed(key: u64) -> f64 {
    let bits = splitmix(key);
    // The low 8 bits pick the layer, the high 56 (signed) the abscissa.
    let i = (bits & 0xff) as usize;
    let j = (bits as i64) >> 8;
    if j.unsigned_abs() < K[i] {
        return j as f64 * W[i];
    }
    slow(key, bits)
}

/// `exp(-x^2 / 2)`, the density the tables are of.
#[inline]
fn pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp()
}

/// A uniform in the open interval (0, 1) from the 53 high bits of a word.
#[inline]
fn open01(rng: &mut SplitMix64) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// The rest of the ziggurat, for a first word `bits` that missed the fast
/// path: a wedge or the tail, then, if that rejects, the whole draw again
/// from the stream's next word.
#[cold]
#[inline(never)]
fn slow(key: u64, mut bits: u64) -> f64 {
    let mut rng = SplitMix64::seed_from_u64(key);
    // The first word is `bits`, already spent.
    rng.next_u64();
    loop {
        let i = (bits & 0xff) as usize;
        let j = (bits as i64) >> 8;
        let x = j as f64 * W[i];
        if j.unsigned_abs() < K[i] {
            return x;
        }
        if i == 0 {
            // The base strip beyond R: the tail, by Marsaglia's method.
            loop {
                let t = -open01(&mut rng).ln() / R;
                let y = -open01(&mut rng).ln();
                if 2.0 * y > t * t {
                    return if j < 0 { -(R + t) } else { R + t };
                }
            }
        }
        // A wedge: the point (x, y), y uniform over the layer's height,
        // is kept if it lies under the density.
        if F[i] + (F[i + 1] - F[i]) * open01(&mut rng) < pdf(x) {
            return x;
        }
        bits = rng.next_u64();
    }
}

#[cfg(test)]
mod tests {
    use super::tables::V;
    use super::*;

    /// Draws per statistical test.
    const N: usize = 10_000_000;

    /// A path's node keys as the engine forms them: a company's run key,
    /// then `splitmix(base ^ node)` for consecutive nodes.
    fn engine_key(node: u64) -> u64 {
        let base = splitmix(splitmix(splitmix(20_260_401) ^ 17) ^ 0x5bd1_e995_c0ff_ee00);
        splitmix(base ^ node)
    }

    fn draws(n: usize, key: impl Fn(u64) -> u64) -> Vec<f64> {
        (0..n as u64).map(|m| keyed(key(m))).collect()
    }

    /// The standard normal CDF, from `libm`'s erfc (accurate to about an
    /// ulp over the whole line, the upper tail included).
    fn phi(z: f64) -> f64 {
        0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
    }

    /// The normal's upper tail `1 - phi(z)`, without the cancellation.
    fn upper(z: f64) -> f64 {
        0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
    }

    /// The Kolmogorov-Smirnov distance of the uniforms `u` from U(0, 1).
    fn ks_uniform(mut u: Vec<f64>) -> f64 {
        u.sort_unstable_by(f64::total_cmp);
        let n = u.len() as f64;
        u.iter()
            .enumerate()
            .map(|(i, &v)| (v - i as f64 / n).max((i + 1) as f64 / n - v))
            .fold(0.0, f64::max)
    }

    /// KS critical value at alpha = 0.001 for `n` draws (asymptotic).
    fn ks_critical(n: usize) -> f64 {
        1.949 / (n as f64).sqrt()
    }

    /// Pearson's chi-square of `z` over 100 bins equiprobable under N(0, 1).
    fn chi_square_100(z: &[f64]) -> f64 {
        let mut count = [0u64; 100];
        for &x in z {
            count[((phi(x) * 100.0) as usize).min(99)] += 1;
        }
        let expect = z.len() as f64 / 100.0;
        count
            .iter()
            .map(|&c| (c as f64 - expect).powi(2) / expect)
            .sum()
    }

    /// The 0.999 quantile of chi-square with 99 degrees of freedom.
    const CHI2_99_999: f64 = 148.23;

    /// The sample correlation of `z[m]` and `z[m + 1]`.
    fn lag1_correlation(z: &[f64]) -> f64 {
        let (a, b) = (&z[..z.len() - 1], &z[1..]);
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
        for (x, y) in a.iter().zip(b) {
            sab += (x - ma) * (y - mb);
            saa += (x - ma) * (x - ma);
            sbb += (y - mb) * (y - mb);
        }
        sab / (saa * sbb).sqrt()
    }

    #[test]
    fn keyed_passes_kolmogorov_smirnov_against_the_normal_cdf() {
        let u: Vec<f64> = draws(N, engine_key).into_iter().map(phi).collect();
        let d = ks_uniform(u);
        assert!(d < ks_critical(N), "D = {d}, critical {}", ks_critical(N));
    }

    #[test]
    fn keyed_passes_a_chi_square_over_100_equiprobable_bins() {
        let chi2 = chi_square_100(&draws(N, engine_key));
        assert!(chi2 < CHI2_99_999, "chi-square {chi2} (99 df)");
    }

    #[test]
    fn neighbouring_keys_give_uncorrelated_normals() {
        // The engine's keys, and keys it might form unmixed (keyed mixes).
        let base = engine_key(0);
        let forms: [(&str, &dyn Fn(u64) -> u64); 3] = [
            ("splitmix(base ^ m)", &engine_key),
            ("base ^ m", &|m| base ^ m),
            ("m", &|m| m),
        ];
        let bound = 4.5 / (N as f64).sqrt();
        for (form, key) in forms {
            let r = lag1_correlation(&draws(N, key));
            assert!(
                r.abs() < bound,
                "keys {form}: correlation {r}, bound {bound}"
            );
        }
    }

    #[test]
    fn the_tail_beyond_r_has_the_normal_tail_mass_and_law() {
        // About 2,580 of 10^7 draws land beyond R: their count is checked
        // here; KS at 10^7 barely sees them.
        let beyond = draws(N, engine_key)
            .into_iter()
            .filter(|z| z.abs() > R)
            .count() as f64;
        let p = 2.0 * upper(R);
        let (mean, sd) = (N as f64 * p, (N as f64 * p * (1.0 - p)).sqrt());
        assert!(
            (beyond - mean).abs() < 4.5 * sd,
            "{beyond} beyond R, expected {mean}"
        );
        // Their law given |z| > R, from 10^6 first words forced into the
        // base strip beyond R (layer 0, |u| near 1), so the tail method
        // runs on every key: |z| must have the law of the normal given
        // |z| > R, and each sign half the mass.
        let n = 1_000_000;
        let j = (1i64 << 55) - 1;
        let tail: Vec<f64> = (0..n as u64)
            .map(|m| {
                let sign = if m % 2 == 0 { j } else { -j };
                slow(engine_key(m), (sign << 8) as u64)
            })
            .collect();
        assert!(tail.iter().all(|z| z.abs() > R));
        assert!(tail.iter().step_by(2).all(|&z| z > 0.0));
        assert!(tail.iter().skip(1).step_by(2).all(|&z| z < 0.0));
        let u: Vec<f64> = tail.iter().map(|z| upper(z.abs()) / upper(R)).collect();
        let d = ks_uniform(u);
        assert!(
            d < ks_critical(n),
            "tail D = {d}, critical {}",
            ks_critical(n)
        );
    }

    #[test]
    fn the_tests_reject_a_normal_with_sd_1_02_or_a_lag_correlation() {
        // The statistics above can fail: a 2 % error in the spread, or a
        // correlation of 1 % between neighbours, is caught at 10^6 draws.
        let n = 1_000_000;
        let z = draws(n + 1, engine_key);
        let wide: Vec<f64> = z[..n].iter().map(|x| 1.02 * x).collect();
        assert!(ks_uniform(wide.iter().map(|&x| phi(x)).collect()) > ks_critical(n));
        assert!(chi_square_100(&wide) > CHI2_99_999);
        let leaky: Vec<f64> = z.windows(2).map(|w| w[1] + 0.01 * w[0]).collect();
        assert!(lag1_correlation(&leaky).abs() > 4.5 / (n as f64).sqrt());
    }

    #[test]
    fn keyed_values_are_fixed() {
        // Every share price rests on these: a change to the tables, the
        // bit layout or the fallback changes every world's bytes. Key 13's
        // first word falls in the top layer's wedge, key 1830's in the
        // tail.
        let pinned = [
            (0, 0xbfd2_31b0_31f4_3595_u64),
            (1, 0xbfee_32dd_f398_1036),
            (2, 0xbfe9_d2cf_e600_d5c1),
            (3, 0x3fc3_96f6_1365_d32d),
            (13, 0xbfb9_7d2d_fbcd_eacd),
            (1830, 0x400e_e752_68f2_4ad4),
        ];
        for (key, bits) in pinned {
            assert_eq!(keyed(key).to_bits(), bits, "key {key}: {}", keyed(key));
        }
        assert_eq!(splitmix(13) & 0xff, 0xff);
        assert_eq!(splitmix(1830) & 0xff, 0);
    }

    #[test]
    fn the_ziggurat_layers_have_equal_area() {
        let close = |a: f64, b: f64, rel: f64| (a - b).abs() <= rel * b.abs();
        let tail = (std::f64::consts::PI / 2.0).sqrt() * libm::erfc(R / std::f64::consts::SQRT_2);
        assert!(close(R * pdf(R) + tail, V, 1e-13), "base strip");
        assert!(close(X[0] * pdf(R), V, 1e-13), "X[0]");
        assert_eq!((X[1], X[256], F[256]), (R, 0.0, 1.0));
        for i in 0..257 {
            assert!(close(F[i], pdf(X[i]), 1e-14), "F[{i}]");
        }
        for i in 1..256 {
            assert!(X[i + 1] < X[i], "X decreasing at {i}");
            assert!(close(X[i] * (F[i + 1] - F[i]), V, 1e-12), "layer {i}");
        }
        assert_eq!(K[255], 0, "the top layer has no inner part");
        assert!(K.iter().all(|&k| k <= 1 << 55));
    }

    #[test]
    fn keyed_is_a_pure_function_of_its_key() {
        // No hidden state: the same keys read backwards give the same
        // normals, bit for bit, whichever path each takes.
        let n = 100_000;
        let forward = draws(n, engine_key);
        let backward: Vec<f64> = (0..n as u64).rev().map(|m| keyed(engine_key(m))).collect();
        assert!(
            forward
                .iter()
                .zip(backward.iter().rev())
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        // The fast path's word is the first of the key's SplitMix64 stream,
        // which the slow path reads on from.
        let mut rng = SplitMix64::seed_from_u64(12_345);
        assert_eq!(splitmix(12_345), rng.next_u64());
    }
}
