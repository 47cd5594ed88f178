//! `tcsim solve`: the value of one numeric key at which a strategy against
//! the baseline meets a target (model.md section 12), and its 90 % interval.
//!
//! Everything here is pure: the search is a function over a closure from
//! a key value to the target statistic's estimate, so it is tested without
//! simulating; `app.rs` hands it a closure that patches the scenario and
//! runs the engine.
//!
//! - [`Grid`]: the values the search may try: whole numbers for an integer
//!   key, whole cents for a money key ([`is_money`]), else multiples of the
//!   power of ten at most 1e-6 of the range. Each value is written to the
//!   scenario as the exact decimal text of its grid point.
//! - [`solve`]: evaluate both ends of the range, require a bracket, then
//!   bisect until the bracket is two neighbouring grid values; the answer
//!   is the one that reaches the target. The same bisection, on the 90 %
//!   bounds of the statistic, gives the interval's ends.
//! - [`Spread`]: the sum of squared deviations of one series, accumulated
//!   in run order through the run driver (a [`Tap`]), for the standard
//!   error of a mean.

use std::collections::BTreeMap;

use crate::engine::Results;
use crate::engine::driver::{Chunk, Consumer};
use crate::error::{KeyPath, ScenarioError, Seg};
use crate::scenario::Rule;
use crate::scenario::rules::{Piece, pieces};
use crate::stats::Tap;

/// The normal quantile of a two-sided 90 % interval, `Phi^-1(0.95)`, to the
/// three decimals model.md section 12 states.
pub const Z90: f64 = 1.645;

/// The statistic a target names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    /// The share of worlds in which the strategy is strictly ahead of the
    /// baseline (`compare.csv`'s `p_ahead`).
    PAhead,
    /// The median of the strategy's difference to the baseline.
    MedianDiff,
    /// The mean of the strategy's difference to the baseline.
    MeanDiff,
}

impl Stat {
    /// The name a target uses: `p_ahead`, `median_diff`, `mean_diff`.
    pub fn name(self) -> &'static str {
        match self {
            Stat::PAhead => "p_ahead",
            Stat::MedianDiff => "median_diff",
            Stat::MeanDiff => "mean_diff",
        }
    }

    /// Whether the statistic is an amount of dollars (else a share).
    pub fn is_money(self) -> bool {
        !matches!(self, Stat::PAhead)
    }
}

/// `--target STAT=X`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// The statistic.
    pub stat: Stat,
    /// The value it must reach.
    pub value: f64,
}

impl Target {
    /// Parses `p_ahead=X`, `median_diff=X` or `mean_diff=X`; `X` is a
    /// number as TOML writes one (`-5_000`, `0.5`, `1e4`), finite, and in
    /// `[0, 1]` for `p_ahead`. The error says what is wrong, for
    /// `--target` to prefix.
    pub fn parse(text: &str) -> Result<Target, String> {
        let usage =
            "write --target p_ahead=X, median_diff=X or mean_diff=X, e.g. --target median_diff=0";
        let (name, value) = text
            .split_once('=')
            .ok_or_else(|| format!("missing `=`; {usage}"))?;
        let stat = match name.trim() {
            "p_ahead" => Stat::PAhead,
            "median_diff" => Stat::MedianDiff,
            "mean_diff" => Stat::MeanDiff,
            other => return Err(format!("`{other}` is not a target statistic; {usage}")),
        };
        let value = number(value.trim())
            .ok_or_else(|| format!("`{}` is not a finite number; {usage}", value.trim()))?;
        if stat == Stat::PAhead && !(0.0..=1.0).contains(&value) {
            return Err(format!(
                "p_ahead is a share of worlds, in [0, 1], got {}",
                value
            ));
        }
        Ok(Target { stat, value })
    }
}

/// A finite number written as TOML writes one (an integer or a float,
/// underscores between digits allowed), or `None`.
pub fn number(text: &str) -> Option<f64> {
    let doc: toml::Table = toml::from_str(&format!("v = {text}")).ok()?;
    let x = match doc.get("v")? {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(f) => *f,
        _ => return None,
    };
    x.is_finite().then_some(x)
}

// ------------------------------------------------------------------ keys

/// What kind of number a key holds, which sets the grid the search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An integer key (`simulation.years`, `cliff_months`): whole numbers.
    Integer,
    /// An amount of dollars ([`is_money`]): whole cents.
    Money,
    /// Any other number (a rate, a fraction, a share price): multiples of
    /// a power of ten at most 1e-6 of the range.
    Real,
}

/// The rules that bound a key holding an amount of dollars (each caps it
/// at the largest amount of money or valuation the checker allows):
/// salaries, sign-on amounts, grant and refresher values, a ladder's
/// bases, refreshers and promotion grants, a private company's valuation
/// and preference, the tax table's other income and itemized deductions,
/// and `[simulation] wealth`. Per-share prices (`share_price`, `strike`) are not amounts:
/// a cent is too coarse for a strike of a few cents.
pub const MONEY_RULES: [Rule; 13] = [
    Rule::BaseInRange,
    Rule::BaseMarketInRange,
    Rule::SignOnInRange,
    Rule::GrantValueAtMost,
    Rule::RefreshValueAtMost,
    Rule::LadderBaseInRange,
    Rule::LadderRefreshInRange,
    Rule::LadderPromotionGrantInRange,
    Rule::ValuationInRange,
    Rule::PreferenceInRange,
    Rule::TaxOtherIncomeInRange,
    Rule::TaxItemizedDeductionsInRange,
    Rule::WealthInRange,
];

/// Whether the key at `path` holds an amount of dollars: one of
/// [`MONEY_RULES`] concerns it.
pub fn is_money(path: &KeyPath) -> bool {
    MONEY_RULES.iter().any(|r| r.concerns(path))
}

/// Checks the scenario with the varied key set to a value written as TOML
/// text: `Ok(Ok(()))` when it is valid, `Ok(Err(e))` with the checker's
/// error, `Err` when the check itself failed.
pub type Check<'a, E> = &'a mut dyn FnMut(&str) -> Result<Result<(), ScenarioError>, E>;

/// The kind of the key at `path`. An integer key is one the checker
/// refuses a fraction for because of its type (the value `0.5`: `must be
/// an integer`); a money key, one [`is_money`] names.
pub fn key_kind<E>(path: &KeyPath, check: Check<'_, E>) -> Result<KeyKind, E> {
    Ok(match check("0.5")? {
        Err(e)
            if e.rule == Rule::ValueType
                && e.key == *path
                && e.message.starts_with("must be an integer") =>
        {
            KeyKind::Integer
        }
        _ if is_money(path) => KeyKind::Money,
        _ => KeyKind::Real,
    })
}

/// The value of the key at `path` in the scenario `doc`.
#[derive(Debug, Clone, PartialEq)]
pub enum FileValue {
    /// The file writes this number.
    Number(f64),
    /// The file does not write the key (its table or array element does
    /// exist): the key's default applies.
    Missing,
}

/// The file's value at `path`: a number, or missing. An error (for
/// `--vary KEY` to prefix) when a table or array element on the way does
/// not exist, or the file's value is not a number.
pub fn file_value(doc: &toml::Table, path: &KeyPath) -> Result<FileValue, String> {
    let segs = &path.0;
    let mut node: Option<&toml::Value> = None;
    for (depth, seg) in segs.iter().enumerate() {
        let next = match (seg, node) {
            (Seg::Key(k), None) => doc.get(k),
            (Seg::Key(k), Some(toml::Value::Table(t))) => t.get(k),
            (Seg::Index(i), Some(toml::Value::Array(a))) => a.get(*i),
            _ => None,
        };
        match next {
            Some(v) => node = Some(v),
            None if depth + 1 == segs.len() && matches!(seg, Seg::Key(_)) => {
                return Ok(FileValue::Missing);
            }
            None => {
                let what = match seg {
                    Seg::Key(_) => "table",
                    Seg::Index(_) => "array element",
                };
                return Err(format!(
                    "the scenario has no {what} `{}`",
                    KeyPath(segs[..=depth].to_vec())
                ));
            }
        }
    }
    match node {
        Some(toml::Value::Integer(i)) => Ok(FileValue::Number(*i as f64)),
        Some(toml::Value::Float(f)) if f.is_finite() => Ok(FileValue::Number(*f)),
        Some(other) => Err(format!(
            "the file's value is {}, not a number: solve varies one number",
            match other {
                toml::Value::String(_) => "a string",
                toml::Value::Boolean(_) => "a boolean",
                toml::Value::Array(_) => "an array (vary one element, e.g. KEY[0])",
                toml::Value::Table(_) => "a table (vary one of its keys)",
                _ => "not a finite number",
            }
        )),
        None => Err("the key path is empty".into()),
    }
}

/// The closed range `[lo, hi]` that `rule`'s message states, read from
/// `message` (the rule's message with its values filled in) when the
/// template writes it as `[{lo}, {hi}]`: `must be in [0, 1], got 1.6`.
/// `None` for a rule that states no closed range.
pub fn stated_range(rule: Rule, message: &str) -> Option<(f64, f64)> {
    let template = pieces(rule.message());
    let lo_at = template
        .iter()
        .position(|p| *p == Piece::Placeholder("lo"))?;
    let closed = matches!(template.get(lo_at.wrapping_sub(1)), Some(Piece::Text(t)) if t.ends_with('['))
        && template.get(lo_at + 1) == Some(&Piece::Text(", "))
        && template.get(lo_at + 2) == Some(&Piece::Placeholder("hi"))
        && matches!(template.get(lo_at + 3), Some(Piece::Text(t)) if t.starts_with(']'));
    if !closed {
        return None;
    }
    let values = fill_ins(&template, message)?;
    let get = |name: &str| -> Option<f64> {
        let (_, v) = values.iter().find(|(n, _)| *n == name)?;
        v.parse::<f64>().ok().filter(|x| x.is_finite())
    };
    Some((get("lo")?, get("hi")?))
}

/// The value of each placeholder of `template` in `message`, which the
/// template rendered: each value runs up to the next piece of literal
/// text (the values this reads, numbers, never contain it).
fn fill_ins<'a>(template: &[Piece<'a>], message: &'a str) -> Option<Vec<(&'a str, &'a str)>> {
    let mut out = Vec::new();
    let mut rest = message;
    for (i, piece) in template.iter().enumerate() {
        match piece {
            Piece::Text(t) => rest = rest.strip_prefix(t)?,
            Piece::Placeholder(name) => {
                let end = match template.get(i + 1) {
                    Some(Piece::Text(next)) => rest.find(next)?,
                    _ => rest.len(),
                };
                out.push((*name, &rest[..end]));
                rest = &rest[end..];
            }
        }
    }
    Some(out)
}

/// The default range of a key whose file value is `value`: from 0 to twice
/// the value (from twice the value to 0 when it is negative), each end the
/// key's own rule refuses moved to the closed range the rule states
/// (`[lo, hi]`: an `exit_rate` of 0.6 gives 0 to 1). `None` when the value
/// is 0 (no scale to take a range from: give --between).
pub fn default_range<E>(
    path: &KeyPath,
    value: f64,
    check: Check<'_, E>,
) -> Result<Option<(f64, f64)>, E> {
    if value == 0.0 {
        return Ok(None);
    }
    let (mut lo, mut hi) = if value > 0.0 {
        (0.0, 2.0 * value)
    } else {
        (2.0 * value, 0.0)
    };
    for end in [&mut lo, &mut hi] {
        if let Err(e) = check(&plain(*end))?
            && e.key == *path
            && let Some((a, b)) = stated_range(e.rule, &e.message)
        {
            *end = end.clamp(a.min(b), b.max(a));
        }
    }
    Ok(Some((lo, hi)))
}

/// Why the search range could not be set.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeProblem<E> {
    /// The check itself failed.
    Failed(E),
    /// There is no default range: the reason, for a message that asks for
    /// `--between`.
    NeedsBetween(String),
    /// The checker refuses the scenario at an end of the range (`value`,
    /// as written); `default` says whether the range was the default one.
    Refused {
        /// The end, as written into the scenario.
        value: String,
        /// The checker's error there.
        error: ScenarioError,
        /// Whether the range was the default one (not `--between`).
        default: bool,
    },
    /// The grid over the range is empty or too wide ([`Grid::new`]).
    Grid(String),
}

/// The grid the search runs on: over `between`, or the
/// [`default_range`] of the file's value, with both ends checked by
/// `check`. An end of the default range the key's own rule still refuses
/// (an open bound such as a grant value's `must be positive` at 0) moves
/// one grid step inward; any other refusal is a [`RangeProblem::Refused`].
pub fn search_grid<E>(
    path: &KeyPath,
    kind: KeyKind,
    between: Option<(f64, f64)>,
    file: &FileValue,
    check: Check<'_, E>,
) -> Result<Grid, RangeProblem<E>> {
    let (lo, hi, default) = match (between, file) {
        (Some((lo, hi)), _) => (lo, hi, false),
        (None, FileValue::Missing) => {
            // A key the file does not write may not be a key at all.
            if let Err(error) = check("0").map_err(RangeProblem::Failed)?
                && error.key == *path
                && error.rule == Rule::KnownKey
            {
                return Err(RangeProblem::Refused {
                    value: "0".into(),
                    error,
                    default: false,
                });
            }
            return Err(RangeProblem::NeedsBetween(
                "the file does not set it (its default applies), so there is no value to take a range from".into(),
            ));
        }
        (None, FileValue::Number(v)) => {
            match default_range(path, *v, check).map_err(RangeProblem::Failed)? {
                Some((lo, hi)) => (lo, hi, true),
                None => {
                    return Err(RangeProblem::NeedsBetween(
                        "the file's value is 0, so there is no scale to take a range from".into(),
                    ));
                }
            }
        }
    };
    let mut grid = Grid::new(lo, hi, kind).map_err(RangeProblem::Grid)?;
    for inward in [1, -1] {
        let end = if inward == 1 { grid.lo } else { grid.hi };
        let Err(error) = check(&grid.text(end)).map_err(RangeProblem::Failed)? else {
            continue;
        };
        let nudged = end + inward;
        if default
            && error.key == *path
            && check(&grid.text(nudged))
                .map_err(RangeProblem::Failed)?
                .is_ok()
        {
            match inward {
                1 => grid.lo = nudged,
                _ => grid.hi = nudged,
            }
            continue;
        }
        return Err(RangeProblem::Refused {
            value: grid.text(end),
            error,
            default,
        });
    }
    if grid.lo >= grid.hi {
        return Err(RangeProblem::Grid(
            "the range holds fewer than two values".into(),
        ));
    }
    Ok(grid)
}

/// A number as plain decimal text, never with an exponent (Rust's `{}` of
/// an `f64`: the shortest text that reads back as the same number).
fn plain(x: f64) -> String {
    format!("{x}")
}

// ------------------------------------------------------------------ grid

/// The values the search may try: `value(i) = i * 10^-decimals` for the
/// integers `i` from `lo` to `hi`, each written as exact decimal text.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Index of the range's low end.
    pub lo: i64,
    /// Index of the range's high end.
    pub hi: i64,
    /// Decimal places of a grid value (negative: that many trailing zeros).
    pub decimals: i32,
}

/// Largest grid index: every integer up to 2^53 is an exact `f64`.
const MAX_INDEX: f64 = 9_007_199_254_740_992.0;

impl Grid {
    /// The grid over `[lo, hi]` (`lo < hi`) for a key of `kind`: whole
    /// numbers, whole cents, or for a real key multiples of the largest
    /// power of ten at most `1e-6 (hi - lo)`. The ends move inward onto the
    /// grid; an error (for `--between` to prefix) when fewer than two
    /// values remain or the range is too wide for exact indices.
    pub fn new(lo: f64, hi: f64, kind: KeyKind) -> Result<Grid, String> {
        debug_assert!(lo < hi);
        let decimals = match kind {
            KeyKind::Integer => 0,
            KeyKind::Money => 2,
            KeyKind::Real => -((1e-6 * (hi - lo)).log10().floor() as i32),
        };
        let scale = |x: f64| {
            if decimals >= 0 {
                x * 10f64.powi(decimals)
            } else {
                x / 10f64.powi(-decimals)
            }
        };
        let (a, b) = (snap(scale(lo), f64::ceil), snap(scale(hi), f64::floor));
        if a.abs() > MAX_INDEX || b.abs() > MAX_INDEX {
            return Err("the range is too wide to search".into());
        }
        if a >= b {
            return Err(match kind {
                KeyKind::Integer => {
                    "the range holds fewer than two whole numbers (the key is an integer)".into()
                }
                KeyKind::Money => "the range holds fewer than two whole cents".into(),
                KeyKind::Real => "the range is empty".into(),
            });
        }
        Ok(Grid {
            lo: a as i64,
            hi: b as i64,
            decimals,
        })
    }

    /// Grid value `i` as exact decimal text, as written into the scenario
    /// and the outputs: `159135.81`, `0.0731250`, `5`, `30000000`.
    pub fn text(&self, i: i64) -> String {
        let digits = i.unsigned_abs().to_string();
        let sign = if i < 0 { "-" } else { "" };
        match self.decimals {
            d if d <= 0 => match i {
                0 => "0".into(),
                _ => format!("{sign}{digits}{}", "0".repeat((-d) as usize)),
            },
            d => {
                let d = d as usize;
                let padded = format!("{digits:0>width$}", width = d + 1);
                let (int, frac) = padded.split_at(padded.len() - d);
                format!("{sign}{int}.{frac}")
            }
        }
    }

    /// Grid value `i` as a number: the `f64` the text reads as.
    pub fn value(&self, i: i64) -> f64 {
        self.text(i).parse().expect("grid text is a decimal number")
    }
}

/// `x` rounded to the integer it is within rounding error of, else
/// rounded by `inward` (ceil for a low end, floor for a high end).
fn snap(x: f64, inward: fn(f64) -> f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * r.abs().max(1.0) {
        r
    } else {
        inward(x)
    }
}

// ---------------------------------------------------------------- search

/// The target statistic at one key value, with its 90 % confidence bounds
/// (`+-` [`Z90`] standard errors, or the order-statistic bounds of a
/// median).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The statistic.
    pub point: f64,
    /// Its lower 90 % bound.
    pub lower: f64,
    /// Its upper 90 % bound.
    pub upper: f64,
}

/// Which way the statistic moves across the range, read off its values at
/// the two ends; it says what reaching the target means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The statistic at the high end is at least its value at the low end:
    /// a value reaches the target where the statistic is at or above it.
    Up,
    /// The statistic at the high end is below its value at the low end: a
    /// value reaches the target where the statistic is at or below it.
    Down,
}

impl Direction {
    /// Whether a statistic of `x` reaches `target`.
    pub fn reaches(self, x: f64, target: f64) -> bool {
        match self {
            Direction::Up => x >= target,
            Direction::Down => x <= target,
        }
    }
}

/// What an evaluation was made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// One of the range's two ends.
    Range,
    /// The bisection for the answer.
    Answer,
    /// The bisection for the interval's low end.
    IntervalLow,
    /// The bisection for the interval's high end.
    IntervalHigh,
}

impl Search {
    /// Its name in `evaluations.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Search::Range => "range",
            Search::Answer => "answer",
            Search::IntervalLow => "interval_low",
            Search::IntervalHigh => "interval_high",
        }
    }
}

/// One simulated key value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Its grid index.
    pub index: i64,
    /// What it measured.
    pub estimate: Estimate,
    /// The search that asked for it.
    pub search: Search,
}

/// Where an interval's end lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// At this grid value.
    At(i64),
    /// The bound reaches the target already at the range's low end: the
    /// end is there or below it, outside what was searched.
    AtOrBelowLow,
    /// The bound does not reach the target anywhere in the range: the end
    /// is above its high end.
    AboveHigh,
}

/// A solved target.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// The grid the values come from.
    pub grid: Grid,
    /// What reaching means.
    pub direction: Direction,
    /// The grid index of the answer.
    pub answer: i64,
    /// The 90 % interval's ends, low then high.
    pub interval: (End, End),
    /// Every evaluation, in the order made (each value once).
    pub evaluations: Vec<Evaluation>,
}

impl Solution {
    /// The estimate at grid index `i`, which was evaluated.
    pub fn at(&self, i: i64) -> Option<Estimate> {
        self.evaluations
            .iter()
            .find(|e| e.index == i)
            .map(|e| e.estimate)
    }
}

/// What [`solve`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The target is reached in the range.
    Solved(Solution),
    /// The target lies outside the statistic's values at the two ends.
    NoBracket {
        /// The estimate at the range's low end.
        low: Estimate,
        /// The estimate at its high end.
        high: Estimate,
    },
}

/// Finds the smallest grid value at which the statistic reaches `target`,
/// `eval` giving the estimate at a grid index (the search it is made for
/// beside it, for progress lines); each index is evaluated at most once.
///
/// 1. Both ends are evaluated. The target must lie between their
///    statistics (inclusive), else [`Outcome::NoBracket`]. The ends set
///    the [`Direction`]; equal statistics count as [`Direction::Up`].
/// 2. Bisection: of all values evaluated so far, the lowest that reaches
///    is `b` and the one below it `a` (which does not); their midpoint is
///    evaluated until `a` and `b` are neighbouring grid values. The answer
///    is `b` (the low end when it reaches already). With a statistic that
///    moves one way with the key it is the smallest grid value that
///    reaches; with common random numbers the statistic is a step
///    function of the key, so the search ends.
/// 3. The interval: the same bisection on the bound that reaches first
///    (the upper bound when the direction is up, the lower when down)
///    gives its low end, on the other bound its high end; the values
///    evaluated before are reused.
pub fn solve<E>(
    grid: &Grid,
    target: f64,
    eval: impl FnMut(i64, Search) -> Result<Estimate, E>,
) -> Result<Outcome, E> {
    let mut s = Searcher {
        cache: BTreeMap::new(),
        order: Vec::new(),
        eval,
    };
    let low = s.get(grid.lo, Search::Range)?;
    let high = s.get(grid.hi, Search::Range)?;
    let (a, b) = (low.point, high.point);
    if !(a.min(b) <= target && target <= a.max(b)) {
        return Ok(Outcome::NoBracket { low, high });
    }
    let direction = if b >= a {
        Direction::Up
    } else {
        Direction::Down
    };
    let reach = |x: f64| direction.reaches(x, target);
    let answer = match s.bisect(|e| reach(e.point), Search::Answer)? {
        End::At(i) => i,
        End::AtOrBelowLow => grid.lo,
        End::AboveHigh => unreachable!("the high end reaches the target"),
    };
    // The bound that reaches the target first, then the other.
    let (first, second): (Bound, Bound) = match direction {
        Direction::Up => (|e| e.upper, |e| e.lower),
        Direction::Down => (|e| e.lower, |e| e.upper),
    };
    let low_end = s.bisect(|e| reach(first(e)), Search::IntervalLow)?;
    let high_end = s.bisect(|e| reach(second(e)), Search::IntervalHigh)?;
    Ok(Outcome::Solved(Solution {
        grid: grid.clone(),
        direction,
        answer,
        interval: (low_end, high_end),
        evaluations: s.order,
    }))
}

/// One of an estimate's numbers.
type Bound = fn(&Estimate) -> f64;

/// The evaluations made so far, and the closure that makes more.
struct Searcher<F> {
    cache: BTreeMap<i64, Estimate>,
    order: Vec<Evaluation>,
    eval: F,
}

impl<E, F: FnMut(i64, Search) -> Result<Estimate, E>> Searcher<F> {
    fn get(&mut self, i: i64, search: Search) -> Result<Estimate, E> {
        if let Some(e) = self.cache.get(&i) {
            return Ok(*e);
        }
        let estimate = (self.eval)(i, search)?;
        self.cache.insert(i, estimate);
        self.order.push(Evaluation {
            index: i,
            estimate,
            search,
        });
        Ok(estimate)
    }

    /// Bisects for the lowest grid value whose estimate `reaches`, from
    /// the values evaluated so far (the lowest of which is the range's low
    /// end).
    fn bisect(&mut self, reaches: impl Fn(&Estimate) -> bool, search: Search) -> Result<End, E> {
        loop {
            let mut below = None;
            let mut found = None;
            for (&i, e) in &self.cache {
                if reaches(e) {
                    found = Some(i);
                    break;
                }
                below = Some(i);
            }
            let (a, b) = match (below, found) {
                (_, None) => return Ok(End::AboveHigh),
                (None, Some(_)) => return Ok(End::AtOrBelowLow),
                (Some(a), Some(b)) => (a, b),
            };
            if b - a <= 1 {
                return Ok(End::At(b));
            }
            self.get(a + (b - a) / 2, search)?;
        }
    }
}

// ------------------------------------------------------------ estimates

/// The probabilities beyond the engine's own at which a [`Stat::MedianDiff`]
/// target needs quantiles over `runs` runs: the distribution-free 90 %
/// bounds of a median, the order statistics at ranks
/// `n/2 -+ Z90 sqrt(n)/2`, i.e. the quantiles at `0.5 -+ Z90 0.5 / sqrt(n)`
/// (the normal approximation to the binomial count below the median).
pub fn extra_probs(stat: Stat, runs: u64) -> Vec<f64> {
    match stat {
        Stat::MedianDiff => {
            let h = Z90 * 0.5 / (runs as f64).sqrt();
            vec![(0.5 - h).max(0.0), (0.5 + h).min(1.0)]
        }
        _ => Vec::new(),
    }
}

/// The estimate of `stat` from series `k` of `results`, whose quantiles
/// include [`extra_probs`]; `spread` is that series' [`Spread`] (needed
/// for [`Stat::MeanDiff`] only).
///
/// - `p_ahead`: `p -+ Z90 sqrt(p (1 - p) / n)`, kept in `[0, 1]`;
/// - `mean_diff`: `mean -+ Z90 sd / sqrt(n)`, `sd` the sample standard
///   deviation;
/// - `median_diff`: the quantiles at [`extra_probs`].
pub fn estimate(stat: Stat, results: &Results, k: usize, spread: Option<&Spread>) -> Estimate {
    let s = &results.series[k];
    let n = results.runs as f64;
    match stat {
        Stat::PAhead => {
            let p = s.share_positive;
            let h = Z90 * (p * (1.0 - p) / n).sqrt();
            Estimate {
                point: p,
                lower: (p - h).max(0.0),
                upper: (p + h).min(1.0),
            }
        }
        Stat::MeanDiff => {
            let sd = spread.map_or(0.0, Spread::sd);
            let h = Z90 * sd / n.sqrt();
            Estimate {
                point: s.mean,
                lower: s.mean - h,
                upper: s.mean + h,
            }
        }
        Stat::MedianDiff => {
            let p = extra_probs(stat, results.runs);
            Estimate {
                point: results.quantile(k, 0.5),
                lower: results.quantile(k, p[0]),
                upper: results.quantile(k, p[1]),
            }
        }
    }
}

/// The count, mean and sum of squared deviations from the mean (`M2`) of
/// one series over every run it is fed. Each chunk's are computed in run
/// order (two passes over the chunk's values) and chunks are combined in
/// chunk order by Chan, Golub and LeVeque's pairwise update
/// (`M2 = M2a + M2b + d^2 na nb / n`, `d` the difference of the means), so
/// the result is the same on any number of threads and does not lose the
/// digits that `sum x^2 - n mean^2` would.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    series: usize,
    n: u64,
    mean: f64,
    m2: f64,
}

impl Spread {
    /// A spread of series `k`, empty.
    pub fn new(k: usize) -> Spread {
        Spread {
            series: k,
            n: 0,
            mean: 0.0,
            m2: 0.0,
        }
    }

    /// Runs fed.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The sample standard deviation, `sqrt(M2 / (n - 1))` (0 below two
    /// runs).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }
}

impl Consumer for Spread {
    type Part = (u64, f64, f64);

    fn part(&self, chunk: &Chunk<'_>) -> (u64, f64, f64) {
        let xs = chunk.series(self.series);
        let n = xs.len();
        if n == 0 {
            return (0, 0.0, 0.0);
        }
        let mut sum = 0.0;
        for &x in xs {
            sum += x;
        }
        let mean = sum / n as f64;
        let mut m2 = 0.0;
        for &x in xs {
            m2 += (x - mean) * (x - mean);
        }
        (n as u64, mean, m2)
    }

    fn absorb(&mut self, (nb, mean_b, m2_b): (u64, f64, f64)) -> bool {
        if nb == 0 {
            return true;
        }
        let na = self.n as f64;
        let n = self.n + nb;
        let d = mean_b - self.mean;
        let w = nb as f64 / n as f64;
        self.mean += d * w;
        self.m2 += m2_b + d * d * na * w;
        self.n = n;
        true
    }
}

impl Tap for Spread {}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(x: f64) -> Estimate {
        Estimate {
            point: x,
            lower: x,
            upper: x,
        }
    }

    fn solved(o: Outcome) -> Solution {
        match o {
            Outcome::Solved(s) => s,
            other => panic!("not solved: {other:?}"),
        }
    }

    #[test]
    fn the_answer_is_the_smallest_cent_that_reaches_a_rising_target() {
        // statistic 4 b - 636,543.22: zero at b = 159,135.805.
        let grid = Grid::new(0.0, 300_000.0, KeyKind::Money).unwrap();
        let mut calls = 0;
        let s = solved(
            solve(&grid, 0.0, |i, _| {
                calls += 1;
                Ok::<_, ()>(est(4.0 * grid.value(i) - 636_543.22))
            })
            .unwrap(),
        );
        assert_eq!(s.direction, Direction::Up);
        assert_eq!(grid.text(s.answer), "159135.81");
        assert_eq!(s.interval, (End::At(s.answer), End::At(s.answer)));
        assert_eq!(calls, s.evaluations.len());
        // 30,000,000 cents: two ends and 25 halvings.
        assert_eq!(calls, 2 + 25);
    }

    #[test]
    fn a_falling_statistic_reaches_the_target_from_above() {
        let grid = Grid::new(1.0, 50.0, KeyKind::Integer).unwrap();
        // 100,000 - 20,000 y: reaches 0 (at or below) at y = 5.
        let s = solved(
            solve(&grid, 0.0, |i, _| {
                Ok::<_, ()>(est(100_000.0 - 20_000.0 * grid.value(i)))
            })
            .unwrap(),
        );
        assert_eq!(s.direction, Direction::Down);
        assert_eq!(s.answer, 5);
        // Just below the target counts too: 4.5 rounds up to the next value.
        let s = solved(
            solve(&grid, 0.0, |i, _| {
                Ok::<_, ()>(est(90_000.0 - 20_000.0 * grid.value(i)))
            })
            .unwrap(),
        );
        assert_eq!(s.answer, 5);
    }

    #[test]
    fn a_target_outside_the_ends_has_no_bracket() {
        let grid = Grid::new(0.0, 1.0, KeyKind::Real).unwrap();
        let o = solve(&grid, 2.0, |i, _| Ok::<_, ()>(est(grid.value(i)))).unwrap();
        assert_eq!(
            o,
            Outcome::NoBracket {
                low: est(0.0),
                high: est(1.0)
            }
        );
    }

    #[test]
    fn a_target_met_at_the_low_end_is_the_low_end() {
        let grid = Grid::new(0.0, 1.0, KeyKind::Real).unwrap();
        let s = solved(solve(&grid, 0.0, |i, _| Ok::<_, ()>(est(grid.value(i)))).unwrap());
        assert_eq!(s.answer, grid.lo);
        assert_eq!(s.evaluations.len(), 2);
    }

    #[test]
    fn the_interval_ends_are_where_the_bounds_reach_the_target() {
        // point x - 0.5, bounds -+ 0.1: the upper bound reaches 0 at 0.4,
        // the lower at 0.6.
        let grid = Grid::new(0.0, 1.0, KeyKind::Real).unwrap();
        assert_eq!(grid.decimals, 6);
        let s = solved(
            solve(&grid, 0.0, |i, _| {
                let x = grid.value(i) - 0.5;
                Ok::<_, ()>(Estimate {
                    point: x,
                    lower: x - 0.1,
                    upper: x + 0.1,
                })
            })
            .unwrap(),
        );
        assert_eq!(grid.text(s.answer), "0.500000");
        let at = |e: End| match e {
            End::At(i) => grid.value(i),
            other => panic!("{other:?}"),
        };
        assert!((at(s.interval.0) - 0.4).abs() <= 1.5e-6, "{:?}", s.interval);
        assert!((at(s.interval.1) - 0.6).abs() <= 1.5e-6, "{:?}", s.interval);
        // Each value is evaluated once.
        let mut seen: Vec<i64> = s.evaluations.iter().map(|e| e.index).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), s.evaluations.len());
    }

    #[test]
    fn interval_ends_beyond_the_range_are_reported_as_such() {
        let grid = Grid::new(0.0, 1.0, KeyKind::Real).unwrap();
        let s = solved(
            solve(&grid, 0.0, |i, _| {
                let x = grid.value(i) - 0.5;
                Ok::<_, ()>(Estimate {
                    point: x,
                    lower: x - 5.0,
                    upper: x + 5.0,
                })
            })
            .unwrap(),
        );
        assert_eq!(s.interval, (End::AtOrBelowLow, End::AboveHigh));
    }

    #[test]
    fn an_evaluation_error_stops_the_search() {
        let grid = Grid::new(0.0, 1.0, KeyKind::Real).unwrap();
        let mut n = 0;
        let r = solve(&grid, 0.5, |i, _| {
            n += 1;
            if n == 3 {
                Err("stop")
            } else {
                Ok(est(grid.value(i)))
            }
        });
        assert_eq!(r, Err("stop"));
    }

    #[test]
    fn grid_values_are_exact_decimal_text() {
        let money = Grid::new(0.0, 300_000.0, KeyKind::Money).unwrap();
        assert_eq!((money.lo, money.hi), (0, 30_000_000));
        assert_eq!(money.text(15_913_581), "159135.81");
        assert_eq!(money.text(5), "0.05");
        assert_eq!(money.text(-123), "-1.23");
        assert_eq!(money.value(15_913_581), 159_135.81);
        let real = Grid::new(0.05, 0.4, KeyKind::Real).unwrap();
        // 1e-6 of 0.35 is 3.5e-7: steps of 1e-7.
        assert_eq!(real.decimals, 7);
        assert_eq!(real.lo, 500_000);
        assert_eq!(real.text(real.lo), "0.0500000");
        let wide = Grid::new(0.0, 6e7, KeyKind::Real).unwrap();
        assert_eq!(wide.decimals, -1);
        assert_eq!(wide.text(3_000_000), "30000000");
        assert_eq!(wide.text(0), "0");
        let int = Grid::new(0.5, 10.2, KeyKind::Integer).unwrap();
        assert_eq!((int.lo, int.hi), (1, 10));
        assert!(Grid::new(0.2, 0.8, KeyKind::Integer).is_err());
        assert!(Grid::new(1.001, 1.009, KeyKind::Money).is_err());
    }

    #[test]
    fn targets_parse_and_name_their_statistic() {
        assert_eq!(
            Target::parse("median_diff=0").unwrap(),
            Target {
                stat: Stat::MedianDiff,
                value: 0.0
            }
        );
        assert_eq!(Target::parse("mean_diff=-5_000").unwrap().value, -5000.0);
        assert_eq!(Target::parse("p_ahead=0.5").unwrap().stat, Stat::PAhead);
        for bad in [
            "p_ahead",
            "p_ahead=1.5",
            "median=0",
            "mean_diff=nan",
            "mean_diff=x",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_keys_are_the_ones_whose_rules_bound_dollars() {
        let p = |s: &str| {
            crate::scenario::patch::parse_axis(&format!("{s}=0"))
                .unwrap()
                .path
        };
        for money in [
            "jobs.offer.base",
            "jobs.offer.base.p50",
            "jobs.offer.sign_on[0]",
            "jobs.offer.grants[0].value",
            "jobs.offer.refresh.value",
            "ladders.l.base[2]",
            "companies.rocket.valuation",
            "tax.other_income",
            "simulation.wealth",
        ] {
            assert!(is_money(&p(money)), "{money}");
        }
        for other in [
            "companies.rocket.exit_rate",
            "companies.big.share_price",
            "jobs.offer.grants[0].strike",
            "jobs.offer.grants[0].units",
            "simulation.years",
            "jobs.offer.base_raise.min",
        ] {
            assert!(!is_money(&p(other)), "{other}");
        }
    }

    #[test]
    fn a_closed_range_is_read_back_from_the_rules_message() {
        let m = Rule::ExitRateInRange.message_with(&[("lo", &0), ("hi", &1), ("got", &"1.2")]);
        assert_eq!(stated_range(Rule::ExitRateInRange, &m), Some((0.0, 1.0)));
        let m = Rule::YearsInRange.message_with(&[("lo", &1), ("hi", &50), ("got", &0)]);
        assert_eq!(stated_range(Rule::YearsInRange, &m), Some((1.0, 50.0)));
        // `(0, hi]` states no closed range.
        let m = Rule::PayFactorInRange.message_with(&[("hi", &10), ("got", &0)]);
        assert_eq!(stated_range(Rule::PayFactorInRange, &m), None);
        assert_eq!(stated_range(Rule::ExitRateInRange, "unrelated"), None);
    }

    #[test]
    fn the_file_value_is_found_along_tables_and_arrays() {
        let doc: toml::Table =
            toml::from_str("[jobs.o]\nbase = 5\n[[jobs.o.grants]]\nvalue = 2.5\nkind = \"rsu\"\n")
                .unwrap();
        let p = |s: &str| {
            crate::scenario::patch::parse_axis(&format!("{s}=0"))
                .unwrap()
                .path
        };
        assert_eq!(
            file_value(&doc, &p("jobs.o.base")),
            Ok(FileValue::Number(5.0))
        );
        assert_eq!(
            file_value(&doc, &p("jobs.o.grants[0].value")),
            Ok(FileValue::Number(2.5))
        );
        assert_eq!(file_value(&doc, &p("jobs.o.raise")), Ok(FileValue::Missing));
        let e = file_value(&doc, &p("jobs.x.base")).unwrap_err();
        assert!(e.contains("no table `jobs.x`"), "{e}");
        let e = file_value(&doc, &p("jobs.o.grants[1].value")).unwrap_err();
        assert!(e.contains("no array element `jobs.o.grants[1]`"), "{e}");
        let e = file_value(&doc, &p("jobs.o.grants[0].kind")).unwrap_err();
        assert!(e.contains("a string"), "{e}");
    }

    #[test]
    fn the_spread_is_the_same_in_any_chunking_and_matches_two_passes() {
        let xs: Vec<f64> = (0..10_000)
            .map(|i| 1e6 + ((i * 7919) % 1000) as f64 * 3.5)
            .collect();
        let feed = |size: usize| {
            let mut s = Spread::new(0);
            for (c, part) in xs.chunks(size).enumerate() {
                let chunk = Chunk {
                    index: c as u64,
                    first: (c * size) as u64,
                    runs: part.len(),
                    cols: part,
                };
                let p = s.part(&chunk);
                assert!(s.absorb(p));
            }
            s
        };
        let one = feed(xs.len());
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let m2: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
        let sd = (m2 / (xs.len() - 1) as f64).sqrt();
        assert_eq!(one.count(), 10_000);
        assert!((one.sd() - sd).abs() <= 1e-9 * sd, "{} vs {sd}", one.sd());
        // The same chunking always gives the same bits; another chunking
        // agrees to rounding.
        assert_eq!(feed(4096), feed(4096));
        assert!((feed(4096).sd() - sd).abs() <= 1e-9 * sd);
    }
}
