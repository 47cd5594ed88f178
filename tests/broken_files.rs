//! The broken-scenario catalogue: every file in `tests/broken/` is a
//! near-valid scenario with exactly one problem, and `tcsim run` and
//! `tcsim check` must both reject it the way docs/reference.md, "Errors" promises:
//! exit status 2, one line on stderr of the form
//! `error: FILE:LINE:COL: KEY.PATH rule..., got VALUE`, no panic, and no
//! output written.
//!
//! The first line of each file states what the error must say:
//!
//! ```text
//! # expect: line=N key=some.key.path rule=NAME [mentions=WORD]...
//! ```
//!
//! `line` is the 1-based line of the offending key (counting this comment
//! line), `key` the key path the message must start with (empty for an error
//! that has no key, such as a TOML syntax error), `rule` the name of the
//! [`Rule`] the file breaks, and each `mentions` a word the message must
//! contain (the bad value, or both sides of a reference). Adding a file adds
//! a case. A few cases whose bytes are awkward to commit (an empty file,
//! invalid UTF-8, CRLF line ends, a byte-order mark, a file over the size
//! limit) are generated below from a valid scenario.
//!
//! The catalogue covers every rule: each case's error, from the library,
//! must name the rule its expect line names, and every rule in
//! [`Rule::ALL`] must be broken by some case. That each message states its
//! rule follows from the rule data (see `src/scenario/rules.rs`): here each
//! message must be its rule's message template filled in. The full message
//! of every case is pinned in `tests/snapshots/`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::cargo::cargo_bin_cmd;
use tcsim::error::{AppError, KeyPath};
use tcsim::scenario::rules::{Piece, pieces};
use tcsim::scenario::{MAX_FILE_BYTES, Rule};

/// What a case's error message must say.
#[derive(Debug)]
struct Expect {
    line: usize,
    key: String,
    rule: Rule,
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
        panic!(
            "{name}: the first line must be `# expect: line=N key=PATH rule=NAME`, got {first:?}"
        )
    });
    let mut line = None;
    let mut key = None;
    let mut rule = None;
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
            Some(("rule", r)) => {
                rule = Some(
                    Rule::from_name(r)
                        .unwrap_or_else(|| panic!("{name}: rule={r} names no rule in Rule::ALL")),
                );
            }
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
    let rule = rule.unwrap_or_else(|| panic!("{name}: the expect line has no rule=NAME"));
    Expect {
        line,
        key,
        rule,
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
        "# expect: line=11 key=companies.bigco.volatility rule=volatility_in_range mentions=-0.3",
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
        // line=1 key=simulation rule=simulation_required (see `expect_for`).
        Case {
            name: "generated-empty-bytes.toml".into(),
            bytes: Vec::new(),
        },
        // A Latin-1 byte inside a string value.
        Case {
            name: "generated-invalid-utf8-in-value.toml".into(),
            bytes: valid_with(
                "# expect: line=14 key= rule=valid_utf8",
                14,
                b"company = \"bigc\xf6\"",
            ),
        },
        // A truncated multi-byte sequence inside a comment: TOML files must be
        // UTF-8 throughout, comments included.
        Case {
            name: "generated-invalid-utf8-in-comment.toml".into(),
            bytes: valid_with(
                "# expect: line=2 key= rule=valid_utf8",
                2,
                b"# caf\xc3 pricing",
            ),
        },
        Case {
            name: "generated-crlf-line-ends.toml".into(),
            bytes: crlf,
        },
        Case {
            name: "generated-byte-order-mark.toml".into(),
            bytes: bom,
        },
        // A raw ESC byte (and BEL) inside a string: TOML refuses control
        // characters in strings, and the error must not echo them.
        Case {
            name: "generated-raw-escape-in-string.toml".into(),
            bytes: valid_with(
                "# expect: line=8 key= rule=valid_toml",
                8,
                b"type = \"\x1b]0;pwned\x07public\"",
            ),
        },
        // A raw ESC byte in a comment: not allowed there either.
        Case {
            name: "generated-raw-escape-in-comment.toml".into(),
            bytes: valid_with(
                "# expect: line=2 key= rule=valid_toml",
                2,
                b"# \x1b[2J\x1b[31mred",
            ),
        },
    ]
}

fn expect_for(case: &Case) -> Expect {
    if case.bytes.is_empty() {
        return Expect {
            line: 1,
            key: "simulation".into(),
            rule: Rule::SimulationRequired,
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
    // Whatever the file holds, nothing reaches the terminal raw: the only
    // control character is the final line end.
    let body = stderr.strip_suffix('\n').unwrap_or(stderr);
    if let Some(c) = body.chars().find(|&c| c.is_control()) {
        problems.push(format!(
            "stderr holds the control character {:?} (user text must be escaped)",
            c
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

/// A valid scenario padded with comment lines past the size limit: it breaks
/// the one rule checked before the file is read, so its error has no line.
fn oversized() -> Case {
    // Line 0 is no line: only the expect line is replaced.
    let mut bytes = valid_with("# expect: line=1 key= rule=file_size_within_limit", 0, b"");
    let pad = format!("# {}\n", "padding ".repeat(12));
    let limit = usize::try_from(MAX_FILE_BYTES).expect("the limit fits in memory");
    while bytes.len() <= limit {
        bytes.extend_from_slice(pad.as_bytes());
    }
    Case {
        name: "generated-oversized-file.toml".into(),
        bytes,
    }
}

/// Every case: the catalogue files and the generated ones, sorted by name.
fn all_cases() -> Vec<Case> {
    let mut cases: Vec<Case> = catalogue()
        .into_iter()
        .chain(generated())
        .chain([oversized()])
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// Whether `message` is `template` with each placeholder filled in.
fn fills(template: &[Piece<'_>], message: &str) -> bool {
    match template.split_first() {
        None => message.is_empty(),
        Some((Piece::Text(t), rest)) => message.strip_prefix(t).is_some_and(|m| fills(rest, m)),
        Some((Piece::Placeholder(_), rest)) => (0..=message.len())
            .filter(|&i| message.is_char_boundary(i))
            .any(|i| fills(rest, &message[i..])),
    }
}

/// What the library says about a case: the rule it breaks, the key path
/// (none for an error found before the file is read) and the message.
struct Broken {
    rule: Rule,
    key: Option<KeyPath>,
    message: String,
}

/// Loads a case through the library, as `tcsim` does, and learns the rule
/// it breaks from the error. An error that is not about the file's contents
/// (the size limit) carries no rule, so it is found by its message among
/// the rules' templates.
fn broken_rule(case: &Case) -> Result<Broken, String> {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let file = tmp.path().join(&case.name);
    fs::write(&file, &case.bytes).expect("write the case");
    match tcsim::scenario::load(&file) {
        Ok(_) => Err("loads without an error".to_string()),
        Err(AppError::Scenario(e)) => Ok(Broken {
            rule: e.rule,
            key: Some(e.key),
            message: e.message,
        }),
        Err(AppError::Usage(message)) => {
            let rules: Vec<Rule> = Rule::ALL
                .iter()
                .copied()
                .filter(|r| fills(&pieces(r.message()), &message))
                .collect();
            match rules[..] {
                [rule] => Ok(Broken {
                    rule,
                    key: None,
                    message,
                }),
                _ => Err(format!(
                    "{message:?} is the message of {} rules, not one",
                    rules.len()
                )),
            }
        }
        Err(e) => Err(format!(
            "fails with an error that is not a broken rule: {e}"
        )),
    }
}

/// The key part of the catalogue contract: a rule without a case fails here.
#[test]
fn every_rule_is_broken_by_a_case() {
    let broken: BTreeSet<Rule> = all_cases()
        .iter()
        .filter_map(|c| broken_rule(c).ok())
        .map(|b| b.rule)
        .collect();
    let missing: Vec<String> = Rule::ALL
        .iter()
        .filter(|r| !broken.contains(r))
        .map(|r| format!("{r} ({} {})", r.key(), r.message()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} rules have no case in tests/broken/ (add a file that breaks each, with rule=NAME in its expect line):\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}

/// Each case breaks the rule its expect line names, at the key it names, and
/// says so in the words of that rule's message.
#[test]
fn every_case_breaks_the_rule_its_expect_line_names() {
    let mut problems = Vec::new();
    for case in all_cases() {
        let expect = expect_for(&case);
        let broken = match broken_rule(&case) {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("{}: {e}", case.name));
                continue;
            }
        };
        if broken.rule != expect.rule {
            problems.push(format!(
                "{}: breaks rule {}, but its expect line names {}: {:?}",
                case.name, broken.rule, expect.rule, broken.message
            ));
        }
        if let Some(key) = &broken.key {
            if key.to_string() != expect.key {
                problems.push(format!(
                    "{}: the error is about `{key}`, but the expect line names `{}`",
                    case.name, expect.key
                ));
            }
            if !broken.rule.concerns(key) {
                problems.push(format!(
                    "{}: `{key}` is not a key of rule {} ({})",
                    case.name,
                    broken.rule,
                    broken.rule.key()
                ));
            }
        }
        if !fills(&pieces(broken.rule.message()), &broken.message) {
            problems.push(format!(
                "{}: {:?} is not the message of rule {} ({:?})",
                case.name,
                broken.message,
                broken.rule,
                broken.rule.message()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} cases do not break the rule their expect line names:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

/// A file over the size limit is refused before it is read: exit status 2,
/// one line naming the file, its size and the limit, and nothing written.
#[test]
fn file_size_within_limit_is_checked_before_the_file_is_read() {
    let case = oversized();
    let tmp = tempfile::tempdir().expect("a temp dir");
    let file = tmp.path().join(&case.name);
    fs::write(&file, &case.bytes).expect("write the case");
    let out = tmp.path().join("out");
    let expected = format!(
        "error: scenario {} is {} bytes; the limit is {MAX_FILE_BYTES} bytes\n",
        file.display(),
        case.bytes.len()
    );
    for args in [
        vec![
            "run".as_ref(),
            file.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--quiet".as_ref(),
        ],
        vec!["check".as_ref(), file.as_os_str()],
    ] {
        let o = tcsim(&args, tmp.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr), expected, "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?} wrote to stdout");
    }
    assert!(!out.exists(), "run created the output directory");
}

/// Every case's full error line, as `tcsim check` prints it, is pinned: a
/// change to any message, line or column shows in the snapshot diff.
#[test]
fn every_broken_files_message_is_pinned() {
    let mut lines = String::new();
    for case in all_cases() {
        let tmp = tempfile::tempdir().expect("a temp dir");
        fs::write(tmp.path().join(&case.name), &case.bytes).expect("write the case");
        // A relative path, so the snapshot does not depend on the temp dir.
        let out = tcsim(&["check".as_ref(), case.name.as_ref()], tmp.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        lines.push_str(&format!("{}: {}\n", case.name, stderr.trim_end()));
    }
    insta::assert_snapshot!("catalogue", lines);
}
