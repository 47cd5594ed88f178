//! `fan.svg` and `final.svg`: charts written as plain SVG 1.1 by hand, so
//! they open in a browser, an office suite or an image viewer with nothing
//! else installed. Presentation attributes only (no CSS), the generic
//! `sans-serif` font, and one `<g class="series">` per strategy whose `id`
//! and `<title>` name it.
//!
//! - The fan chart draws, per strategy, cumulative TC by year: the p10-p90
//!   and p25-p75 bands and the median line, from the exact quantiles of
//!   [`Results`]. Year 0 is the start, where nothing has been paid yet.
//! - The histogram draws, per strategy, cumulative TC at the horizon. Its
//!   range runs from the lowest strategy's p0.5 to the highest one's p99.5
//!   (the quantiles at [`RANGE_PROBS`] over the pilot runs, exact when the
//!   pilot is every run) so one extreme world cannot squash every bar into
//!   one; the runs beyond it, about 0.5 % a side per strategy, are counted
//!   in the first and last bins. The counts come from the simulation pass
//!   itself ([`Histogram`], a tap of the run driver).

use std::fmt::Write;

use crate::engine::driver::{Chunk, Consumer};
use crate::engine::{Layout, Measure, Results};
use crate::model::Scenario;
use crate::stats::{Pilot, Tap};

/// Probabilities of the histogram's range: p0.5 and p99.5 of each
/// strategy's cumulative TC at the horizon.
pub const RANGE_PROBS: [f64; 2] = [0.005, 0.995];

/// Okabe and Ito's colour-blind-safe palette (without its yellow, too pale
/// on white), then four of d3's category10 for larger files; strategies
/// past the eleventh reuse the colours in order.
const PALETTE: [&str; 11] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C564B",
    "#7F7F7F", "#BCBD22", "#9467BD",
];

const WIDTH: f64 = 800.0;
const LEFT: f64 = 84.0;
const RIGHT: f64 = 24.0;
const BOTTOM: f64 = 56.0;
/// Baseline of the first legend row; the plot starts below the last row.
const LEGEND_Y: f64 = 68.0;
const LEGEND_ROW: f64 = 20.0;
/// Rough width of a 12px sans-serif character, to lay out the legend.
const CHAR_WIDTH: f64 = 7.0;

fn colour(s: usize) -> &'static str {
    PALETTE[s % PALETTE.len()]
}

/// The horizon's cumulative series of strategy `s`.
fn horizon(l: &Layout, s: usize) -> usize {
    l.at(s, l.years - 1, Measure::Cumulative)
}

// ------------------------------------------------------------- histogram bins

/// The histogram's bins: `n` bins of `step` dollars from `lo`, on round
/// dollar edges.
#[derive(Debug, Clone)]
pub struct Bins {
    /// Left edge of the first bin.
    pub lo: f64,
    /// Bin width.
    pub step: f64,
    /// Number of bins.
    pub n: usize,
    /// Row index of each strategy's horizon cumulative TC.
    series: Vec<usize>,
}

impl Bins {
    /// Bins over the range of the horizon's cumulative TC of `layout`'s
    /// strategies: from the lowest p0.5 to the highest p99.5 as `quantile`
    /// gives them (series, probability). About `2 runs^(1/3)` bins (Rice's
    /// rule), 10 to 60, widened to round edges.
    pub fn for_horizon(layout: &Layout, runs: u64, quantile: impl Fn(usize, f64) -> f64) -> Bins {
        let series: Vec<usize> = (0..layout.strategies).map(|s| horizon(layout, s)).collect();
        let lo = series
            .iter()
            .map(|&k| quantile(k, RANGE_PROBS[0]))
            .fold(f64::INFINITY, f64::min);
        let hi = series
            .iter()
            .map(|&k| quantile(k, RANGE_PROBS[1]))
            .fold(f64::NEG_INFINITY, f64::max);
        let target = (2.0 * (runs as f64).cbrt()).round().clamp(10.0, 60.0);
        Bins::over(lo, hi, target, series)
    }

    fn over(mut lo: f64, mut hi: f64, target: f64, series: Vec<usize>) -> Bins {
        if hi - lo < 1.0 {
            // Every world pays the same: a narrow range around it.
            let pad = (lo.abs() * 0.05).max(100.0);
            lo -= pad;
            hi += pad;
        }
        let step = nice_step((hi - lo) / target, &[1.0, 2.0, 2.5, 5.0, 10.0]);
        let lo = (lo / step).floor() * step;
        let n = (((hi - lo) / step).ceil() as usize).max(1);
        Bins {
            lo,
            step,
            n,
            series,
        }
    }

    /// A zeroed count per (strategy, bin), strategy-major.
    pub fn counts(&self) -> Vec<u64> {
        vec![0; self.series.len() * self.n]
    }

    /// The bin of `x`; values beyond the range go to the end bins.
    pub fn index(&self, x: f64) -> usize {
        let i = ((x - self.lo) / self.step).floor();
        if i < 0.0 {
            0
        } else if i >= self.n as f64 {
            self.n - 1
        } else {
            i as usize
        }
    }

    /// Counts each strategy's horizon cumulative TC over the runs of `chunk`.
    fn add_chunk(&self, counts: &mut [u64], chunk: &Chunk<'_>) {
        for (s, &k) in self.series.iter().enumerate() {
            let counts = &mut counts[s * self.n..(s + 1) * self.n];
            for &x in chunk.series(k) {
                counts[self.index(x)] += 1;
            }
        }
    }
}

/// The histogram's counts, fed every run by the simulation pass. Its range
/// comes from the pilot runs (all runs up to 65,536; beyond, the first
/// `~(12 runs)^(2/3)`), which are simulated before any run is counted.
pub struct Histogram {
    layout: Layout,
    runs: u64,
    bins: Option<Bins>,
    counts: Vec<u64>,
}

impl Histogram {
    /// Counts for `runs` runs laid out as `layout`.
    pub fn new(layout: &Layout, runs: u64) -> Histogram {
        Histogram {
            layout: layout.clone(),
            runs,
            bins: None,
            counts: Vec::new(),
        }
    }

    /// The bins and their counts (strategy-major), once every run was fed.
    pub fn finish(self) -> Option<(Bins, Vec<u64>)> {
        self.bins.map(|b| (b, self.counts))
    }
}

impl Consumer for Histogram {
    type Part = Vec<u64>;

    fn part(&self, chunk: &Chunk<'_>) -> Vec<u64> {
        let bins = self
            .bins
            .as_ref()
            .expect("a tap is started before it is fed");
        let mut counts = bins.counts();
        bins.add_chunk(&mut counts, chunk);
        counts
    }

    fn absorb(&mut self, part: Vec<u64>) -> bool {
        for (total, n) in self.counts.iter_mut().zip(part) {
            *total += n;
        }
        true
    }
}

impl Tap for Histogram {
    fn start(&mut self, pilot: &Pilot<'_>) {
        let bins = Bins::for_horizon(&self.layout, self.runs, |k, p| pilot.quantile(k, p));
        self.counts = bins.counts();
        self.bins = Some(bins);
    }
}

// ----------------------------------------------------------------- numbers

/// The smallest `m 10^e` at least `raw`, `m` from `mantissas` (ascending,
/// ending with 10).
fn nice_step(raw: f64, mantissas: &[f64]) -> f64 {
    let raw = if raw.is_finite() && raw > 0.0 {
        raw
    } else {
        1.0
    };
    let e = 10f64.powf(raw.log10().floor());
    mantissas
        .iter()
        .map(|m| m * e)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * e)
}

/// Round tick values covering `[lo, hi]`, about `target` of them.
fn ticks(lo: f64, hi: f64, target: f64) -> Vec<f64> {
    let step = nice_step((hi - lo) / target, &[1.0, 2.0, 5.0, 10.0]);
    let first = (lo / step).floor() as i64;
    let last = (hi / step).ceil() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// `v` with at most `decimals` decimals and no trailing zeros.
fn trimmed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// An axis label in dollars: `$0`, `$750k`, `$1.25M`, `-$50k`.
pub fn axis_dollars(v: f64) -> String {
    let sign = if v < -0.5 { "-" } else { "" };
    let a = v.abs();
    if a >= 1e6 {
        format!("{sign}${}M", trimmed(a / 1e6, 2))
    } else if a >= 1e3 {
        format!("{sign}${}k", trimmed(a / 1e3, 1))
    } else {
        format!("{sign}${}", trimmed(a, 0))
    }
}

/// Escapes text for XML content and attribute values.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A valid, unique XML id for each strategy: `{prefix}-{name}` with other
/// characters than letters, digits, `-` and `_` replaced by `_`, and a
/// number appended when two names would collide.
fn ids(prefix: &str, scenario: &Scenario) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &scenario.strategies {
        let clean: String = s
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut id = format!("{prefix}-{clean}");
        let mut k = 2;
        while out.contains(&id) {
            id = format!("{prefix}-{clean}-{k}");
            k += 1;
        }
        out.push(id);
    }
    out
}

// ------------------------------------------------------------------ drawing

/// The plot area of one panel in pixels, and the data range it shows.
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x_range: (f64, f64),
    y_range: (f64, f64),
}

impl Frame {
    fn x(&self, v: f64) -> f64 {
        let (a, b) = self.x_range;
        self.left + (v - a) / (b - a) * (self.right - self.left)
    }
    fn y(&self, v: f64) -> f64 {
        let (a, b) = self.y_range;
        self.bottom - (v - a) / (b - a) * (self.bottom - self.top)
    }
}

/// Legend rows: each strategy's `(row, x)` position, and the row count.
fn legend_layout(scenario: &Scenario) -> (Vec<(usize, f64)>, usize) {
    let mut pos = Vec::new();
    let (mut row, mut x) = (0, LEFT);
    for s in &scenario.strategies {
        let w = 22.0 + CHAR_WIDTH * s.name.chars().count() as f64 + 20.0;
        if x > LEFT && x + w > WIDTH - RIGHT {
            row += 1;
            x = LEFT;
        }
        pos.push((row, x));
        x += w;
    }
    (pos, row + 1)
}

/// Top of the plot area below the title, subtitle and legend.
fn plot_top(scenario: &Scenario) -> f64 {
    let (_, rows) = legend_layout(scenario);
    LEGEND_Y + (rows as f64 - 1.0) * LEGEND_ROW + 22.0
}

/// The document start, background, title, subtitle and legend.
fn open(out: &mut String, height: f64, title: &str, subtitle: &str, scenario: &Scenario) {
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(out, "<title>{}</title>", xml(title));
    let _ = writeln!(
        out,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        out,
        r##"<text id="title" x="{LEFT}" y="26" font-size="16" font-weight="bold" fill="#222222">{}</text>"##,
        xml(title)
    );
    let _ = writeln!(
        out,
        r##"<text id="subtitle" x="{LEFT}" y="44" fill="#555555">{}</text>"##,
        xml(subtitle)
    );
    let (pos, _) = legend_layout(scenario);
    let _ = writeln!(out, r#"<g id="legend">"#);
    for (s, (strategy, &(row, x))) in scenario.strategies.iter().zip(&pos).enumerate() {
        let y = LEGEND_Y + row as f64 * LEGEND_ROW;
        let c = colour(s);
        let _ = writeln!(
            out,
            r#"<rect x="{x}" y="{}" width="14" height="14" fill="{c}" fill-opacity="0.6" stroke="{c}"/>"#,
            y - 11.0
        );
        let _ = writeln!(
            out,
            r##"<text x="{}" y="{y}" fill="#222222">{}</text>"##,
            x + 20.0,
            xml(&strategy.name)
        );
    }
    let _ = writeln!(out, "</g>");
}

/// One panel's grid lines, ticks, tick labels and axis lines.
fn grid(out: &mut String, f: &Frame, x_ticks: &[(f64, String)], y_ticks: &[(f64, String)]) {
    let _ = writeln!(out, r##"<g class="axes" fill="#333333">"##);
    for (v, label) in y_ticks {
        let y = f.y(*v);
        let _ = writeln!(
            out,
            r##"<line x1="{}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#e3e3e3" stroke-width="1"/>"##,
            f.left, f.right
        );
        let _ = writeln!(
            out,
            r#"<text class="tick-label" x="{}" y="{:.1}" text-anchor="end" font-size="11">{}</text>"#,
            f.left - 8.0,
            y + 4.0,
            xml(label)
        );
    }
    for (v, label) in x_ticks {
        let x = f.x(*v);
        let _ = writeln!(
            out,
            r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="#333333" stroke-width="1"/>"##,
            f.bottom,
            f.bottom + 5.0
        );
        let _ = writeln!(
            out,
            r#"<text class="tick-label" x="{x:.1}" y="{}" text-anchor="middle" font-size="11">{}</text>"#,
            f.bottom + 18.0,
            xml(label)
        );
    }
    let _ = writeln!(
        out,
        r##"<path d="M {l} {t} L {l} {b} L {r} {b}" fill="none" stroke="#333333" stroke-width="1"/>"##,
        l = f.left,
        t = f.top,
        b = f.bottom,
        r = f.right
    );
    let _ = writeln!(out, "</g>");
}

/// The axis titles: `x_label` centred under the plots, `y_label` rotated
/// along their left side, from `top` to `bottom`.
fn axis_labels(
    out: &mut String,
    height: f64,
    (top, bottom): (f64, f64),
    x_label: &str,
    y_label: &str,
) {
    let _ = writeln!(
        out,
        r##"<text id="x-label" class="axis-label" x="{:.1}" y="{}" text-anchor="middle" fill="#333333">{}</text>"##,
        (LEFT + WIDTH - RIGHT) / 2.0,
        height - 14.0,
        xml(x_label)
    );
    let (x, y) = (18.0, (top + bottom) / 2.0);
    let _ = writeln!(
        out,
        r##"<text id="y-label" class="axis-label" x="{x}" y="{y:.1}" text-anchor="middle" fill="#333333" transform="rotate(-90 {x} {y:.1})">{}</text>"##,
        xml(y_label)
    );
}

fn dollar_ticks(lo: f64, hi: f64, target: f64) -> Vec<(f64, String)> {
    ticks(lo, hi, target)
        .into_iter()
        .map(|v| (v, axis_dollars(v)))
        .collect()
}

/// Points of a line through `values` at x = 0, 1, 2, ...
fn points(f: &Frame, values: &[f64]) -> String {
    let pts: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(x, &v)| format!("{:.1},{:.1}", f.x(x as f64), f.y(v)))
        .collect();
    pts.join(" ")
}

/// Polygon points: `upper` left to right, then `lower` right to left.
fn band(f: &Frame, lower: &[f64], upper: &[f64]) -> String {
    let rev: Vec<f64> = lower.iter().rev().copied().collect();
    let back: Vec<String> = rev
        .iter()
        .enumerate()
        .map(|(i, &v)| format!("{:.1},{:.1}", f.x((lower.len() - 1 - i) as f64), f.y(v)))
        .collect();
    format!("{} {}", points(f, upper), back.join(" "))
}

/// Up to this many strategies share one fan chart; more get a panel each
/// (small multiples), where the bands would hide one another.
const OVERLAID_MAX: usize = 4;
/// Height of the plot area of a single fan chart and of the histogram.
const PLOT_HEIGHT: f64 = 340.0;
/// Height of one small-multiple panel, and the gaps between panels (room
/// for tick labels and the next panel's title).
const PANEL_HEIGHT: f64 = 170.0;
const PANEL_GAP_X: f64 = 64.0;
const PANEL_GAP_Y: f64 = 48.0;

/// `fan.svg`: cumulative TC by year, per strategy the p10-p90 and p25-p75
/// bands and the median. Up to four strategies share one chart;
/// more get one panel each on a shared scale, with the other strategies'
/// medians in grey for reference. `name` names the scenario in the title.
pub fn fan(name: &str, scenario: &Scenario, r: &Results) -> Vec<u8> {
    let l = &r.layout;
    let cum = Measure::Cumulative;
    // Per strategy, per probability, the values at years 0..=years (year 0:
    // nothing paid yet).
    let probs = [0.1, 0.25, 0.5, 0.75, 0.9];
    let lines: Vec<Vec<Vec<f64>>> = (0..l.strategies)
        .map(|s| {
            probs
                .iter()
                .map(|&p| {
                    std::iter::once(0.0)
                        .chain((0..l.years).map(|y| r.quantile(l.at(s, y, cum), p)))
                        .collect()
                })
                .collect()
        })
        .collect();
    let all = lines.iter().flatten().flatten().copied();
    let (lo, hi) = all.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let hi = if hi > lo { hi } else { lo + 1.0 };

    let n = l.strategies;
    let overlaid = n <= OVERLAID_MAX;
    let (cols, rows) = if overlaid {
        (1, 1)
    } else {
        let cols = if n <= 6 { 3 } else { 4 };
        (cols, n.div_ceil(cols))
    };
    // Small multiples: room for each panel's title above it.
    let top = plot_top(scenario) + if overlaid { 0.0 } else { 16.0 };
    let panel_h = if overlaid { PLOT_HEIGHT } else { PANEL_HEIGHT };
    let panel_w = (WIDTH - LEFT - RIGHT - (cols - 1) as f64 * PANEL_GAP_X) / cols as f64;
    let bottom = top + rows as f64 * panel_h + (rows - 1) as f64 * PANEL_GAP_Y;
    let height = bottom + BOTTOM;
    let y_ticks = dollar_ticks(lo, hi, if overlaid { 6.0 } else { 4.0 });
    let frame = |panel: usize| {
        let (c, r) = (panel % cols, panel / cols);
        let left = LEFT + c as f64 * (panel_w + PANEL_GAP_X);
        let top = top + r as f64 * (panel_h + PANEL_GAP_Y);
        Frame {
            left,
            right: left + panel_w,
            top,
            bottom: top + panel_h,
            x_range: (0.0, l.years as f64),
            y_range: (y_ticks[0].0, y_ticks[y_ticks.len() - 1].0),
        }
    };
    let most_years = if overlaid { 10.0 } else { 5.0 };
    let year_step =
        nice_step(l.years as f64 / most_years, &[1.0, 2.0, 5.0, 10.0]).max(1.0) as usize;
    let x_ticks: Vec<(f64, String)> = (0..=l.years)
        .step_by(year_step)
        .map(|y| (y as f64, y.to_string()))
        .collect();

    let mut out = String::new();
    open(
        &mut out,
        height,
        &format!("{name}: cumulative TC by year"),
        &format!(
            "{} runs, seed {}. Shaded: p10-p90 and p25-p75; line: median{}.",
            super::summary::dollars(r.runs as f64),
            scenario.sim.seed,
            if overlaid {
                ""
            } else {
                "; grey: the other strategies' medians"
            }
        ),
        scenario,
    );
    axis_labels(
        &mut out,
        height,
        (top, bottom),
        "Year",
        "Cumulative TC (cash, before tax)",
    );
    let panels = if overlaid { 1 } else { n };
    for p in 0..panels {
        grid(&mut out, &frame(p), &x_ticks, &y_ticks);
    }
    for (s, (strategy, id)) in scenario
        .strategies
        .iter()
        .zip(ids("fan", scenario))
        .enumerate()
    {
        let f = frame(if overlaid { 0 } else { s });
        if !overlaid {
            let _ = writeln!(
                out,
                r#"<text class="panel-title" x="{}" y="{}" font-weight="bold" fill="{}">{}</text>"#,
                f.left,
                f.top - 8.0,
                colour(s),
                xml(&strategy.name)
            );
            let _ = writeln!(out, r#"<g class="reference">"#);
            for (o, other) in lines.iter().enumerate() {
                if o != s {
                    let _ = writeln!(
                        out,
                        r##"<polyline points="{}" fill="none" stroke="#c4c4c4" stroke-width="1"/>"##,
                        points(&f, &other[2])
                    );
                }
            }
            let _ = writeln!(out, "</g>");
        }
        let [p10, p25, p50, p75, p90] = &lines[s][..] else {
            unreachable!("five probabilities")
        };
        let c = colour(s);
        let _ = writeln!(out, r#"<g id="{id}" class="series">"#);
        let _ = writeln!(out, "<title>{}</title>", xml(&strategy.name));
        let _ = writeln!(
            out,
            r#"<polygon class="band-p10-p90" points="{}" fill="{c}" fill-opacity="0.14" stroke="none"/>"#,
            band(&f, p10, p90)
        );
        let _ = writeln!(
            out,
            r#"<polygon class="band-p25-p75" points="{}" fill="{c}" fill-opacity="0.24" stroke="none"/>"#,
            band(&f, p25, p75)
        );
        let _ = writeln!(
            out,
            r#"<polyline class="median" points="{}" fill="none" stroke="{c}" stroke-width="2.5" stroke-linejoin="round"/>"#,
            points(&f, p50)
        );
        let _ = writeln!(out, "</g>");
    }
    out.push_str("</svg>\n");
    out.into_bytes()
}

/// `final.svg`: the distribution of cumulative TC at the horizon, one
/// translucent histogram per strategy (shares of runs per bin), with
/// dashed lines at the medians. `counts` come from [`Histogram`] over every
/// run.
pub fn histogram(
    name: &str,
    scenario: &Scenario,
    r: &Results,
    bins: &Bins,
    counts: &[u64],
) -> Vec<u8> {
    let l = &r.layout;
    let share = |s: usize, b: usize| counts[s * bins.n + b] as f64 / r.runs as f64;
    let top_share = (0..l.strategies)
        .flat_map(|s| (0..bins.n).map(move |b| (s, b)))
        .map(|(s, b)| share(s, b))
        .fold(0.0, f64::max);
    let y_ticks: Vec<(f64, String)> = ticks(0.0, top_share.max(0.01), 5.0)
        .into_iter()
        .map(|v| (v, format!("{}%", trimmed(100.0 * v, 1))))
        .collect();
    let hi = bins.lo + bins.n as f64 * bins.step;
    let x_ticks: Vec<(f64, String)> = dollar_ticks(bins.lo, hi, 6.0)
        .into_iter()
        .filter(|(v, _)| *v >= bins.lo - 1e-6 * bins.step && *v <= hi + 1e-6 * bins.step)
        .collect();
    let top = plot_top(scenario);
    let f = Frame {
        left: LEFT,
        right: WIDTH - RIGHT,
        top,
        bottom: top + PLOT_HEIGHT,
        x_range: (bins.lo, hi),
        y_range: (y_ticks[0].0, y_ticks[y_ticks.len() - 1].0),
    };
    let height = f.bottom + BOTTOM;
    let span = match l.years {
        1 => "1 year".to_string(),
        n => format!("{n} years"),
    };
    // Lighter fills as strategies pile up, so every outline stays visible.
    let opacity = (0.8 / l.strategies as f64).clamp(0.1, 0.28);

    let mut out = String::new();
    open(
        &mut out,
        height,
        &format!("{name}: cumulative TC after {span}"),
        &format!(
            "{} runs in {} bins; dashed: medians. The end bins also hold the tails beyond them.",
            super::summary::dollars(r.runs as f64),
            axis_dollars(bins.step)
        ),
        scenario,
    );
    axis_labels(
        &mut out,
        height,
        (f.top, f.bottom),
        &format!("Cumulative TC after {span} (cash, before tax)"),
        "Share of runs",
    );
    grid(&mut out, &f, &x_ticks, &y_ticks);
    for (s, (strategy, id)) in scenario
        .strategies
        .iter()
        .zip(ids("final", scenario))
        .enumerate()
    {
        let c = colour(s);
        // The outline of the bars as one step path, closed along the axis.
        let mut d = format!("M {:.1} {:.1}", f.x(bins.lo), f.y(0.0));
        for b in 0..bins.n {
            let y = f.y(share(s, b));
            let x0 = f.x(bins.lo + b as f64 * bins.step);
            let x1 = f.x(bins.lo + (b + 1) as f64 * bins.step);
            let _ = write!(d, " L {x0:.1} {y:.1} L {x1:.1} {y:.1}");
        }
        let _ = write!(d, " L {:.1} {:.1} Z", f.x(hi), f.y(0.0));
        let median = r.quantile(horizon(l, s), 0.5);
        let mx = f.x(median.clamp(bins.lo, hi));
        let _ = writeln!(out, r#"<g id="{id}" class="series">"#);
        let _ = writeln!(
            out,
            "<title>{}: median {}</title>",
            xml(&strategy.name),
            axis_dollars(median)
        );
        let _ = writeln!(
            out,
            r#"<path class="bars" d="{d}" fill="{c}" fill-opacity="{opacity:.2}" stroke="{c}" stroke-width="1.5"/>"#
        );
        let _ = writeln!(
            out,
            r#"<line class="median" x1="{mx:.1}" y1="{:.1}" x2="{mx:.1}" y2="{:.1}" stroke="{c}" stroke-width="2" stroke-dasharray="6 4"/>"#,
            f.top, f.bottom
        );
        let _ = writeln!(out, "</g>");
    }
    out.push_str("</svg>\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_dollars_use_k_and_m_suffixes() {
        assert_eq!(axis_dollars(0.0), "$0");
        assert_eq!(axis_dollars(750_000.0), "$750k");
        assert_eq!(axis_dollars(1_250_000.0), "$1.25M");
        assert_eq!(axis_dollars(2_000_000.0), "$2M");
        assert_eq!(axis_dollars(-50_000.0), "-$50k");
        assert_eq!(axis_dollars(500.0), "$500");
        assert_eq!(axis_dollars(12_500.0), "$12.5k");
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            ticks(0.0, 2_592_181.0, 6.0),
            [0.0, 500_000.0, 1e6, 1.5e6, 2e6, 2.5e6, 3e6]
        );
        let shares = ticks(0.0, 0.043, 5.0);
        assert_eq!(shares.len(), 6);
        for (got, want) in shares.iter().zip([0.0, 0.01, 0.02, 0.03, 0.04, 0.05]) {
            assert!((got - want).abs() < 1e-12, "{shares:?}");
        }
    }

    #[test]
    fn bins_have_round_edges_and_clamp_values_beyond_them() {
        let b = Bins::over(1_722_377.0, 2_592_181.0, 40.0, vec![0]);
        assert_eq!(b.step, 25_000.0);
        assert_eq!(b.lo, 1_700_000.0);
        assert_eq!(b.n, 36);
        assert_eq!(b.index(0.0), 0);
        assert_eq!(b.index(1_724_999.0), 0);
        assert_eq!(b.index(1_725_000.0), 1);
        assert_eq!(b.index(1e12), 35);
    }

    #[test]
    fn a_constant_value_still_gets_a_range() {
        let b = Bins::over(100_000.0, 100_000.0, 20.0, vec![0]);
        assert!(b.lo < 100_000.0 && b.lo + b.n as f64 * b.step > 100_000.0);
    }

    #[test]
    fn text_is_escaped_and_ids_are_valid_and_unique() {
        assert_eq!(xml(r#"a<b & "c""#), "a&lt;b &amp; &quot;c&quot;");
        let s = crate::scenario::parse(
            "inline.toml",
            r#"
[simulation]
years = 1

[companies.c]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.2

[jobs.j]
company = "c"
base = 1

[strategies."a.b"]
path = [{ job = "j" }]

[strategies.a_b]
path = [{ job = "j" }]
"#,
        )
        .unwrap();
        assert_eq!(ids("fan", &s), ["fan-a_b", "fan-a_b-2"]);
    }
}
