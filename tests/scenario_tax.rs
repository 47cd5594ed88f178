//! The keys of the after-tax model as the scenario layer reads and checks
//! them (docs/reference.md, "After tax"; model.md section 10): `[tax]`, a
//! job's own `state` and `city`, an option grant's `tax_type` and a private
//! company's `fmv_fraction`; the rules that refuse them where they mean
//! nothing; what `tcsim check` prints of them; and that `tcsim sweep --set`
//! reaches every one. The tax engine is not under test here, only that the
//! settings reach it (a sweep over the state changes the after-tax
//! figures).

use std::fs;

use assert_cmd::cargo::cargo_bin_cmd;
use tcsim::config::Overrides;
use tcsim::error::ScenarioError;
use tcsim::model::{CompanyKind, GrantKind, Scenario, TaxType};
use tcsim::scenario::patch::{apply, parse_axis, points};
use tcsim::scenario::{Rule, parse};
use tcsim::tax::{Filing, Household, Residence, Tables};

fn ok(text: &str) -> Scenario {
    parse("t.toml", text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn err(text: &str) -> ScenarioError {
    match parse("t.toml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

fn tables() -> Tables {
    Tables::load(2026).unwrap()
}

/// The residence of `state` (and `city`) in the 2026 tables.
fn at(state: &str, city: Option<&str>) -> Residence {
    let t = tables();
    let s = t.state(state).unwrap();
    Residence {
        state: s,
        city: city.map(|c| t.city(s, c).unwrap()),
    }
}

/// The tax type of job `job`'s grant `i`, an option.
fn tax_type(s: &Scenario, job: usize, i: usize) -> TaxType {
    match s.jobs[job].grants[i].kind {
        GrantKind::Option { tax_type, .. } => tax_type,
        GrantKind::Rsu => panic!("grant {i} is an RSU grant"),
    }
}

/// The `fmv_fraction` of company `c`, which must be private.
fn fmv_fraction(s: &Scenario, c: usize) -> f64 {
    match &s.companies[c].kind {
        CompanyKind::Private(p) => p.fmv_fraction,
        CompanyKind::Public(_) => panic!("{} is public", s.companies[c].name),
    }
}

const SIM: &str = "[simulation]\nyears = 3\nruns = 100\n";
const COMPANIES: &str = r#"
[companies.bigco]
type = "public"
share_price = 100.0
drift = 0.08
volatility = 0.3

[companies.rocket]
type = "private"
valuation = 1e9
shares = 1e8
exit_rate = 0.1
exit_multiple = { median = 1.5, sigma = 0.9 }
"#;

/// A file: `SIM`, `tax` (a whole `[tax]` table, or empty for none),
/// `COMPANIES` with `rocket_keys` in rocket's table, then `jobs` and a
/// strategy holding the first job named `j`.
fn file(tax: &str, rocket_keys: &str, jobs: &str) -> String {
    format!(
        "{SIM}{tax}\n{COMPANIES}{rocket_keys}\n{jobs}\n[strategies.s]\npath = [{{ job = \"j\" }}]\n"
    )
}

/// Job `j` at `company` with `keys`, and an option grant with `grant_keys`.
fn option_job(company: &str, keys: &str, grant_keys: &str) -> String {
    format!(
        "[jobs.j]\ncompany = \"{company}\"\nbase = 100_000\n{keys}\n[[jobs.j.grants]]\n\
         kind = \"option\"\nunits = 100\nstrike = 1\nvesting = [100]\n{grant_keys}\n"
    )
}

const CA: &str = "[tax]\nstate = \"CA\"\n";

// ------------------------------------------------------------------ [tax]

#[test]
fn tax_settings_take_their_defaults() {
    let s = ok(&file(CA, "", &option_job("bigco", "", "")));
    let t = s.tax.expect("a [tax] table");
    assert_eq!(t.tables.year, 2026);
    assert_eq!(t.tables.year, Tables::years()[0]);
    assert_eq!(
        t.household,
        Household {
            filing: Filing::Single,
            other_income: 0.0,
            itemized_deductions: 0.0,
        }
    );
    assert_eq!(t.residence, at("CA", None));
    assert_eq!(t.residence.state, tables().state("CA").unwrap());
    assert_eq!(t.inflation, 0.025);
}

#[test]
fn tax_settings_are_read_as_written() {
    let tax = "[tax]\nyear = 2026\nfiling = \"joint\"\nstate = \"NY\"\ncity = \"NYC\"\n\
               inflation = 0.03\nother_income = 80_000\nitemized_deductions = 12_500\n";
    let t = ok(&file(tax, "", &option_job("bigco", "", "")))
        .tax
        .unwrap();
    assert_eq!(
        t.household,
        Household {
            filing: Filing::Joint,
            other_income: 80_000.0,
            itemized_deductions: 12_500.0,
        }
    );
    assert_eq!(t.residence, at("NY", Some("NYC")));
    assert_eq!(t.inflation, 0.03);
    // Every state of the tables, the ones without a wage tax included.
    for code in [
        "CA", "NY", "MA", "WA", "TX", "FL", "AK", "NV", "NH", "SD", "TN", "WY",
    ] {
        let t = ok(&file(
            &format!("[tax]\nstate = \"{code}\"\n"),
            "",
            &option_job("bigco", "", ""),
        ))
        .tax
        .unwrap();
        assert_eq!(t.tables.states[t.residence.state], code);
    }
    // No indexing, or a deflation, are choices a file may make.
    for inflation in ["0", "-0.5", "1"] {
        let tax = format!("{CA}inflation = {inflation}\n");
        assert!(
            ok(&file(&tax, "", &option_job("bigco", "", "")))
                .tax
                .is_some()
        );
    }
}

#[test]
fn a_file_without_tax_has_no_tax_settings_residences_or_fmv_fraction() {
    let s = ok(&file("", "", &option_job("rocket", "", "")));
    assert!(s.tax.is_none());
    assert!(s.jobs.iter().all(|j| j.residence.is_none()));
    assert_eq!(fmv_fraction(&s, 1), 1.0);
}

#[test]
fn tax_year_supported() {
    let e = err(&file(
        "[tax]\nyear = 2031\nstate = \"CA\"\n",
        "",
        &option_job("bigco", "", ""),
    ));
    assert_eq!(e.rule, Rule::TaxYearSupported);
    assert_eq!(e.key.to_string(), "tax.year");
    assert_eq!(
        e.message,
        "must be a year with tax tables (supported: 2026), got 2031"
    );
    for year in ["2025", "-1", "9223372036854775807"] {
        let e = err(&file(
            &format!("[tax]\nyear = {year}\nstate = \"CA\"\n"),
            "",
            &option_job("bigco", "", ""),
        ));
        assert_eq!(e.rule, Rule::TaxYearSupported, "{year}");
    }
}

#[test]
fn tax_state_required_and_known() {
    let e = err(&file("[tax]\n", "", &option_job("bigco", "", "")));
    assert_eq!(e.rule, Rule::TaxStateRequired);
    assert!(
        e.message
            .contains("AK, CA, FL, MA, NH, NV, NY, SD, TN, TX, WA, WY")
    );
    let e = err(&file(
        "[tax]\nstate = \"NJ\"\n",
        "",
        &option_job("bigco", "", ""),
    ));
    assert_eq!(e.rule, Rule::TaxStateKnown);
    assert!(e.message.ends_with("got \"NJ\""), "{}", e.message);
    // Codes are upper case, as the tables write them; the message says so.
    let e = err(&file(
        "[tax]\nstate = \"ca\"\n",
        "",
        &option_job("bigco", "", ""),
    ));
    assert_eq!(e.rule, Rule::TaxStateKnown);
    assert!(
        e.message
            .ends_with("got \"ca\" (codes are upper case: \"CA\")"),
        "{}",
        e.message
    );
}

#[test]
fn tax_city_known() {
    let cases = [
        (
            "state = \"CA\"\ncity = \"NYC\"",
            "must be a city of CA with a local income tax in the tax tables, got \"NYC\" (CA has none; the tables have NYC in NY)",
        ),
        (
            "state = \"NY\"\ncity = \"Buffalo\"",
            "must be a city of NY with a local income tax in the tax tables, got \"Buffalo\" (NY has NYC)",
        ),
        (
            "state = \"NY\"\ncity = \"nyc\"",
            "must be a city of NY with a local income tax in the tax tables, got \"nyc\" (codes are upper case: \"NYC\")",
        ),
    ];
    for (keys, want) in cases {
        let e = err(&file(
            &format!("[tax]\n{keys}\n"),
            "",
            &option_job("bigco", "", ""),
        ));
        assert_eq!(e.rule, Rule::TaxCityKnown, "{keys}");
        assert_eq!(e.key.to_string(), "tax.city");
        assert_eq!(e.message, want);
    }
}

#[test]
fn tax_filing_inflation_other_income_and_itemized_deductions_in_range() {
    let cases = [
        ("filing = \"married\"", Rule::TaxFilingKnown, "tax.filing"),
        (
            "inflation = 1.01",
            Rule::TaxInflationInRange,
            "tax.inflation",
        ),
        (
            "inflation = -0.6",
            Rule::TaxInflationInRange,
            "tax.inflation",
        ),
        ("inflation = inf", Rule::FiniteNumber, "tax.inflation"),
        (
            "other_income = -1",
            Rule::TaxOtherIncomeInRange,
            "tax.other_income",
        ),
        (
            "other_income = 2e12",
            Rule::TaxOtherIncomeInRange,
            "tax.other_income",
        ),
        (
            "itemized_deductions = -1",
            Rule::TaxItemizedDeductionsInRange,
            "tax.itemized_deductions",
        ),
        ("itemized = 1", Rule::KnownKey, "tax.itemized"),
        ("year = \"2026\"", Rule::ValueType, "tax.year"),
    ];
    for (line, rule, key) in cases {
        let e = err(&file(
            &format!("{CA}{line}\n"),
            "",
            &option_job("bigco", "", ""),
        ));
        assert_eq!(e.rule, rule, "{line}: {e}");
        assert_eq!(e.key.to_string(), key, "{line}");
    }
}

// ------------------------------------------------- a job's state and city

#[test]
fn a_jobs_state_sets_its_residence() {
    let jobs = format!(
        "{}\n[jobs.remote]\nbase = 1\nstate = \"TX\"\n\n[jobs.home]\nbase = 1\nstate = \"CA\"\n",
        option_job("bigco", "", "")
    );
    let s = ok(&file(CA, "", &jobs));
    assert_eq!(s.jobs[0].residence, None);
    assert_eq!(s.jobs[1].residence, Some(at("TX", None)));
    // The [tax] state written again is still the job's own.
    assert_eq!(s.jobs[2].residence, Some(at("CA", None)));
}

#[test]
fn a_jobs_city_is_a_city_of_its_state_or_of_the_tax_state() {
    let jobs = format!(
        "{}\n[jobs.city]\nbase = 1\nstate = \"NY\"\ncity = \"NYC\"\n",
        option_job("bigco", "", "")
    );
    let s = ok(&file(CA, "", &jobs));
    assert_eq!(s.jobs[1].residence, Some(at("NY", Some("NYC"))));
    // No state of its own: [tax]'s.
    let jobs = format!(
        "{}\n[jobs.city]\nbase = 1\ncity = \"NYC\"\n",
        option_job("bigco", "", "")
    );
    let s = ok(&file("[tax]\nstate = \"NY\"\n", "", &jobs));
    assert_eq!(s.jobs[1].residence, Some(at("NY", Some("NYC"))));
    // A state without a city is that state outside NYC, even when [tax]
    // lives in NYC.
    let jobs = format!(
        "{}\n[jobs.upstate]\nbase = 1\nstate = \"NY\"\n",
        option_job("bigco", "", "")
    );
    let s = ok(&file("[tax]\nstate = \"NY\"\ncity = \"NYC\"\n", "", &jobs));
    assert_eq!(s.jobs[1].residence, Some(at("NY", None)));
}

#[test]
fn job_residence_needs_tax() {
    for (key, line) in [("state", "state = \"TX\""), ("city", "city = \"NYC\"")] {
        let e = err(&file("", "", &option_job("bigco", line, "")));
        assert_eq!(e.rule, Rule::JobResidenceNeedsTax, "{line}");
        assert_eq!(e.key.to_string(), format!("jobs.j.{key}"));
        assert!(
            e.message
                .starts_with("must not be given without a [tax] table"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains(&format!("leave {key} out")),
            "{}",
            e.message
        );
    }
}

#[test]
fn job_state_known_and_job_city_known() {
    let e = err(&file(CA, "", &option_job("bigco", "state = \"Texas\"", "")));
    assert_eq!(e.rule, Rule::JobStateKnown);
    assert_eq!(e.key.to_string(), "jobs.j.state");
    let e = err(&file(CA, "", &option_job("bigco", "city = \"NYC\"", "")));
    assert_eq!(e.rule, Rule::JobCityKnown);
    assert_eq!(e.key.to_string(), "jobs.j.city");
    assert_eq!(
        e.message,
        "must be a city of CA with a local income tax in the tax tables, got \"NYC\" (CA, the [tax] state, has none; the tables have NYC in NY)"
    );
    let e = err(&file(
        CA,
        "",
        &option_job("bigco", "state = \"TX\"\ncity = \"NYC\"", ""),
    ));
    assert_eq!(e.rule, Rule::JobCityKnown);
    assert!(e.message.contains("(TX has none;"), "{}", e.message);
}

// ------------------------------------------------------------- tax_type

#[test]
fn tax_type_defaults_by_company_kind_and_can_be_overridden() {
    let jobs = |company: &str, grant_keys: &str| file(CA, "", &option_job(company, "", grant_keys));
    assert_eq!(tax_type(&ok(&jobs("rocket", "")), 0, 0), TaxType::Iso);
    assert_eq!(tax_type(&ok(&jobs("bigco", "")), 0, 0), TaxType::Nso);
    let nso = "tax_type = \"nso\"";
    let iso = "tax_type = \"iso\"";
    assert_eq!(tax_type(&ok(&jobs("rocket", nso)), 0, 0), TaxType::Nso);
    assert_eq!(tax_type(&ok(&jobs("bigco", iso)), 0, 0), TaxType::Iso);
    assert_eq!(tax_type(&ok(&jobs("rocket", iso)), 0, 0), TaxType::Iso);
    assert_eq!(tax_type(&ok(&jobs("bigco", nso)), 0, 0), TaxType::Nso);
}

/// A grant's tax type is a fact of the grant, like its strike: a file may
/// keep it when it drops `[tax]`, and the defaults apply there too.
#[test]
fn tax_type_without_tax_is_accepted() {
    let s = ok(&file(
        "",
        "",
        &option_job("rocket", "", "tax_type = \"nso\""),
    ));
    assert!(s.tax.is_none());
    assert_eq!(tax_type(&s, 0, 0), TaxType::Nso);
    let s = ok(&file("", "", &option_job("rocket", "", "")));
    assert_eq!(tax_type(&s, 0, 0), TaxType::Iso);
}

#[test]
fn tax_type_only_on_options_and_tax_type_known() {
    let rsu = "[jobs.j]\ncompany = \"bigco\"\nbase = 1\n\n[[jobs.j.grants]]\nkind = \"rsu\"\n\
               units = 10\nvesting = [100]\ntax_type = \"nso\"\n";
    let e = err(&file(CA, "", rsu));
    assert_eq!(e.rule, Rule::TaxTypeOnlyOnOptions);
    assert_eq!(e.key.to_string(), "jobs.j.grants[0].tax_type");
    let e = err(&file(
        CA,
        "",
        &option_job("rocket", "", "tax_type = \"ISO\""),
    ));
    assert_eq!(e.rule, Rule::TaxTypeKnown);
    assert_eq!(e.message, "must be \"iso\" or \"nso\", got \"ISO\"");
}

// ---------------------------------------------------------- fmv_fraction

#[test]
fn fmv_fraction_is_read_and_defaults_to_1() {
    let s = ok(&file(
        CA,
        "fmv_fraction = 0.3\n",
        &option_job("rocket", "", ""),
    ));
    assert_eq!(fmv_fraction(&s, 1), 0.3);
    let s = ok(&file(
        CA,
        "fmv_fraction = 1\n",
        &option_job("rocket", "", ""),
    ));
    assert_eq!(fmv_fraction(&s, 1), 1.0);
    let s = ok(&file(CA, "", &option_job("rocket", "", "")));
    assert_eq!(fmv_fraction(&s, 1), 1.0);
    // A fact of the company: accepted without [tax] too.
    let s = ok(&file(
        "",
        "fmv_fraction = 0.25\n",
        &option_job("rocket", "", ""),
    ));
    assert_eq!(fmv_fraction(&s, 1), 0.25);
}

#[test]
fn fmv_fraction_in_range() {
    for v in ["0", "-0.1", "1.0001", "2"] {
        let e = err(&file(
            CA,
            &format!("fmv_fraction = {v}\n"),
            &option_job("rocket", "", ""),
        ));
        assert_eq!(e.rule, Rule::FmvFractionInRange, "{v}");
        assert_eq!(e.key.to_string(), "companies.rocket.fmv_fraction");
    }
}

#[test]
fn fmv_fraction_on_a_public_company_is_a_private_only_key() {
    let text = file(CA, "", &option_job("bigco", "", "")).replace(
        "volatility = 0.3\n",
        "volatility = 0.3\nfmv_fraction = 0.3\n",
    );
    let e = err(&text);
    assert_eq!(e.rule, Rule::PrivateOnlyKey);
    assert_eq!(e.key.to_string(), "companies.bigco.fmv_fraction");
}

// ------------------------------------------------------------ tcsim check

fn check_output(name: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), text).unwrap();
    let out = cargo_bin_cmd!("tcsim")
        .args(["check", name])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn check_prints_the_tax_settings_residences_tax_types_and_fmv_fraction() {
    let tax = "[tax]\nfiling = \"joint\"\nstate = \"NY\"\ncity = \"NYC\"\nother_income = 80_000\n\
               itemized_deductions = 12_000\n";
    let jobs = format!(
        "{}\n[jobs.remote]\ncompany = \"bigco\"\nbase = 1\nstate = \"TX\"\n\n\
         [[jobs.remote.grants]]\nkind = \"option\"\nunits = 10\nstrike = 5\nvesting = [100]\n\n\
         [[jobs.remote.grants]]\nkind = \"rsu\"\nunits = 10\nvesting = [100]\n\n\
         [jobs.upstate]\nbase = 1\nstate = \"NY\"\n",
        option_job("rocket", "", "on_leave = \"exercise\"")
    );
    let out = check_output("tax.toml", &file(tax, "fmv_fraction = 0.3\n", &jobs));
    let want = "
tax: 2026 tables, filing joint, residence NY (New York), city NYC, brackets indexed 2.5%/yr after 2026, other income 80,000, itemized deductions 12,000

companies:
  bigco: public, share price 100, drift 8.0%, volatility 30.0%
  rocket: private, valuation 1,000,000,000, 100,000,000 shares (10.0000/share), preference 0, exit 10.0%/yr, failure 0.0%/yr
    exits: every exit an acquisition; multiple of the latest valuation median 1.5 (sigma 0.9); preferred 0% of the shares, yearly dilution 0.0%
    after an IPO: drift 8.0%, volatility 50.0%, lockup 6 months (defaults)
    on an acquisition: unvested units keep vesting, each paying the acquisition price (assume)
    409A fair market value (fmv_fraction): 30% of the mark

jobs:
  j at rocket: base 100,000, bonus target 0%, grants: options @ 1 100 units (ISO, exercise window 3 months)
    pay: no merit raise, no promotion (base flat within a stint)
    grant 1: vesting 100% over 1 year, monthly, no cliff; on leaving, vested options are bought at the window's end if in the money (on_leave \"exercise\")
  remote at bigco: base 1, bonus target 0%, grants: options @ 5 10 units (NSO); RSU 10 units
    pay: no merit raise, no promotion (base flat within a stint)
    grant 1: vesting 100% over 1 year, monthly, no cliff
    grant 2: vesting 100% over 1 year, monthly, no cliff
    residence while held: TX (Texas)
  upstate (cash only): base 1, bonus target 0%, grants: none
    pay: no merit raise, no promotion (base flat within a stint)
    residence while held: NY (New York), outside NYC
";
    assert!(out.contains(want), "`{want}` not in\n{out}");
    // The default 409A fraction is shown too, with [tax].
    let out = check_output("tax.toml", &file(CA, "", &option_job("rocket", "", "")));
    assert!(
        out.contains("    409A fair market value (fmv_fraction): 100% of the mark\n"),
        "{out}"
    );
    assert!(out.contains("\ntax: 2026 tables, filing single, residence CA (California), brackets indexed 2.5%/yr after 2026, other income 0, itemized deductions 0\n"), "{out}");
}

/// Without `[tax]` nothing of it is printed: no tax line, no tax types, no
/// 409A line unless the file writes one (which then has no effect).
#[test]
fn check_prints_nothing_of_tax_without_it() {
    let out = check_output(
        "plain.toml",
        &file("", "", &option_job("rocket", "", "tax_type = \"nso\"")),
    );
    assert!(!out.contains("tax"), "{out}");
    assert!(!out.contains("ISO") && !out.contains("NSO"), "{out}");
    assert!(!out.contains("409A"), "{out}");
    let out = check_output(
        "plain.toml",
        &file("", "fmv_fraction = 0.3\n", &option_job("rocket", "", "")),
    );
    assert!(
        out.contains(
            "    409A fair market value (fmv_fraction): 30% of the mark, no effect without [tax]\n"
        ),
        "{out}"
    );
}

// ------------------------------------------------------------ sweep paths

/// Every new key is reached by `--set`, through the points a sweep checks:
/// the `[tax]` keys as numbers and bare words, a company's `fmv_fraction`,
/// a job's `state`, a grant's `tax_type` by its index.
#[test]
fn sweep_sets_the_tax_keys_fmv_fraction_a_jobs_state_and_tax_type() {
    let text = file(CA, "", &option_job("rocket", "", ""));
    let axes = [
        "tax.state=CA,TX",
        "tax.filing=single,joint",
        "tax.inflation=0.03",
        "tax.other_income=50000",
        "tax.itemized_deductions=9000",
        "tax.year=2026",
        "companies.rocket.fmv_fraction=0.3",
        "jobs.j.state=WA",
        "jobs.j.grants[0].tax_type=nso",
    ]
    .map(|a| parse_axis(a).unwrap());
    let pts = points("t.toml", &text, &axes, Overrides::default()).unwrap();
    assert_eq!(pts.len(), 4);
    let first = pts[0].scenario.tax.as_ref().unwrap();
    assert_eq!(first.residence, at("CA", None));
    assert_eq!(first.household.filing, Filing::Single);
    let last = &pts[3].scenario;
    let t = last.tax.as_ref().unwrap();
    assert_eq!(t.residence, at("TX", None));
    assert_eq!(
        t.household,
        Household {
            filing: Filing::Joint,
            other_income: 50_000.0,
            itemized_deductions: 9_000.0,
        }
    );
    assert_eq!(t.inflation, 0.03);
    assert_eq!(fmv_fraction(last, 1), 0.3);
    assert_eq!(last.jobs[0].residence, Some(at("WA", None)));
    assert_eq!(tax_type(last, 0, 0), TaxType::Nso);

    // A whole [tax] table, added to a file that has none.
    let plain = file("", "", &option_job("rocket", "", ""));
    let axes = [parse_axis("tax={ state = \"MA\", filing = \"joint\" }").unwrap()];
    let pts = points("t.toml", &plain, &axes, Overrides::default()).unwrap();
    assert_eq!(
        pts[0].scenario.tax.as_ref().unwrap().residence,
        at("MA", None)
    );
}

/// A point that breaks a tax rule is refused before anything is simulated,
/// naming the point and the rule.
#[test]
fn sweep_refuses_a_point_that_breaks_a_tax_rule() {
    let text = file(CA, "", &option_job("rocket", "", ""));
    for (set, want) in [
        (
            "tax.state=ZZ",
            "--set tax.state=ZZ: tax.state must be the two-letter code of a state in the tax tables",
        ),
        (
            "tax.inflation=2",
            "--set tax.inflation=2: tax.inflation must be in [-0.5, 1], got 2",
        ),
        (
            "jobs.j.grants[0].tax_type=rsu",
            "--set jobs.j.grants[0].tax_type=rsu: jobs.j.grants[0].tax_type must be \"iso\" or \"nso\", got \"rsu\"",
        ),
        (
            "companies.bigco.fmv_fraction=0.5",
            "--set companies.bigco.fmv_fraction=0.5: companies.bigco.fmv_fraction applies only to a private company",
        ),
    ] {
        let axes = [parse_axis(set).unwrap()];
        let e = points("t.toml", &text, &axes, Overrides::default())
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{set}: {e}");
    }
}

/// `tcsim sweep --set tax.state=CA,TX` on the command line: one point per
/// state, the key as a column; and the two points differ after tax: each
/// point's file, run alone, gives other `net_cumulative` figures (CA taxes
/// wages, TX does not) and the same pre-tax ones.
#[test]
fn tcsim_sweep_tax_state_gives_points_that_differ_after_tax() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.toml");
    let text = format!(
        "{SIM}{CA}\n[jobs.j]\nbase = 200_000\nbonus = {{ target = 0.1, sd = 0.2 }}\n\n\
         [strategies.s]\npath = [{{ job = \"j\" }}]\n"
    );
    fs::write(&path, &text).unwrap();
    let out = dir.path().join("out");
    let run = cargo_bin_cmd!("tcsim")
        .arg("sweep")
        .arg(&path)
        .args(["--runs", "50", "--quiet", "--out"])
        .arg(&out)
        .args(["--set", "tax.state=CA,TX"])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines.next().unwrap().starts_with("tax.state,strategy,"),
        "{csv}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[0].starts_with("CA,s,") && rows[1].starts_with("TX,s,"),
        "{csv}"
    );

    // Each point's scenario, run alone with the sweep's runs.
    let axis = [parse_axis("tax.state=CA,TX").unwrap()];
    let rows_of = |i: usize, measure: &str| -> Vec<String> {
        let point = dir.path().join(format!("point{i}.toml"));
        fs::write(&point, apply(&text, &axis, &[i]).unwrap()).unwrap();
        let out = dir.path().join(format!("out{i}"));
        let run = cargo_bin_cmd!("tcsim")
            .arg("run")
            .arg(&point)
            .args(["--runs", "50", "--quiet", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        fs::read_to_string(out.join("percentiles.csv"))
            .unwrap()
            .lines()
            .filter(|l| l.split(',').nth(2) == Some(measure))
            .map(String::from)
            .collect()
    };
    let (ca, tx) = (rows_of(0, "net_cumulative"), rows_of(1, "net_cumulative"));
    assert_eq!(ca.len(), 3, "one row a year");
    assert_ne!(ca, tx, "CA and TX give the same after-tax figures");
    assert_eq!(rows_of(0, "cumulative"), rows_of(1, "cumulative"));
    assert_eq!(rows_of(1, "tax_state"), {
        let zero = ",0.00".repeat(8);
        (1..=3)
            .map(|y| format!("s,{y},tax_state{zero}"))
            .collect::<Vec<_>>()
    });
}
