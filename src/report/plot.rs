//! The charts: `fan.svg`, `diff.svg`, `unrealized.svg` and `final.svg`
//! with `--plot`, and the same charts inline in `report.html`. Written as
//! plain SVG 1.1 by hand, so a file opens in a browser, an office suite or
//! an image viewer with nothing else installed: presentation attributes
//! only (no CSS), the generic `sans-serif` font, and one
//! `<g class="series">` per strategy drawn, whose `id` and `<title>` name it.
//!
//! Every chart shows the cash measure the verdict compares ([`shown`]):
//! `cumulative`, or `net_cumulative` with `[tax]`.
//! - The fan chart: per strategy, by year, the p10-p90 and p25-p75 bands
//!   and the median (labelled with its value at the horizon), from the
//!   exact quantiles of [`Results`]. Its y axis spans what is drawn, p10 to
//!   p90 on round ticks, not from $0: cumulative pay far from zero would
//!   otherwise squash the bands into lines.
//! - The difference fan: the same bands of each compared strategy's
//!   difference to the baseline in the same world, with a zero line; each
//!   named with the share of worlds it ends ahead in.
//! - Unrealized equity (vested private equity still held), apart from the
//!   cash, for the strategies that hold some in some world.
//! - The histogram: per strategy, the measure at the horizon. Its range
//!   runs from the lowest strategy's p0.5 to the highest one's p99.5 (the
//!   quantiles at [`RANGE_PROBS`] over the pilot runs, exact when the pilot
//!   is every run) so one extreme world cannot squash every bar into one;
//!   the runs beyond it, about 0.5 % a side per strategy, are counted in
//!   the first and last bins. The counts come from the simulation pass
//!   itself ([`Histogram`], a tap of the run driver).
//!
//! Many strategies stay readable: up to [`OVERLAID_MAX`] share one plot,
//! with only the p25-p75 band filled (two colours never blend into a third
//! grey); more get a panel each (small multiples in two columns on one
//! shared scale), named above it in its colour, long names wrapped to a
//! second line, with the other strategies' medians in grey behind. A
//! strategy has the same colour in every chart, from a fixed palette of
//! distinct colours. Text positions are laid out from an estimate of each
//! text's width ([`text_width`]), so that no two texts overlap.

use std::fmt::Write;

use crate::codec::{DecodeError, Decoder, Encoder};
use crate::engine::driver::{Chunk, Consumer};
use crate::engine::{Layout, Measure, Results};
use crate::model::Scenario;
use crate::report::summary::{count, percent};
use crate::stats::{Pilot, Tap};

/// Probabilities of the histogram's range: p0.5 and p99.5 of each
/// strategy's measure at the horizon.
pub const RANGE_PROBS: [f64; 2] = [0.005, 0.995];

/// Okabe and Ito's colour-blind-safe palette (without its yellow, too pale
/// on white), then four of d3's category10 for larger files; strategies
/// past the eleventh reuse the colours in order.
const PALETTE: [&str; 11] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C564B",
    "#7F7F7F", "#BCBD22", "#9467BD",
];

/// Up to this many series share one plot; more get a panel each.
pub const OVERLAID_MAX: usize = 2;
/// Columns of small multiples: two keep a 64-character name on two lines.
const COLUMNS: usize = 2;

const WIDTH: f64 = 800.0;
const LEFT: f64 = 84.0;
const RIGHT: f64 = 24.0;
/// Below the last row of plots: tick labels and the x axis title.
const BOTTOM: f64 = 56.0;
/// Height of the plot area of an overlaid chart.
const PLOT_HEIGHT: f64 = 320.0;
/// Height of the plot area of one small-multiple panel.
const FAN_PANEL: f64 = 150.0;
const HISTOGRAM_PANEL: f64 = 110.0;
/// Between two columns of panels: the right column's tick labels.
const GAP_X: f64 = 64.0;
/// Below each row of panels: its x tick labels.
const GAP_Y: f64 = 30.0;
/// Right of each fan plot: the median's label.
const LABEL_W: f64 = 64.0;
/// One line of 12px text.
const LINE: f64 = 15.0;
const LEGEND_ROW: f64 = 20.0;

fn colour(s: usize) -> &'static str {
    PALETTE[s % PALETTE.len()]
}

/// Where a chart goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A file of its own: a standalone SVG 1.1 document, with the XML
    /// declaration and the SVG namespace.
    File,
    /// Inline in `report.html`: HTML5 puts an `<svg>` element in the SVG
    /// namespace by itself, so neither is written (the report names no
    /// address at all), and the chart's ids are prefixed with its name, so
    /// that several charts share one document.
    Html,
}

/// The cash measure the charts show: `net_cumulative` with `[tax]` (the
/// one the verdict compares), else `cumulative`.
pub fn shown(l: &Layout) -> Measure {
    if l.reports(Measure::NetCumulative) {
        Measure::NetCumulative
    } else {
        Measure::Cumulative
    }
}

/// The difference series of [`shown`] for the `k`-th compared strategy.
fn shown_diff(l: &Layout, k: usize, y: usize) -> usize {
    if l.reports(Measure::NetCumulative) {
        l.net_diff(k, y)
    } else {
        l.diff(k, y)
    }
}

/// The horizon's series of [`shown`] for strategy `s`.
fn horizon(l: &Layout, s: usize) -> usize {
    l.at(s, l.years - 1, shown(l))
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
    /// Row index of each strategy's horizon series.
    series: Vec<usize>,
}

impl Bins {
    /// Bins over the range of the horizon's [`shown`] measure of
    /// `layout`'s strategies: from the lowest p0.5 to the highest p99.5 as
    /// `quantile` gives them (series, probability). About `2 runs^(1/3)`
    /// bins (Rice's rule), 10 to 60, widened to round edges.
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

    fn over(lo: f64, hi: f64, target: f64, series: Vec<usize>) -> Bins {
        let (lo, hi) = padded(lo, hi);
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

    /// The right edge of the last bin.
    pub fn hi(&self) -> f64 {
        self.lo + self.n as f64 * self.step
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

    /// Counts each strategy's horizon value over the runs of `chunk`.
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

    /// Writes the bins (left edge and width as float bits, count) and the
    /// counts of the runs fed: a shard's share of the histogram.
    pub fn encode(&self, e: &mut Encoder) {
        let Some(b) = &self.bins else {
            e.bool(false);
            return;
        };
        e.bool(true);
        e.f64(b.lo);
        e.f64(b.step);
        e.usize(b.n);
        e.u64s(&self.counts);
    }

    /// Adds a later shard's share, as [`Histogram::encode`] wrote it: its
    /// bins must be these (every shard chooses them from the same pilot).
    pub fn append_decoded(&mut self, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        if !d.bool("the histogram's presence")? {
            return Err("a histogram that was never started".into());
        }
        let (lo, step) = (d.f64("the bins' left edge")?, d.f64("the bins' width")?);
        let n = d.usize(1 << 20, "the bin count")?;
        if !(lo.is_finite() && step.is_finite() && step > 0.0) || n == 0 {
            return Err(format!("bins of {n} from {lo} by {step}"));
        }
        let series: Vec<usize> = (0..self.layout.strategies)
            .map(|s| horizon(&self.layout, s))
            .collect();
        let counts = d.u64s_of(series.len() * n, "the histogram's counts")?;
        match &self.bins {
            None => {
                self.bins = Some(Bins {
                    lo,
                    step,
                    n,
                    series,
                });
                self.counts = counts;
            }
            Some(b) => {
                if (b.lo.to_bits(), b.step.to_bits(), b.n) != (lo.to_bits(), step.to_bits(), n) {
                    return Err("other histogram bins".into());
                }
                for (total, c) in self.counts.iter_mut().zip(counts) {
                    *total += c;
                }
            }
        }
        Ok(())
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
    let step = nice_step((hi - lo) / target, &[1.0, 2.0, 2.5, 5.0, 10.0]);
    let first = (lo / step).floor() as i64;
    let last = (hi / step).ceil() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// `[lo, hi]`, widened around its middle when narrower than a dollar
/// (every world pays the same): a range must have a width to draw.
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo >= 1.0 {
        return (lo, hi);
    }
    let pad = (lo.abs() * 0.05).max(100.0);
    (lo - pad, hi + pad)
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

/// A value beside a line, three significant digits or so: `$1.40M`,
/// `$750k`, `-$83k`, `$0`.
pub fn value_label(v: f64) -> String {
    let a = v.abs();
    let sign = if v.round() < 0.0 { "-" } else { "" };
    if a >= 999_500.0 {
        format!("{sign}${:.2}M", a / 1e6)
    } else if a >= 999.5 {
        format!("{sign}${:.0}k", a / 1e3)
    } else {
        format!("{sign}${a:.0}")
    }
}

/// [`value_label`] with a `+` on a gain: `+$9k`, `-$225k`, `$0`.
pub fn signed_label(v: f64) -> String {
    let label = value_label(v);
    if v.round() > 0.0 {
        format!("+{label}")
    } else {
        label
    }
}

/// Escapes text for XML and HTML content and attribute values. Two more
/// characters are written as references, which read the same: the `h` of
/// `http` (any case), so that no text from a scenario file, a path say,
/// puts an address in the report, and `=`, so that no text reads as an
/// attribute (`src=`) to a scan of the file.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '=' => out.push_str("&#61;"),
            'h' | 'H'
                if chars[i + 1..]
                    .iter()
                    .take(3)
                    .collect::<String>()
                    .eq_ignore_ascii_case("ttp") =>
            {
                let _ = write!(out, "&#{};", c as u32);
            }
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

// -------------------------------------------------------------------- text

/// Estimated width of `text` in pixels in the generic sans-serif at `size`
/// px: 0.62 em a character, 0.7 em bold. DejaVu Sans, the usual fallback
/// on Linux and among the widest, averages about 0.55 em on lower case and
/// 0.64 em on digits (0.7 em bold).
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    text.chars().count() as f64 * size * if bold { 0.7 } else { 0.62 }
}

/// How many characters fit in `width` pixels at `size` px.
fn chars_in(width: f64, size: f64, bold: bool) -> usize {
    (width / text_width("x", size, bold)).floor().max(4.0) as usize
}

/// `text` cut to at most `max` characters, its middle replaced by `…`, so
/// both ends stay (names that differ only at the end stay apart).
fn fit(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    let max = max.max(3);
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// A name on at most two lines of at most `max` characters, broken after
/// a `-`, `_` or `.` in the second half of the line when there is one;
/// what the second line cannot hold is cut in its middle.
fn wrap_name(name: &str, max: usize) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= max {
        return vec![name.to_string()];
    }
    let cut = (max / 2..=max)
        .rev()
        .find(|&i| matches!(chars[i - 1], '-' | '_' | '.'))
        .unwrap_or(max);
    let first: String = chars[..cut].iter().collect();
    let rest: String = chars[cut..].iter().collect();
    vec![first, fit(&rest, max)]
}

/// Prose on lines of at most `max` characters, broken at spaces (a word
/// longer than a line is cut).
fn wrap_words(text: &str, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let word = fit(word, max);
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
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

/// One chart being written.
struct Svg {
    out: String,
    target: Target,
    /// The chart's name (`fan`, `diff`, ...): its series' ids start with
    /// it, and so do its other ids inline in the report.
    chart: &'static str,
}

impl Svg {
    fn id(&self, base: &str) -> String {
        match self.target {
            Target::File => base.to_string(),
            Target::Html => format!("{}-{base}", self.chart),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.out.push_str("</svg>\n");
        self.out.into_bytes()
    }
}

/// What a chart says above its plots.
struct Head {
    title: String,
    /// Paragraphs, each wrapped to the width.
    subtitle: Vec<String>,
    /// Overlaid plots: each series' strategy and text (its name and note).
    legend: Vec<(usize, String)>,
}

const TEXT_W: f64 = WIDTH - LEFT - RIGHT;

impl Head {
    fn subtitle_lines(&self) -> Vec<String> {
        let max = chars_in(TEXT_W, 12.0, false);
        self.subtitle
            .iter()
            .flat_map(|p| wrap_words(p, max))
            .collect()
    }

    /// Each legend entry's `(row, x)` and its text cut to fit, and the
    /// number of rows.
    fn legend_layout(&self) -> (Vec<(usize, f64, String)>, usize) {
        let mut pos = Vec::new();
        let (mut row, mut x) = (0, LEFT);
        // A swatch and its gap before the text, a gap after it.
        let (swatch, gap) = (20.0, 20.0);
        let max = chars_in(TEXT_W - swatch, 12.0, false);
        for (_, text) in &self.legend {
            let text = fit(text, max);
            let w = swatch + text_width(&text, 12.0, false) + gap;
            if x > LEFT && x + w - gap > WIDTH - RIGHT {
                row += 1;
                x = LEFT;
            }
            pos.push((row, x, text));
            x += w;
        }
        let rows = if self.legend.is_empty() { 0 } else { row + 1 };
        (pos, rows)
    }

    fn legend_y(&self) -> f64 {
        44.0 + self.subtitle_lines().len().saturating_sub(1) as f64 * LINE + 24.0
    }

    /// Where the plots (or the first row's panel titles) start.
    fn bottom(&self) -> f64 {
        let (_, rows) = self.legend_layout();
        self.legend_y()
            + rows.saturating_sub(1) as f64 * LEGEND_ROW
            + if rows > 0 { 20.0 } else { -4.0 }
    }
}

/// The document start, background, title, subtitle and legend.
fn open(svg: &mut Svg, height: f64, head: &Head) {
    let out = &mut svg.out;
    if svg.target == Target::File {
        let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    }
    let ns = match svg.target {
        Target::File => r#" xmlns="http://www.w3.org/2000/svg""#,
        Target::Html => "",
    };
    let _ = writeln!(
        out,
        r#"<svg{ns} version="1.1" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let title = fit(&head.title, chars_in(TEXT_W, 16.0, true));
    let _ = writeln!(out, "<title>{}</title>", xml(&head.title));
    let _ = writeln!(
        out,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##
    );
    let (title_id, subtitle_id, legend_id) =
        (svg.id("title"), svg.id("subtitle"), svg.id("legend"));
    let out = &mut svg.out;
    let _ = writeln!(
        out,
        r##"<text id="{title_id}" x="{LEFT}" y="26" font-size="16" font-weight="bold" fill="#222222">{}</text>"##,
        xml(&title)
    );
    let _ = write!(
        out,
        r##"<text id="{subtitle_id}" x="{LEFT}" y="44" fill="#555555">"##
    );
    for (i, line) in head.subtitle_lines().iter().enumerate() {
        let dy = if i == 0 { 0.0 } else { LINE };
        let _ = write!(out, r#"<tspan x="{LEFT}" dy="{dy}">{}</tspan>"#, xml(line));
    }
    let _ = writeln!(out, "</text>");
    if head.legend.is_empty() {
        return;
    }
    let (pos, _) = head.legend_layout();
    let y0 = head.legend_y();
    let _ = writeln!(out, r#"<g id="{legend_id}">"#);
    for ((s, _), (row, x, text)) in head.legend.iter().zip(pos) {
        let y = y0 + row as f64 * LEGEND_ROW;
        let c = colour(*s);
        let _ = writeln!(
            out,
            r#"<rect x="{x:.1}" y="{}" width="14" height="14" fill="{c}" fill-opacity="0.6" stroke="{c}"/>"#,
            y - 11.0
        );
        let _ = writeln!(
            out,
            r##"<text x="{:.1}" y="{y}" fill="#222222">{}</text>"##,
            x + 20.0,
            xml(&text)
        );
    }
    let _ = writeln!(out, "</g>");
}

/// Small multiples, or the one plot of an overlaid chart: where each
/// panel's plot area is.
struct Grid {
    cols: usize,
    rows: usize,
    /// Top of the first row (of its panel titles).
    top: f64,
    /// Height of each panel's title block above its plot (0 overlaid).
    title_h: f64,
    plot_h: f64,
    /// Width of a column: its plot and its label room.
    col_w: f64,
    /// Room right of each plot for the labels of its lines.
    label_w: f64,
}

impl Grid {
    fn new(panels: usize, top: f64, plot_h: f64, label_w: f64) -> Grid {
        let cols = panels.clamp(1, COLUMNS);
        Grid {
            cols,
            rows: panels.max(1).div_ceil(cols),
            top,
            title_h: 0.0,
            plot_h,
            col_w: (TEXT_W - (cols - 1) as f64 * GAP_X) / cols as f64,
            label_w,
        }
    }

    /// The most characters of a bold 12px panel title line.
    fn title_chars(&self) -> usize {
        chars_in(self.col_w, 12.0, true)
    }

    fn frame(&self, panel: usize, x_range: (f64, f64), y_range: (f64, f64)) -> Frame {
        let (c, r) = (panel % self.cols, panel / self.cols);
        let left = LEFT + c as f64 * (self.col_w + GAP_X);
        let top = self.top + r as f64 * (self.title_h + self.plot_h + GAP_Y) + self.title_h;
        Frame {
            left,
            right: left + self.col_w - self.label_w,
            top,
            bottom: top + self.plot_h,
            x_range,
            y_range,
        }
    }

    /// The bottom of the last row's plots.
    fn bottom(&self) -> f64 {
        self.top + self.rows as f64 * (self.title_h + self.plot_h + GAP_Y) - GAP_Y
    }
}

/// A panel's title block, above its plot: the name in its colour, then
/// the note in grey.
fn panel_title(svg: &mut Svg, f: &Frame, title: &PanelTitle, s: usize) {
    let out = &mut svg.out;
    let (lines, note) = (&title.lines, title.note.as_deref());
    let top = f.top - 6.0 - (lines.len() + usize::from(note.is_some())) as f64 * LINE;
    for (i, line) in lines.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text class="panel-title" x="{}" y="{:.1}" font-weight="bold" fill="{}">{}</text>"#,
            f.left,
            top + (i + 1) as f64 * LINE - 3.0,
            colour(s),
            xml(line)
        );
    }
    if let Some(note) = note {
        let _ = writeln!(
            out,
            r##"<text class="panel-note" x="{}" y="{:.1}" font-size="11" fill="#555555">{}</text>"##,
            f.left,
            top + (lines.len() + 1) as f64 * LINE - 3.0,
            xml(note)
        );
    }
}

/// A panel's title block: its strategy's name on one or two lines, and a
/// note below it.
struct PanelTitle {
    lines: Vec<String>,
    note: Option<String>,
}

/// Each panel's title block for `names` (strategy, name, note), and the
/// blocks' height (the tallest one's, so that the rows line up).
fn panel_titles(grid: &Grid, names: &[(usize, &str, Option<String>)]) -> (Vec<PanelTitle>, f64) {
    let note_chars = chars_in(grid.col_w, 11.0, false);
    let blocks: Vec<PanelTitle> = names
        .iter()
        .map(|(_, name, note)| PanelTitle {
            lines: wrap_name(name, grid.title_chars()),
            note: note.as_ref().map(|n| fit(n, note_chars)),
        })
        .collect();
    let lines = blocks
        .iter()
        .map(|b| b.lines.len() + usize::from(b.note.is_some()))
        .max()
        .unwrap_or(1);
    (blocks, lines as f64 * LINE + 8.0)
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
    svg: &mut Svg,
    height: f64,
    (top, bottom): (f64, f64),
    x_label: &str,
    y_label: &str,
) {
    let (x_id, y_id) = (svg.id("x-label"), svg.id("y-label"));
    let x_label = fit(x_label, chars_in(TEXT_W, 12.0, false));
    let y_label = fit(y_label, chars_in(bottom - top + 40.0, 12.0, false));
    let out = &mut svg.out;
    let _ = writeln!(
        out,
        r##"<text id="{x_id}" class="axis-label" x="{:.1}" y="{}" text-anchor="middle" fill="#333333">{}</text>"##,
        (LEFT + WIDTH - RIGHT) / 2.0,
        height - 14.0,
        xml(&x_label)
    );
    let (x, y) = (18.0, (top + bottom) / 2.0);
    let _ = writeln!(
        out,
        r##"<text id="{y_id}" class="axis-label" x="{x}" y="{y:.1}" text-anchor="middle" fill="#333333" transform="rotate(-90 {x} {y:.1})">{}</text>"##,
        xml(&y_label)
    );
}

fn dollar_ticks(lo: f64, hi: f64, target: f64) -> Vec<(f64, String)> {
    ticks(lo, hi, target)
        .into_iter()
        .map(|v| (v, axis_dollars(v)))
        .collect()
}

/// `years` from 1 to the horizon: its x range (a single year is drawn as a
/// short flat step around it) and about `most` round ticks, the first and
/// last year always among them.
fn year_axis(years: usize, most: f64) -> ((f64, f64), Vec<(f64, String)>) {
    if years == 1 {
        return ((0.5, 1.5), vec![(1.0, "1".into())]);
    }
    let step = nice_step(years as f64 / most, &[1.0, 2.0, 5.0, 10.0]).max(1.0) as usize;
    let mut t = vec![1];
    t.extend(
        (step..years)
            .step_by(step)
            .filter(|&y| 2 * (y - 1) >= step && 2 * (years - y) >= step),
    );
    t.push(years);
    t.dedup();
    let labels = t.into_iter().map(|y| (y as f64, y.to_string())).collect();
    ((1.0, years as f64), labels)
}

/// Points of a line through `values` at years 1, 2, ...; a single value is
/// a flat step from 0.75 to 1.25.
fn points(f: &Frame, values: &[f64]) -> String {
    let pts: Vec<(f64, f64)> = match values {
        [v] => vec![(0.75, *v), (1.25, *v)],
        _ => values
            .iter()
            .enumerate()
            .map(|(i, &v)| ((i + 1) as f64, v))
            .collect(),
    };
    let pts: Vec<String> = pts
        .iter()
        .map(|&(x, v)| format!("{:.1},{:.1}", f.x(x), f.y(v)))
        .collect();
    pts.join(" ")
}

/// Polygon points: `upper` left to right, then `lower` right to left.
fn band(f: &Frame, lower: &[f64], upper: &[f64]) -> String {
    let lower_pts = points(f, lower);
    let mut rev: Vec<&str> = lower_pts.split(' ').collect();
    rev.reverse();
    format!("{} {}", points(f, upper), rev.join(" "))
}

/// Moves the label positions `ys` (sorted by the caller's order, any)
/// apart so that no two are closer than `gap`, keeping them above `max`.
fn spread(ys: &mut [f64], gap: f64, max: f64) {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by(|&a, &b| ys[a].total_cmp(&ys[b]));
    for w in 1..order.len() {
        let (prev, this) = (order[w - 1], order[w]);
        ys[this] = ys[this].max(ys[prev] + gap);
    }
    if let Some(&last) = order.last() {
        ys[last] = ys[last].min(max);
        for w in (0..order.len() - 1).rev() {
            let (this, next) = (order[w], order[w + 1]);
            ys[this] = ys[this].min(ys[next] - gap);
        }
    }
}

/// One series of a fan chart: a strategy's p10, p25, median, p75 and p90
/// by year.
struct Fan {
    strategy: usize,
    lines: [Vec<f64>; 5],
    /// Said beside its name, in the panel title or the legend.
    note: Option<String>,
}

/// A fan chart: bands by year, per strategy.
struct FanChart {
    chart: &'static str,
    head: Head,
    y_label: String,
    /// A zero line, inside the range.
    zero: bool,
    /// The median's label at the horizon.
    label: fn(f64) -> String,
    fans: Vec<Fan>,
}

/// The quantiles of series `k(y)` by year at p10, p25, p50, p75 and p90.
fn quantile_lines(r: &Results, k: impl Fn(usize) -> usize) -> [Vec<f64>; 5] {
    [0.1, 0.25, 0.5, 0.75, 0.9].map(|p| (0..r.layout.years).map(|y| r.quantile(k(y), p)).collect())
}

fn draw_fans(mut c: FanChart, scenario: &Scenario, years: usize, target: Target) -> Vec<u8> {
    let n = c.fans.len();
    let overlaid = n <= OVERLAID_MAX;
    // The range of what is drawn: the lowest p10 to the highest p90.
    let lows = c.fans.iter().flat_map(|f| f.lines[0].iter().copied());
    let highs = c.fans.iter().flat_map(|f| f.lines[4].iter().copied());
    let mut lo = lows.fold(f64::INFINITY, f64::min);
    let mut hi = highs.fold(f64::NEG_INFINITY, f64::max);
    if c.zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let (lo, hi) = padded(lo, hi);
    let y_ticks = dollar_ticks(lo, hi, if overlaid { 6.0 } else { 5.0 });
    let y_range = (y_ticks[0].0, y_ticks[y_ticks.len() - 1].0);
    if y_range.0 > 0.0 {
        let _ = write!(
            c.head.subtitle[0],
            " The axis starts at {}, not at $0.",
            axis_dollars(y_range.0)
        );
    }
    let (x_range, x_ticks) = year_axis(years, if overlaid { 10.0 } else { 5.0 });

    let names: Vec<(usize, &str, Option<String>)> = c
        .fans
        .iter()
        .map(|f| {
            (
                f.strategy,
                scenario.strategies[f.strategy].name.as_str(),
                f.note.clone(),
            )
        })
        .collect();
    if overlaid {
        c.head.legend = names
            .iter()
            .map(|(s, name, note)| match note {
                Some(note) => (*s, format!("{name} ({note})")),
                None => (*s, name.to_string()),
            })
            .collect();
    }
    let plot_h = if overlaid { PLOT_HEIGHT } else { FAN_PANEL };
    let mut g = Grid::new(
        if overlaid { 1 } else { n },
        c.head.bottom(),
        plot_h,
        LABEL_W,
    );
    let (titles, title_h) = panel_titles(&g, &names);
    if !overlaid {
        g.title_h = title_h;
    }
    let bottom = g.bottom();
    let height = bottom + BOTTOM;
    let frame = |p: usize| g.frame(if overlaid { 0 } else { p }, x_range, y_range);

    let mut svg = Svg {
        out: String::new(),
        target,
        chart: c.chart,
    };
    open(&mut svg, height, &c.head);
    axis_labels(&mut svg, height, (g.top, bottom), "Year", &c.y_label);
    for p in 0..if overlaid { 1 } else { n } {
        let f = frame(p);
        grid(&mut svg.out, &f, &x_ticks, &y_ticks);
        if c.zero {
            let y = f.y(0.0);
            let _ = writeln!(
                svg.out,
                r##"<line class="zero" x1="{}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#222222" stroke-width="1.2"/>"##,
                f.left, f.right
            );
        }
    }
    // Overlaid, the labels at the right end are moved apart.
    let ends: Vec<f64> = c.fans.iter().map(|f| f.lines[2][years - 1]).collect();
    let mut label_y: Vec<f64> = ends
        .iter()
        .enumerate()
        .map(|(p, &v)| {
            let f = frame(p);
            (f.y(v) + 4.0).clamp(f.top + 8.0, f.bottom + 4.0)
        })
        .collect();
    if overlaid {
        let f = frame(0);
        spread(&mut label_y, 14.0, f.bottom + 4.0);
    }
    let ids = ids(c.chart, scenario);
    for (p, fan) in c.fans.iter().enumerate() {
        let f = frame(p);
        let s = fan.strategy;
        let col = colour(s);
        if !overlaid {
            panel_title(&mut svg, &f, &titles[p], s);
            let _ = writeln!(svg.out, r#"<g class="reference">"#);
            for other in c.fans.iter().filter(|o| o.strategy != s) {
                let _ = writeln!(
                    svg.out,
                    r##"<polyline points="{}" fill="none" stroke="#c4c4c4" stroke-width="1"/>"##,
                    points(&f, &other.lines[2])
                );
            }
            let _ = writeln!(svg.out, "</g>");
        }
        let [p10, p25, p50, p75, p90] = &fan.lines;
        let out = &mut svg.out;
        let _ = writeln!(out, r#"<g id="{}" class="series">"#, ids[s]);
        let name = &scenario.strategies[s].name;
        let _ = match &fan.note {
            Some(note) => writeln!(out, "<title>{}: {}</title>", xml(name), xml(note)),
            None => writeln!(out, "<title>{}</title>", xml(name)),
        };
        if overlaid {
            // Only the middle half filled: two translucent colours over
            // one another would blend into a third.
            let _ = writeln!(
                out,
                r#"<polygon class="band-p25-p75" points="{}" fill="{col}" fill-opacity="0.22" stroke="none"/>"#,
                band(&f, p25, p75)
            );
            for (class, line) in [("p10", p10), ("p90", p90)] {
                let _ = writeln!(
                    out,
                    r#"<polyline class="{class}" points="{}" fill="none" stroke="{col}" stroke-width="1" stroke-dasharray="4 3"/>"#,
                    points(&f, line)
                );
            }
        } else {
            let _ = writeln!(
                out,
                r#"<polygon class="band-p10-p90" points="{}" fill="{col}" fill-opacity="0.15" stroke="none"/>"#,
                band(&f, p10, p90)
            );
            let _ = writeln!(
                out,
                r#"<polygon class="band-p25-p75" points="{}" fill="{col}" fill-opacity="0.3" stroke="none"/>"#,
                band(&f, p25, p75)
            );
        }
        let _ = writeln!(
            out,
            r#"<polyline class="median" points="{}" fill="none" stroke="{col}" stroke-width="2.5" stroke-linejoin="round"/>"#,
            points(&f, p50)
        );
        let y = label_y[p];
        let _ = writeln!(
            out,
            r#"<text class="median-label" x="{:.1}" y="{y:.1}" font-size="11" font-weight="bold" fill="{col}">{}</text>"#,
            f.right + 6.0,
            xml(&(c.label)(ends[p]))
        );
        let _ = writeln!(out, "</g>");
    }
    svg.finish()
}

/// The scenario's measure in words, for titles and axis labels: the
/// horizon's name, and whether it is after tax.
fn measure_words(l: &Layout) -> (&'static str, &'static str) {
    match shown(l) {
        Measure::NetCumulative => ("net cumulative TC", "after tax"),
        _ => ("cumulative TC", "cash, before tax"),
    }
}

/// How a fan chart of `n` series draws them.
fn bands_words(n: usize, years: usize) -> String {
    if n <= OVERLAID_MAX {
        format!(
            "Shaded: p25-p75; dashed: p10 and p90; line: the median, labelled with its value at year {years}."
        )
    } else {
        format!(
            "Shaded: p10-p90 and p25-p75; line: the median, labelled with its value at year {years}; \
             grey: the other strategies' medians."
        )
    }
}

fn runs_and_seed(scenario: &Scenario, r: &Results) -> String {
    format!(
        "{}, seed {}",
        count(r.runs, "run", "runs"),
        scenario.sim.seed
    )
}

/// `fan.svg`: the [`shown`] measure by year, per strategy the p10-p90 and
/// p25-p75 bands and the median, labelled with its value at the horizon.
/// `name` names the scenario in the title.
pub fn fan(name: &str, scenario: &Scenario, r: &Results, target: Target) -> Vec<u8> {
    let l = &r.layout;
    let m = shown(l);
    let (what, how) = measure_words(l);
    let fans: Vec<Fan> = (0..l.strategies)
        .map(|s| Fan {
            strategy: s,
            lines: quantile_lines(r, |y| l.at(s, y, m)),
            note: None,
        })
        .collect();
    let explain = format!(
        "{}. {}",
        runs_and_seed(scenario, r),
        bands_words(fans.len(), l.years)
    );
    let chart = FanChart {
        chart: "fan",
        head: Head {
            title: format!("{name}: {what} by year"),
            subtitle: vec![explain],
            legend: Vec::new(),
        },
        y_label: format!("{} ({how})", capitalised(what)),
        zero: false,
        label: value_label,
        fans,
    };
    draw_fans(chart, scenario, l.years, target)
}

/// `diff.svg`: per compared strategy, by year, the bands and the median of
/// its [`shown`] measure less the baseline's in the same world, with a
/// zero line; `None` when there is no other strategy than the baseline.
pub fn diff(name: &str, scenario: &Scenario, r: &Results, target: Target) -> Option<Vec<u8>> {
    let l = &r.layout;
    if l.compared.is_empty() {
        return None;
    }
    let (what, how) = measure_words(l);
    let baseline = &scenario.strategies[l.baseline].name;
    let last = l.years - 1;
    let fans: Vec<Fan> = l
        .compared
        .iter()
        .enumerate()
        .map(|(i, &s)| Fan {
            strategy: s,
            lines: quantile_lines(r, |y| shown_diff(l, i, y)),
            note: Some(format!(
                "ahead in {} of worlds by year {}",
                percent(r.series[shown_diff(l, i, last)].share_positive),
                l.years
            )),
        })
        .collect();
    let chart = FanChart {
        chart: "diff",
        head: Head {
            title: format!("{name}: difference to {baseline} by year"),
            subtitle: vec![
                format!(
                    "Each world's {what} ({how}) less {baseline}'s in the same world: above the zero line, ahead."
                ),
                format!(
                    "{}. {}",
                    runs_and_seed(scenario, r),
                    bands_words(fans.len(), l.years)
                ),
            ],
            legend: Vec::new(),
        },
        y_label: format!("Difference to {baseline} ({how})"),
        zero: true,
        label: signed_label,
        fans,
    };
    Some(draw_fans(chart, scenario, l.years, target))
}

/// `unrealized.svg`: the `unrealized` measure by year (vested private
/// equity still held at the year's end, not cash), for the strategies that
/// hold some in some world and year; `None` when the scenario does not
/// report it or no strategy ever holds any.
pub fn unrealized(name: &str, scenario: &Scenario, r: &Results, target: Target) -> Option<Vec<u8>> {
    let l = &r.layout;
    let m = Measure::Unrealized;
    if !l.reports(m) {
        return None;
    }
    let last = l.years - 1;
    let fans: Vec<Fan> = (0..l.strategies)
        .filter(|&s| (0..l.years).any(|y| r.series[l.at(s, y, m)].share_positive > 0.0))
        .map(|s| Fan {
            strategy: s,
            lines: quantile_lines(r, |y| l.at(s, y, m)),
            note: Some(format!(
                "some held in {} of worlds at year {}",
                percent(r.series[l.at(s, last, m)].share_positive),
                l.years
            )),
        })
        .collect();
    if fans.is_empty() {
        return None;
    }
    let chart = FanChart {
        chart: "unrealized",
        head: Head {
            title: format!("{name}: unrealized equity by year (not cash)"),
            subtitle: vec![
                "Vested private equity still held at each year's end, at the last round's price, \
                 before tax: not part of TC, of the comparison or of the other charts."
                    .into(),
                format!(
                    "{}. {} Strategies that never hold any are left out.",
                    runs_and_seed(scenario, r),
                    bands_words(fans.len(), l.years)
                ),
            ],
            legend: Vec::new(),
        },
        y_label: "Unrealized equity (before tax)".into(),
        zero: true,
        label: value_label,
        fans,
    };
    Some(draw_fans(chart, scenario, l.years, target))
}

/// The chart files `--plot` writes, in order: `fan.svg`, `final.svg`,
/// then `diff.svg` and `unrealized.svg` when they have something to show.
pub fn files(
    name: &str,
    scenario: &Scenario,
    r: &Results,
    bins: &Bins,
    counts: &[u64],
) -> Vec<(&'static str, Vec<u8>)> {
    let t = Target::File;
    let mut out = vec![
        ("fan.svg", fan(name, scenario, r, t)),
        ("final.svg", histogram(name, scenario, r, bins, counts, t)),
    ];
    out.extend(diff(name, scenario, r, t).map(|b| ("diff.svg", b)));
    out.extend(unrealized(name, scenario, r, t).map(|b| ("unrealized.svg", b)));
    out
}

fn capitalised(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `final.svg`: the distribution of the [`shown`] measure at the horizon,
/// per strategy the share of runs in each bin and a dashed line at the
/// median (its value in the legend or the panel title). Up to
/// [`OVERLAID_MAX`] strategies share one plot, as outlines over a light
/// fill; more get a panel each on one scale. `counts` come from
/// [`Histogram`] over every run.
pub fn histogram(
    name: &str,
    scenario: &Scenario,
    r: &Results,
    bins: &Bins,
    counts: &[u64],
    target: Target,
) -> Vec<u8> {
    let l = &r.layout;
    let n = l.strategies;
    let overlaid = n <= OVERLAID_MAX;
    let (what, how) = measure_words(l);
    let share = |s: usize, b: usize| counts[s * bins.n + b] as f64 / r.runs as f64;
    let top_share = (0..n)
        .flat_map(|s| (0..bins.n).map(move |b| (s, b)))
        .map(|(s, b)| share(s, b))
        .fold(0.0, f64::max);
    let y_ticks: Vec<(f64, String)> =
        ticks(0.0, top_share.max(0.01), if overlaid { 5.0 } else { 4.0 })
            .into_iter()
            .map(|v| (v, format!("{}%", trimmed(100.0 * v, 1))))
            .collect();
    let hi = bins.hi();
    let x_ticks: Vec<(f64, String)> = dollar_ticks(bins.lo, hi, if overlaid { 6.0 } else { 4.0 })
        .into_iter()
        .filter(|(v, _)| *v >= bins.lo - 1e-6 * bins.step && *v <= hi + 1e-6 * bins.step)
        .collect();
    let span = match l.years {
        1 => "1 year".to_string(),
        n => format!("{n} years"),
    };
    let medians: Vec<f64> = (0..n).map(|s| r.quantile(horizon(l, s), 0.5)).collect();
    let names: Vec<(usize, &str, Option<String>)> = scenario
        .strategies
        .iter()
        .enumerate()
        .map(|(s, st)| {
            (
                s,
                st.name.as_str(),
                Some(format!("median {}", value_label(medians[s]))),
            )
        })
        .collect();
    let head = Head {
        title: format!("{name}: {what} after {span}"),
        subtitle: vec![format!(
            "{} in {} bins; dashed: the medians{}. The end bins also hold the tails beyond them.",
            count(r.runs, "run", "runs"),
            axis_dollars(bins.step),
            if overlaid {
                ""
            } else {
                "; one scale for every panel"
            }
        )],
        legend: if overlaid {
            names
                .iter()
                .map(|(s, name, note)| (*s, format!("{name} ({})", note.as_deref().unwrap_or(""))))
                .collect()
        } else {
            Vec::new()
        },
    };
    let plot_h = if overlaid {
        PLOT_HEIGHT
    } else {
        HISTOGRAM_PANEL
    };
    let mut g = Grid::new(if overlaid { 1 } else { n }, head.bottom(), plot_h, 0.0);
    let (titles, title_h) = panel_titles(&g, &names);
    if !overlaid {
        g.title_h = title_h;
    }
    let y_range = (y_ticks[0].0, y_ticks[y_ticks.len() - 1].0);
    let frame = |p: usize| g.frame(if overlaid { 0 } else { p }, (bins.lo, hi), y_range);
    let bottom = g.bottom();
    let height = bottom + BOTTOM;

    let mut svg = Svg {
        out: String::new(),
        target,
        chart: "final",
    };
    open(&mut svg, height, &head);
    axis_labels(
        &mut svg,
        height,
        (g.top, bottom),
        &format!("{} after {span} ({how})", capitalised(what)),
        "Share of runs",
    );
    for p in 0..if overlaid { 1 } else { n } {
        grid(&mut svg.out, &frame(p), &x_ticks, &y_ticks);
    }
    let ids = ids("final", scenario);
    for (s, strategy) in scenario.strategies.iter().enumerate() {
        let f = frame(s);
        let c = colour(s);
        if !overlaid {
            panel_title(&mut svg, &f, &titles[s], s);
        }
        // The outline of the bars as one step path, closed along the axis.
        let mut d = format!("M {:.1} {:.1}", f.x(bins.lo), f.y(0.0));
        for b in 0..bins.n {
            let y = f.y(share(s, b));
            let x0 = f.x(bins.lo + b as f64 * bins.step);
            let x1 = f.x(bins.lo + (b + 1) as f64 * bins.step);
            let _ = write!(d, " L {x0:.1} {y:.1} L {x1:.1} {y:.1}");
        }
        let _ = write!(d, " L {:.1} {:.1} Z", f.x(hi), f.y(0.0));
        let mx = f.x(medians[s].clamp(bins.lo, hi));
        let out = &mut svg.out;
        let _ = writeln!(out, r#"<g id="{}" class="series">"#, ids[s]);
        let _ = writeln!(
            out,
            "<title>{}: median {}</title>",
            xml(&strategy.name),
            value_label(medians[s])
        );
        let (fill, width) = if overlaid { (0.12, 1.5) } else { (0.45, 1.0) };
        let _ = writeln!(
            out,
            r#"<path class="bars" d="{d}" fill="{c}" fill-opacity="{fill}" stroke="{c}" stroke-width="{width}"/>"#
        );
        let _ = writeln!(
            out,
            r#"<line class="median" x1="{mx:.1}" y1="{:.1}" x2="{mx:.1}" y2="{:.1}" stroke="{c}" stroke-width="2" stroke-dasharray="6 4"/>"#,
            f.top, f.bottom
        );
        let _ = writeln!(out, "</g>");
    }
    svg.finish()
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

    #[test]
    fn value_labels_keep_about_three_significant_digits() {
        assert_eq!(value_label(1_402_825.0), "$1.40M");
        assert_eq!(value_label(750_300.0), "$750k");
        assert_eq!(value_label(999_700.0), "$1.00M");
        assert_eq!(value_label(-83_400.0), "-$83k");
        assert_eq!(value_label(999.7), "$1k");
        assert_eq!(value_label(-0.3), "$0");
        assert_eq!(signed_label(9_412.0), "+$9k");
        assert_eq!(signed_label(-225_000.0), "-$225k");
        assert_eq!(signed_label(0.2), "$0");
    }

    #[test]
    fn long_names_wrap_on_two_lines_and_keep_both_ends() {
        let name = "amazon-style-backloaded-vesting-then-leave-after-two-years-0001";
        let lines = wrap_name(name, 37);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 37), "{lines:?}");
        assert!(lines[0].ends_with('-'), "broken after a dash: {lines:?}");
        assert_eq!(lines.concat(), name);
        assert_eq!(wrap_name("short", 37), ["short"]);
        assert_eq!(fit("abcdefghij", 5), "ab…ij");
        assert_eq!(fit("abc", 5), "abc");
        let cut = wrap_name(&"x".repeat(100), 10);
        assert_eq!(cut.len(), 2);
        assert!(
            cut[1].contains('…') && cut[1].chars().count() == 10,
            "{cut:?}"
        );
        assert_eq!(
            wrap_words("one two three four", 9),
            ["one two", "three", "four"]
        );
    }

    #[test]
    fn the_year_axis_shows_the_first_and_the_last_year() {
        let years = |n, most| {
            let (range, t) = year_axis(n, most);
            (
                range,
                t.into_iter().map(|(v, _)| v as usize).collect::<Vec<_>>(),
            )
        };
        assert_eq!(years(1, 10.0), ((0.5, 1.5), vec![1]));
        assert_eq!(years(6, 10.0), ((1.0, 6.0), vec![1, 2, 3, 4, 5, 6]));
        assert_eq!(years(7, 5.0).1, [1, 2, 4, 6, 7]);
        assert_eq!(years(30, 5.0).1, [1, 10, 20, 30]);
    }

    #[test]
    fn spread_labels_are_apart_and_above_the_limit() {
        let mut ys = [100.0, 101.0, 300.0, 99.0];
        spread(&mut ys, 14.0, 200.0);
        let mut sorted = ys;
        sorted.sort_by(f64::total_cmp);
        assert!(
            sorted.windows(2).all(|w| w[1] - w[0] >= 14.0 - 1e-9),
            "{ys:?}"
        );
        assert!(ys.iter().all(|&y| y <= 200.0), "{ys:?}");
        // Already apart: unchanged.
        let mut apart = [10.0, 50.0];
        spread(&mut apart, 14.0, 200.0);
        assert_eq!(apart, [10.0, 50.0]);
    }

    #[test]
    fn escaped_text_names_no_address_and_no_attribute() {
        let e = xml("see HTTPS://x.org/?a=b & http");
        assert!(!e.to_ascii_lowercase().contains("http"), "{e}");
        assert!(!e.contains('='), "{e}");
        assert_eq!(e, "see &#72;TTPS://x.org/?a&#61;b &amp; &#104;ttp");
        assert_eq!(xml("h ht htt"), "h ht htt");
    }

    // ------------------------------------------------ whole charts

    /// A scenario of `names.len()` strategies over `years` years: one job
    /// each at a public company, every other one at a startup (which holds
    /// unrealized equity) when `private`.
    fn scenario_text(names: &[&str], years: u32, private: bool) -> String {
        let mut t = format!(
            "[simulation]\nyears = {years}\nruns = 400\nseed = 3\n\n\
             [companies.big]\ntype = \"public\"\nshare_price = 100.0\ndrift = 0.05\nvolatility = 0.3\n\n\
             [companies.rocket]\ntype = \"private\"\nvaluation = 300_000_000\nshares = 30_000_000\n\
             preference = 65_000_000\npreferred_fraction = 0.45\nexit_rate = 0.1\nfailure_rate = 0.05\n\
             exit_multiple = {{ median = 1.2, sigma = 1.0 }}\n\n"
        );
        for i in 0..names.len() {
            let company = if private && i % 2 == 1 {
                "rocket"
            } else {
                "big"
            };
            let _ = write!(
                t,
                "[jobs.j{i}]\ncompany = \"{company}\"\nbase = {}\n\
                 [[jobs.j{i}.grants]]\nkind = \"rsu\"\nvalue = {}\nvesting = [25, 25, 25, 25]\n\
                 frequency = \"quarterly\"\ncliff_months = 12\n\n",
                150_000 + 10_000 * i,
                100_000 + 50_000 * i
            );
        }
        for (i, name) in names.iter().enumerate() {
            let _ = write!(
                t,
                "[strategies.\"{name}\"]\npath = [{{ job = \"j{i}\" }}]\n\n"
            );
        }
        t
    }

    fn simulate(text: &str) -> (Scenario, Results, Bins, Vec<u64>) {
        let s = crate::scenario::parse("t.toml", text).unwrap();
        let engine = crate::engine::Engine::new(&s);
        let mut h = Some(Histogram::new(engine.layout(), s.sim.runs));
        let r = engine.simulate_with(&mut h, &|_| true).unwrap();
        let (bins, counts) = h.unwrap().finish().unwrap();
        (s, r, bins, counts)
    }

    /// Every chart of a run, by name, for `target`.
    fn charts(text: &str, target: Target) -> Vec<(&'static str, String)> {
        let (s, r, bins, counts) = simulate(text);
        let name = "a-scenario-file-stem";
        let mut out = vec![
            ("fan", fan(name, &s, &r, target)),
            ("final", histogram(name, &s, &r, &bins, &counts, target)),
        ];
        out.extend(diff(name, &s, &r, target).map(|b| ("diff", b)));
        out.extend(unrealized(name, &s, &r, target).map(|b| ("unrealized", b)));
        out.into_iter()
            .map(|(n, b)| (n, String::from_utf8(b).unwrap()))
            .collect()
    }

    /// Estimated boxes of every unrotated line of text: (text, x0, y0, x1, y1).
    fn text_boxes(svg: &str) -> Vec<(String, f64, f64, f64, f64)> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        let num = |n: roxmltree::Node, a: &str| n.attribute(a).map(|v| v.parse::<f64>().unwrap());
        let mut boxes = Vec::new();
        for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
            if t.attribute("transform").is_some() {
                continue;
            }
            let size = num(t, "font-size").unwrap_or(12.0);
            let bold = t.attribute("font-weight") == Some("bold");
            let anchor = t.attribute("text-anchor").unwrap_or("start");
            let (x, mut y) = (num(t, "x").unwrap(), num(t, "y").unwrap());
            let mut lines: Vec<(f64, String)> = Vec::new();
            let spans: Vec<_> = t.children().filter(|c| c.has_tag_name("tspan")).collect();
            if spans.is_empty() {
                lines.push((y, t.text().unwrap_or("").to_string()));
            }
            for span in spans {
                y += num(span, "dy").unwrap_or(0.0);
                lines.push((y, span.text().unwrap_or("").to_string()));
            }
            for (y, line) in lines {
                let w = text_width(&line, size, bold);
                let x0 = match anchor {
                    "middle" => x - w / 2.0,
                    "end" => x - w,
                    _ => x,
                };
                boxes.push((line, x0, y - 0.8 * size, x0 + w, y + 0.25 * size));
            }
        }
        boxes
    }

    fn assert_no_text_overlaps(what: &str, svg: &str) {
        let boxes = text_boxes(svg);
        assert!(boxes.len() > 10, "{what}: {} texts", boxes.len());
        for (i, a) in boxes.iter().enumerate() {
            assert!(
                a.1 >= 0.0 && a.3 <= WIDTH,
                "{what}: {:?} leaves the chart ({:.1} to {:.1})",
                a.0,
                a.1,
                a.3
            );
            for b in &boxes[i + 1..] {
                let apart = a.3 <= b.1 || b.3 <= a.1 || a.4 <= b.2 || b.4 <= a.2;
                assert!(apart, "{what}: {:?} overlaps {:?}", a.0, b.0);
            }
        }
    }

    const LONG: [&str; 8] = [
        "amazon-style-backloaded-vesting-then-leave-after-two-years-0001",
        "amazon-style-backloaded-vesting-then-leave-after-two-years-0002",
        "frontloaded-vesting-and-stay-for-the-whole-horizon-at-bigco-003",
        "frontloaded_vesting_and_stay_for_the_whole_horizon_at_bigco_004",
        "startup.with.options.and.a.ninety.day.window.then.back.to.big.5",
        "x6",
        "flat-vesting-with-a-refresher-every-year-and-no-promotion-00007",
        "flat-vesting-with-a-refresher-every-year-and-no-promotion-00008",
    ];

    #[test]
    fn no_two_texts_overlap_with_eight_long_names() {
        let text = scenario_text(&LONG, 6, true);
        let charts = charts(&text, Target::File);
        assert_eq!(charts.len(), 4, "fan, final, diff and unrealized");
        for (what, svg) in &charts {
            assert_no_text_overlaps(what, svg);
        }
    }

    #[test]
    fn no_two_texts_overlap_with_one_or_two_strategies() {
        for names in [&LONG[..1], &LONG[..2], &LONG[..3]] {
            for years in [1, 3, 30] {
                let text = scenario_text(names, years, true);
                for (what, svg) in charts(&text, Target::File) {
                    assert_no_text_overlaps(
                        &format!("{what}, {} of {years} years", names.len()),
                        &svg,
                    );
                }
            }
        }
    }

    #[test]
    fn small_multiples_name_each_panel_and_label_each_median() {
        let text = scenario_text(&LONG, 4, false);
        let (s, r, _, _) = simulate(&text);
        let svg = String::from_utf8(fan("f", &s, &r, Target::File)).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let class = |c: &str| {
            doc.descendants()
                .filter(|n| n.attribute("class") == Some(c))
                .count()
        };
        assert_eq!(class("series"), 8);
        assert_eq!(class("reference"), 8, "the other medians behind each panel");
        // Every name is in its panel title, whole on one or two lines.
        let titles: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("panel-title"))
            .filter_map(|n| n.text())
            .collect();
        for name in LONG {
            assert!(
                titles.contains(&name) || titles.windows(2).any(|w| w.concat() == name),
                "{name} in {titles:?}"
            );
        }
        let l = &r.layout;
        let labels: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("median-label"))
            .filter_map(|n| n.text())
            .collect();
        let want: Vec<String> = (0..8)
            .map(|st| value_label(r.quantile(l.at(st, l.years - 1, Measure::Cumulative), 0.5)))
            .collect();
        assert_eq!(labels, want);
        // Distinct colours, none translucent over another strategy's.
        let fills: std::collections::BTreeSet<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("median"))
            .filter_map(|n| n.attribute("stroke"))
            .collect();
        assert_eq!(fills.len(), 8);
    }

    #[test]
    fn overlaid_charts_fill_only_the_middle_half() {
        let text = scenario_text(&["stay", "switch"], 4, false);
        let (s, r, _, _) = simulate(&text);
        let svg = String::from_utf8(fan("f", &s, &r, Target::File)).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        for g in doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("series"))
        {
            let polygons: Vec<_> = g.children().filter(|c| c.has_tag_name("polygon")).collect();
            assert_eq!(polygons.len(), 1);
            assert_eq!(polygons[0].attribute("class"), Some("band-p25-p75"));
            assert_eq!(
                g.children()
                    .filter(|c| c.attribute("stroke-dasharray").is_some())
                    .count(),
                2,
                "p10 and p90 as outlines"
            );
        }
    }

    #[test]
    fn the_fan_axis_starts_near_the_data() {
        // No volatility: every world pays $1M a year (the RSU vests at
        // the grant's price), so year 1 is $1.25M and the horizon $3.75M.
        let text = "[simulation]\nyears = 3\nruns = 50\n[companies.c]\ntype = \"public\"\n\
                    share_price = 10\ndrift = 0\nvolatility = 0\n[jobs.j]\ncompany = \"c\"\nbase = 1_000_000\n\
                    [jobs.k]\ncompany = \"c\"\nbase = 1_250_000\n\
                    [strategies.a]\npath = [{ job = \"j\" }]\n[strategies.b]\npath = [{ job = \"k\" }]\n";
        let (s, r, _, _) = simulate(text);
        let svg = String::from_utf8(fan("f", &s, &r, Target::File)).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let ticks: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("tick-label"))
            .filter_map(|n| n.text())
            .filter(|t| t.starts_with('$'))
            .collect();
        assert_eq!(ticks.first(), Some(&"$1M"), "{ticks:?}");
        assert_eq!(ticks.last(), Some(&"$4M"), "{ticks:?}");
        assert!(svg.contains("The axis starts at $1M, not at $0."));
    }

    #[test]
    fn the_difference_fan_has_a_zero_line_and_says_who_is_ahead() {
        let text = scenario_text(&["stay", "switch", "hop"], 3, false);
        let (s, r, _, _) = simulate(&text);
        let svg = String::from_utf8(diff("f", &s, &r, Target::File).unwrap()).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let series: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("series"))
            .collect();
        assert_eq!(series.len(), 2, "the compared strategies");
        let zeros: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("zero"))
            .collect();
        assert_eq!(zeros.len(), 1, "two compared strategies share one plot");
        let l = &r.layout;
        for (i, g) in series.iter().enumerate() {
            let title = g.children().find(|c| c.has_tag_name("title")).unwrap();
            let share = percent(r.series[l.diff(i, l.years - 1)].share_positive);
            assert!(
                title
                    .text()
                    .unwrap()
                    .contains(&format!("ahead in {share} of worlds by year 3")),
                "{:?}",
                title.text()
            );
        }
        // A single strategy has nothing to compare.
        let (s, r, _, _) = simulate(&scenario_text(&["alone"], 2, false));
        assert!(diff("f", &s, &r, Target::File).is_none());
    }

    #[test]
    fn unrealized_equity_is_drawn_apart_for_the_strategies_that_hold_some() {
        let names = ["public-a", "startup-b", "public-c"];
        let (s, r, _, _) = simulate(&scenario_text(&names, 4, true));
        let svg = String::from_utf8(unrealized("f", &s, &r, Target::File).unwrap()).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let ids: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("series"))
            .filter_map(|n| n.attribute("id"))
            .collect();
        assert_eq!(ids, ["unrealized-startup-b"]);
        // Not reported without a private company.
        let (s, r, _, _) = simulate(&scenario_text(&names, 4, false));
        assert!(unrealized("f", &s, &r, Target::File).is_none());
    }

    #[test]
    fn inline_charts_name_no_address_and_prefix_their_ids() {
        let text = scenario_text(&LONG[..3], 3, true);
        for ((what, file), (_, inline)) in charts(&text, Target::File)
            .into_iter()
            .zip(charts(&text, Target::Html))
        {
            assert!(
                file.starts_with("<?xml") && file.contains("xmlns="),
                "{what}"
            );
            assert!(inline.starts_with("<svg "), "{what}");
            assert!(!inline.to_ascii_lowercase().contains("http"), "{what}");
            let doc = roxmltree::Document::parse(&inline).unwrap();
            let ids: Vec<&str> = doc
                .descendants()
                .filter_map(|n| n.attribute("id"))
                .collect();
            assert!(
                ids.contains(&format!("{what}-x-label").as_str()),
                "{what}: {ids:?}"
            );
            assert!(ids.iter().all(|id| id.starts_with(what)), "{what}: {ids:?}");
        }
    }
}
