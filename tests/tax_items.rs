//! What the engine hands the tax module (model.md section 10): each year's
//! income items of a strategy, checked to the cent on worlds where every
//! event is certain (`exit_month`, zero sigmas, no rounds), and the year's
//! liability the measures carry checked against `tcsim::tax::year` on those
//! items (the tax module itself is checked against independent engines in
//! `tests/tax_vectors.rs`).
//!
//! The startup below is worth $10 a share at its mark ($100M over 10M
//! shares) and is acquired for 2 x $100M: $20 a share to common (no
//! preference). Options at $4 are fully vested (granted 12 months before
//! month 0); the holder leaves at month 12 and buys at the window's end,
//! month 15 (year 2), at a 409A value of 0.6 x $10 = $6: a $2 spread.

mod common;

use tcsim::engine::ledger::TaxYear;
use tcsim::engine::trace::replay;
use tcsim::engine::{Engine, World};
use tcsim::model::{CompanyKind, GrantKind, Scenario, TaxSettings, TaxType};
use tcsim::schema::Measure;
use tcsim::tax::{Carry, Filing, Household, Income, Residence, Tables};

fn file(exit_month: u32, units: u32, window: u32, cash_base: u32) -> String {
    format!(
        r#"
[simulation]
years = 4
runs = 4
seed = 5

[companies.startup]
type = "private"
valuation = 100_000_000
shares = 10_000_000
exit_month = {exit_month}
ipo_fraction = 0.0
exit_multiple = {{ median = 2.0, sigma = 0.0 }}

[jobs.cash]
base = {cash_base}

[jobs.startup]
company = "startup"
base = 0

[[jobs.startup.grants]]
kind = "option"
units = {units}
strike = 4.0
vesting = [100]
frequency = "annual"
granted_months_ago = 12
on_leave = "exercise"
exercise_window_months = {window}

[strategies.leave]
path = [{{ job = "startup", months = 12 }}, {{ job = "cash" }}]
"#
    )
}

/// The scenario of `text` with `[tax]` (single, living in `state`) and the
/// startup's 409A value at 0.6 of the mark; `tax_type` set on every option
/// grant.
fn taxed(text: &str, tax_type: TaxType, state: &str) -> Scenario {
    taxed_at(text, tax_type, state, 0.6)
}

/// [`taxed`] with the 409A value at `fmv_fraction` of the mark.
fn taxed_at(text: &str, tax_type: TaxType, state: &str, fmv_fraction: f64) -> Scenario {
    let mut s = common::scenario(text);
    let tables = Tables::load(2026).expect("tables");
    let residence = Residence {
        state: tables.state(state).expect("state"),
        city: None,
    };
    s.tax = Some(TaxSettings {
        tables,
        household: Household {
            filing: Filing::Single,
            other_income: 0.0,
            itemized_deductions: 0.0,
        },
        residence,
        inflation: 0.0,
    });
    for c in &mut s.companies {
        if let CompanyKind::Private(p) = &mut c.kind {
            p.fmv_fraction = fmv_fraction;
        }
    }
    for j in &mut s.jobs {
        for g in &mut j.grants {
            if let GrantKind::Option { tax_type: t, .. } = &mut g.kind {
                *t = tax_type;
            }
        }
    }
    s
}

/// Each year's tax computation of strategy 0 in run 0.
fn years(s: &Scenario) -> Vec<TaxYear> {
    let (_, traces) = replay(s, 0, Some(0));
    traces.into_iter().next().expect("one trace").taxes
}

/// The sum of a year's items over its residences.
fn items(t: &TaxYear) -> Income {
    t.parts
        .iter()
        .fold(Income::default(), |a, (_, i)| a.plus(i))
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() < 0.005,
        "{what}: got {got:.4}, want {want:.4}"
    );
}

fn assert_items(t: &TaxYear, want: Income) {
    let got = items(t);
    let y = t.year;
    close(&format!("year {y} wages"), got.wages, want.wages);
    close(&format!("year {y} ordinary"), got.ordinary, want.ordinary);
    close(
        &format!("year {y} short gain"),
        got.short_gain,
        want.short_gain,
    );
    close(
        &format!("year {y} long gain"),
        got.long_gain,
        want.long_gain,
    );
    close(
        &format!("year {y} ISO preference"),
        got.iso_preference,
        want.iso_preference,
    );
    close(
        &format!("year {y} AMT short-term adjustment"),
        got.amt_short_gain,
        want.amt_short_gain,
    );
    close(
        &format!("year {y} AMT long-term adjustment"),
        got.amt_long_gain,
        want.amt_long_gain,
    );
}

#[test]
fn an_iso_sold_13_months_after_exercise_is_a_long_term_gain_and_its_amt_preference_reverses() {
    // Bought in month 15, sold at the acquisition in month 28: held 13
    // months, 40 after the grant (month -12): a qualifying disposition.
    let s = taxed(&file(28, 1_000, 3, 0), TaxType::Iso, "TX");
    let t = years(&s);
    assert_items(&t[0], Income::default());
    assert_items(
        &t[1],
        Income {
            iso_preference: 1_000.0 * 2.0,
            ..Income::default()
        },
    );
    assert_items(
        &t[2],
        Income {
            // The AMT's basis is the $6 409A value: its gain is smaller by
            // the $2 spread.
            long_gain: 1_000.0 * (20.0 - 4.0),
            amt_long_gain: -1_000.0 * 2.0,
            ..Income::default()
        },
    );
}

#[test]
fn an_iso_sold_11_months_after_exercise_is_ordinary_income_up_to_the_spread_and_a_short_gain_after()
{
    let s = taxed(&file(26, 1_000, 3, 0), TaxType::Iso, "TX");
    let t = years(&s);
    assert_items(
        &t[1],
        Income {
            iso_preference: 2_000.0,
            ..Income::default()
        },
    );
    assert_items(
        &t[2],
        Income {
            ordinary: 2_000.0,
            short_gain: 16_000.0 - 2_000.0,
            // The AMT saw the spread at exercise: not the ordinary income
            // now, and the same $14,000 gain over its $6 basis.
            iso_preference: -2_000.0,
            ..Income::default()
        },
    );
}

#[test]
fn the_same_gain_sold_at_11_and_13_months_is_taxed_at_the_ordinary_and_at_the_capital_gains_rates()
{
    // NSOs, so the two sales differ only by the holding period: the $14,000
    // gain over the $6 basis, on top of $200,000 of wages (both sales also
    // pay the 3.8 % NIIT: AGI is above $200,000).
    let short = taxed(&file(26, 1_000, 3, 200_000), TaxType::Nso, "TX");
    let long = taxed(&file(28, 1_000, 3, 200_000), TaxType::Nso, "TX");
    let (ts, tl) = (years(&short), years(&long));
    close("short gain", items(&ts[2]).short_gain, 14_000.0);
    close("long gain", items(&tl[2]).long_gain, 14_000.0);
    close("wages", items(&ts[2]).wages, items(&tl[2]).wages);
    let fs = ts[2].liability.federal;
    let fl = tl[2].liability.federal;
    // The same AGI, so the same NIIT; the regular tax differs by the rate
    // gap on the gain: taxable ordinary income $183,900 to $197,900 lies in
    // 2026's 24 % bracket (single, $105,700 to $201,775), long-term gains
    // there are taxed at 15 %: (24 % - 15 %) x $14,000.
    close("AGI", fs.agi, fl.agi);
    close("NIIT", fs.niit, fl.niit);
    close("NIIT rate", fs.niit, 0.038 * 14_000.0);
    close(
        "rate gap",
        fs.regular - fl.regular,
        (0.24 - 0.15) * 14_000.0,
    );
}

#[test]
fn an_nso_exercise_books_the_spread_as_wages_and_the_sale_gains_over_that_basis() {
    let s = taxed(&file(28, 1_000, 3, 0), TaxType::Nso, "TX");
    let t = years(&s);
    assert_items(
        &t[1],
        Income {
            wages: 2_000.0,
            ..Income::default()
        },
    );
    assert_items(
        &t[2],
        Income {
            long_gain: 1_000.0 * (20.0 - 6.0),
            ..Income::default()
        },
    );
    // FICA on the spread: Social Security and Medicare, 7.65 %.
    close("fica", t[1].liability.fica, 0.0765 * 2_000.0);
}

#[test]
fn isos_exercised_more_than_3_months_after_leaving_are_taxed_as_nsos() {
    // A 6-month window: bought in month 18.
    let s = taxed(&file(40, 1_000, 6, 0), TaxType::Iso, "TX");
    let t = years(&s);
    assert_items(
        &t[1],
        Income {
            wages: 2_000.0,
            ..Income::default()
        },
    );
}

#[test]
fn an_iso_sold_in_its_exercise_year_is_no_amt_preference() {
    // Bought in month 15 and sold in month 20, both in year 2.
    let s = taxed(&file(20, 1_000, 3, 0), TaxType::Iso, "TX");
    let t = years(&s);
    assert_items(
        &t[1],
        Income {
            ordinary: 2_000.0,
            short_gain: 14_000.0,
            ..Income::default()
        },
    );
    assert_items(&t[2], Income::default());
}

#[test]
fn the_iso_limit_makes_grant_value_above_100k_a_year_nsos() {
    // 50,000 options at a grant-date 409A value of $6: $300,000, three times
    // IRC 422(d)'s $100,000, all first exercisable in one year: a third are
    // ISOs.
    let s = taxed(&file(40, 50_000, 3, 0), TaxType::Iso, "TX");
    let t = years(&s);
    let spread = 50_000.0 * 2.0;
    assert_items(
        &t[1],
        Income {
            wages: spread * 2.0 / 3.0,
            iso_preference: spread / 3.0,
            ..Income::default()
        },
    );
}

#[test]
fn options_cashed_out_at_an_acquisition_are_wages_for_isos_and_nsos_alike() {
    // Still employed at the acquisition in month 6: the vested options are
    // cancelled for $20 - $4 each, compensation (no ISO is exercised).
    let text = file(6, 1_000, 3, 0).replace(
        r#"path = [{ job = "startup", months = 12 }, { job = "cash" }]"#,
        r#"path = [{ job = "startup" }]"#,
    );
    for tax_type in [TaxType::Iso, TaxType::Nso] {
        let t = years(&taxed(&text, tax_type, "TX"));
        assert_items(
            &t[0],
            Income {
                wages: 16_000.0,
                ..Income::default()
            },
        );
    }
}

#[test]
fn options_exercised_and_sold_at_a_lockups_end_are_ordinary_income_for_isos_and_wages_for_nsos() {
    // An IPO in month 6 at $20 a share with a flat price after it: the
    // options are exercised and sold at the lockup's end, month 12.
    let text = file(6, 1_000, 3, 0)
        .replace(
            r#"path = [{ job = "startup", months = 12 }, { job = "cash" }]"#,
            r#"path = [{ job = "startup" }]"#,
        )
        .replace(
            "ipo_fraction = 0.0",
            "ipo_fraction = 1.0\nafter_ipo = { drift = 0.0, volatility = 0.0, lockup_months = 6 }",
        );
    let iso = years(&taxed(&text, TaxType::Iso, "TX"));
    assert_items(
        &iso[0],
        Income {
            ordinary: 16_000.0,
            ..Income::default()
        },
    );
    let nso = years(&taxed(&text, TaxType::Nso, "TX"));
    assert_items(
        &nso[0],
        Income {
            wages: 16_000.0,
            ..Income::default()
        },
    );
}

#[test]
fn the_iso_clock_starts_at_the_last_month_worked_not_at_the_end_of_continued_vesting() {
    // Laid off in month 1 (a certain layoff), vesting on for 2 months, the
    // window ends in month 6: 5 months after the last month worked, so the
    // ISOs are bought as NSOs.
    let text = file(40, 1_000, 3, 0)
        .replace(
            r#"path = [{ job = "startup", months = 12 }, { job = "cash" }]"#,
            r#"path = [{ job = "startup" }]"#,
        )
        .replace(
            "[[jobs.startup.grants]]",
            "[jobs.startup.layoffs]\nrate = 1.0\nvesting_months = 2\nrehire_months = 600\n\n[[jobs.startup.grants]]",
        );
    let t = years(&taxed(&text, TaxType::Iso, "TX"));
    assert_items(
        &t[0],
        Income {
            wages: 2_000.0,
            ..Income::default()
        },
    );
}

#[test]
fn rsus_at_a_private_company_are_wages_when_they_pay() {
    let text = file(6, 1_000, 3, 0)
        .replace(
            r#"path = [{ job = "startup", months = 12 }, { job = "cash" }]"#,
            r#"path = [{ job = "startup" }]"#,
        )
        .replace(
            "kind = \"option\"\nunits = 1000",
            "kind = \"rsu\"\nunits = 1000",
        )
        .replace("kind = \"option\"", "kind = \"rsu\"")
        .replace("strike = 4.0\n", "")
        .replace("on_leave = \"exercise\"\n", "")
        .replace("exercise_window_months = 3\n", "");
    let t = years(&taxed(&text, TaxType::Iso, "TX"));
    assert_items(
        &t[0],
        Income {
            wages: 1_000.0 * 20.0,
            ..Income::default()
        },
    );
}

#[test]
fn the_minimum_tax_credit_comes_back_in_later_years_and_never_more_than_was_paid() {
    // 10,000 ISOs at a 409A value of the whole $10 mark ($100,000 at grant,
    // all within the limit) bought in year 2: $60,000 of preference on top
    // of $250,000 of wages, so the tentative minimum tax (26 % of $310,000
    // less the $90,100 exemption) exceeds the regular tax. Then the same
    // wages (the sale comes in the last month, year 4): the credit comes back where the
    // regular tax exceeds the tentative minimum tax.
    let s = taxed_at(&file(48, 10_000, 3, 250_000), TaxType::Iso, "TX", 1.0);
    let t = years(&s);
    assert!(t[1].liability.federal.amt > 0.0, "year 2 pays the AMT");
    let mut paid = 0.0_f64;
    let mut used = 0.0_f64;
    for y in &t {
        close(
            &format!("year {} credit carried in", y.year),
            y.carry_in.min_tax_credit,
            (paid - used).max(0.0),
        );
        paid += y.liability.federal.amt;
        used += y.liability.federal.credit_used;
        assert!(
            used <= paid + 1e-9,
            "year {}: used {used} > paid {paid}",
            y.year
        );
    }
    assert!(
        t[2].liability.federal.credit_used > 0.0,
        "year 3 recovers some of the credit"
    );
}

#[test]
fn the_measures_carry_each_years_liability_and_net_is_total_less_tax() {
    let s = taxed(&file(26, 1_000, 3, 150_000), TaxType::Iso, "TX");
    let engine = Engine::new(&s);
    let l = engine.layout().clone();
    let mut world = World::new(&s);
    let mut row = vec![0.0; l.width()];
    engine.run_into(0, &mut world, &mut row);
    let tables = s.tax.as_ref().unwrap();
    let mut carry = Carry::default();
    let mut net_sum = 0.0;
    for (y, ty) in years(&s).iter().enumerate() {
        let yt = tables.tables.for_year(y as u32, tables.inflation);
        let want = tcsim::tax::year(&yt, &tables.household, &ty.parts, &mut carry);
        let at = |m| row[l.at(0, y, m)];
        close("tax_federal", at(Measure::TaxFederal), want.federal.total);
        close("tax_fica", at(Measure::TaxFica), want.fica);
        close("tax_state", at(Measure::TaxState), want.state);
        close("tax", at(Measure::Tax), want.total());
        close("net", at(Measure::Net), at(Measure::Total) - want.total());
        net_sum += at(Measure::Net);
        close("net_cumulative", at(Measure::NetCumulative), net_sum);
    }
}

#[test]
fn a_jobs_state_is_the_residence_of_the_months_it_is_held() {
    // A year in California at $120,000, then the cash job taxed in Texas.
    let mut s = taxed(&file(48, 1_000, 3, 120_000), TaxType::Nso, "TX");
    let ca = s.tax.as_ref().unwrap().tables.state("CA").unwrap();
    let startup = s.jobs.iter().position(|j| j.name == "startup").unwrap();
    s.jobs[startup].residence = Some(Residence {
        state: ca,
        city: None,
    });
    s.jobs[startup].base = tcsim::model::Base::Fixed(120_000.0);
    let t = years(&s);
    assert_eq!(t[0].parts.len(), 1);
    assert_eq!(t[0].parts[0].0.state, ca);
    assert!(t[0].liability.state > 0.0, "California taxes year 1");
    assert!(t[0].liability.state_payroll > 0.0, "and its SDI");
    assert!(t[1].parts.iter().all(|(r, _)| r.state != ca));
    assert_eq!(t[1].liability.state, 0.0, "Texas has no wage tax");
}

#[test]
fn shares_made_worthless_by_a_failure_are_a_capital_loss_netted_by_the_amt_with_its_own_limit() {
    // Failures at a yearly rate of 0.5: the worlds where the startup fails
    // after the exercise in month 15 write the shares off in the failure's
    // year: a loss of the $4 strike paid (the regular basis) and, for the
    // AMT, of the $6 409A value (its basis), long-term when the year's end
    // is more than 12 months after the exercise.
    let text = file(48, 1_000, 3, 0)
        .replace(
            "exit_month = 48\nipo_fraction = 0.0",
            "exit_rate = 0.0\nfailure_rate = 0.5\nipo_fraction = 0.0",
        )
        .replace("runs = 4", "runs = 200");
    let s = taxed(&text, TaxType::Iso, "TX");
    let startup = s
        .companies
        .iter()
        .position(|c| c.name == "startup")
        .unwrap();
    let mut checked = 0;
    for run in 0..200 {
        let (world, traces) = replay(&s, run, Some(0));
        let tcsim::engine::world::Fate::Failure { month } = world.fate(startup) else {
            continue;
        };
        if month <= 15 {
            continue;
        }
        let y = ((month - 1) / 12) as usize;
        let long = 12 * (y as u32 + 1) - 15 > 12;
        let t = &traces[0].taxes;
        // A failure in the exercise's own year (year 2) is a disposition in
        // that year: the AMT never saw the spread, and its basis is the
        // regular one.
        let same_year = y == 1;
        let (gain, amt) = (-1_000.0 * 4.0, if same_year { 0.0 } else { -2_000.0 });
        let mut want = Income::default();
        if long {
            want.long_gain = gain;
            want.amt_long_gain = amt;
        } else {
            want.short_gain = gain;
            want.amt_short_gain = amt;
        }
        assert_items(&t[y], want);
        // Both losses exceed $3,000: each side deducts $3,000 and carries
        // the rest, so the AMT adjustment of the year is 0 and the AMT's
        // carry is larger by its $2,000 of extra loss.
        let c = t[y].carry_out;
        close("regular loss carried", c.short_loss + c.long_loss, 1_000.0);
        close(
            "AMT loss carried",
            c.amt_short_loss + c.amt_long_loss,
            1_000.0 - amt,
        );
        checked += 1;
    }
    assert!(checked >= 20, "{checked} worlds fail after the exercise");
}
