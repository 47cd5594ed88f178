//! The output side of model.md section 10 ("After tax"), in process: with
//! `[tax]` (set on the parsed scenario here until the parser reads it) the
//! tax measures reach `percentiles.csv`, `compare.csv` gains its `measure`
//! column with `cumulative` and `net_cumulative` rows, `samples.csv`, the
//! JSON tables, `sweep.csv`, the summary's verdict and the trace show the
//! after-tax figures; without it every output keeps v1's bytes.
//!
//! The scenario is deterministic (pay only at a public company with zero
//! volatility), so every percentile is the one world's value and the
//! expected taxes come from `tcsim::tax::year` on the known wages, not from
//! the engine's rows.

use tcsim::engine::trace::replay;
use tcsim::engine::{Engine, Results};
use tcsim::model::{Scenario, TaxSettings};
use tcsim::report::samples::Samples;
use tcsim::report::{self, Format};
use tcsim::tax::{Carry, Filing, Household, Income, Residence, Tables};

const YEARS: usize = 3;

/// `stay` at $100k base; `switch` at $150k base and an RSU grant worth
/// $40k vesting a quarter a year (a $10 share that never moves): $160k of
/// wages a year. No bonus, no raise: each year's pay is the same.
const TEXT: &str = r#"
[simulation]
years = 3
runs = 11
seed = 5

[companies.c]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.0

[jobs.stay]
company = "c"
base = 100_000

[jobs.offer]
company = "c"
base = 150_000

[[jobs.offer.grants]]
kind = "rsu"
value = 40_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[strategies.stay]
path = [{ job = "stay" }]

[strategies.switch]
path = [{ job = "offer" }]
"#;

/// Each strategy's wages in every year.
const WAGES: [f64; 2] = [100_000.0, 160_000.0];

const INFLATION: f64 = 0.025;

fn household() -> Household {
    Household {
        filing: Filing::Single,
        other_income: 0.0,
        itemized_deductions: 0.0,
    }
}

fn tax_settings(state: &str) -> TaxSettings {
    let tables = Tables::load(2026).expect("the 2026 tables are compiled in");
    let residence = Residence {
        state: tables.state(state).expect("a known state"),
        city: None,
    };
    TaxSettings {
        tables,
        household: household(),
        residence,
        inflation: INFLATION,
    }
}

fn plain(text: &str) -> Scenario {
    tcsim::scenario::parse("inline.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

fn taxed(text: &str) -> Scenario {
    let mut s = plain(text);
    s.tax = Some(tax_settings("CA"));
    s
}

fn simulate(s: &Scenario) -> Results {
    Engine::new(s).simulate(&|_| {})
}

/// The year's liability of one person with `wages` in California, as
/// `tcsim::tax` computes it for 0-based simulation year `k`.
fn known_tax(wages: f64, k: usize) -> f64 {
    let t = tax_settings("CA");
    let year = t.tables.for_year(k as u32, INFLATION);
    let income = Income {
        wages,
        ..Income::default()
    };
    tcsim::tax::year(
        &year,
        &household(),
        &[(t.residence, income)],
        &mut Carry::default(),
    )
    .total()
}

fn tables(s: &Scenario, r: &Results, format: Format) -> (String, String) {
    let mut t = report::tables(format, s, r).expect("tables are written");
    t.truncate(2);
    let [(_, p), (_, c)]: [_; 2] = t.try_into().expect("two tables");
    (String::from_utf8(p).unwrap(), String::from_utf8(c).unwrap())
}

/// A CSV without quoted fields as its header and rows.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let split = |l: &str| l.split(',').map(String::from).collect::<Vec<_>>();
    let header = split(lines.next().expect("a header"));
    (header, lines.map(split).collect())
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn cents(x: f64) -> String {
    format!("{x:.2}")
}

/// A written amount within a cent of `want`: a sum of several years'
/// amounts may round the other way at a half cent.
fn assert_near(written: &str, want: f64, what: &str) {
    let got: f64 = written
        .parse()
        .unwrap_or_else(|_| panic!("{what}: {written:?} is not a number"));
    assert!(
        (got - want).abs() <= 0.0101,
        "{what}: wrote {written}, want {want:.4}"
    );
}

/// `percentiles.csv`'s median of `measure` for `strategy` in 1-based `year`.
fn median(percentiles: &str, strategy: &str, year: usize, measure: &str) -> f64 {
    let (h, rows) = csv_rows(percentiles);
    let (s, y, m, p50) = (
        column(&h, "strategy"),
        column(&h, "year"),
        column(&h, "measure"),
        column(&h, "p50"),
    );
    rows.iter()
        .find(|r| r[s] == strategy && r[y] == year.to_string() && r[m] == measure)
        .unwrap_or_else(|| panic!("no row {strategy},{year},{measure}"))[p50]
        .parse()
        .unwrap()
}

/// The after-tax difference of `switch` against `stay` by 1-based `year`.
fn known_net_diff(year: usize) -> f64 {
    (0..year)
        .map(|k| (WAGES[1] - known_tax(WAGES[1], k)) - (WAGES[0] - known_tax(WAGES[0], k)))
        .sum()
}

#[test]
fn percentiles_csv_with_tax_lists_every_tax_measure_after_v1s() {
    let s = taxed(TEXT);
    let (p, _) = tables(&s, &simulate(&s), Format::Csv);
    let (h, rows) = csv_rows(&p);
    let m = column(&h, "measure");
    let listed: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] == "stay" && r[1] == "1")
        .map(|r| r[m].as_str())
        .collect();
    assert_eq!(
        listed,
        [
            "base",
            "bonus",
            "sign_on",
            "rsu",
            "options",
            "total",
            "cumulative",
            "tax_federal",
            "tax_fica",
            "tax_state",
            "tax_state_payroll",
            "tax",
            "net",
            "net_cumulative"
        ]
    );
    let plain_p = tables(&plain(TEXT), &simulate(&plain(TEXT)), Format::Csv).0;
    assert!(!plain_p.contains("tax") && !plain_p.contains("net"));
}

#[test]
fn net_is_total_less_tax_and_net_cumulative_sums_net_in_the_written_medians() {
    let s = taxed(TEXT);
    let (p, _) = tables(&s, &simulate(&s), Format::Csv);
    for (strategy, wages) in ["stay", "switch"].iter().zip(WAGES) {
        let mut sum = 0.0;
        for year in 1..=YEARS {
            let m = |measure| median(&p, strategy, year, measure);
            assert_eq!(cents(m("total")), cents(wages), "{strategy} year {year}");
            let tax = known_tax(wages, year - 1);
            assert!(tax > 0.2 * wages && tax < 0.5 * wages, "{tax}");
            assert_eq!(cents(m("tax")), cents(tax), "{strategy} year {year}");
            let parts = m("tax_federal") + m("tax_fica") + m("tax_state") + m("tax_state_payroll");
            assert!((parts - m("tax")).abs() <= 0.03, "{strategy} year {year}");
            assert!(m("tax_state_payroll") > 0.0, "CA SDI");
            assert_eq!(
                cents(m("net")),
                cents(wages - tax),
                "{strategy} year {year}"
            );
            sum += wages - tax;
            assert_near(
                &cents(m("net_cumulative")),
                sum,
                &format!("{strategy} year {year}"),
            );
        }
    }
}

#[test]
fn compare_csv_with_tax_has_a_measure_column_with_cumulative_and_net_cumulative_rows() {
    let s = taxed(TEXT);
    let (_, c) = tables(&s, &simulate(&s), Format::Csv);
    let (h, rows) = csv_rows(&c);
    assert_eq!(
        h.join(","),
        "strategy,baseline,year,measure,p_ahead,mean_diff,p5,p10,p25,p50,p75,p90,p95"
    );
    // Per year, the cumulative row then the net_cumulative row.
    let keys: Vec<(String, String)> = rows.iter().map(|r| (r[2].clone(), r[3].clone())).collect();
    let want: Vec<(String, String)> = (1..=YEARS)
        .flat_map(|y| ["cumulative", "net_cumulative"].map(|m| (y.to_string(), m.to_string())))
        .collect();
    assert_eq!(keys, want);
    for r in &rows {
        assert_eq!((r[0].as_str(), r[1].as_str()), ("switch", "stay"));
        let year: usize = r[2].parse().unwrap();
        let want = match r[3].as_str() {
            "cumulative" => (WAGES[1] - WAGES[0]) * year as f64,
            _ => known_net_diff(year),
        };
        assert!(want > 0.0);
        assert_eq!(r[4], "1.0000", "{r:?}");
        for k in 5..r.len() {
            assert_near(&r[k], want, &format!("{} of {r:?}", h[k]));
        }
    }
    // The net difference is the smaller: tax takes part of the raise.
    assert!(known_net_diff(YEARS) < (WAGES[1] - WAGES[0]) * YEARS as f64);
}

#[test]
fn compare_csv_without_tax_keeps_v1_columns() {
    let s = plain(TEXT);
    let (_, c) = tables(&s, &simulate(&s), Format::Csv);
    let mut want =
        String::from("strategy,baseline,year,p_ahead,mean_diff,p5,p10,p25,p50,p75,p90,p95\n");
    for y in 1..=YEARS {
        let d = cents(50_000.0 + 10_000.0 * y as f64 + 50_000.0 * (y as f64 - 1.0));
        want.push_str(&format!(
            "switch,stay,{y},1.0000,{d},{d},{d},{d},{d},{d},{d},{d}\n"
        ));
    }
    assert_eq!(c, want);
}

#[test]
fn compare_json_with_tax_has_the_measure_key_and_the_net_cumulative_rows() {
    let s = taxed(TEXT);
    let r = simulate(&s);
    let (_, c) = tables(&s, &r, Format::Json);
    let v: serde_json::Value = serde_json::from_str(&c).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2 * YEARS);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        &keys[..6],
        [
            "strategy",
            "baseline",
            "year",
            "measure",
            "p_ahead",
            "mean_diff"
        ]
    );
    let net = &rows[2 * YEARS - 1];
    assert_eq!(net["measure"], "net_cumulative");
    assert_eq!(net["year"], YEARS as u64);
    let mean = net["mean_diff"].as_f64().unwrap();
    assert!((mean - known_net_diff(YEARS)).abs() <= 0.0201, "{mean}");
    let (p, _) = tables(&s, &r, Format::Json);
    let p: serde_json::Value = serde_json::from_str(&p).unwrap();
    let measures: Vec<&str> = p
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["measure"].as_str().unwrap())
        .collect();
    for m in [
        "tax_federal",
        "tax_fica",
        "tax_state",
        "tax_state_payroll",
        "tax",
        "net",
        "net_cumulative",
    ] {
        assert!(measures.contains(&m), "percentiles.json lacks {m}");
    }
}

#[test]
fn samples_csv_with_tax_has_the_net_columns_the_net_differences_come_from() {
    let s = taxed(TEXT);
    let engine = Engine::new(&s);
    let l = engine.layout().clone();
    let samples = Samples::new(&s, &l);
    assert_eq!(
        samples.header(),
        "run,strategy,year,total,cumulative,tax,net,net_cumulative\n"
    );
    let mut row = vec![0.0; l.width()];
    let mut world = tcsim::engine::World::new(&s);
    engine.run_into(4, &mut world, &mut row);
    let mut out = samples.header().into_bytes();
    samples.write_run(&mut out, 4, |k| row[k]);
    let text = String::from_utf8(out).unwrap();
    let (h, rows) = csv_rows(&text);
    assert_eq!(rows.len(), 2 * YEARS);
    let col = |name| column(&h, name);
    let mut net_sums = [0.0; 2];
    for r in &rows {
        let s = usize::from(r[col("strategy")] == "switch");
        let year: usize = r[col("year")].parse().unwrap();
        let tax = known_tax(WAGES[s], year - 1);
        assert_eq!(r[col("run")], "4");
        assert_eq!(r[col("total")], cents(WAGES[s]));
        assert_eq!(r[col("tax")], cents(tax));
        assert_eq!(r[col("net")], cents(WAGES[s] - tax));
        net_sums[s] += WAGES[s] - tax;
        assert_near(&r[col("net_cumulative")], net_sums[s], "net_cumulative");
    }
    // The net difference of compare.csv is net_cumulative less the
    // baseline's in the same run.
    let last = |s: &str| -> f64 {
        rows.iter()
            .find(|r| r[1] == s && r[2] == YEARS.to_string())
            .unwrap()[col("net_cumulative")]
        .parse()
        .unwrap()
    };
    assert!((last("switch") - last("stay") - known_net_diff(YEARS)).abs() <= 0.0201);
    // Without [tax], v1's header.
    let p = plain(TEXT);
    let pe = Engine::new(&p);
    assert_eq!(
        Samples::new(&p, pe.layout()).header(),
        "run,strategy,year,total,cumulative\n"
    );
}

/// The verdict line of the summary for `switch`.
fn verdict(summary: &str) -> &str {
    summary
        .lines()
        .find(|l| l.starts_with("switch ahead of stay"))
        .unwrap_or_else(|| panic!("no verdict in\n{summary}"))
}

#[test]
fn summary_verdict_uses_net_cumulative_with_tax() {
    let s = taxed(TEXT);
    let text = report::summary::render(&s, &simulate(&s));
    let net = report::summary::short_dollars(known_net_diff(YEARS));
    let before = report::summary::short_dollars((WAGES[1] - WAGES[0]) * YEARS as f64);
    assert_ne!(net, before);
    assert_eq!(
        verdict(&text),
        format!(
            "switch ahead of stay after tax in 100% of worlds by year {YEARS}; median gain {net} after tax \
             (before tax: ahead in 100%, median gain {before})"
        )
    );
    // The after-tax table: the net cumulative medians at the horizon.
    let at = text
        .find("Net cumulative TC after tax")
        .unwrap_or_else(|| panic!("no after-tax table in\n{text}"));
    let after: Vec<&str> = text[at..].lines().collect();
    assert!(after[1].starts_with("strategy"), "{text}");
    let net_stay: f64 = (0..YEARS).map(|k| WAGES[0] - known_tax(WAGES[0], k)).sum();
    let row: Vec<&str> = after[2].split_whitespace().collect();
    assert_eq!(row[0], "stay");
    assert_eq!(row[2], report::summary::dollars(net_stay));
    assert_eq!(row[4], "baseline");
    assert!(after[3].starts_with("switch") && after[3].ends_with("100.0%"));
    // No private company: no word about unrealized equity.
    assert!(!text.contains("unrealized"));
}

#[test]
fn summary_without_tax_keeps_v1s_text() {
    let s = plain(TEXT);
    let text = report::summary::render(&s, &simulate(&s));
    assert_eq!(
        text,
        "Cumulative TC over 3 years, 11 runs (seed 5)\n\
         strategy      p10   median      p90  ahead of stay\n\
         stay      300,000  300,000  300,000       baseline\n\
         switch    480,000  480,000  480,000         100.0%\n\
         switch ahead of stay in 100% of worlds by year 3; median gain $180k\n"
    );
}

#[test]
fn summary_with_tax_says_unrealized_equity_is_before_tax() {
    let text = TEXT.replace(
        "[jobs.stay]",
        r#"[companies.p]
type = "private"
valuation = 100_000_000
shares = 10_000_000
preference = 0
preferred_fraction = 0.3
exit_rate = 0.0
failure_rate = 0.0
exit_multiple = { median = 1.5, sigma = 0.9 }

[jobs.startup]
company = "p"
base = 120_000

[strategies.startup]
path = [{ job = "startup" }]

[jobs.stay]"#,
    );
    let s = taxed(&text);
    let summary = report::summary::render(&s, &simulate(&s));
    assert!(
        summary.contains("unrealized equity is reported before tax"),
        "{summary}"
    );
    let mut p = plain(&text);
    p.tax = None;
    assert!(!report::summary::render(&p, &simulate(&p)).contains("unrealized"));
}

#[test]
fn trace_prints_each_years_tax_lines() {
    let s = taxed(TEXT);
    let (world, traces) = replay(&s, 2, None);
    let measures = tcsim::schema::Layout::new(&s).measures().to_vec();
    let text = report::trace::render_text(&s, "inline.toml", 2, &world, &traces, &measures);
    // Dollars and cents with thousands separators: 1,234.50.
    let group = |x: f64| {
        let c = cents(x);
        let (whole, frac) = c.split_once('.').unwrap();
        let digits: Vec<char> = whole.chars().collect();
        let mut out = String::new();
        for (i, d) in digits.iter().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(*d);
        }
        format!("{out}.{frac}")
    };
    for (strategy, wages) in ["stay", "switch"].iter().zip(WAGES) {
        let start = text
            .find(&format!("\nstrategy {strategy}\n"))
            .expect("the strategy's ledger");
        let body = &text[start + 1..];
        let body = &body[..body[1..].find("\nstrategy ").map_or(body.len(), |e| e + 1)];
        let mut net_sum = 0.0;
        for year in 1..=YEARS {
            let from = body.find(&format!("  year {year}\n")).unwrap();
            let block = &body[from..];
            let block = &block[..block[1..].find("  year ").map_or(block.len(), |e| e + 1)];
            let t = tax_settings("CA");
            let yt = t.tables.for_year(year as u32 - 1, INFLATION);
            let l = tcsim::tax::year(
                &yt,
                &household(),
                &[(
                    t.residence,
                    Income {
                        wages,
                        ..Income::default()
                    },
                )],
                &mut Carry::default(),
            );
            let line = |label: &str| -> String {
                block
                    .lines()
                    .find(|x| x.trim_start().starts_with(label))
                    .unwrap_or_else(|| panic!("no `{label}` line in\n{block}"))
                    .to_string()
            };
            assert!(block.contains("tax, the year's liability (not withholding):"));
            assert_eq!(
                line("income in CA:").trim(),
                format!("income in CA: wages {}", group(wages))
            );
            for (label, x) in [
                ("AGI", l.federal.agi),
                ("standard deduction", l.federal.deduction),
                ("taxable income", l.federal.taxable),
                ("regular tax", l.federal.regular),
                ("tentative minimum tax", l.federal.tentative_minimum),
                ("federal income tax", l.federal.total),
                ("FICA", l.fica),
                ("state and local income tax", l.state),
                ("state payroll tax", l.state_payroll),
            ] {
                let found = line(label);
                let amount = found[label.len() + 6..].split_whitespace().next().unwrap();
                assert_eq!(amount, group(x), "{label} in {found:?}");
            }
            assert_eq!(cents(l.federal.agi), cents(wages));
            assert!(
                line("AMT").contains("0.00  regular tax exceeds the tentative minimum tax"),
                "{block}"
            );
            let tax = l.total();
            net_sum += wages - tax;
            assert_eq!(
                line("tax ").trim(),
                format!(
                    "tax {}   net {}   net cumulative {}",
                    group(tax),
                    group(wages - tax),
                    group(net_sum)
                )
            );
            let rate = line("federal marginal rate");
            assert!(
                rate.contains(&format!("{:.1}%", 100.0 * l.federal.marginal_rate)),
                "{rate}"
            );
            assert!(
                (0.215..0.40).contains(&l.federal.marginal_rate),
                "{}",
                l.federal.marginal_rate
            );
            // Nothing to say: no NIIT, no credit, no loss carried.
            for quiet in [
                "NIIT",
                "AMT preference",
                "minimum tax credit",
                "capital loss",
                "other household",
            ] {
                assert!(
                    !block.lines().any(|l| l.trim_start().starts_with(quiet)),
                    "{quiet} in\n{block}"
                );
            }
        }
    }
    // Without [tax] no tax block.
    let p = plain(TEXT);
    let (world, traces) = replay(&p, 2, None);
    let measures = tcsim::schema::Layout::new(&p).measures().to_vec();
    let text = report::trace::render_text(&p, "inline.toml", 2, &world, &traces, &measures);
    assert!(!text.contains("tax"), "{text}");
}

#[test]
fn trace_csv_with_tax_has_the_years_tax_and_net_rows() {
    let s = taxed(TEXT);
    let (_, traces) = replay(&s, 0, Some(0));
    let measures = tcsim::schema::Layout::new(&s).measures().to_vec();
    let csv =
        String::from_utf8(report::trace::render_csv(&s, &traces, &measures).unwrap()).unwrap();
    let year1: Vec<&str> = csv.lines().filter(|l| l.starts_with("stay,1,,")).collect();
    let tax = known_tax(WAGES[0], 0);
    let names: Vec<&str> = year1.iter().filter_map(|l| l.split(',').nth(3)).collect();
    assert_eq!(
        names,
        [
            "total",
            "cumulative",
            "tax_federal",
            "tax_fica",
            "tax_state",
            "tax_state_payroll",
            "tax",
            "net",
            "net_cumulative",
        ]
    );
    let pick = |m: &str| -> String {
        year1
            .iter()
            .find(|l| l.split(',').nth(3) == Some(m))
            .unwrap()
            .rsplit(',')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(pick("tax"), cents(tax));
    assert_eq!(pick("net"), cents(WAGES[0] - tax));
    assert_eq!(pick("net_cumulative"), cents(WAGES[0] - tax));
}

#[test]
fn sweep_with_tax_adds_the_net_cumulative_columns_after_v1s() {
    use tcsim::report::sweep::{Point, table};
    let axis = tcsim::scenario::patch::parse_axis("jobs.offer.base=150000").unwrap();
    let point = |s: Scenario| Point {
        values: vec!["150000".into()],
        results: simulate(&s),
        scenario: s,
    };
    let v1 = table(std::slice::from_ref(&axis), &[point(plain(TEXT))]).unwrap();
    let v1_columns = v1.columns.join(",");
    assert_eq!(
        v1_columns,
        "jobs.offer.base,strategy,year,measure,mean,p5,p10,p25,p50,p75,p90,p95,\
         baseline,p_ahead,mean_diff,diff_p5,diff_p10,diff_p25,diff_p50,diff_p75,diff_p90,diff_p95"
    );
    let t = table(std::slice::from_ref(&axis), &[point(taxed(TEXT))]).unwrap();
    let columns = t.columns.join(",");
    assert_eq!(
        columns,
        format!(
            "{v1_columns},net_cumulative_mean,net_cumulative_p5,net_cumulative_p10,\
             net_cumulative_p25,net_cumulative_p50,net_cumulative_p75,net_cumulative_p90,\
             net_cumulative_p95,net_p_ahead,net_mean_diff,net_diff_p5,net_diff_p10,\
             net_diff_p25,net_diff_p50,net_diff_p75,net_diff_p90,net_diff_p95"
        )
    );
    let text = String::from_utf8(report::csv::write(&t).unwrap()).unwrap();
    let (h, rows) = csv_rows(&text);
    let stay = &rows[0];
    let switch = &rows[1];
    let net_stay: f64 = (0..YEARS).map(|k| WAGES[0] - known_tax(WAGES[0], k)).sum();
    assert_near(&stay[column(&h, "net_cumulative_p50")], net_stay, "stay");
    assert_eq!(stay[column(&h, "net_p_ahead")], "");
    assert_eq!(stay[column(&h, "net_diff_p95")], "");
    assert_eq!(switch[column(&h, "net_p_ahead")], "1.0000");
    for c in ["net_mean_diff", "net_diff_p5", "net_diff_p95"] {
        assert_near(&switch[column(&h, c)], known_net_diff(YEARS), c);
    }
    // v1's columns hold v1's values.
    let plain_text = String::from_utf8(report::csv::write(&v1).unwrap()).unwrap();
    let (_, plain_rows) = csv_rows(&plain_text);
    for (a, b) in plain_rows.iter().zip(&rows) {
        assert_eq!(a[..], b[..a.len()]);
    }
}

#[test]
fn no_output_with_tax_writes_nan_infinity_or_an_exponent() {
    let s = taxed(TEXT);
    let r = simulate(&s);
    let (p, c) = tables(&s, &r, Format::Csv);
    let (pj, cj) = tables(&s, &r, Format::Json);
    let summary = report::summary::render(&s, &r);
    for text in [&p, &c, &pj, &cj, &summary] {
        for bad in ["NaN", "nan", "inf", "e+", "e-", "E+"] {
            assert!(!text.contains(bad), "{bad} in\n{text}");
        }
    }
}

/// The text of docs/reference.md's `### {title}` section.
fn reference_section(title: &str) -> &'static str {
    const REFERENCE: &str = include_str!("../docs/reference.md");
    let start = REFERENCE
        .find(&format!("\n### {title}\n"))
        .unwrap_or_else(|| panic!("docs/reference.md has no `### {title}`"));
    let body = &REFERENCE[start + 1..];
    body[..body[4..].find("\n## ").map_or(body.len(), |e| e + 4)]
        .split("\n### ")
        .next()
        .unwrap()
}

#[test]
fn every_measure_and_after_tax_column_has_a_row_in_the_reference() {
    let percentiles = reference_section("`percentiles.csv` and `percentiles.json`");
    for m in tcsim::schema::Measure::ALL {
        assert!(
            percentiles.contains(&format!("\n| `{}` |", m.name())),
            "the measure table of docs/reference.md has no row for `{}`",
            m.name()
        );
    }
    let compare = reference_section("`compare.csv` and `compare.json`");
    assert!(compare.contains("\n| `measure` |"));
    assert!(compare.contains("net_cumulative"));
    let samples = reference_section("`samples.csv`");
    for c in ["tax", "net", "net_cumulative"] {
        assert!(
            samples.contains(&format!("\n| `{c}` |")),
            "samples.csv: {c}"
        );
    }
    let sweep = reference_section("`sweep.csv` and `sweep.json`");
    for c in [
        "net_cumulative_mean",
        "net_p_ahead",
        "net_mean_diff",
        "net_diff_p5",
    ] {
        assert!(sweep.contains(&format!("`{c}`")), "sweep.csv: {c}");
    }
    let trace = reference_section("Trace text");
    for line in [
        "AGI",
        "tentative minimum tax",
        "NIIT",
        "federal marginal rate",
    ] {
        assert!(trace.contains(line), "Trace text: {line}");
    }
    assert!(reference_section("Terminal summary").contains("after tax"));
}
