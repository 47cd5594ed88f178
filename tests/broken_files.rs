//! The broken-scenario catalogue: every file in `tests/broken/` is a
//! near-valid scenario with exactly one problem, and `tcsim run` and
//! `tcsim check` must both reject it the way model.md section 7 promises:
//! exit status 2, one line on stderr of the form
//! `error: FILE:LINE:COL: KEY.PATH rule..., got VALUE`, no panic, and no
//! output written.
//!
//! The first line of each file states what the error must say:
//!
//! ```text
//! # expect: line=N key=some.key.path [mentions=WORD]...
//! ```
//!
//! `line` is the 1-based line of the offending key (counting this comment
//! line), `key` the key path the message must start with (empty for an error
//! that has no key, such as a TOML syntax error), and each `mentions` a word
//! the message must contain (the bad value, or both sides of a reference).
//! Adding a file adds a case. A few cases whose bytes are awkward to commit
//! (an empty file, invalid UTF-8, CRLF line ends, a byte-order mark) are
//! generated below from a valid scenario.
//!
//! Every error must also state a rule (one of [`RULE_PHRASES`]), and the
//! catalogue must cover every rule in the code: [`RULES`] maps each
//! validation rule to the cases that break it, and the tests at the end of
//! this file fail when `src/scenario/check.rs` or `src/scenario/mod.rs`
//! checks something that has no row there (see [`scan_check_rs`]), when a
//! row names a case that does not exist, or when a case is in no row.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::cargo::cargo_bin_cmd;

/// What a case's error message must say.
#[derive(Debug)]
struct Expect {
    line: usize,
    key: String,
    mentions: Vec<String>,
}

/// One broken scenario: a file name and its exact bytes.
struct Case {
    name: String,
    bytes: Vec<u8>,
}

/// Words that name Rust or serde internals; a user-facing message about a
/// scenario file should say "a number", "an integer", "a table" instead.
const INTERNAL_WORDS: [&str; 6] = ["i64", "i128", "u64", "f64", "usize", "struct Raw"];

/// Phrases that state a rule. Every error message must contain one after its
/// key path, so an empty or vague message ("jobs.x.base: bad value") fails;
/// every message written in check.rs must contain one too, and the messages
/// of the TOML/serde layer in mod.rs are found by them.
const RULE_PHRASES: [&str; 14] = [
    "must ",
    "is required",
    "is not a known key",
    "is out of range",
    "invalid TOML",
    "not valid UTF-8",
    "names ",
    "cannot be given",
    "applies only to",
    "is not supported",
    "takes the path",
    "ends the path",
    "starts at",
    "is `",
];

fn broken_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("broken")
}

/// Parses the `# expect:` first line of a case.
fn parse_expect(name: &str, bytes: &[u8]) -> Expect {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = std::str::from_utf8(first)
        .unwrap_or_else(|_| panic!("{name}: the first line is not UTF-8"));
    let first = first.trim_start_matches('\u{feff}').trim_end_matches('\r');
    let rest = first.strip_prefix("# expect:").unwrap_or_else(|| {
        panic!("{name}: the first line must be `# expect: line=N key=PATH`, got {first:?}")
    });
    let mut line = None;
    let mut key = None;
    let mut mentions = Vec::new();
    for token in rest.split_whitespace() {
        match token.split_once('=') {
            Some(("line", n)) => {
                line = Some(
                    n.parse::<usize>()
                        .unwrap_or_else(|_| panic!("{name}: bad line number {n:?}")),
                );
            }
            Some(("key", k)) => key = Some(k.to_string()),
            Some(("mentions", w)) if !w.is_empty() => mentions.push(w.to_string()),
            _ => panic!("{name}: unknown token {token:?} in the expect line"),
        }
    }
    let line = line.unwrap_or_else(|| panic!("{name}: the expect line has no line=N"));
    assert!(
        line >= 1,
        "{name}: line=0 in the expect line; lines are 1-based"
    );
    let key = key
        .unwrap_or_else(|| panic!("{name}: the expect line has no key= (write `key=` for none)"));
    Expect {
        line,
        key,
        mentions,
    }
}

/// Every `*.toml` file in tests/broken/, sorted by name.
fn catalogue() -> Vec<Case> {
    let dir = broken_dir();
    let mut cases: Vec<Case> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| Case {
            name: p
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned(),
            bytes: fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display())),
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// A valid scenario the generated cases are made from. Line 1 is a
/// placeholder for the expect line.
const VALID: &str = r#"# expect: (replaced)
# A valid scenario; each generated case breaks it in one way.
[simulation]
years = 5
runs = 1000

[companies.bigco]
type = "public"
share_price = 180.0
drift = 0.08
volatility = 0.30

[jobs.current]
company = "bigco"
base = 210_000

[[jobs.current.grants]]
kind = "rsu"
value = 400_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"
cliff_months = 12

[strategies.stay]
path = [{ job = "current" }]
"#;

/// `VALID` with its first line replaced by `expect` and `line` (1-based)
/// replaced by `replacement` (raw bytes).
fn valid_with(expect: &str, line: usize, replacement: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, l) in VALID.lines().enumerate() {
        if i == 0 {
            out.extend_from_slice(expect.as_bytes());
        } else if i + 1 == line {
            out.extend_from_slice(replacement);
        } else {
            out.extend_from_slice(l.as_bytes());
        }
        out.push(b'\n');
    }
    out
}

/// Cases whose bytes are awkward to keep as committed files.
fn generated() -> Vec<Case> {
    let negative_volatility = valid_with(
        "# expect: line=11 key=companies.bigco.volatility mentions=-0.3",
        11,
        b"volatility = -0.30",
    );
    let mut crlf = Vec::new();
    for &b in &negative_volatility {
        if b == b'\n' {
            crlf.push(b'\r');
        }
        crlf.push(b);
    }
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(&negative_volatility);
    vec![
        // Zero bytes: not even the expect line, which the test reads as
        // line=1 key=simulation (see `expect_for`).
        Case {
            name: "generated-empty-bytes.toml".into(),
            bytes: Vec::new(),
        },
        // A Latin-1 byte inside a string value.
        Case {
            name: "generated-invalid-utf8-in-value.toml".into(),
            bytes: valid_with("# expect: line=14 key=", 14, b"company = \"bigc\xf6\""),
        },
        // A truncated multi-byte sequence inside a comment: TOML files must be
        // UTF-8 throughout, comments included.
        Case {
            name: "generated-invalid-utf8-in-comment.toml".into(),
            bytes: valid_with("# expect: line=2 key=", 2, b"# caf\xc3 pricing"),
        },
        Case {
            name: "generated-crlf-line-ends.toml".into(),
            bytes: crlf,
        },
        Case {
            name: "generated-byte-order-mark.toml".into(),
            bytes: bom,
        },
    ]
}

fn expect_for(case: &Case) -> Expect {
    if case.bytes.is_empty() {
        return Expect {
            line: 1,
            key: "simulation".into(),
            mentions: Vec::new(),
        };
    }
    parse_expect(&case.name, &case.bytes)
}

fn tcsim(args: &[&std::ffi::OsStr], cwd: &Path) -> Output {
    cargo_bin_cmd!("tcsim")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("tcsim starts")
}

/// Checks one stderr against the contract; returns the problems found.
fn check_stderr(stderr: &str, file: &str, expect: &Expect) -> Vec<String> {
    let mut problems = Vec::new();
    if stderr.contains("panicked") {
        problems.push("stderr contains `panicked`".to_string());
    }
    if !stderr.ends_with('\n') || stderr.matches('\n').count() != 1 {
        problems.push("stderr is not exactly one line ending in a newline".to_string());
    }
    let line_text = stderr.lines().next().unwrap_or_default();
    let prefix = format!("error: {file}:");
    let Some(rest) = line_text.strip_prefix(&prefix) else {
        problems.push(format!("stderr does not start with `{prefix}`"));
        return problems;
    };
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().and_then(|s| s.parse::<usize>().ok());
    let column = parts.next().and_then(|s| s.parse::<usize>().ok());
    let message = parts.next().and_then(|s| s.strip_prefix(' '));
    let (Some(line), Some(column), Some(message)) = (line, column, message) else {
        problems.push("stderr does not continue with `LINE:COL: ` after the file name".to_string());
        return problems;
    };
    if line == 0 || column == 0 {
        problems.push(format!(
            "line and column must be positive, got {line}:{column}"
        ));
    }
    if line != expect.line {
        problems.push(format!(
            "reported line {line}, but the offending key is on line {}",
            expect.line
        ));
    }
    if !expect.key.is_empty() && !message.starts_with(&format!("{} ", expect.key)) {
        problems.push(format!(
            "the message does not start with the key path `{}`",
            expect.key
        ));
    }
    for word in &expect.mentions {
        if !message.contains(word.as_str()) {
            problems.push(format!("the message does not mention `{word}`"));
        }
    }
    for word in INTERNAL_WORDS {
        if message.contains(word) {
            problems.push(format!("the message names a Rust/serde internal (`{word}`) instead of saying what the file should hold"));
        }
    }
    if message.trim().is_empty() {
        problems.push("the message is empty".to_string());
    }
    let rule = message
        .strip_prefix(&format!("{} ", expect.key))
        .unwrap_or(message);
    if !RULE_PHRASES.iter().any(|p| rule.contains(p)) {
        problems.push(format!(
            "the message after the key states no rule (none of {RULE_PHRASES:?})"
        ));
    }
    problems
}

/// Runs `tcsim run` and `tcsim check` on one case; returns the problems found
/// and the stderr of `run`.
fn run_case(case: &Case) -> (Vec<String>, String) {
    let expect = expect_for(case);
    let tmp = tempfile::tempdir().expect("a temp dir");
    let file = tmp.path().join(&case.name);
    fs::write(&file, &case.bytes).expect("write the case");
    let out = tmp.path().join("out");
    let label = file.display().to_string();
    let mut problems = Vec::new();

    let run = tcsim(
        &[
            "run".as_ref(),
            file.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--quiet".as_ref(),
        ],
        tmp.path(),
    );
    let run_err = String::from_utf8_lossy(&run.stderr).into_owned();
    if run.status.code() != Some(2) {
        problems.push(format!(
            "run: exit status {:?}, expected 2",
            run.status.code()
        ));
    }
    problems.extend(
        check_stderr(&run_err, &label, &expect)
            .into_iter()
            .map(|p| format!("run: {p}")),
    );
    if !run.stdout.is_empty() {
        problems.push(format!(
            "run: wrote to stdout: {:?}",
            String::from_utf8_lossy(&run.stdout)
        ));
    }
    if out.exists() {
        problems.push(format!(
            "run: created the output directory {}",
            out.display()
        ));
    }
    let leftovers: Vec<String> = fs::read_dir(tmp.path())
        .expect("read the temp dir")
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| *n != case.name)
        .collect();
    if !leftovers.is_empty() {
        problems.push(format!(
            "run: left files in the working directory: {leftovers:?}"
        ));
    }

    let check = tcsim(&["check".as_ref(), file.as_os_str()], tmp.path());
    let check_err = String::from_utf8_lossy(&check.stderr).into_owned();
    if check.status.code() != Some(2) {
        problems.push(format!(
            "check: exit status {:?}, expected 2",
            check.status.code()
        ));
    }
    if check_err != run_err {
        problems.push(format!("check: stderr differs from run's: {check_err:?}"));
    }
    if !check.stdout.is_empty() {
        problems.push(format!(
            "check: wrote to stdout: {:?}",
            String::from_utf8_lossy(&check.stdout)
        ));
    }
    (problems, run_err)
}

#[test]
fn every_broken_file_is_rejected_with_a_located_message() {
    let files = catalogue();
    assert!(
        files.len() >= 30,
        "tests/broken/ should hold at least 30 cases, found {}",
        files.len()
    );
    let cases: Vec<Case> = files.into_iter().chain(generated()).collect();
    let total = cases.len();
    let mut report = String::new();
    let mut failed = 0;
    for case in &cases {
        let (problems, stderr) = run_case(case);
        if !problems.is_empty() {
            failed += 1;
            report.push_str(&format!("\n{}:\n", case.name));
            for p in &problems {
                report.push_str(&format!("  - {p}\n"));
            }
            report.push_str(&format!("  stderr: {stderr:?}\n"));
        }
    }
    assert!(
        failed == 0,
        "{failed} of {total} broken scenarios were not rejected as promised:\n{report}"
    );
}

/// The generated cases are only meaningful if the scenario they break is
/// valid to begin with.
#[test]
fn the_scenario_the_generated_cases_break_is_valid() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let file = tmp.path().join("valid.toml");
    fs::write(&file, VALID).expect("write the scenario");
    let out = tcsim(&["check".as_ref(), file.as_os_str()], tmp.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every catalogue file states its expectation on its first line.
#[test]
fn every_catalogue_file_has_an_expect_line() {
    for case in catalogue() {
        let expect = parse_expect(&case.name, &case.bytes);
        let lines = case.bytes.split(|&b| b == b'\n').count();
        assert!(
            expect.line <= lines,
            "{}: line={} is past the end of the file",
            case.name,
            expect.line
        );
    }
}

// ---------------------------------------------------------------------------
// Every validation rule has a catalogue case
// ---------------------------------------------------------------------------

/// One validation rule and the catalogue cases that break it.
struct Rule {
    /// Short stable name: `section.key.rule`.
    id: &'static str,
    /// Where the code checks the rule, written the way [`Site`] displays it
    /// (see [`scan_check_rs`]): `FUNCTION HELPER KEY` for a call of a checking
    /// helper in check.rs, `FUNCTION fail KEY ~ WORDS` for a direct `fail(`
    /// (WORDS: any part of its message that tells it from the other `fail`s
    /// on that key), `mod.rs ~ WORDS` for a message of the TOML/serde layer.
    site: &'static str,
    /// Catalogue files (or generated cases) whose one problem breaks this
    /// rule.
    files: &'static [&'static str],
}

const fn rule(id: &'static str, site: &'static str, files: &'static [&'static str]) -> Rule {
    Rule { id, site, files }
}

/// Every validation rule of the scenario loader, in the order of the code.
#[rustfmt::skip]
const RULES: &[Rule] = &[
    // src/scenario/mod.rs: the file, TOML syntax, and the serde shape of raw.rs.
    rule("file.utf8", "mod.rs ~ not valid UTF-8", &["generated-invalid-utf8-in-value.toml", "generated-invalid-utf8-in-comment.toml"]),
    rule("toml.syntax", "mod.rs ~ invalid TOML", &["toml-syntax-error.toml", "duplicate-key.toml", "table-defined-twice.toml", "key-nesting-too-deep.toml"]),
    rule("toml.unknown-key", "mod.rs ~ is not a known key", &["unknown-top-level-key.toml", "unknown-simulation-key.toml", "unknown-job-key.toml", "unknown-job-key-literal-quoted.toml", "unknown-grant-key.toml", "unknown-stint-key.toml", "exit-multiple-unknown-key.toml"]),
    rule("toml.integer-range", "mod.rs ~ is out of range", &["integer-too-large.toml", "integer-too-large-for-float-key.toml"]),
    rule("toml.type", "mod.rs ~ must be {expected}", &["wrong-type-string-for-number.toml", "years-as-string.toml", "years-as-float.toml", "raise-as-number.toml", "grants-as-table.toml", "vesting-as-string.toml", "years-as-datetime.toml"]),
    // check.rs: check()
    rule("simulation.required", "check fail simulation ~ is required", &["missing-simulation.toml", "empty-file.toml", "generated-empty-bytes.toml"]),
    rule("simulation.years.required", "check required simulation.years", &["missing-years.toml"]),
    rule("simulation.years.range", "check int_within simulation.years", &["years-1000.toml", "zero-years.toml"]),
    rule("strategies.required", "check fail strategies ~ at least one strategy", &["no-strategies.toml"]),
    // simulation()
    rule("simulation.runs.range", "simulation int_within runs", &["zero-runs.toml", "negative-runs.toml", "runs-above-limit.toml"]),
    rule("simulation.seed.range", "simulation int_within seed", &["negative-seed.toml"]),
    rule("simulation.steps_per_year.range", "simulation int_within steps_per_year", &["steps-per-year-0.toml"]),
    rule("simulation.steps_per_year.monthly", "simulation fail steps_per_year ~ multiple of 12", &["steps-per-year-5.toml"]),
    rule("simulation.percentiles.non-empty", "simulation fail percentiles ~ at least one", &["percentiles-empty.toml"]),
    rule("simulation.percentiles.at-most-99", "simulation fail percentiles ~ at most 99", &["percentiles-too-many.toml"]),
    rule("simulation.percentiles.range", "simulation within percentiles[]", &["percentile-101.toml"]),
    rule("simulation.percentiles.increasing", "simulation fail percentiles[] ~ strictly increasing", &["percentiles-not-increasing.toml"]),
    rule("simulation.baseline.defined", "simulation fail baseline ~ names strategy", &["baseline-missing-strategy.toml"]),
    // company()
    rule("company.type.required", "company fail type ~ is required", &["company-type-missing.toml"]),
    rule("company.private-key-on-public", "company fail * ~ applies only to a private company", &["private-key-on-public-company.toml"]),
    rule("company.share_price.required", "company required share_price", &["public-missing-share-price.toml"]),
    rule("company.share_price.range", "company within share_price", &["infinite-value.toml", "share-price-near-zero.toml"]),
    rule("company.drift.required", "company required drift", &["public-missing-drift.toml"]),
    rule("company.drift.range", "company within drift", &["nan-value.toml", "negative-infinite-drift.toml", "unicode-before-error.toml"]),
    rule("company.volatility.required", "company required volatility", &["public-missing-volatility.toml"]),
    rule("company.volatility.range", "company within volatility", &["negative-volatility.toml", "dotted-keys-negative-volatility.toml", "generated-crlf-line-ends.toml", "generated-byte-order-mark.toml"]),
    rule("company.public-key-on-private", "company fail * ~ applies only to a public company", &["public-key-on-private-company.toml"]),
    rule("company.type.known", "company fail type ~ must be", &["company-type-foo.toml"]),
    // private_company()
    rule("private.valuation.required", "private_company required valuation", &["private-missing-valuation.toml"]),
    rule("private.valuation.range", "private_company within valuation", &["valuation-below-one-dollar.toml"]),
    rule("private.shares.required", "private_company required shares", &["private-missing-shares.toml"]),
    rule("private.shares.range", "private_company within shares", &["zero-shares.toml"]),
    rule("private.preference.range", "private_company within preference", &["negative-preference.toml"]),
    rule("private.preferred_fraction.finite", "private_company finite preferred_fraction", &["preferred-fraction-nan.toml"]),
    rule("private.preferred_fraction.range", "private_company fail preferred_fraction ~ [0, 1)", &["preferred-fraction-one.toml"]),
    rule("private.exit_month.exclusive", "private_company fail * ~ together with `exit_month`", &["exit-month-with-exit-rate.toml"]),
    rule("private.exit_month.range", "private_company int_within exit_month", &["exit-month-beyond-horizon.toml"]),
    rule("private.exit_rate.required", "private_company required exit_rate", &["private-missing-exit-rate.toml"]),
    rule("private.exit_rate.range", "private_company within exit_rate", &["exit-rate-above-one.toml"]),
    rule("private.failure_rate.range", "private_company within failure_rate", &["negative-failure-rate.toml"]),
    rule("private.failure_rate.plus-exit-rate", "private_company fail failure_rate ~ plus exit_rate", &["exit-plus-failure-above-one.toml"]),
    rule("private.ipo_fraction.range", "private_company within ipo_fraction", &["ipo-fraction-above-one.toml"]),
    rule("private.exit_multiple.required", "private_company fail exit_multiple ~ is required", &["exit-multiple-missing.toml"]),
    rule("private.exit_multiple.median.required", "private_company required exit_multiple.median", &["exit-median-missing.toml"]),
    rule("private.exit_multiple.median.range", "private_company positive exit_multiple.median", &["dotted-key-negative-median.toml"]),
    rule("private.exit_multiple.sigma.required", "private_company required exit_multiple.sigma", &["exit-sigma-missing.toml"]),
    rule("private.exit_multiple.sigma.range", "private_company within exit_multiple.sigma", &["exit-sigma-negative.toml"]),
    rule("private.dilution.range", "private_company within dilution", &["dilution-above-one.toml"]),
    // frequency(), vesting_percent(), cliff(): rules on the key they are given
    rule("frequency.known", "frequency fail key ~ must be", &["frequency-weekly.toml"]),
    rule("vesting.length", "vesting_percent fail key ~ in each of 1 to", &["vesting-too-many-years.toml"]),
    rule("vesting.entry.range", "vesting_percent within []", &["vesting-negative-entry.toml"]),
    rule("vesting.sum", "vesting_percent fail key ~ must sum to 100", &["vesting-not-summing-to-100.toml"]),
    rule("cliff.range", "cliff int_within key", &["cliff-longer-than-vesting.toml"]),
    rule("cliff.horizon", "cliff fail key ~ horizon", &["cliff-beyond-horizon.toml"]),
    // job()
    rule("job.company.required", "job fail company ~ is required", &["job-without-company.toml"]),
    rule("job.company.defined", "job fail company ~ names company", &["job-missing-company.toml", "quoted-job-name-missing-company.toml"]),
    rule("job.base_raise.exclusive", "job fail base_raise ~ together with `base`", &["base-and-base-raise.toml"]),
    rule("job.base.required", "job fail base ~ is required", &["base-missing.toml"]),
    rule("job.base.range", "job within base", &["huge-base.toml"]),
    rule("job.base_raise.min.required", "job required base_raise.min", &["base-raise-missing-min.toml"]),
    rule("job.base_raise.min.range", "job within base_raise.min", &["base-raise-min-below-limit.toml"]),
    rule("job.base_raise.max.required", "job required base_raise.max", &["base-raise-missing-max.toml"]),
    rule("job.base_raise.max.range", "job within base_raise.max", &["base-raise-max-above-limit.toml"]),
    rule("job.base_raise.ordered", "job fail base_raise.max ~ at least min", &["base-raise-min-above-max.toml"]),
    rule("job.raise.mean.range", "job within raise.mean", &["raise-mean-above-one.toml"]),
    rule("job.raise.sd.range", "job within raise.sd", &["raise-sd-negative.toml"]),
    rule("job.promotion.rate.range", "job within promotion.rate", &["promotion-rate-above-one.toml"]),
    rule("job.promotion.raise.range", "job within promotion.raise", &["promotion-raise-negative.toml"]),
    rule("job.bonus.target.range", "job within bonus.target", &["bonus-target-negative.toml"]),
    rule("job.bonus.sd.range", "job within bonus.sd", &["bonus-sd-negative.toml"]),
    rule("job.bonus.min.range", "job within bonus.min", &["bonus-min-negative.toml"]),
    rule("job.bonus.max.range", "job within bonus.max", &["bonus-max-above-100.toml"]),
    rule("job.bonus.ordered", "job fail bonus.max ~ at least min", &["bonus-min-above-max.toml"]),
    rule("job.bonus.min.below-default-max", "job fail bonus.min ~ the default", &["bonus-min-above-default-max.toml"]),
    rule("job.sign_on.length", "job fail sign_on ~ at most", &["sign-on-too-many-years.toml"]),
    rule("job.sign_on.range", "job within sign_on[]", &["negative-sign-on.toml"]),
    rule("job.grants.length", "job fail grants ~ at most", &["too-many-grants.toml"]),
    // grant()
    rule("grant.kind.required", "grant fail kind ~ is required", &["grant-kind-missing.toml"]),
    rule("grant.kind.known", "grant fail kind ~ must be", &["grant-kind-stock.toml"]),
    rule("grant.strike.options-only", "grant fail strike ~ applies only to options", &["strike-on-rsu.toml"]),
    rule("grant.on_leave.options-only", "grant fail on_leave ~ applies only to options", &["on-leave-on-rsu.toml"]),
    rule("grant.strike.required", "grant required strike", &["option-without-strike.toml"]),
    rule("grant.strike.range", "grant within strike", &["option-strike-negative.toml"]),
    rule("grant.on_leave.known", "grant fail on_leave ~ must be", &["on-leave-maybe.toml"]),
    rule("grant.size.exclusive", "grant fail units ~ together with `value`", &["grant-value-and-units.toml"]),
    rule("grant.size.required", "grant fail units ~ is required", &["grant-neither-value-nor-units.toml"]),
    rule("grant.value.rsu-only", "grant fail value ~ not supported for options", &["option-with-value.toml"]),
    rule("grant.value.range", "grant positive value", &["negative-grant-value.toml"]),
    rule("grant.units.range", "grant positive units", &["grant-units-zero.toml"]),
    rule("grant.vesting.required", "grant fail vesting ~ is required", &["vesting-missing.toml", "second-grant-missing-vesting.toml"]),
    rule("grant.vesting.schedule", "grant vesting_percent vesting", &["vesting-not-summing-to-100.toml"]),
    rule("grant.frequency.known", "grant frequency frequency", &["frequency-weekly.toml"]),
    rule("grant.cliff_months.valid", "grant cliff cliff_months", &["cliff-longer-than-vesting.toml", "cliff-beyond-horizon.toml"]),
    rule("grant.granted_months_ago.range", "grant int_within granted_months_ago", &["negative-granted-months-ago.toml"]),
    // refresh()
    rule("refresh.value.required", "refresh required value", &["refresh-missing-value.toml"]),
    rule("refresh.value.range", "refresh positive value", &["refresh-value-zero.toml"]),
    rule("refresh.every_years.required", "refresh required every_years", &["refresh-missing-every-years.toml"]),
    rule("refresh.every_years.range", "refresh int_within every_years", &["refresh-every-zero-years.toml"]),
    rule("refresh.first_after_years.range", "refresh int_within first_after_years", &["refresh-first-after-negative.toml"]),
    rule("refresh.vesting.schedule", "refresh vesting_percent vesting", &["refresh-vesting-not-summing-to-100.toml"]),
    rule("refresh.vesting.required", "refresh fail vesting ~ no RSU grant", &["refresh-without-vesting.toml"]),
    // Two call sites: the refresh's own frequency and, errors ignored, the
    // frequency inherited from the job's first RSU grant.
    rule("refresh.frequency.known", "refresh frequency frequency", &["refresh-frequency-weekly.toml"]),
    // Two call sites: the refresh's own cliff and the inherited one.
    rule("refresh.cliff_months.valid", "refresh cliff cliff_months", &["refresh-cliff-beyond-vesting.toml", "refresh-inherited-cliff-beyond-vesting.toml"]),
    // strategy()
    rule("strategy.path.required", "strategy fail path ~ is required", &["strategy-without-path.toml"]),
    rule("strategy.path.non-empty", "strategy fail path ~ at least one stint", &["path-empty.toml"]),
    rule("stint.job.required", "strategy fail path[].job ~ is required", &["stint-without-job.toml"]),
    rule("stint.job.defined", "strategy fail path[].job ~ names job", &["strategy-missing-job.toml"]),
    rule("stint.years.range", "strategy int_within path[].years", &["stint-zero-years.toml"]),
    rule("stint.years.required", "strategy fail path[].years ~ every stint but the last", &["stint-without-years-not-last.toml"]),
    rule("stint.years.within-horizon", "strategy fail path[].years ~ takes the path", &["path-beyond-horizon.toml"]),
    rule("stint.years.reaches-horizon", "strategy fail path[].years ~ ends the path", &["path-ends-before-horizon.toml"]),
    rule("stint.job.starts-before-horizon", "strategy fail path[].job ~ starts at year", &["path-no-room-for-last-stint.toml"]),
    rule("stint.job.first-has-base", "strategy fail path[].job ~ uses base_raise", &["base-raise-in-first-stint.toml"]),
    rule("stint.job.existing-grant-first", "strategy fail path[].job ~ existing grant", &["existing-grant-in-later-stint.toml"]),
];

const CHECK_RS: &str = include_str!("../src/scenario/check.rs");
const MOD_RS: &str = include_str!("../src/scenario/mod.rs");

/// The functions of check.rs whose calls check a rule on the key passed as
/// their first argument.
const HELPERS: [&str; 9] = [
    "fail",
    "finite",
    "within",
    "positive",
    "int_within",
    "required",
    "frequency",
    "vesting_percent",
    "cliff",
];

/// Helpers that only implement a check ("in range", "present"): the calls
/// inside them are how a rule is checked, not rules of their own.
const MECHANISMS: [&str; 6] = [
    "fail",
    "finite",
    "within",
    "positive",
    "int_within",
    "required",
];

/// The functions of check.rs that check one section of the file by calling
/// the helpers: calls of these are not rules.
const SECTIONS: [&str; 8] = [
    "check",
    "simulation",
    "company",
    "private_company",
    "job",
    "grant",
    "refresh",
    "strategy",
];

/// A place in the source that checks a rule.
#[derive(Debug, Clone)]
struct Site {
    /// The source file, for messages.
    file: &'static str,
    /// 1-based line of the call (or literal), for messages.
    line: usize,
    /// The function the call is in (`mod.rs` for a mod.rs message).
    func: String,
    /// The helper called (empty for a mod.rs message).
    helper: String,
    /// The key path the call checks, relative to the function's own `key`:
    /// `.`-separated names, `[]` for an index, `*` for a name only known at
    /// run time; `key` for the function's own key. A key expression the scan
    /// cannot resolve is shown as written.
    key: String,
    /// The segments of `key`, when resolved.
    segments: Option<Vec<String>>,
    /// The message literal of a `fail(` call or of a mod.rs message.
    message: Option<String>,
}

impl Site {
    /// The part of a [`Rule::site`] before ` ~ `.
    fn head(&self) -> String {
        if self.helper.is_empty() {
            self.func.clone()
        } else {
            format!("{} {} {}", self.func, self.helper, self.key)
        }
    }
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.head())?;
        if let Some(m) = &self.message {
            write!(f, " ~ {m:?}")?;
        }
        Ok(())
    }
}

/// Whether a [`Rule::site`] names `site`.
fn rule_names_site(rule_site: &str, site: &Site) -> bool {
    let (head, words) = match rule_site.split_once(" ~ ") {
        Some((h, w)) => (h, Some(w)),
        None => (rule_site, None),
    };
    head == site.head()
        && match (words, &site.message) {
            (None, None) => true,
            (Some(w), Some(m)) => m.contains(w),
            _ => false,
        }
}

/// Rust source with comments and the insides of string and char literals
/// blanked to spaces (byte offsets and line breaks kept), so that brackets,
/// commas and names are only those of the code.
struct Masked {
    code: String,
    /// Offset of each string literal's opening quote: offset just past its
    /// closing quote, and its text.
    literals: BTreeMap<usize, (usize, String)>,
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn mask(src: &str) -> Masked {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut literals = BTreeMap::new();
    let blank = |out: &mut Vec<u8>, r: Range<usize>| {
        for c in &mut out[r] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            let end = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |n| i + n);
            blank(&mut out, i..end);
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let (mut depth, mut j) = (0, i);
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i..j);
            i = j;
        } else if is_ident(b[i]) {
            let start = i;
            while i < b.len() && is_ident(b[i]) {
                i += 1;
            }
            let word = &src[start..i];
            let hashes = b[i..].iter().take_while(|&&c| c == b'#').count();
            if (word == "r" || word == "br") && b.get(i + hashes) == Some(&b'"') {
                // A raw string: no escapes, ends at `"` and as many `#`.
                let open = i + hashes;
                let mut close = format!("\"{}", "#".repeat(hashes)).into_bytes();
                close.truncate(1 + hashes);
                let body = open + 1;
                let end = (body..b.len())
                    .find(|&j| b[j..].starts_with(&close))
                    .unwrap_or(b.len());
                literals.insert(open, (end + close.len(), src[body..end].to_string()));
                blank(&mut out, body..end);
                i = end + close.len();
            }
            // `b"..."` and `b'.'` continue at the quote below.
        } else if b[i] == b'"' {
            let (mut j, mut text) = (i + 1, Vec::new());
            while j < b.len() && b[j] != b'"' {
                if b[j] == b'\\' && j + 1 < b.len() {
                    j += 1;
                    match b[j] {
                        b'n' => text.push(b'\n'),
                        b't' => text.push(b'\t'),
                        b'r' => text.push(b'\r'),
                        b'0' => text.push(0),
                        b'\n' => {
                            // A line continuation skips the next line's indent.
                            while j + 1 < b.len() && b[j + 1].is_ascii_whitespace() {
                                j += 1;
                            }
                        }
                        c => text.push(c),
                    }
                } else {
                    text.push(b[j]);
                }
                j += 1;
            }
            let text = String::from_utf8_lossy(&text).into_owned();
            literals.insert(i, ((j + 1).min(b.len()), text));
            blank(&mut out, i + 1..j);
            i = j + 1;
        } else if b[i] == b'\'' {
            // A char literal, or a lifetime (`'a` with no closing quote).
            let len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
            if b.get(i + 1) == Some(&b'\\') {
                let mut j = i + 3;
                while j < b.len() && b[j] != b'\'' {
                    j += 1;
                }
                blank(&mut out, i + 1..j);
                i = j + 1;
            } else if b.get(i + 1 + len) == Some(&b'\'') {
                blank(&mut out, i + 1..i + 1 + len);
                i += len + 2;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    Masked {
        code: String::from_utf8(out).expect("blanking keeps UTF-8"),
        literals,
    }
}

impl Masked {
    /// Identifiers with their offsets.
    fn idents(&self) -> Vec<(usize, &str)> {
        let b = self.code.as_bytes();
        let mut v = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if is_ident(b[i]) && (i == 0 || !is_ident(b[i - 1])) {
                let start = i;
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                if !b[start].is_ascii_digit() {
                    v.push((start, &self.code[start..i]));
                }
            } else {
                i += 1;
            }
        }
        v
    }

    /// The first non-blank byte at or after `i`.
    fn next_char(&self, i: usize) -> Option<(usize, u8)> {
        self.code.as_bytes()[i..]
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .map(|n| (i + n, self.code.as_bytes()[i + n]))
    }

    /// The top-level comma-separated spans inside the brackets opened at
    /// `open`, and the offset just past the closing bracket.
    fn args(&self, open: usize) -> (Vec<Range<usize>>, usize) {
        let b = self.code.as_bytes();
        let (mut depth, mut start, mut spans) = (0usize, open + 1, Vec::new());
        for (i, &c) in b.iter().enumerate().skip(open) {
            match c {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        if !self.code[start..i].trim().is_empty() {
                            spans.push(start..i);
                        }
                        return (spans, i + 1);
                    }
                }
                b',' if depth == 1 => {
                    spans.push(start..i);
                    start = i + 1;
                }
                _ => {}
            }
        }
        (spans, b.len())
    }

    /// The source text of `r` with whitespace removed and string literals
    /// restored (quoted, `"` and `\` escaped): an expression whatever the
    /// line wrapping.
    fn expr(&self, r: Range<usize>) -> String {
        let mut out = String::new();
        let mut i = r.start;
        while i < r.end {
            if let Some((end, text)) = self.literals.get(&i) {
                out.push('"');
                out.push_str(&text.replace('\\', "\\\\").replace('"', "\\\""));
                out.push('"');
                i = *end;
                continue;
            }
            let c = self.code[i..].chars().next().expect("in range");
            if !c.is_whitespace() {
                out.push(c);
            }
            i += c.len_utf8();
        }
        out
    }

    /// The text of the first string literal in `r`.
    fn first_literal(&self, r: Range<usize>) -> Option<String> {
        self.literals
            .range(r.clone())
            .next()
            .map(|(_, (_, text))| text.clone())
    }

    /// The right-hand side of the last `let NAME = ...;` in `scope`, and the
    /// offset of its `let`.
    fn binding(&self, name: &str, scope: Range<usize>) -> Option<(String, usize)> {
        let idents = self.idents();
        let mut found = None;
        for (n, &(at, word)) in idents.iter().enumerate() {
            if word != "let" || at < scope.start || at >= scope.end {
                continue;
            }
            let mut k = n + 1;
            if idents.get(k).is_some_and(|&(_, w)| w == "mut") {
                k += 1;
            }
            let Some(&(name_at, w)) = idents.get(k) else {
                continue;
            };
            if w != name {
                continue;
            }
            let after = name_at + name.len();
            let Some((eq, b'=')) = self.next_char(after) else {
                continue;
            };
            if self.code.as_bytes().get(eq + 1) == Some(&b'=') {
                continue;
            }
            // The statement ends at the first `;` outside brackets.
            let b = self.code.as_bytes();
            let mut depth = 0i32;
            let mut end = eq + 1;
            while end < b.len() {
                match b[end] {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => depth -= 1,
                    b';' if depth == 0 => break,
                    _ => {}
                }
                end += 1;
            }
            found = Some((self.expr(eq + 1..end), at));
        }
        found
    }
}

/// Splits `(args)rest` at the matching `)`, skipping quoted text.
fn split_parens(s: &str) -> Option<(&str, &str)> {
    if !s.starts_with('(') {
        return None;
    }
    let (mut depth, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        if quoted {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&s[1..i], &s[i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// A key expression as `head`, the head's call arguments, and `.method(args)`
/// calls: `&pk.index(i).key("job")` is `pk`, none, `[index(i), key("job")]`.
type Chain = (String, Option<String>, Vec<(String, String)>);

fn parse_chain(e: &str) -> Option<Chain> {
    let e = e.strip_prefix('&').unwrap_or(e);
    let n = e
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(e.len());
    if n == 0 {
        return None;
    }
    let (head, mut rest) = (e[..n].to_string(), &e[n..]);
    let mut head_args = None;
    if rest.starts_with('(') {
        let (args, after) = split_parens(rest)?;
        head_args = Some(args.to_string());
        rest = after;
    }
    let mut calls = Vec::new();
    while let Some(r) = rest.strip_prefix('.') {
        let n = r
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(r.len());
        let (args, after) = split_parens(&r[n..])?;
        calls.push((r[..n].to_string(), args.to_string()));
        rest = after;
    }
    rest.is_empty().then_some((head, head_args, calls))
}

/// Replaces the identifier `name` in `body` by `with`.
fn replace_ident(body: &str, name: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find(name) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + name.len()..].chars().next();
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        out.push_str(&rest[..i]);
        out.push_str(if boundary(before) && boundary(after) {
            with
        } else {
            name
        });
        rest = &rest[i + name.len()..];
    }
    out.push_str(rest);
    out
}

/// The key path segments of a key expression, relative to the enclosing
/// function's `key` parameter: local `let` bindings (also of a closure such as
/// `let k = |s: &str| key.key(s);`) are followed back to `key` or to
/// `KeyPath::root()`; `.key("name")` adds `name`, `.key(anything else)` adds
/// `*`, `.index(..)` adds `[]`. None when the expression has another shape.
fn resolve(m: &Masked, e: &str, scope: Range<usize>, depth: usize) -> Option<Vec<String>> {
    if depth > 16 {
        return None;
    }
    let (head, head_args, calls) = parse_chain(e)?;
    let mut segments = match m.binding(&head, scope.clone()) {
        Some((rhs, at)) => {
            let inner = scope.start..at;
            match (rhs.strip_prefix('|'), head_args) {
                (Some(closure), Some(arg)) => {
                    let param_end = closure.find([':', '|'])?;
                    let body = &closure[closure[param_end..].find('|')? + param_end + 1..];
                    let body = replace_ident(body, &closure[..param_end], &arg);
                    resolve(m, &body, inner, depth + 1)?
                }
                (None, None) => resolve(m, &rhs, inner, depth + 1)?,
                _ => return None,
            }
        }
        None if head == "key" && head_args.is_none() => Vec::new(),
        None if head == "KeyPath::root" && head_args.as_deref() == Some("") => Vec::new(),
        None => return None,
    };
    for (method, args) in calls {
        match method.as_str() {
            "key" => segments.push(
                args.strip_prefix('"')
                    .and_then(|a| a.strip_suffix('"'))
                    .filter(|a| !a.contains('"'))
                    .map_or_else(|| "*".to_string(), str::to_string),
            ),
            "index" => segments.push("[]".to_string()),
            _ => return None,
        }
    }
    Some(segments)
}

fn show_segments(segments: &[String]) -> String {
    let mut s = String::new();
    for seg in segments {
        if seg != "[]" && !s.is_empty() {
            s.push('.');
        }
        s.push_str(seg);
    }
    if s.is_empty() { "key".to_string() } else { s }
}

/// A `fn` of a source file: name, offset of `fn`, its signature.
struct Function {
    name: String,
    at: usize,
    signature: String,
}

fn functions(m: &Masked) -> Vec<Function> {
    let idents = m.idents();
    idents
        .windows(2)
        .filter(|w| w[0].1 == "fn")
        .map(|w| {
            let end = m.code[w[1].0..]
                .find('{')
                .map_or(m.code.len(), |n| w[1].0 + n);
            Function {
                name: w[1].1.to_string(),
                at: w[0].0,
                signature: m.code[w[1].0..end].to_string(),
            }
        })
        .collect()
}

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset].matches('\n').count() + 1
}

/// Every call of a checking helper in `src` (a check.rs), in source order.
///
/// The scan is how the test knows the rules without a list kept by hand in
/// check.rs. A call site is a name from [`HELPERS`] followed by `(`, not
/// preceded by `fn` (the definition) or `.` (a method); comments and the
/// insides of string literals are blanked first, so a `fail(` in a comment
/// or message is not a call. A site is identified by
///
/// * the enclosing function (the last `fn NAME` before it),
/// * the helper called,
/// * the key path of its first argument, resolved through `let` bindings to
///   the function's `key` parameter (`&sk.key("years")` in `strategy` with
///   `let sk = pk.index(i);` and `let pk = key.key("path");` is
///   `path[].years`), and
/// * for `fail(`, the text of its message literal.
///
/// None of these depends on line breaks or indentation: arguments are split
/// at top-level commas and compared with whitespace removed, so rustfmt
/// wrapping a call differently changes nothing. A [`Rule::site`] names a site
/// by function, helper and key, and for `fail(` by a few words of its
/// message, so rewording the rest of a message keeps its row. Calls inside
/// the [`MECHANISMS`] (how "in range" or "present" is checked) are not rules;
/// calls inside `frequency`, `vesting_percent` and `cliff` are rules on
/// whatever key those are given, and each call of them is a rule on its key.
/// Two calls that agree on all four (one rule checked in two branches) are one
/// rule.
fn scan_check_rs(src: &'static str) -> Vec<Site> {
    let m = mask(src);
    let fns = functions(&m);
    let idents = m.idents();
    let mut sites = Vec::new();
    for (n, &(at, word)) in idents.iter().enumerate() {
        if !HELPERS.contains(&word) || (n > 0 && idents[n - 1].1 == "fn") {
            continue;
        }
        let before = m.code[..at].trim_end();
        if before.ends_with('.') || before.ends_with("::") {
            continue;
        }
        let Some((open, b'(')) = m.next_char(at + word.len()) else {
            continue;
        };
        let (args, _) = m.args(open);
        let Some(func) = fns.iter().rev().find(|f| f.at < at) else {
            continue;
        };
        let key_expr = args.first().map(|a| m.expr(a.clone())).unwrap_or_default();
        let segments = resolve(&m, &key_expr, func.at..at, 0);
        let key = segments.as_deref().map_or_else(
            || key_expr.trim_start_matches('&').to_string(),
            show_segments,
        );
        let message = (word == "fail").then(|| {
            args.get(1).map_or_else(String::new, |a| {
                m.first_literal(a.clone())
                    .unwrap_or_else(|| m.expr(a.clone()))
            })
        });
        sites.push(Site {
            file: "check.rs",
            line: line_of(src, at),
            func: func.name.clone(),
            helper: word.to_string(),
            key,
            segments,
            message,
        });
    }
    sites
}

/// The sites that are rules: all but those inside the [`MECHANISMS`].
fn rule_sites(sites: &[Site]) -> Vec<Site> {
    sites
        .iter()
        .filter(|s| s.file != "check.rs" || !MECHANISMS.contains(&s.func.as_str()))
        .cloned()
        .collect()
}

/// The messages of the TOML/serde layer: every string literal in mod.rs that
/// states a rule (contains one of [`RULE_PHRASES`]).
fn scan_mod_rs(src: &'static str) -> Vec<Site> {
    let m = mask(src);
    m.literals
        .iter()
        .filter(|(_, (_, text))| RULE_PHRASES.iter().any(|p| text.contains(p)))
        .map(|(&at, (_, text))| Site {
            file: "mod.rs",
            line: line_of(src, at),
            func: "mod.rs".to_string(),
            helper: String::new(),
            key: String::new(),
            segments: None,
            message: Some(text.clone()),
        })
        .collect()
}

/// All rule sites of check.rs and mod.rs.
fn all_rule_sites() -> Vec<Site> {
    let mut sites = rule_sites(&scan_check_rs(CHECK_RS));
    sites.extend(scan_mod_rs(MOD_RS));
    sites
}

/// What an error from `site` says, as fixed text: the message literal up to
/// its first placeholder, or for a helper call what the helper's own sites
/// say.
fn site_says(site: &Site, all: &[Site], depth: usize) -> Vec<String> {
    if let Some(m) = &site.message {
        return vec![m.split('{').next().unwrap_or_default().to_string()];
    }
    if depth > 8 {
        return Vec::new();
    }
    all.iter()
        .filter(|s| s.file == site.file && s.func == site.helper)
        .flat_map(|s| site_says(s, all, depth + 1))
        .collect()
}

/// The segments of a key path as tcsim prints it: `jobs."a.b".grants[0]` is
/// `jobs`, `"a.b"`, `grants`, `[]`.
fn key_segments(key: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let (mut current, mut quoted, mut chars) = (String::new(), false, key.chars());
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            '.' if !quoted => segments.push(std::mem::take(&mut current)),
            '[' if !quoted => {
                segments.push(std::mem::take(&mut current));
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                }
                segments.push("[]".to_string());
            }
            c => current.push(c),
        }
    }
    segments.push(current);
    segments.retain(|s| !s.is_empty());
    segments
}

/// Whether `key` ends with the site's `segments` (`*` matches any name).
fn key_ends_with(key: &[String], segments: &[String]) -> bool {
    key.len() >= segments.len()
        && key[key.len() - segments.len()..]
            .iter()
            .zip(segments)
            .all(|(k, s)| k == s || (s == "*" && k != "[]"))
}

/// Every case by name: the catalogue files and the generated cases.
fn all_cases() -> BTreeMap<String, Case> {
    catalogue()
        .into_iter()
        .chain(generated())
        .map(|c| (c.name.clone(), c))
        .collect()
}

/// The one line `tcsim check` prints for a case, without `FILE:LINE:COL: `.
fn check_message(case: &Case) -> String {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let file = tmp.path().join(&case.name);
    fs::write(&file, &case.bytes).expect("write the case");
    let out = tcsim(&["check".as_ref(), file.as_os_str()], tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let prefix = format!("error: {}:", file.display());
    stderr
        .trim_end()
        .strip_prefix(&prefix)
        .and_then(|rest| rest.splitn(3, ':').nth(2))
        .map_or(stderr.clone(), |m| m.trim_start().to_string())
}

/// The scan finds the rules it should: all of them through rustfmt's
/// wrapping, none in comments or messages, none inside the mechanisms.
#[test]
fn the_rule_scan_sees_through_line_wrapping_comments_and_strings() {
    const SRC: &str = r#"
fn within(key: &KeyPath, x: f64) -> Check<f64> {
    finite(key, x)?;
    fail(key, format!("must be in [{}], got {}", 0, x))
}
fn demo(key: &KeyPath, d: &RawDemo) -> Check<()> {
    let k = |s: &str| key.key(s);
    let ak = key.key("a");
    // fail(&key.key("commented"), "is not a site")
    within(&ak, required(&ak, d.a)?)?;
    within(
        &k("b"),
        d.b,
    )?;
    let pk = key.key("path");
    for (i, _) in d.path.iter().enumerate() {
        let sk = pk.index(i);
        if d.c.is_some() {
            return fail(&sk
                .key("c"), format!("cannot (fail(x), \"y\") be given, got {}", ')'));
        }
    }
    fail(&key.key(OTHERS[i]), "applies only to b")
}
"#;
    let found: Vec<String> = rule_sites(&scan_check_rs(SRC))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "demo within a",
            "demo required a",
            "demo within b",
            r#"demo fail path[].c ~ "cannot (fail(x), \"y\") be given, got {}""#,
            r#"demo fail * ~ "applies only to b""#,
        ]
    );
}

/// The key part of the catalogue contract: a rule in the code without a row
/// in [`RULES`] fails here, naming the site, and so does a row whose site is
/// no longer in the code.
#[test]
fn every_rule_in_the_code_has_a_row_in_the_rule_table() {
    let check_sites = scan_check_rs(CHECK_RS);
    let fns = functions(&mask(CHECK_RS));
    let mut problems = Vec::new();

    // A new helper or section must be classified, or its rules would be missed.
    for f in &fns {
        let checks = f.signature.contains("KeyPath") || f.signature.contains("Check<");
        if checks && !HELPERS.contains(&f.name.as_str()) && !SECTIONS.contains(&f.name.as_str()) {
            problems.push(format!(
                "check.rs: fn {} checks keys but is in neither HELPERS (its calls are rules) nor SECTIONS (it calls the helpers)",
                f.name
            ));
        }
    }
    for name in HELPERS.iter().chain(&SECTIONS) {
        if !fns.iter().any(|f| f.name == *name) {
            problems.push(format!(
                "check.rs has no fn {name}; update HELPERS or SECTIONS"
            ));
        }
    }
    // The scan must see the code; a scan that finds nothing proves nothing.
    assert!(
        check_sites.len() >= 100,
        "the scan found only {} helper calls in check.rs",
        check_sites.len()
    );

    let sites = all_rule_sites();
    for site in &sites {
        let rows: Vec<&str> = RULES
            .iter()
            .filter(|r| rule_names_site(r.site, site))
            .map(|r| r.id)
            .collect();
        match rows.len() {
            0 => problems.push(format!(
                "{}:{}: `{site}` has no row in RULES: add rule(\"ID\", \"{}{}\", &[\"CASE.toml\"]) and a catalogue file that breaks it",
                site.file,
                site.line,
                site.head(),
                if site.message.is_some() { " ~ WORDS OF ITS MESSAGE" } else { "" }
            )),
            1 => {}
            _ => problems.push(format!(
                "{}:{}: `{site}` is named by several rows: {rows:?}",
                site.file, site.line
            )),
        }
    }
    for r in RULES {
        if !sites.iter().any(|s| rule_names_site(r.site, s)) {
            problems.push(format!(
                "rule {}: its site `{}` is not in check.rs or mod.rs any more",
                r.id, r.site
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems with the rule table:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

/// Every message written in check.rs states its rule.
#[test]
fn every_message_in_the_checker_states_a_rule() {
    let vague: Vec<String> = scan_check_rs(CHECK_RS)
        .iter()
        .filter(|s| {
            s.message
                .as_ref()
                .is_some_and(|m| !RULE_PHRASES.iter().any(|p| m.contains(p)))
        })
        .map(|s| format!("check.rs:{}: {s}", s.line))
        .collect();
    assert!(
        vague.is_empty(),
        "messages that state no rule (none of {RULE_PHRASES:?}):\n  {}",
        vague.join("\n  ")
    );
}

/// Every row names existing cases, and ids are unique.
#[test]
fn every_row_of_the_rule_table_names_existing_cases() {
    let cases = all_cases();
    let mut problems = Vec::new();
    let mut ids = BTreeSet::new();
    for r in RULES {
        if !ids.insert(r.id) {
            problems.push(format!("rule id {} is used twice", r.id));
        }
        if r.files.is_empty() {
            problems.push(format!("rule {} names no case", r.id));
        }
        for f in r.files {
            if !cases.contains_key(*f) {
                problems.push(format!(
                    "rule {} names {f}, which is neither in tests/broken/ nor generated",
                    r.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every case is there to break a rule in the table.
#[test]
fn every_case_is_in_the_rule_table() {
    let named: BTreeSet<&str> = RULES.iter().flat_map(|r| r.files.iter().copied()).collect();
    let orphans: Vec<String> = all_cases()
        .into_keys()
        .filter(|name| !named.contains(name.as_str()))
        .collect();
    assert!(
        orphans.is_empty(),
        "cases that no row of RULES names (add each to the row of the rule it breaks): {orphans:?}"
    );
}

/// Each row's cases break that rule: the error is about the row's key and
/// says what the row's site says.
#[test]
fn every_case_breaks_the_rule_its_row_names() {
    let cases = all_cases();
    let sites = all_rule_sites();
    let all_check_sites = scan_check_rs(CHECK_RS);
    let mut problems = Vec::new();
    for r in RULES {
        let named: Vec<&Site> = sites
            .iter()
            .filter(|s| rule_names_site(r.site, s))
            .collect();
        if named.is_empty() {
            continue; // reported by every_rule_in_the_code_has_a_row_in_the_rule_table
        }
        let says: Vec<String> = named
            .iter()
            .flat_map(|s| site_says(s, &all_check_sites, 0))
            .collect();
        for f in r.files {
            let Some(case) = cases.get(*f) else { continue };
            let expect = expect_for(case);
            let message = check_message(case);
            let key = key_segments(&expect.key);
            let keys_match = named.iter().any(|s| {
                s.segments
                    .as_ref()
                    .is_none_or(|segs| key_ends_with(&key, segs))
            });
            if !keys_match {
                problems.push(format!(
                    "{f}: key {} is not the key of rule {} (`{}`)",
                    expect.key, r.id, r.site
                ));
            }
            if !says.is_empty() && !says.iter().any(|s| message.contains(s.as_str())) {
                problems.push(format!(
                    "{f}: {message:?} does not say what rule {} says (one of {says:?})",
                    r.id
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} cases do not break the rule their row names:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}
