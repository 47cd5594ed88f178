//! `tcsim run --report`: `report.html` rendered in headless Chromium holds
//! the terminal summary and the numbers of `percentiles.csv` and
//! `compare.csv` as the report formats them, and the file leaves nothing
//! to fetch.
//!
//! Chromium is found as `$CHROMIUM`, else `chromium` or `chromium-browser`
//! on the `PATH` (`.ci/run` installs Debian's `chromium`). Without it the
//! rendering test fails under CI (`CI` set) and is skipped, loudly,
//! elsewhere; the tests of the file itself need no browser.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{tcsim, tempdir};
use tcsim::report::summary::{dollars, percent};

/// Runs of every report here: shares of worlds are then whole tenths of a
/// percent, so `compare.csv`'s four decimals give the report's one exactly.
const RUNS: &str = "1000";

fn bundled(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    assert!(p.is_file(), "{} is missing", p.display());
    p
}

/// One `tcsim run --report` and what it printed and wrote.
struct Run {
    dir: tempfile::TempDir,
    /// The terminal summary (stdout less the `wrote ...` line).
    summary: String,
    html: String,
}

fn run_report(file: &Path, extra: &[&str]) -> Run {
    let dir = tempdir();
    let out = tcsim()
        .arg("run")
        .arg(file)
        .args(["--runs", RUNS, "--report", "--out"])
        .arg(dir.path())
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let summary: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.starts_with("wrote "))
        .collect();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    Run {
        dir,
        summary: summary.join("\n"),
        html,
    }
}

/// A plain CSV (the bundled names have no commas) as rows of fields by
/// column name.
fn csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

// ------------------------------------------------------------- Chromium

/// The headless Chromium to render with, if there is one.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Chromium, or `None` after a loud note that the test is skipped; under
/// CI a missing Chromium fails the test.
fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: headless Chromium is missing under CI (.ci/run installs the chromium package; or set CHROMIUM)"
        );
        // Straight to the process's stderr: the test harness captures
        // eprintln! of a passing test, and this must be seen.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n\
             ************************************************************************\n\
             SKIPPED {test}: no headless Chromium (set CHROMIUM, or install\n\
             Debian's chromium package); report.html was not rendered.\n\
             ************************************************************************\n"
        );
    }
    found
}

/// The DOM Chromium builds from `file`, serialized.
fn render(chromium: &Path, file: &Path) -> String {
    let profile = tempdir();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", chromium.display()));
    assert!(
        out.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8(out.stdout).unwrap();
    assert!(dom.contains("</html>"), "no document rendered: {dom}");
    dom
}

/// The text a reader sees in a serialized DOM: without the head, the
/// style and the charts' `<title>` tooltips, each tag a space, entities
/// decoded, runs of white space one space.
fn visible_text(dom: &str) -> String {
    let mut s = dom.to_string();
    for (open, close) in [
        ("<head>", "</head>"),
        ("<style>", "</style>"),
        ("<title>", "</title>"),
    ] {
        while let Some(i) = s.find(open) {
            let j = s[i..].find(close).map(|j| i + j + close.len()).unwrap();
            s.replace_range(i..j, " ");
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    collapse(&text)
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The part of `text` after `heading`, up to the next of `ends`.
fn section<'a>(text: &'a str, heading: &str, ends: &[&str]) -> &'a str {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?}"))
        + heading.len();
    let rest = &text[start..];
    let end = ends
        .iter()
        .filter_map(|e| rest.find(e))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The `n` cells after the row heading `strategy year` in `part`.
fn row<'a>(part: &'a str, strategy: &str, year: &str, n: usize) -> Vec<&'a str> {
    let key = format!(" {strategy} {year} ");
    let at = part.find(&key).unwrap_or_else(|| panic!("no row {key:?}")) + key.len();
    part[at..].split(' ').take(n).collect()
}

/// A whole-dollar cell (`1,234,567`, `+9,412`, `-83,000`) as a number.
fn money(cell: &str) -> f64 {
    cell.replace([',', '+'], "")
        .parse()
        .unwrap_or_else(|e| panic!("{cell:?}: {e}"))
}

/// The report's whole dollars of the CSV's cents: within half a dollar of
/// the value the CSV rounded to cents.
fn assert_dollars(what: &str, cell: &str, csv: &str) {
    let want: f64 = csv.parse().unwrap();
    assert!(
        (money(cell) - want).abs() <= 0.51,
        "{what}: the report says {cell}, the CSV {csv} ({})",
        dollars(want)
    );
}

const TABLES: [&str; 3] = [
    "Cumulative TC by year (cash, before tax)",
    "Net cumulative TC by year (after tax",
    "Unrealized equity by year (not cash)",
];

/// Checks the rendered `text` of a run of `file` against the summary it
/// printed and the CSVs it wrote.
fn check_rendered(file: &Path, run: &Run, text: &str) {
    let what = file.display();
    // Past the navigation, which names every section.
    let nav = text.find("Provenance").expect("the navigation") + "Provenance".len();
    let text = &text[nav..];
    // The verdict: every line of the summary, as the terminal printed it.
    let verdict = section(text, "Verdict", &["Charts"]);
    for line in run.summary.lines().map(collapse).filter(|l| !l.is_empty()) {
        assert!(verdict.contains(&line), "{what}: no summary line {line:?}");
    }
    let percentiles = csv(&run.dir.path().join("percentiles.csv"));
    let compare = csv(&run.dir.path().join("compare.csv"));
    let taxed = compare.iter().any(|r| r.contains_key("measure"));
    // The baseline's pairs come first; `[simulation] compare`'s follow.
    let baseline = compare.first().map(|c| c["baseline"].clone());
    let mut checked = 0;
    for (table, measure) in [(0, "cumulative"), (1, "net_cumulative")] {
        let rows: Vec<_> = percentiles
            .iter()
            .filter(|r| r["measure"] == measure)
            .collect();
        assert_eq!(rows.is_empty(), table == 1 && !taxed, "{what}: {measure}");
        if rows.is_empty() {
            continue;
        }
        let part = section(text, TABLES[table], &TABLES[table + 1..]);
        for r in rows {
            let (name, year) = (&r["strategy"], &r["year"]);
            let cells = row(part, name, year, 5);
            let at = format!("{what} {measure} {name} year {year}");
            for (cell, column) in cells.iter().zip(["p10", "p50", "p90"]) {
                assert_dollars(&format!("{at} {column}"), cell, &r[column]);
            }
            let versus = compare.iter().find(|c| {
                &c["strategy"] == name
                    && Some(&c["baseline"]) == baseline.as_ref()
                    && &c["year"] == year
                    && c.get("measure").is_none_or(|m| m == measure)
            });
            match versus {
                Some(c) => {
                    let share: f64 = c["p_ahead"].parse().unwrap();
                    assert_eq!(cells[3], percent(share), "{at} p_ahead");
                    assert_dollars(&format!("{at} median difference"), cells[4], &c["p50"]);
                }
                None => assert_eq!(cells[3], "baseline", "{at}"),
            }
            checked += 1;
        }
    }
    assert!(checked > 0);
    // The other pairs, each year's cumulative then net_cumulative rows.
    let others: Vec<_> = compare
        .iter()
        .filter(|c| Some(&c["baseline"]) != baseline.as_ref())
        .collect();
    if !others.is_empty() {
        let part = section(text, "Other comparisons", &TABLES[2..]);
        for c in others {
            let (name, against, year) = (&c["strategy"], &c["baseline"], &c["year"]);
            let cells = row(part, &format!("{name} {against}"), year, 4);
            let at = if c.get("measure").is_some_and(|m| m == "net_cumulative") {
                2
            } else {
                0
            };
            let what = format!("{what} {name} against {against} year {year}");
            let share: f64 = c["p_ahead"].parse().unwrap();
            assert_eq!(cells[at], percent(share), "{what}");
            assert_dollars(&what, cells[at + 1], &c["p50"]);
        }
    }
    let held: Vec<_> = percentiles
        .iter()
        .filter(|r| r["measure"] == "unrealized")
        .collect();
    if !held.is_empty() {
        let part = section(text, TABLES[2], &["Assumptions"]);
        for r in held {
            let cells = row(part, &r["strategy"], &r["year"], 3);
            let at = format!("{what} unrealized {} year {}", r["strategy"], r["year"]);
            assert_dollars(&format!("{at} median"), cells[0], &r["p50"]);
            assert_dollars(&format!("{at} p90"), cells[1], &r["p90"]);
        }
    }
    // Where the numbers came from.
    let facts = section(text, "Provenance", &[]);
    let bytes = fs::read(file).unwrap();
    assert!(
        facts.contains(&sha256(&bytes)),
        "{what}: the scenario's hash"
    );
    assert!(facts.contains(&format!("tcsim version {}", env!("CARGO_PKG_VERSION"))));
    assert!(facts.contains(&format!("runs {}", dollars(RUNS.parse().unwrap()))));
    // The assumptions: what check prints, line by line.
    let check = tcsim().arg("check").arg(file).output().unwrap();
    let assumptions = section(text, "Assumptions", &["Provenance"]);
    let shown = String::from_utf8(check.stdout).unwrap();
    for line in shown.lines().map(collapse).filter(|l| !l.is_empty()) {
        // check prints the file's runs, the report those of the run.
        if line.starts_with("horizon ") {
            continue;
        }
        assert!(
            assumptions.contains(&line),
            "{what}: no check line {line:?}"
        );
    }
}

/// SHA-256 in hex, as the manifest and the report write it.
fn sha256(bytes: &[u8]) -> String {
    tcsim::report::manifest::sha256(bytes)
}

#[test]
fn the_rendered_report_holds_the_summary_and_the_tables_numbers() {
    let Some(chromium) =
        chromium_or_skip("the_rendered_report_holds_the_summary_and_the_tables_numbers")
    else {
        return;
    };
    // With [tax]; a startup's unrealized equity; eight strategies.
    for name in [
        "after-tax.toml",
        "bigtech-vs-startup.toml",
        "frontloaded-vesting.toml",
    ] {
        let file = bundled(name);
        let run = run_report(&file, &[]);
        let dom = render(&chromium, &run.dir.path().join("report.html"));
        check_rendered(&file, &run, &visible_text(&dom));
        // Chromium drew every chart: one inline svg each, none dropped.
        let charts = dom.matches("<svg").count();
        assert_eq!(charts, run.html.matches("<svg").count(), "{name}");
        assert!(charts >= 3, "{name}: {charts} charts");
    }
    // Pairs besides the baseline's: eight strategies, leave2 against leave2.
    let dir = tempdir();
    let file = dir.path().join("pairs.toml");
    let text = fs::read_to_string(bundled("frontloaded-vesting.toml")).unwrap();
    // The bundled file compares each leaver with flat-leave2; here a pair
    // of two leavers neither of which is flat.
    let start = text
        .find("compare = [")
        .expect("the bundled file has compare pairs");
    let end = start + text[start..].find("\n]\n").expect("its list ends") + 3;
    let text = format!(
        "{}compare = [[\"back-leave2\", \"flat-leave2\"], [\"front-leave2\", \"back-leave2\"]]\n{}",
        &text[..start],
        &text[end..]
    );
    fs::write(&file, text).unwrap();
    let run = run_report(&file, &[]);
    assert!(run.html.contains("Other comparisons"));
    let dom = render(&chromium, &run.dir.path().join("report.html"));
    check_rendered(&file, &run, &visible_text(&dom));
}

// ------------------------------------------------------- the file itself

/// The report parsed as XML: it is written as HTML that is also
/// well-formed XML, so every tag is closed and every text escaped.
fn parse(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(html, options).unwrap_or_else(|e| panic!("{e}"))
}

/// Nothing in `html` names a resource outside it.
fn assert_fetches_nothing(what: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    for word in [
        "http", "src=", "url(", "@import", "<script", "<link", "<img", "<iframe", "<object",
        "<embed", "xmlns",
    ] {
        assert!(!lower.contains(word), "{what}: {word}");
    }
    let mut rest = html;
    while let Some(i) = rest.find("href=\"") {
        rest = &rest[i + 6..];
        assert!(rest.starts_with('#'), "{what}: href=\"{}", &rest[..20]);
    }
}

#[test]
fn every_bundled_scenario_writes_a_well_formed_report_that_fetches_nothing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 8);
    for file in files {
        let what = file.display().to_string();
        let run = run_report(&file, &["--quiet"]);
        assert_fetches_nothing(&what, &run.html);
        let doc = parse(&run.html);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "html", "{what}");
        let body = root.children().find(|n| n.has_tag_name("body")).unwrap();
        for id in ["verdict", "charts", "tables", "assumptions", "provenance"] {
            assert!(
                body.descendants().any(|n| n.attribute("id") == Some(id)),
                "{what}: no #{id}"
            );
        }
        let svgs: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("svg"))
            .collect();
        assert!(svgs.len() >= 3, "{what}: fan, difference and histogram");
        for svg in svgs {
            assert!(svg.attribute("viewBox").is_some(), "{what}");
        }
    }
}

#[test]
fn the_report_alone_writes_no_chart_files_and_leaves_the_tables_as_they_were() {
    let file = bundled("bigtech-vs-startup.toml");
    let (plain, report, both) = (tempdir(), tempdir(), tempdir());
    for (dir, flags) in [
        (&plain, vec![]),
        (&report, vec!["--report"]),
        (&both, vec!["--report", "--plot"]),
    ] {
        let out = tcsim()
            .arg("run")
            .arg(&file)
            .args(["--runs", "2001", "--quiet", "--out"])
            .arg(dir.path())
            .args(flags)
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    assert_eq!(
        common::listing(report.path()),
        [
            "compare.csv",
            "manifest.json",
            "percentiles.csv",
            "report.html"
        ]
    );
    assert_eq!(
        common::listing(both.path()),
        [
            "compare.csv",
            "diff.svg",
            "fan.svg",
            "final.svg",
            "manifest.json",
            "percentiles.csv",
            "report.html",
            "unrealized.svg"
        ]
    );
    for name in ["percentiles.csv", "compare.csv"] {
        let a = fs::read(plain.path().join(name)).unwrap();
        assert!(a == fs::read(report.path().join(name)).unwrap(), "{name}");
        assert!(a == fs::read(both.path().join(name)).unwrap(), "{name}");
    }
    // The same report either way.
    assert!(
        fs::read(report.path().join("report.html")).unwrap()
            == fs::read(both.path().join("report.html")).unwrap()
    );
}

#[test]
fn the_report_is_byte_identical_across_thread_counts() {
    let file = bundled("leave-the-startup.toml");
    let one = run_report(&file, &["--quiet", "--threads", "1"]);
    let two = run_report(&file, &["--quiet", "--threads", "2"]);
    assert!(one.html == two.html, "report.html differs");
}
