//! The tax engine against hand computations from the 2026 statute figures
//! (data/tax/2026, design/tax.md), and its properties.

use super::tables::{Tables, parse_city, parse_federal, parse_no_tax, parse_state};
use super::*;
use proptest::prelude::*;

fn tables() -> Tables {
    Tables::load(2026).expect("the compiled-in tables load")
}

fn household(filing: Filing) -> Household {
    Household {
        filing,
        other_income: 0.0,
        itemized_deductions: 0.0,
    }
}

fn at(t: &Tables, state: &str, city: Option<&str>) -> Residence {
    let s = t.state(state).expect("state");
    Residence {
        state: s,
        city: city.map(|c| t.city(s, c).expect("city")),
    }
}

fn wages(w: f64) -> Income {
    Income {
        wages: w,
        ..Income::default()
    }
}

fn one(t: &Tables, state: &str, filing: Filing, inc: Income) -> Liability {
    let y = t.for_year(0, 0.0);
    let r = residence(t, state);
    year(&y, &household(filing), &[(r, inc)], &mut Carry::default())
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// ---------------------------------------------------------------------
// Tables.

#[test]
fn every_compiled_in_table_loads_and_lists_its_states() {
    for &y in Tables::years() {
        let t = Tables::load(y).unwrap();
        for s in [
            "CA", "NY", "MA", "WA", "TX", "AK", "FL", "NV", "NH", "SD", "TN", "WY",
        ] {
            assert!(t.state(s).is_some(), "{s} missing in {y}");
        }
        let ny = t.state("NY").unwrap();
        assert!(t.city(ny, "NYC").is_some());
        assert!(t.city(t.state("CA").unwrap(), "NYC").is_none());
        let yt = t.for_year(0, 0.025);
        assert_eq!(yt.states.len(), t.states.len());
        assert_eq!(yt.cities.len(), t.cities.len());
    }
}

#[test]
fn an_unknown_year_is_an_error_naming_the_supported_ones() {
    let e = Tables::load(2031).unwrap_err();
    assert_eq!(e.key, "year");
    assert!(e.message.contains("supported: 2026"), "{e}");
}

const FED: &str = include_str!("../../data/tax/2026/federal.toml");
const CA: &str = include_str!("../../data/tax/2026/ca.toml");
const NYC: &str = include_str!("../../data/tax/2026/nyc.toml");

#[test]
fn a_missing_key_names_file_and_key() {
    let text = FED.replace("joint  = 32_200\n", "");
    let e = parse_federal("data/tax/2026/federal.toml", &text).unwrap_err();
    assert_eq!(e.file, "data/tax/2026/federal.toml");
    assert_eq!(e.key, "standard_deduction.joint", "{e}");
}

#[test]
fn a_decreasing_bracket_names_file_and_key() {
    let text = CA.replace("26859.22, 42391.42", "46859.22, 42391.42");
    let e = parse_state("data/tax/2026/ca.toml", &text).unwrap_err();
    assert_eq!(e.file, "data/tax/2026/ca.toml");
    assert_eq!(e.key, "brackets.single[3]", "{e}");
    assert!(e.message.contains("strictly increase"), "{e}");
}

#[test]
fn a_rate_over_one_names_file_and_key() {
    let text = NYC.replace("0.03876]", "3.876]");
    let e = parse_city("data/tax/2026/nyc.toml", &text).unwrap_err();
    assert_eq!(e.key, "brackets.rates[3]", "{e}");
    assert!(e.message.contains("[0, 1]"), "{e}");
}

#[test]
fn a_string_for_a_number_names_file_and_key() {
    let text = FED.replace("wage_base = 184_500", "wage_base = \"184500\"");
    let e = parse_federal("data/tax/2026/federal.toml", &text).unwrap_err();
    assert_eq!(e.key, "social_security.wage_base", "{e}");
    assert!(e.message.contains("invalid type"), "{e}");
}

#[test]
fn an_unknown_key_and_a_bad_code_are_errors() {
    let text = CA.replace("rate = 0.013", "rate = 0.013\nceiling = 1");
    let e = parse_state("data/tax/2026/ca.toml", &text).unwrap_err();
    assert!(e.key.starts_with("payroll"), "{e}");
    let e = parse_no_tax(
        "x.toml",
        "[[states]]\ncode = \"Texas\"\nname = \"T\"\nsource = \"s\"\n",
    )
    .unwrap_err();
    assert_eq!(e.key, "states[0].code", "{e}");
}

#[test]
fn brackets_must_start_at_zero_and_match_their_rates() {
    let text = CA.replace("single = [0.00, 11330.08", "single = [1.00, 11330.08");
    let e = parse_state("ca.toml", &text).unwrap_err();
    assert_eq!(e.key, "brackets.single", "{e}");
    let text = CA.replace(", 1519580.96]", "]");
    let e = parse_state("ca.toml", &text).unwrap_err();
    assert_eq!(e.key, "brackets.joint", "{e}");
}

// ---------------------------------------------------------------------
// Federal.

#[test]
fn federal_single_300k_wages_standard_deduction() {
    // Taxable 300,000 - 16,100 = 283,900:
    // 10 % x 12,400 = 1,240; 12 % x 38,000 = 4,560; 22 % x 55,300 = 12,166;
    // 24 % x 96,075 = 23,058; 32 % x 54,450 = 17,424;
    // 35 % x (283,900 - 256,225) = 9,686.25: 68,134.25 (tax.md: PolicyEngine
    // = Tax-Calculator = hand).
    let l = one(&tables(), "TX", Filing::Single, wages(300_000.0));
    assert!(!l.federal.itemized);
    assert!(close(l.federal.taxable, 283_900.0, 1e-6));
    assert!(
        close(l.federal.total, 68_134.25, 1e-6),
        "{}",
        l.federal.total
    );
    assert_eq!(l.federal.amt, 0.0);
    assert!(close(l.federal.marginal_rate, 0.35, 1e-6));
    assert_eq!(l.state, 0.0);
}

#[test]
fn fica_social_security_to_the_base_medicare_and_the_additional() {
    // 6.2 % x 184,500 = 11,439; 1.45 % x 300,000 = 4,350; 0.9 % x 100,000
    // = 900.
    let l = one(&tables(), "TX", Filing::Single, wages(300_000.0));
    assert!(close(l.fica, 16_689.0, 1e-6), "{}", l.fica);
    // Joint: 0.9 % x min(200,000 + 100,000 - 250,000, 200,000) = 450.
    let t = tables();
    let y = t.for_year(0, 0.0);
    let h = Household {
        other_income: 100_000.0,
        ..household(Filing::Joint)
    };
    let l = year(
        &y,
        &h,
        &[(at(&t, "TX", None), wages(200_000.0))],
        &mut Carry::default(),
    );
    assert!(
        close(l.fica, 11_439.0 + 2_900.0 + 450.0, 1e-6),
        "{}",
        l.fica
    );
}

#[test]
fn long_term_gains_stack_on_ordinary_income() {
    let t = tables();
    // Wages 100,000 + long 50,000: taxable 133,900, ordinary part 83,900
    // above the 0 % top (49,450): all 50,000 at 15 % = 7,500; ordinary
    // 1,240 + 4,560 + 22 % x 33,500 = 13,170. Total 20,670.
    let l = one(
        &t,
        "TX",
        Filing::Single,
        Income {
            wages: 100_000.0,
            long_gain: 50_000.0,
            ..Income::default()
        },
    );
    assert!(
        close(l.federal.regular, 20_670.0, 1e-6),
        "{}",
        l.federal.regular
    );
    // Wages 30,000 + long 40,000: taxable 53,900, ordinary 13,900 (tax
    // 1,240 + 12 % x 1,500 = 1,420); 35,550 at 0 %, 4,450 at 15 % = 667.50.
    let l = one(
        &t,
        "TX",
        Filing::Single,
        Income {
            wages: 30_000.0,
            long_gain: 40_000.0,
            ..Income::default()
        },
    );
    assert!(
        close(l.federal.regular, 2_087.5, 1e-6),
        "{}",
        l.federal.regular
    );
    // Wages 600,000 + long 100,000: ordinary 583,900 above the 15 % top
    // (545,500): all at 20 % = 20,000 on top of the ordinary tax.
    let l = one(
        &t,
        "TX",
        Filing::Single,
        Income {
            wages: 600_000.0,
            long_gain: 100_000.0,
            ..Income::default()
        },
    );
    let y = t.for_year(0, 0.0);
    let ord = y.federal.ordinary[0].tax(583_900.0);
    assert!(close(l.federal.regular, ord + 20_000.0, 1e-6));
    // NIIT: 3.8 % x min(100,000, 700,000 - 200,000) = 3,800.
    assert!(close(l.federal.niit, 3_800.0, 1e-6));
}

#[test]
fn short_term_gains_are_ordinary_and_long_term_preferential() {
    // The same 50,000 gain, sold at 11 months (short) and 13 (long).
    let t = tables();
    let short = one(
        &t,
        "TX",
        Filing::Single,
        Income {
            wages: 200_000.0,
            short_gain: 50_000.0,
            ..Income::default()
        },
    );
    let long = one(
        &t,
        "TX",
        Filing::Single,
        Income {
            wages: 200_000.0,
            long_gain: 50_000.0,
            ..Income::default()
        },
    );
    let y = t.for_year(0, 0.0);
    let o = &y.federal.ordinary[0];
    assert!(close(short.federal.regular, o.tax(233_900.0), 1e-6));
    assert!(close(
        long.federal.regular,
        o.tax(183_900.0) + 7_500.0,
        1e-6
    ));
    // NIIT on both: 3.8 % x min(50,000, 250,000 - 200,000) = 1,900.
    assert!(close(short.federal.niit, 1_900.0, 1e-6));
    assert!(close(long.federal.niit, 1_900.0, 1e-6));
}

#[test]
fn niit_only_above_the_threshold() {
    let t = tables();
    // MAGI 230,000: 3.8 % x min(50,000, 30,000) = 1,140.
    let l = one(
        &t,
        "TX",
        Filing::Single,
        Income {
            wages: 180_000.0,
            long_gain: 50_000.0,
            ..Income::default()
        },
    );
    assert!(close(l.federal.niit, 1_140.0, 1e-6), "{}", l.federal.niit);
    // MAGI 190,000: none. Wages alone: none.
    let l = one(
        &t,
        "TX",
        Filing::Single,
        Income {
            wages: 140_000.0,
            long_gain: 50_000.0,
            ..Income::default()
        },
    );
    assert_eq!(l.federal.niit, 0.0);
    assert_eq!(
        one(&t, "TX", Filing::Single, wages(900_000.0)).federal.niit,
        0.0
    );
}

/// Single, Texas, wages 200,000, standard deduction, with an ISO spread.
/// Regular: taxable 183,900: 1,240 + 4,560 + 12,166 + 24 % x 78,200 =
/// 18,768: 36,734. Form 6251: line 1 = 183,900, line 2a = 16,100 (the
/// standard deduction), line 2i = the spread.
fn iso(spread: f64) -> Liability {
    one(
        &tables(),
        "TX",
        Filing::Single,
        Income {
            wages: 200_000.0,
            iso_preference: spread,
            ..Income::default()
        },
    )
}

#[test]
fn amt_iso_spread_below_the_exemption_phase_out() {
    // AMTI 300,000 < 500,000: exemption 90,100; base 209,900 < 244,500:
    // TMT 26 % x 209,900 = 54,574; AMT 54,574 - 36,734 = 17,840.
    let l = iso(100_000.0);
    assert!(close(l.federal.regular, 36_734.0, 1e-6));
    assert!(close(l.federal.tentative_minimum, 54_574.0, 1e-6));
    assert!(close(l.federal.amt, 17_840.0, 1e-6));
    assert!(close(l.federal.total, 54_574.0, 1e-6));
}

#[test]
fn amt_iso_spread_into_the_28_percent_bracket() {
    // AMTI 400,000: exemption 90,100; base 309,900: 26 % x 244,500 = 63,570
    // + 28 % x 65,400 = 18,312: TMT 81,882; AMT 45,148.
    let l = iso(200_000.0);
    assert!(close(l.federal.tentative_minimum, 81_882.0, 1e-6));
    assert!(close(l.federal.amt, 45_148.0, 1e-6));
}

#[test]
fn amt_iso_spread_inside_the_exemption_phase_out() {
    // AMTI 600,000: exemption 90,100 - 50 % x 100,000 = 40,100; base
    // 559,900: 63,570 + 28 % x 315,400 = 88,312: TMT 151,882; AMT 115,148.
    let l = iso(400_000.0);
    assert!(close(l.federal.tentative_minimum, 151_882.0, 1e-6));
    assert!(close(l.federal.amt, 115_148.0, 1e-6));
    // Fully phased out from AMTI 680,200: base = AMTI.
    let l = iso(600_000.0);
    assert!(close(
        l.federal.tentative_minimum,
        63_570.0 + 0.28 * 555_500.0,
        1e-6
    ));
}

#[test]
fn amt_keeps_long_term_gains_at_their_rates() {
    // Wages 200,000, long 100,000, spread 100,000: regular taxable 283,900,
    // ordinary part 183,900: regular = 36,734 + 15,000 = 51,734. AMTI
    // 400,000, base 309,900; Part III: 100,000 at 15 % = 15,000 + AMT rates
    // on 209,900 = 54,574: 69,574 (< 28 % route 81,882). AMT 17,840.
    let l = one(
        &tables(),
        "TX",
        Filing::Single,
        Income {
            wages: 200_000.0,
            long_gain: 100_000.0,
            iso_preference: 100_000.0,
            ..Income::default()
        },
    );
    assert!(close(l.federal.regular, 51_734.0, 1e-6));
    assert!(close(l.federal.tentative_minimum, 69_574.0, 1e-6));
    assert!(close(l.federal.amt, 17_840.0, 1e-6));
}

#[test]
fn minimum_tax_credit_comes_back_and_never_exceeds_what_was_paid() {
    let t = tables();
    let y = t.for_year(0, 0.0);
    let h = household(Filing::Single);
    let r = at(&t, "TX", None);
    let mut carry = Carry::default();
    let first = year(
        &y,
        &h,
        &[(
            r,
            Income {
                wages: 200_000.0,
                iso_preference: 100_000.0,
                ..Income::default()
            },
        )],
        &mut carry,
    );
    assert!(close(first.federal.amt, 17_840.0, 1e-6));
    assert!(close(carry.min_tax_credit, 17_840.0, 1e-6));
    // Later years, wages 200,000: regular 36,734, TMT 26 % x 109,900 =
    // 28,574: 8,160 a year comes back: 8,160, 8,160, 1,520, then nothing.
    let mut used = Vec::new();
    for _ in 0..5 {
        let l = year(&y, &h, &[(r, wages(200_000.0))], &mut carry);
        assert!(l.federal.total >= l.federal.tentative_minimum - 1e-9);
        used.push(l.federal.credit_used);
    }
    assert!(close(used[0], 8_160.0, 1e-6) && close(used[1], 8_160.0, 1e-6));
    assert!(close(used[2], 1_520.0, 1e-6), "{used:?}");
    assert_eq!(used[3], 0.0);
    assert!(close(used.iter().sum::<f64>(), 17_840.0, 1e-6));
    assert!(carry.min_tax_credit.abs() < 1e-6);
}

#[test]
fn no_spread_no_amt_and_no_credit() {
    // Single, wages 100,000, no spread: AMTI 100,000 (the standard deduction
    // added back), base 9,900 x 26 % = 2,574 < regular: no AMT, no credit.
    let t = tables();
    let y = t.for_year(0, 0.0);
    let mut carry = Carry::default();
    let l = year(
        &y,
        &household(Filing::Single),
        &[(at(&t, "TX", None), wages(100_000.0))],
        &mut carry,
    );
    assert_eq!(l.federal.amt, 0.0);
    assert_eq!(carry.min_tax_credit, 0.0);
}

#[test]
fn capital_loss_deducts_3000_and_carries_the_rest() {
    let t = tables();
    let y = t.for_year(0, 0.0);
    let h = household(Filing::Single);
    let r = at(&t, "TX", None);
    let mut carry = Carry::default();
    let l = year(
        &y,
        &h,
        &[(
            r,
            Income {
                wages: 100_000.0,
                short_gain: -10_000.0,
                ..Income::default()
            },
        )],
        &mut carry,
    );
    assert!(close(l.federal.agi, 97_000.0, 1e-9));
    assert_eq!(
        carry,
        Carry {
            short_loss: 7_000.0,
            // The AMT's own carry, the same where its gains are the same.
            amt_short_loss: 7_000.0,
            ..Carry::default()
        }
    );
    // Next year a 5,000 long gain: net -2,000, all deducted, nothing left.
    let l = year(
        &y,
        &h,
        &[(
            r,
            Income {
                wages: 100_000.0,
                long_gain: 5_000.0,
                ..Income::default()
            },
        )],
        &mut carry,
    );
    assert!(close(l.federal.agi, 98_000.0, 1e-9));
    assert_eq!(carry, Carry::default());
    // Both negative: the 3,000 taken from the short loss first.
    let n = net_gains(-2_000.0, -5_000.0, 0.0, 0.0, 3_000.0);
    assert_eq!(
        (n.in_agi, n.short_carry, n.long_carry),
        (-3_000.0, 0.0, 4_000.0)
    );
    // A carried long loss offsets a short gain first (netting).
    let n = net_gains(10_000.0, 0.0, 0.0, 4_000.0, 3_000.0);
    assert_eq!((n.in_agi, n.preferential), (6_000.0, 0.0));
}

#[test]
fn salt_is_capped_phased_down_and_itemized_when_larger() {
    let t = tables();
    // CA single 300,000: CA tax ~23,661 < cap 40,400: itemized.
    let l = one(&t, "CA", Filing::Single, wages(300_000.0));
    assert!(l.federal.itemized);
    assert!(close(l.federal.deduction, l.state, 1e-9));
    // CA single 700,000: cap 40,400 - 30 % x 195,000 < 10,000: 10,000 <
    // standard: standard.
    let l = one(&t, "CA", Filing::Single, wages(700_000.0));
    assert!(!l.federal.itemized);
    assert!(close(l.federal.deduction, 16_100.0, 1e-9));
}

// ---------------------------------------------------------------------
// States.

#[test]
fn california_single_300k_brackets_and_exemption_credit() {
    // Taxable 300,000 - 5,835.31 = 294,164.69: 1 % x 11,330.08 = 113.3008;
    // 2 % x 15,529.14 = 310.5828; 4 % x 15,532.20 = 621.288; 6 % x 16,454.65
    // = 987.279; 8 % x 15,526.07 = 1,242.0856; 9.3 % x 219,792.55 =
    // 20,440.70715: 23,715.24335. Exemption credit: AGI 42,081.35 above
    // 257,918.65: ceil(16.83) = 17 steps x 6 = 102: 156.47 - 102 = 54.47.
    // 23,660.77335. SDI 1.3 % x 300,000 = 3,900.
    let l = one(&tables(), "CA", Filing::Single, wages(300_000.0));
    assert!(close(l.state, 23_660.773_35, 1e-6), "{}", l.state);
    assert!(close(l.state_payroll, 3_900.0, 1e-9));
}

#[test]
fn california_mental_health_tax_above_1m() {
    let t = tables();
    let y = t.for_year(0, 0.0);
    let ca = &y.states[t.state("CA").unwrap()];
    let sched = &ca.brackets.unwrap()[0];
    // 2,000,000 - 5,835.31 = 1,994,164.69 taxable: brackets + 1 % x
    // 994,164.69 = 9,941.6469; the exemption credit is fully phased out.
    let l = one(&t, "CA", Filing::Single, wages(2_000_000.0));
    let taxable = 1_994_164.69;
    assert!(close(l.state, sched.tax(taxable) + 9_941.646_9, 1e-6));
    assert!(close(sched.tax(taxable), 225_684.566_55, 1e-4));
    // Below 1M of taxable income: no mental health tax.
    let l = one(&t, "CA", Filing::Single, wages(900_000.0));
    assert!(close(l.state, sched.tax(900_000.0 - 5_835.31), 1e-6));
}

#[test]
fn new_york_recapture_at_1_2m_single() {
    // Taxable 1,192,000; NY AGI 1,200,000 > 1,077,550 + 50,000: the full
    // recapture. Brackets: 331.50 + 140.80 + 113.30 + 3,604.50 + 7,950.25 +
    // 59,057.275 + 11,044.425 = 82,242.05; supplemental 2,614 + 30,172 =
    // 32,786: 115,028.05 = 9.65 % x 1,192,000 (115,028) to the rounding of
    // the statute's recapture amounts.
    let l = one(&tables(), "NY-state", Filing::Single, wages(1_200_000.0));
    assert!(close(l.state, 115_028.05, 1e-6), "{}", l.state);
    assert!(close(l.state, 0.0965 * 1_192_000.0, 0.1));
}

#[test]
fn new_york_recapture_phases_in() {
    // Single NY AGI 130,000: taxable 122,000 in the 5.9 % bracket;
    // (130,000 - 107,650) / 50,000 = 0.447 of 567 = 253.449.
    let l = one(&tables(), "NY-state", Filing::Single, wages(130_000.0));
    let main = 331.5 + 140.8 + 113.3 + 3_604.5 + 0.059 * (122_000.0 - 80_650.0);
    assert!(close(l.state, main + 0.447 * 567.0, 1e-6), "{}", l.state);
    // NY payroll: PFL 411.91 (cap) + DBL 31.20.
    assert!(close(l.state_payroll, 411.91 + 31.2, 1e-9));
}

#[test]
fn new_york_city_brackets_and_school_credit() {
    let t = tables();
    // Single 300,000 (NY taxable 292,000): city 3.078 % x 12,000 = 369.36;
    // 3.762 % x 13,000 = 489.06; 3.819 % x 25,000 = 954.75; 3.876 % x
    // 242,000 = 9,379.92: 11,193.09. School credit: income > 250,000, no
    // fixed amount; rate reduction 0.171 % x 12,000 = 20.52 + 0.228 % x
    // 280,000 = 638.40: 658.92. Local 10,534.17.
    let with_city = one(&t, "NY", Filing::Single, wages(300_000.0));
    let state_only = one(&t, "NY-state", Filing::Single, wages(300_000.0));
    let local = with_city.state - state_only.state;
    assert!(close(local, 10_534.17, 1e-6), "{local}");
    // Above 500,000: no credit.
    let with_city = one(&t, "NY", Filing::Single, wages(600_000.0));
    let state_only = one(&t, "NY-state", Filing::Single, wages(600_000.0));
    let city = 369.36 + 489.06 + 954.75 + 0.03876 * (592_000.0 - 50_000.0);
    assert!(close(with_city.state - state_only.state, city, 1e-6));
}

#[test]
fn massachusetts_rates_surtax_and_short_term_gains() {
    let t = tables();
    // Single wages 300,000, short 10,000, long 20,000: Part B 300,000 -
    // 2,000 FICA - 4,400 = 293,600 x 5 % = 14,680; A 10,000 x 8.5 % = 850;
    // C 20,000 x 5 % = 1,000: 16,530.
    let l = one(
        &t,
        "MA",
        Filing::Single,
        Income {
            wages: 300_000.0,
            short_gain: 10_000.0,
            long_gain: 20_000.0,
            ..Income::default()
        },
    );
    assert!(close(l.state, 16_530.0, 1e-6), "{}", l.state);
    // Wages 2,000,000: taxable 1,993,600: 5 % = 99,680 + 4 % x (1,993,600 -
    // 1,107,700) = 35,436: 135,116. PFML 0.46 % x 184,500 = 848.70.
    let l = one(&t, "MA", Filing::Single, wages(2_000_000.0));
    assert!(close(l.state, 135_116.0, 1e-6), "{}", l.state);
    assert!(close(l.state_payroll, 848.7, 1e-9));
}

#[test]
fn washington_capital_gains_tax_and_payroll() {
    // Long gain 1,500,000 less 284,000 = 1,216,000: 7 % x 1,000,000 +
    // 9.9 % x 216,000 = 91,384. WA Cares 0.58 % x 200,000 = 1,160; PFML
    // 0.8071 % x 184,500 = 1,489.0995.
    let l = one(
        &tables(),
        "WA",
        Filing::Single,
        Income {
            wages: 200_000.0,
            long_gain: 1_500_000.0,
            ..Income::default()
        },
    );
    assert!(close(l.state, 91_384.0, 1e-6), "{}", l.state);
    assert!(close(l.state_payroll, 1_160.0 + 1_489.099_5, 1e-6));
    // Wages alone: nothing but payroll.
    assert_eq!(
        one(&tables(), "WA", Filing::Single, wages(500_000.0)).state,
        0.0
    );
}

#[test]
fn no_wage_tax_states_take_nothing() {
    let t = tables();
    for s in ["TX", "AK", "FL", "NV", "NH", "SD", "TN", "WY"] {
        let l = one(
            &t,
            s,
            Filing::Joint,
            Income {
                wages: 400_000.0,
                long_gain: 100_000.0,
                ..Income::default()
            },
        );
        assert_eq!((l.state, l.state_payroll), (0.0, 0.0), "{s}");
    }
}

#[test]
fn two_residences_each_tax_their_own_items() {
    let t = tables();
    let y = t.for_year(0, 0.0);
    let h = household(Filing::Single);
    let ca = at(&t, "CA", None);
    let tx = at(&t, "TX", None);
    let l = year(
        &y,
        &h,
        &[(ca, wages(150_000.0)), (tx, wages(150_000.0))],
        &mut Carry::default(),
    );
    let ca_alone = one(&t, "CA", Filing::Single, wages(150_000.0));
    assert!(close(l.state, ca_alone.state, 1e-9));
    // Federal on the sum: 300,000 of wages (itemizing the CA tax).
    assert!(close(l.federal.agi, 300_000.0, 1e-9));
    assert!(close(l.fica, 16_689.0, 1e-6));
}

// ---------------------------------------------------------------------
// Indexing.

#[test]
fn indexing_grows_indexed_thresholds_and_keeps_the_others() {
    let t = tables();
    let i = 0.03;
    let g = 1.03f64 * 1.03;
    let y0 = t.for_year(0, i);
    let y2 = t.for_year(2, i);
    let (f0, f2) = (&y0.federal, &y2.federal);
    assert_eq!(y2.year, 2028);
    assert!(close(f2.ordinary[0].start[1], 12_400.0 * g, 1e-6));
    assert!(close(f2.standard[1], 32_200.0 * g, 1e-6));
    assert!(close(f2.amt_exemption[0], 90_100.0 * g, 1e-6));
    assert!(close(f2.amt_breakpoint[0], 244_500.0 * g, 1e-6));
    assert!(close(f2.cg_fifteen_top[1], 613_700.0 * g, 1e-6));
    assert!(close(f2.ss_base, 184_500.0 * g, 1e-6));
    assert_eq!(f2.ordinary[0].rate, f0.ordinary[0].rate);
    // Not indexed: NIIT, additional Medicare, the loss limit.
    assert_eq!(f2.niit_threshold, [200_000.0, 250_000.0]);
    assert_eq!(f2.addl_threshold, [200_000.0, 250_000.0]);
    assert_eq!(f2.loss_limit, 3_000.0);
    // SALT by its statute: 1 % a year through 2029, 10,000 from 2030.
    assert!(close(f2.salt_cap, 40_400.0 * 1.01 * 1.01, 1e-6));
    assert!(close(
        t.for_year(3, i).federal.salt_cap,
        40_400.0 * 1.01f64.powi(3),
        1e-6
    ));
    assert_eq!(t.for_year(4, i).federal.salt_cap, 10_000.0);
    // CA brackets indexed; NY's and NYC's not; CA's 1M surtax not.
    let ca = t.state("CA").unwrap();
    let ny = t.state("NY").unwrap();
    let b = |y: &YearTables, s: usize| y.states[s].brackets.unwrap()[0].start[1];
    assert!(close(b(&y2, ca), 11_330.08 * g, 1e-6));
    assert_eq!(b(&y2, ny), 8_500.0);
    assert_eq!(y2.cities[0].brackets[0].start[1], 12_000.0);
    assert_eq!(y2.states[ca].surtax.unwrap().threshold, [1e6, 1e6]);
}

#[test]
fn indexing_by_inflation_keeps_real_tax_on_real_wages_in_texas_below_niit() {
    // Wages growing with inflation, everything federal indexed except what
    // the law leaves: the ordinary tax grows by exactly (1 + i)^k.
    let t = tables();
    let h = household(Filing::Single);
    let r = at(&t, "TX", None);
    let base = year(
        &t.for_year(0, 0.03),
        &h,
        &[(r, wages(150_000.0))],
        &mut Carry::default(),
    );
    let g = 1.03f64.powi(5);
    let later = year(
        &t.for_year(5, 0.03),
        &h,
        &[(r, wages(150_000.0 * g))],
        &mut Carry::default(),
    );
    assert!(close(later.federal.total, base.federal.total * g, 1e-6));
}

// ---------------------------------------------------------------------
// Properties.

fn any_state() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("CA"),
        Just("NY"),
        Just("NY-state"),
        Just("MA"),
        Just("WA"),
        Just("TX")
    ]
}

fn residence(t: &Tables, s: &str) -> Residence {
    match s {
        "NY" => at(t, "NY", Some("NYC")),
        "NY-state" => at(t, "NY", None),
        s => at(t, s, None),
    }
}

#[test]
fn the_amt_nets_its_own_capital_losses_with_its_own_3000_limit() {
    // ISO shares written off: a $466,667 regular loss and $133,333 more for
    // the AMT (its basis was the 409A value). Both sides deduct $3,000, so
    // the AMT income is what it would be without the AMT adjustment; the
    // AMT carries its own larger loss.
    let t = tables();
    let y = t.for_year(0, 0.0);
    let r = at(&t, "TX", None);
    let h = household(Filing::Single);
    let base = Income {
        wages: 200_000.0,
        long_gain: -466_667.0,
        ..Income::default()
    };
    let written_off = Income {
        amt_long_gain: -133_333.0,
        ..base
    };
    let mut c0 = Carry {
        min_tax_credit: 30_158.0,
        ..Carry::default()
    };
    let mut c1 = c0;
    let plain = year(&y, &h, &[(r, base)], &mut c0);
    let amt = year(&y, &h, &[(r, written_off)], &mut c1);
    assert!(close(
        amt.federal.tentative_minimum,
        plain.federal.tentative_minimum,
        1e-9
    ));
    assert!(amt.federal.tentative_minimum > 20_000.0);
    assert!(close(amt.federal.total, plain.federal.total, 1e-9));
    assert!(close(c1.long_loss, 466_667.0 - 3_000.0, 1e-6));
    assert!(close(
        c1.amt_long_loss,
        466_667.0 + 133_333.0 - 3_000.0,
        1e-6
    ));
    // A gain instead: the AMT taxes $133,333 less of it.
    let gain = Income {
        wages: 200_000.0,
        long_gain: 466_667.0,
        amt_long_gain: -133_333.0,
        ..Income::default()
    };
    let mut c2 = Carry::default();
    let with = year(&y, &h, &[(r, gain)], &mut c2);
    let mut c3 = Carry::default();
    let without = year(
        &y,
        &h,
        &[(
            r,
            Income {
                wages: 200_000.0,
                long_gain: 466_667.0 - 133_333.0,
                ..Income::default()
            },
        )],
        &mut c3,
    );
    assert!(
        close(
            with.federal.tentative_minimum,
            without.federal.tentative_minimum,
            1e-6
        ),
        "{:?}\n{:?}",
        with.federal,
        without.federal
    );
    assert!(close(
        with.federal.tentative_minimum,
        without.federal.tentative_minimum,
        1e-6
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn tax_is_never_negative_nor_nan(
        state in any_state(),
        joint in any::<bool>(),
        w in 0.0f64..5e6,
        o in 0.0f64..1e6,
        s in -2e6f64..2e6,
        l in -2e6f64..5e6,
        iso in 0.0f64..3e6,
        other in 0.0f64..1e6,
        itemized in 0.0f64..2e5,
        credit in 0.0f64..2e5,
        cs in 0.0f64..1e5,
        cl in 0.0f64..1e5,
        k in 0u32..10,
    ) {
        let t = tables();
        let y = t.for_year(k, 0.025);
        let h = Household {
            filing: if joint { Filing::Joint } else { Filing::Single },
            other_income: other,
            itemized_deductions: itemized,
        };
        let inc = Income { wages: w, ordinary: o, short_gain: s, long_gain: l, iso_preference: iso, ..Income::default() };
        let mut carry = Carry { min_tax_credit: credit, short_loss: cs, long_loss: cl, amt_short_loss: cs, amt_long_loss: cl };
        let before = carry;
        let li = year(&y, &h, &[(residence(&t, state), inc)], &mut carry);
        for v in [li.federal.total, li.fica, li.state, li.state_payroll, li.federal.amt,
                  li.federal.niit, li.federal.regular, li.federal.credit_used] {
            prop_assert!(v.is_finite() && v >= 0.0, "{v} in {li:?}");
        }
        prop_assert!(li.federal.marginal_rate.is_finite());
        prop_assert!(li.federal.credit_used <= before.min_tax_credit + 1e-9);
        prop_assert!(carry.min_tax_credit >= 0.0 && carry.short_loss >= 0.0 && carry.long_loss >= 0.0);
        prop_assert!(carry.min_tax_credit <= before.min_tax_credit + li.federal.amt + 1e-9);
    }

    #[test]
    fn tax_is_monotone_in_wages(
        state in any_state(),
        joint in any::<bool>(),
        w in 0.0f64..3e6,
        dw in 0.0f64..2e5,
        l in 0.0f64..1e6,
        iso in 0.0f64..1e6,
        other in 0.0f64..5e5,
        credit in 0.0f64..1e5,
    ) {
        let t = tables();
        let y = t.for_year(0, 0.0);
        let h = Household {
            filing: if joint { Filing::Joint } else { Filing::Single },
            other_income: other,
            itemized_deductions: 0.0,
        };
        let r = residence(&t, state);
        let run = |w: f64| {
            let inc = Income { wages: w, long_gain: l, iso_preference: iso, ..Income::default() };
            let mut carry = Carry { min_tax_credit: credit, ..Carry::default() };
            year(&y, &h, &[(r, inc)], &mut carry).total()
        };
        let (a, b) = (run(w), run(w + dw));
        prop_assert!(b >= a - 1e-6, "{a} at {w}, {b} at {}", w + dw);
    }
}
