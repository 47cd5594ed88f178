//! `report.html` (`tcsim run --report`, model.md section 13): one
//! self-contained page to open, print or send. Inline CSS and inline SVG,
//! no script, no font, no image and no link leaving the file (the only
//! links are `#` anchors to its own sections; the file holds no address
//! at all).
//!
//! It says what the terminal says and what `tcsim check` says by taking
//! their text whole ([`Report::summary`], [`Report::assumptions`]), so the
//! report cannot disagree with them; beside them, the charts of
//! [`super::plot`] and per-year tables drawn from the same [`Results`] as
//! `percentiles.csv`, in the summary's number format
//! ([`super::summary::dollars`], [`super::summary::percent`]). Every text
//! from the scenario file (names, paths) is escaped.
//!
//! The page is HTML5 that is also well-formed XML (void elements closed
//! with `/>`, only XML's own entities), so that a test can parse all of it
//! with an XML parser.

use std::fmt::Write;

use super::manifest::Provenance;
use super::plot::{self, Bins, Target, xml};
use super::summary::{count, dollars, percent};
use crate::engine::{Measure, Results};
use crate::model::Scenario;

/// What the report is made of.
pub struct Report<'a> {
    /// The scenario's name in the title: the file stem.
    pub name: &'a str,
    /// The scenario simulated (the command line's overrides applied).
    pub scenario: &'a Scenario,
    /// Its results.
    pub results: &'a Results,
    /// The terminal summary, as `report::summary::render` wrote it.
    pub summary: &'a str,
    /// What `tcsim check` prints for the scenario simulated.
    pub assumptions: &'a str,
    /// Where the numbers came from.
    pub provenance: &'a Provenance,
    /// The histogram's bins and counts, from the simulation pass.
    pub histogram: Option<(&'a Bins, &'a [u64])>,
}

/// The page's style: the generic font families (whatever the reader's
/// system has; nothing is fetched), tables with aligned figures, charts
/// that shrink to the window.
const STYLE: &str = "\
:root { color-scheme: light; }
body { font-family: system-ui, sans-serif; color: #222222; background: #ffffff; max-width: 64rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0.6rem 0 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #dddddd; padding-bottom: 0.2rem; margin-top: 2.4rem; }
h3 { font-size: 1.05rem; margin: 1.6rem 0 0.4rem; }
p.lead { color: #555555; margin: 0 0 0.6rem; }
nav a { color: #0b57d0; margin-right: 1rem; }
pre.text { white-space: pre-wrap; background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 4px; padding: 0.8rem 1rem; overflow-x: auto; font-size: 0.85rem; line-height: 1.35; }
figure { margin: 1.4rem 0; }
figure svg { display: block; max-width: 100%; height: auto; }
div.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { padding: 0.2rem 0.7rem; border-bottom: 1px solid #eeeeee; text-align: left; white-space: nowrap; }
thead th { border-bottom: 2px solid #cccccc; vertical-align: bottom; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.first > * { border-top: 2px solid #cccccc; }
tbody tr:not(.first) th { font-weight: normal; color: #666666; }
table.facts th { font-weight: normal; color: #555555; }
code { font-size: 0.9em; }
@media print { nav { display: none; } figure, tr { break-inside: avoid; } }
";

/// The page, as bytes.
pub fn render(report: &Report<'_>) -> Vec<u8> {
    let (s, r) = (report.scenario, report.results);
    let l = &r.layout;
    let mut o = String::new();
    let name = xml(report.name);
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    let _ = writeln!(o, "<title>{name}: tcsim report</title>");
    let _ = writeln!(o, "<style>\n{STYLE}</style>\n</head>\n<body>\n<header>");
    let _ = writeln!(o, "<h1>{name}</h1>");
    let _ = writeln!(
        o,
        "<p class=\"lead\">tcsim report: {} over {}, seed {}.</p>",
        count(r.runs, "run", "runs"),
        count(l.years as u64, "year", "years"),
        s.sim.seed
    );
    o.push_str(
        "<nav><a href=\"#verdict\">Verdict</a><a href=\"#charts\">Charts</a>\
         <a href=\"#tables\">Per-year tables</a><a href=\"#assumptions\">Assumptions</a>\
         <a href=\"#provenance\">Provenance</a></nav>\n</header>\n<main>\n",
    );

    o.push_str("<section id=\"verdict\">\n<h2>Verdict</h2>\n");
    let _ = writeln!(
        o,
        "<pre class=\"text\">{}</pre>\n</section>",
        xml(report.summary)
    );

    charts(&mut o, report);
    tables(&mut o, s, r);

    o.push_str("<section id=\"assumptions\">\n<h2>Assumptions</h2>\n");
    o.push_str(
        "<p>The scenario as tcsim understood it: what <code>tcsim check</code> prints for the file, \
         with this run's runs and seed.</p>\n",
    );
    let _ = writeln!(
        o,
        "<pre class=\"text\">{}</pre>\n</section>",
        xml(report.assumptions)
    );

    provenance(&mut o, report);
    o.push_str("</main>\n</body>\n</html>\n");
    o.into_bytes()
}

/// The charts, inline, each in its figure.
fn charts(o: &mut String, report: &Report<'_>) {
    let (s, r, name) = (report.scenario, report.results, report.name);
    o.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    let mut figure = |id: &str, svg: Vec<u8>| {
        let _ = writeln!(o, "<figure id=\"{id}\">");
        o.push_str(&String::from_utf8_lossy(&svg));
        o.push_str("</figure>\n");
    };
    figure("chart-fan", plot::fan(name, s, r, Target::Html));
    if let Some(svg) = plot::diff(name, s, r, Target::Html) {
        figure("chart-diff", svg);
    }
    if let Some(svg) = plot::unrealized(name, s, r, Target::Html) {
        figure("chart-unrealized", svg);
    }
    if let Some((bins, counts)) = report.histogram {
        figure(
            "chart-final",
            plot::histogram(name, s, r, bins, counts, Target::Html),
        );
    }
    o.push_str("</section>\n");
}

/// Whole dollars with a `+` on a gain: `+9,412`, `-225,310`, `0`.
fn signed_dollars(x: f64) -> String {
    let d = dollars(x);
    if x.round() > 0.0 { format!("+{d}") } else { d }
}

/// The per-year tables: per strategy and year p10, median and p90 of the
/// cumulative measure, beside the share of worlds ahead of the baseline
/// and the median difference to it; again after tax with `[tax]`; the
/// unrealized equity held, when the scenario reports it.
fn tables(o: &mut String, s: &Scenario, r: &Results) {
    let l = &r.layout;
    o.push_str("<section id=\"tables\">\n<h2>Per-year tables</h2>\n");
    o.push_str(
        "<p>From the same runs as <code>percentiles.csv</code> and <code>compare.csv</code>, \
         in whole dollars. The difference is each world's value less the baseline's in the same world.</p>\n",
    );
    let mut families = vec![(
        Measure::Cumulative,
        "Cumulative TC by year (cash, before tax)",
    )];
    if l.reports(Measure::NetCumulative) {
        families.push((
            Measure::NetCumulative,
            "Net cumulative TC by year (after tax: total less the year's tax liability)",
        ));
    }
    let baseline = xml(&s.strategies[l.baseline].name);
    let compared = !l.compared.is_empty();
    for (m, caption) in families {
        let _ = writeln!(o, "<h3>{caption}</h3>\n<div class=\"scroll\"><table>");
        o.push_str(
            "<thead><tr><th scope=\"col\">strategy</th><th scope=\"col\" class=\"num\">year</th>",
        );
        o.push_str("<th scope=\"col\" class=\"num\">p10</th><th scope=\"col\" class=\"num\">median</th><th scope=\"col\" class=\"num\">p90</th>");
        if compared {
            let _ = write!(
                o,
                "<th scope=\"col\" class=\"num\">ahead of {baseline}</th><th scope=\"col\" class=\"num\">median difference</th>"
            );
        }
        o.push_str("</tr></thead>\n<tbody>\n");
        for (si, strategy) in s.strategies.iter().enumerate() {
            for y in 0..l.years {
                let k = l.at(si, y, m);
                let first = if y == 0 { " class=\"first\"" } else { "" };
                let _ = write!(
                    o,
                    "<tr{first}><th scope=\"row\">{}</th><td class=\"num\">{}</td>",
                    xml(&strategy.name),
                    y + 1
                );
                for p in [0.1, 0.5, 0.9] {
                    let _ = write!(o, "<td class=\"num\">{}</td>", dollars(r.quantile(k, p)));
                }
                if compared {
                    match l.compared_index(si) {
                        Some(i) => {
                            let d = match m {
                                Measure::NetCumulative => l.net_diff(i, y),
                                _ => l.diff(i, y),
                            };
                            let _ = write!(
                                o,
                                "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                                percent(r.series[d].share_positive),
                                signed_dollars(r.quantile(d, 0.5))
                            );
                        }
                        None => {
                            o.push_str("<td class=\"num\">baseline</td><td class=\"num\">—</td>")
                        }
                    }
                }
                o.push_str("</tr>\n");
            }
        }
        o.push_str("</tbody>\n</table></div>\n");
    }
    other_pairs(o, s, r);
    if l.reports(Measure::Unrealized) {
        o.push_str(
            "<h3>Unrealized equity by year (not cash)</h3>\n<p>Vested private equity still held at \
             the year's end, at the last round's price, before tax: not part of TC or the comparison.</p>\n",
        );
        o.push_str("<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">strategy</th><th scope=\"col\" class=\"num\">year</th>");
        o.push_str("<th scope=\"col\" class=\"num\">median</th><th scope=\"col\" class=\"num\">p90</th><th scope=\"col\" class=\"num\">worlds holding some</th></tr></thead>\n<tbody>\n");
        for (si, strategy) in s.strategies.iter().enumerate() {
            for y in 0..l.years {
                let k = l.at(si, y, Measure::Unrealized);
                let first = if y == 0 { " class=\"first\"" } else { "" };
                let _ = writeln!(
                    o,
                    "<tr{first}><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    xml(&strategy.name),
                    y + 1,
                    dollars(r.quantile(k, 0.5)),
                    dollars(r.quantile(k, 0.9)),
                    percent(r.series[k].share_positive)
                );
            }
        }
        o.push_str("</tbody>\n</table></div>\n");
    }
    o.push_str("</section>\n");
}

/// The pairs `[simulation] compare` adds besides the baseline's: per pair
/// and year the share of worlds the strategy is ahead of the other one and
/// the median difference; after tax too with `[tax]`.
fn other_pairs(o: &mut String, s: &Scenario, r: &Results) {
    let l = &r.layout;
    let extra = &l.pairs[l.compared.len()..];
    if extra.is_empty() {
        return;
    }
    let taxed = l.reports(Measure::NetCumulative);
    o.push_str("<h3>Other comparisons</h3>\n<div class=\"scroll\"><table>\n<thead><tr>");
    o.push_str("<th scope=\"col\">strategy</th><th scope=\"col\">against</th><th scope=\"col\" class=\"num\">year</th>");
    o.push_str("<th scope=\"col\" class=\"num\">ahead</th><th scope=\"col\" class=\"num\">median difference</th>");
    if taxed {
        o.push_str("<th scope=\"col\" class=\"num\">ahead after tax</th><th scope=\"col\" class=\"num\">median difference after tax</th>");
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    for (j, &(a, b)) in extra.iter().enumerate() {
        let k = l.compared.len() + j;
        for y in 0..l.years {
            let first = if y == 0 { " class=\"first\"" } else { "" };
            let _ = write!(
                o,
                "<tr{first}><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{}</td>",
                xml(&s.strategies[a].name),
                xml(&s.strategies[b].name),
                y + 1
            );
            let mut series = vec![l.diff(k, y)];
            if taxed {
                series.push(l.net_diff(k, y));
            }
            for d in series {
                let _ = write!(
                    o,
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                    percent(r.series[d].share_positive),
                    signed_dollars(r.quantile(d, 0.5))
                );
            }
            o.push_str("</tr>\n");
        }
    }
    o.push_str("</tbody>\n</table></div>\n");
}

/// Where the numbers came from: what reproduces them. No time and no
/// command line, so that the same file, seed and runs give the same bytes
/// (the manifest beside it has both).
fn provenance(o: &mut String, report: &Report<'_>) {
    let (p, s, r) = (report.provenance, report.scenario, report.results);
    o.push_str("<section id=\"provenance\">\n<h2>Provenance</h2>\n<table class=\"facts\">\n");
    let pct: Vec<String> = s.sim.percentiles.iter().map(|p| p.to_string()).collect();
    let rows = [
        ("tcsim version", env!("CARGO_PKG_VERSION").to_string()),
        ("scenario file", p.scenario.clone()),
        ("scenario SHA-256", p.scenario_sha256.clone()),
        ("seed", s.sim.seed.to_string()),
        ("runs", dollars(r.runs as f64)),
        ("percentiles", pct.join(", ")),
    ];
    for (key, value) in rows {
        let _ = writeln!(
            o,
            "<tr><th scope=\"row\">{key}</th><td><code>{}</code></td></tr>",
            xml(&value)
        );
    }
    o.push_str("</table>\n<p>The same file, seed and runs give the same numbers on any number of threads. \
                <code>manifest.json</code> beside this file lists every file of the run with its SHA-256, \
                the command line and the time.</p>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::Histogram;

    const TEXT: &str = r#"
[simulation]
years = 2
runs = 300

[companies.c]
type = "public"
share_price = 10.0
drift = 0.05
volatility = 0.3

[companies.r]
type = "private"
valuation = 100_000_000
shares = 10_000_000
preference = 20_000_000
preferred_fraction = 0.4
exit_rate = 0.2
failure_rate = 0.05
exit_multiple = { median = 1.2, sigma = 1.0 }

[jobs.j]
company = "c"
base = 150_000

[jobs.s]
company = "r"
base = 120_000
[[jobs.s.grants]]
kind = "rsu"
units = 10_000
vesting = [25, 25, 25, 25]
frequency = "quarterly"

[strategies.stay]
path = [{ job = "j" }]

[strategies.go]
path = [{ job = "s" }]
"#;

    /// The report of `TEXT` with its first strategy renamed `strategy`
    /// (the file's rules allow no such name; the writer must not rely on
    /// them) and read from `path`.
    fn page(strategy: &str, path: &str) -> (String, Results) {
        let mut s = crate::scenario::parse(path, TEXT).unwrap();
        let (_, written) = crate::scenario::parse_as_written(path, TEXT).unwrap();
        let engine = crate::engine::Engine::new(&s);
        let mut h = Some(Histogram::new(engine.layout(), s.sim.runs));
        let r = engine.simulate_with(&mut h, &|_| true).unwrap();
        let (bins, counts) = h.unwrap().finish().unwrap();
        s.strategies[0].name = strategy.to_string();
        let file = std::path::Path::new(path);
        let provenance = Provenance::new(file, TEXT.as_bytes(), &[&s]);
        let summary = crate::report::summary::render(&s, &r);
        let assumptions = crate::report::describe::describe(file, &s, &written);
        let bytes = render(&Report {
            name: "x<y",
            scenario: &s,
            results: &r,
            summary: &summary,
            assumptions: &assumptions,
            provenance: &provenance,
            histogram: Some((&bins, &counts)),
        });
        (String::from_utf8(bytes).unwrap(), r)
    }

    /// The page parsed as XML (its doctype is the only DTD it has).
    fn xml_doc(html: &str) -> roxmltree::Document<'_> {
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        roxmltree::Document::parse_with_options(html, options).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_page_is_well_formed_with_every_chart_inline() {
        let (html, _) = page("stay", "dir/t.toml");
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        let doc = xml_doc(&html);
        let figures: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("figure"))
            .filter_map(|n| n.attribute("id"))
            .collect();
        assert_eq!(
            figures,
            ["chart-fan", "chart-diff", "chart-unrealized", "chart-final"]
        );
        let svgs = doc.descendants().filter(|n| n.has_tag_name("svg")).count();
        assert_eq!(svgs, 4);
        // Ids unique across the charts.
        let ids: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.attribute("id"))
            .collect();
        let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        // Every section the navigation names exists.
        for a in doc.descendants().filter(|n| n.has_tag_name("a")) {
            let target = a.attribute("href").unwrap().strip_prefix('#').unwrap();
            assert!(ids.contains(&target), "{target}");
        }
    }

    #[test]
    fn names_and_paths_from_the_file_are_escaped() {
        let name = "a<b & \"c\" </pre><script>";
        let path = "d<&>/http=x.toml";
        let (html, _) = page(name, path);
        assert!(!html.contains(name) && !html.contains("<script"));
        assert!(html.contains("a&lt;b &amp; &quot;c&quot; &lt;/pre&gt;&lt;script&gt;"));
        // Parsed back, the texts are the names as written.
        let doc = xml_doc(&html);
        let rows: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("th") && n.attribute("scope") == Some("row"))
            .filter_map(|n| n.text())
            .collect();
        assert!(rows.contains(&name), "{rows:?}");
        assert!(rows.contains(&"go"), "{rows:?}");
        let codes: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("code"))
            .filter_map(|n| n.text())
            .collect();
        assert!(codes.contains(&path), "{codes:?}");
        assert_eq!(
            doc.descendants()
                .find(|n| n.has_tag_name("h1"))
                .unwrap()
                .text(),
            Some("x<y")
        );
    }

    #[test]
    fn the_page_leaves_nothing_to_fetch() {
        let (html, _) = page("stay", "http/t.toml");
        let lower = html.to_ascii_lowercase();
        for word in [
            "http", "src=", "url(", "@import", "<script", "<link", "<img", "<iframe", "<object",
            "<embed",
        ] {
            assert!(!lower.contains(word), "{word}");
        }
        let doc = xml_doc(&html);
        for n in doc.descendants() {
            for a in n.attributes() {
                if a.name() == "href" {
                    assert!(a.value().starts_with('#'), "{}", a.value());
                }
                assert_ne!(a.name(), "src");
            }
        }
    }

    #[test]
    fn the_tables_hold_the_quantiles_in_the_summary_format() {
        let (html, r) = page("stay", "t.toml");
        let l = &r.layout;
        let doc = xml_doc(&html);
        // The row of "go" in year 2 of the first table.
        let row = doc
            .descendants()
            .filter(|n| n.has_tag_name("tr"))
            .find(|tr| {
                let cells: Vec<&str> = tr.children().filter_map(|c| c.text()).collect();
                cells.first() == Some(&"go") && cells.get(1) == Some(&"2")
            })
            .unwrap();
        let cells: Vec<&str> = row.children().filter_map(|c| c.text()).collect();
        let k = l.at(1, 1, Measure::Cumulative);
        let d = l.diff(0, 1);
        assert_eq!(
            cells[2..],
            [
                dollars(r.quantile(k, 0.1)),
                dollars(r.quantile(k, 0.5)),
                dollars(r.quantile(k, 0.9)),
                percent(r.series[d].share_positive),
                signed_dollars(r.quantile(d, 0.5)),
            ]
        );
        assert_eq!(signed_dollars(9_412.4), "+9,412");
        assert_eq!(signed_dollars(-225_310.0), "-225,310");
        assert_eq!(signed_dollars(0.4), "0");
    }
}
