//! `samples.csv`: every run's cash TC per strategy and year, the raw values
//! behind the percentiles, for a spreadsheet or a notebook; with `[tax]`
//! also the year's tax, `net` and `net_cumulative` (the after-tax
//! differences of `compare.csv` are `net_cumulative` less the baseline's in
//! the same run, as the cumulative ones are of `cumulative`); with a
//! ladder the `level` held at the year's end, and with a `price_parity`
//! the year's `real_cumulative`.
//!
//! The file is never held whole: it is a tap of the run driver, fed every
//! chunk of runs in run order by the simulation pass itself; each chunk is
//! formatted on its worker thread and streamed to the staged file.

use crate::engine::driver::{Chunk, Consumer};
use crate::engine::{Layout, Measure};
use crate::error::AppError;
use crate::model::Scenario;
use crate::report::{Stream, csv, write_money};
use crate::stats::Tap;

/// The header row.
pub const HEADER: &str = "run,strategy,year,total,cumulative\n";

/// The header row of a file with layoffs: each year's severance too.
pub const HEADER_SEVERANCE: &str = "run,strategy,year,total,cumulative,severance\n";

/// The columns a file with `[tax]` adds after those of [`HEADER`] (and
/// `severance`), in this order.
pub const TAX_COLUMNS: [Measure; 3] = [Measure::Tax, Measure::Net, Measure::NetCumulative];

/// The columns a file with a ladder, a price parity or a discount rate
/// adds after all of the above, in this order, each only when its measure
/// is reported: `level` (a whole number, 0 at a job without a ladder),
/// `real_cumulative` and `present_value` (dollars).
pub const LADDER_COLUMNS: [Measure; 3] = [
    Measure::Level,
    Measure::RealCumulative,
    Measure::PresentValue,
];

/// Formats the rows of one run: one per (strategy, year), strategies in
/// file order. `run` is the 0-based run index, the world's number: the same
/// seed and run index give the same world.
pub struct Samples {
    layout: Layout,
    /// Each strategy's name as a CSV field, followed by a comma.
    names: Vec<String>,
}

impl Samples {
    /// The formatter for `scenario`'s rows laid out as `layout`.
    pub fn new(scenario: &Scenario, layout: &Layout) -> Samples {
        Samples {
            layout: layout.clone(),
            names: scenario
                .strategies
                .iter()
                .map(|s| format!("{},", csv::field(&s.name)))
                .collect(),
        }
    }

    /// Whether the file has the [`TAX_COLUMNS`].
    fn taxed(&self) -> bool {
        self.layout.reports(Measure::NetCumulative)
    }

    /// The header row of this file.
    pub fn header(&self) -> String {
        let mut h = if self.layout.reports(Measure::Severance) {
            HEADER_SEVERANCE
        } else {
            HEADER
        }
        .to_string();
        if self.taxed() {
            h.pop();
            for m in TAX_COLUMNS {
                h.push(',');
                h.push_str(m.name());
            }
            h.push('\n');
        }
        let extra: Vec<Measure> = self.ladder_columns().collect();
        if !extra.is_empty() {
            h.pop();
            for m in extra {
                h.push(',');
                h.push_str(m.name());
            }
            h.push('\n');
        }
        h
    }

    /// The [`LADDER_COLUMNS`] this file has.
    fn ladder_columns(&self) -> impl Iterator<Item = Measure> + '_ {
        LADDER_COLUMNS
            .into_iter()
            .filter(|&m| self.layout.reports(m))
    }

    /// A generous estimate of the bytes one run takes, to size buffers.
    pub fn bytes_per_run(&self) -> usize {
        let names: usize = self.names.iter().map(String::len).sum();
        // run, year, three amounts and separators: at most ~80 bytes a row,
        // ~60 more for the three tax columns and ~24 for each of level and
        // real_cumulative.
        let row = (if self.taxed() { 144 } else { 84 }) + 24 * self.ladder_columns().count();
        (names + row * self.names.len()) * self.layout.years
    }

    /// Appends run `run`'s rows to `out`, reading series `k` of that run
    /// through `value(k)`.
    pub fn write_run(&self, out: &mut Vec<u8>, run: u64, value: impl Fn(usize) -> f64) {
        use std::io::Write;
        let l = &self.layout;
        for (s, name) in self.names.iter().enumerate() {
            for y in 0..l.years {
                let _ = write!(out, "{run},{name}{},", y + 1);
                write_money(out, value(l.at(s, y, Measure::Total)));
                out.push(b',');
                write_money(out, value(l.at(s, y, Measure::Cumulative)));
                if l.reports(Measure::Severance) {
                    out.push(b',');
                    write_money(out, value(l.at(s, y, Measure::Severance)));
                }
                if self.taxed() {
                    for m in TAX_COLUMNS {
                        out.push(b',');
                        write_money(out, value(l.at(s, y, m)));
                    }
                }
                for m in self.ladder_columns() {
                    out.push(b',');
                    let x = value(l.at(s, y, m));
                    if m == Measure::Level {
                        // A whole number of at most a few digits.
                        let _ = write!(out, "{}", x as u32);
                    } else {
                        write_money(out, x);
                    }
                }
                out.push(b'\n');
            }
        }
    }
}

/// Rows Excel and LibreOffice Calc open at most, the header included.
pub const SPREADSHEET_ROWS: u64 = 1_048_576;

/// A warning when `samples.csv` will have more rows than a spreadsheet
/// opens: it is still written whole (for a notebook or a database), but a
/// spreadsheet cuts it; says how many runs fit.
pub fn spreadsheet_warning(scenario: &Scenario) -> Option<String> {
    let per_run = scenario.strategies.len() as u64 * u64::from(scenario.sim.years);
    let rows = scenario.sim.runs.saturating_mul(per_run);
    if rows < SPREADSHEET_ROWS {
        return None;
    }
    let fit = (SPREADSHEET_ROWS - 1) / per_run.max(1);
    Some(format!(
        "samples.csv will have {} rows; Excel and LibreOffice open at most {} (the header included) \
         and will cut it; {} runs fit (--runs {fit})",
        crate::report::summary::dollars(rows as f64),
        crate::report::summary::dollars(SPREADSHEET_ROWS as f64),
        crate::report::summary::dollars(fit as f64),
    ))
}

/// Where the rows of `samples.csv` go: the staged file (a run, a merge) or
/// a shard's partial file.
pub trait Sink: Sync {
    /// Appends `bytes`.
    fn write(&mut self, bytes: &[u8]) -> Result<(), AppError>;
}

impl Sink for Stream {
    fn write(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        Stream::write(self, bytes)
    }
}

/// `samples.csv` being written: a tap that formats each chunk's runs on its
/// worker thread and appends them, in run order, to the staged file (or a
/// shard's part: its runs' rows, which `tcsim merge` puts after the earlier
/// shards').
pub struct SamplesTap<S: Sink = Stream> {
    samples: Samples,
    stream: S,
    /// The first write that failed; the pass stops at it.
    error: Option<AppError>,
}

impl SamplesTap<Stream> {
    /// Starts `samples.csv` in `stream` with its header.
    pub fn new(samples: Samples, mut stream: Stream) -> Result<SamplesTap, AppError> {
        stream.write(samples.header().as_bytes())?;
        Ok(SamplesTap::rows(samples, stream))
    }
}

impl<S: Sink> SamplesTap<S> {
    /// Rows only, no header, into `sink` (a shard's share of the file).
    pub fn rows(samples: Samples, sink: S) -> SamplesTap<S> {
        SamplesTap {
            samples,
            stream: sink,
            error: None,
        }
    }

    /// The finished file, or the write error that stopped the pass.
    pub fn finish(self) -> Result<S, AppError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.stream),
        }
    }
}

impl<S: Sink> Consumer for SamplesTap<S> {
    type Part = Vec<u8>;

    fn part(&self, chunk: &Chunk<'_>) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.samples.bytes_per_run() * chunk.runs);
        for j in 0..chunk.runs {
            let run = chunk.first + j as u64;
            self.samples
                .write_run(&mut out, run, |k| chunk.cols[k * chunk.runs + j]);
        }
        out
    }

    fn absorb(&mut self, part: Vec<u8>) -> bool {
        match self.stream.write(&part) {
            Ok(()) => true,
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }
}

impl<S: Sink> Tap for SamplesTap<S> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_has_one_row_per_strategy_and_year_in_file_order() {
        let s = crate::scenario::parse(
            "inline.toml",
            r#"
[simulation]
years = 2
runs = 10

[companies.c]
type = "public"
share_price = 10.0
drift = 0.0
volatility = 0.2

[jobs.j]
company = "c"
base = 100_000

[strategies."b.then.a"]
path = [{ job = "j" }]

[strategies.a]
path = [{ job = "j" }]
"#,
        )
        .unwrap();
        let engine = crate::engine::Engine::new(&s);
        let l = engine.layout().clone();
        let samples = Samples::new(&s, &l);
        let mut row = vec![0.0; l.width()];
        let mut world = crate::engine::World::new(&s);
        engine.run_into(7, &mut world, &mut row);
        let mut out = Vec::new();
        samples.write_run(&mut out, 7, |k| row[k]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "7,b.then.a,1,100000.00,100000.00\n\
             7,b.then.a,2,100000.00,200000.00\n\
             7,a,1,100000.00,100000.00\n\
             7,a,2,100000.00,200000.00\n"
        );
    }
}
