//! The committed PolicyEngine vectors (tests/tax_vectors/policyengine_2026.csv)
//! through the binary: every wages-only household becomes a strategy of a
//! deterministic scenario (one job paying the household's wages as base, no
//! bonus, no equity, one year; the job's own `state` and `city` set the
//! residence), `tcsim run` writes percentiles.csv, and each strategy's
//! `tax_federal`, `tax_fica` and `tax_state` (state and local) must be within
//! $1 of the oracle, `tax_state_payroll` too, `tax` their sum and `net` the
//! wages less it. One file per filing status, since `filing` belongs to
//! `[tax]`.
//!
//! `tests/tax_vectors.rs` checks the tax module on the same rows; this checks
//! the whole path: the scenario layer, the engine's wages, the measures and
//! the CSV writer.

mod common;

use std::collections::HashMap;
use std::fs;

const POLICYENGINE: &str = include_str!("tax_vectors/policyengine_2026.csv");

/// PolicyEngine computes in 32-bit floats (a few cents at $1M) and
/// percentiles.csv rounds to the cent.
const TOLERANCE: f64 = 1.0;

struct Household {
    id: String,
    state: String,
    city: String,
    wages: f64,
    federal: f64,
    fica: f64,
    state_total: f64,
    state_payroll: f64,
}

fn households(filing: &str) -> Vec<Household> {
    let mut r = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(POLICYENGINE.as_bytes());
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("row");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>()
        })
        .filter(|row| {
            row["filing"] == filing
                && row["long_gain"].parse::<f64>() == Ok(0.0)
                && row["short_gain"].parse::<f64>() == Ok(0.0)
        })
        .map(|row| {
            let num = |k: &str| -> f64 { row[k].parse().expect("number") };
            Household {
                id: row["id"].clone(),
                state: row["state"].clone(),
                city: row["city"].clone(),
                wages: num("wages"),
                federal: num("federal_total"),
                fica: num("fica"),
                state_total: num("state_total"),
                state_payroll: num("state_payroll"),
            }
        })
        .collect()
}

/// One strategy per household, each on its own job taxed where the
/// household lives.
fn scenario(filing: &str, hs: &[Household]) -> String {
    let mut s = format!(
        "[simulation]\nyears = 1\nruns = 10\nseed = 1\n\n[tax]\nyear = 2026\nfiling = \"{filing}\"\nstate = \"TX\"\ninflation = 0.0\n\n"
    );
    for h in hs {
        s.push_str(&format!(
            "[jobs.{id}]\nbase = {wages}\nstate = \"{state}\"\n",
            id = h.id,
            wages = h.wages,
            state = h.state
        ));
        if !h.city.is_empty() {
            s.push_str(&format!("city = \"{}\"\n", h.city));
        }
        s.push('\n');
    }
    for h in hs {
        s.push_str(&format!(
            "[strategies.{id}]\npath = [{{ job = \"{id}\" }}]\n\n",
            id = h.id
        ));
    }
    s
}

/// `(strategy, measure) -> p50` of year 1.
fn medians(csv_text: &str) -> HashMap<(String, String), f64> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.expect("row");
            (
                (rec[0].to_string(), rec[2].to_string()),
                rec[7].parse().expect("p50"),
            )
        })
        .collect()
}

fn check(filing: &str) {
    let hs = households(filing);
    // Six residences (CA, NY, NY + NYC, MA, WA, TX) at six wage levels.
    assert_eq!(hs.len(), 36, "{filing} households");
    let dir = common::tempdir();
    let file = dir.path().join(format!("vectors-{filing}.toml"));
    fs::write(&file, scenario(filing, &hs)).unwrap();
    let out = dir.path().join("out");
    common::run_ok(&file, &out, &[]);
    let m = medians(&fs::read_to_string(out.join("percentiles.csv")).unwrap());
    let mut failures = Vec::new();
    for h in &hs {
        let get = |measure: &str| -> f64 {
            *m.get(&(h.id.clone(), measure.to_string()))
                .unwrap_or_else(|| panic!("{} has no {measure} row", h.id))
        };
        let tax = h.federal + h.fica + h.state_total + h.state_payroll;
        for (measure, want) in [
            ("total", h.wages),
            ("tax_federal", h.federal),
            ("tax_fica", h.fica),
            ("tax_state", h.state_total),
            ("tax_state_payroll", h.state_payroll),
            ("tax", tax),
            ("net", h.wages - tax),
        ] {
            let got = get(measure);
            // The sums carry each part's tolerance.
            let tol = if matches!(measure, "tax" | "net") {
                4.0 * TOLERANCE
            } else {
                TOLERANCE
            };
            if (got - want).abs() > tol {
                failures.push(format!(
                    "{} {measure}: tcsim {got:.2}, PolicyEngine {want:.2}",
                    h.id
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn single_wage_earners_after_tax_match_policyengine_through_the_binary() {
    check("single");
}

#[test]
fn joint_filers_after_tax_match_policyengine_through_the_binary() {
    check("joint");
}
