//! A sweep sharded by point (model.md section 14): which points a shard
//! simulates, the body of its partial file (its points' finished rows of
//! `sweep.csv`), and `tcsim merge`'s reassembly of the one-machine
//! `sweep.csv` or `sweep.json` from every shard's part.
//!
//! A shard checks every point, as an unsharded sweep does, and knows the
//! table's shape (its columns) from all the points' scenarios, so the rows
//! it writes are the rows one machine would write. The merge rebuilds the
//! points from the scenario text and settings the parts carry (checking
//! the parts against them), takes the header from them, and puts the rows
//! back in point order: the table goes through the same writers, so the
//! bytes are the same.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};

use crate::cli::MergeArgs;
use crate::config::Overrides;
use crate::error::AppError;
use crate::model::Scenario;
use crate::report::manifest::{OtherScenario, Provenance};
use crate::report::sweep::Shape;
use crate::report::table::{Cell, Table};
use crate::report::{Format, Staging};
use crate::scenario::patch::{self, Axis};
use crate::shard::{PartHeader, ShardSpec};

/// The part kind of a sweep shard.
pub const KIND: &str = "sweep";

/// Whether point `k` (0-based, in grid order) is shard `spec`'s. Points
/// are dealt round-robin: neighbouring points go to different shards, so
/// an axis whose cost grows along it (`simulation.runs`, `simulation.years`,
/// a longer vesting) spreads its dear end over every shard, where
/// contiguous blocks would hand it all to the last one.
pub fn owns(spec: ShardSpec, k: usize) -> bool {
    k as u64 % spec.count == spec.index
}

/// What besides the scenario decides the bytes of `sweep.csv`: the axes
/// (keys as written and their values), the `--runs` and `--seed`
/// overrides and the format. Parts with other settings are refused by
/// the merge ([`crate::shard::check_set`]).
pub fn settings(axes: &[Axis], overrides: Overrides, format: Format) -> serde_json::Value {
    let set: Vec<serde_json::Value> = axes
        .iter()
        .map(|a| serde_json::json!({ "key": a.key, "values": a.values }))
        .collect();
    serde_json::json!({
        "set": set,
        "runs": overrides.runs,
        "seed": overrides.seed,
        "format": match format {
            Format::Csv => "csv",
            Format::Json => "json",
        },
    })
}

/// A table cell in a part. Floats travel as their bits: JSON's decimal
/// text need not read back to the same double.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum PartCell {
    Text(String),
    Count(u64),
    Money(u64),
    Probability(u64),
    Empty,
}

impl From<&Cell> for PartCell {
    fn from(c: &Cell) -> PartCell {
        match c {
            Cell::Text(s) => PartCell::Text(s.clone()),
            Cell::Count(n) => PartCell::Count(*n),
            Cell::Money(x) => PartCell::Money(x.to_bits()),
            Cell::Probability(x) => PartCell::Probability(x.to_bits()),
            Cell::Empty => PartCell::Empty,
        }
    }
}

impl From<PartCell> for Cell {
    fn from(c: PartCell) -> Cell {
        match c {
            PartCell::Text(s) => Cell::Text(s),
            PartCell::Count(n) => Cell::Count(n),
            PartCell::Money(b) => Cell::Money(f64::from_bits(b)),
            PartCell::Probability(b) => Cell::Probability(f64::from_bits(b)),
            PartCell::Empty => Cell::Empty,
        }
    }
}

/// One point of a part: its index in the grid and its rows.
#[derive(Debug, Serialize, Deserialize)]
struct PartPoint {
    point: usize,
    rows: Vec<Vec<PartCell>>,
}

/// A sweep part's body (JSON, after the header line).
#[derive(Debug, Serialize, Deserialize)]
struct Body {
    points: Vec<PartPoint>,
}

/// The body of a shard's part: each of its points' index and rows, in
/// point order.
pub fn body(points: &[(usize, Vec<Vec<Cell>>)]) -> Result<Vec<u8>, AppError> {
    let body = Body {
        points: points
            .iter()
            .map(|(k, rows)| PartPoint {
                point: *k,
                rows: rows
                    .iter()
                    .map(|r| r.iter().map(PartCell::from).collect())
                    .collect(),
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec(&body)
        .map_err(|e| AppError::Internal(format!("cannot encode a sweep part: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// What a sweep shard prints on stdout: its share of the points.
pub fn shard_summary(spec: ShardSpec, total: usize, mine: &[&Scenario]) -> String {
    let share = match mine {
        [] => "no point (more shards than points)\n".to_string(),
        _ => crate::report::sweep::summary_of(mine),
    };
    format!(
        "shard {}/{} of {}: {share}",
        spec.index,
        spec.count,
        crate::report::summary::count(total as u64, "point", "points"),
    )
}

/// The settings of a part, read back.
struct Settings {
    axes: Vec<Axis>,
    overrides: Overrides,
    format: Format,
}

fn read_settings(path: &Path, value: &serde_json::Value) -> Result<Settings, AppError> {
    let bad = || {
        AppError::Usage(format!(
            "{}: the settings of this sweep part are not readable; rerun the shard",
            path.display()
        ))
    };
    let set = value
        .get("set")
        .and_then(|s| s.as_array())
        .ok_or_else(bad)?;
    let mut axes = Vec::with_capacity(set.len());
    for a in set {
        let key = a.get("key").and_then(|k| k.as_str()).ok_or_else(bad)?;
        let values: Vec<String> = a
            .get("values")
            .and_then(|v| v.as_array())
            .ok_or_else(bad)?
            .iter()
            .map(|v| v.as_str().map(String::from))
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        // The values never hold a comma outside brackets (they were split
        // at those), so joined they parse back to themselves.
        let axis = patch::parse_axis(&format!("{key}={}", values.join(",")))?;
        if axis.key != key || axis.values != values {
            return Err(bad());
        }
        axes.push(axis);
    }
    let number = |name: &str| -> Result<Option<u64>, AppError> {
        match value.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(bad),
        }
    };
    let overrides = Overrides {
        runs: number("runs")?,
        seed: number("seed")?,
    };
    let format = match value.get("format").and_then(|f| f.as_str()) {
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        _ => return Err(bad()),
    };
    Ok(Settings {
        axes,
        overrides,
        format,
    })
}

/// `tcsim merge` of a sharded sweep's parts: writes `sweep.csv` (or
/// `sweep.json`) and `manifest.json` into `args.out` through the staging,
/// as the one-machine sweep does, and prints its summary.
pub fn merge(args: &MergeArgs, parts: Vec<(PathBuf, PartHeader, Vec<u8>)>) -> Result<(), AppError> {
    let interrupted = crate::terminal::interrupt_flag();
    let parts = crate::shard::check_set(parts)?;
    let (first_path, first) = (&parts[0].0, &parts[0].1);
    if first.kind != KIND {
        return Err(AppError::Internal(format!(
            "{}: a {} part given to the sweep merge",
            first_path.display(),
            first.kind
        )));
    }
    let settings = read_settings(first_path, &first.settings)?;
    let label = first.scenario.clone();
    let points = patch::points(&label, &first.text, &settings.axes, settings.overrides)?;
    let scenarios: Vec<&Scenario> = points.iter().map(|p| &p.scenario).collect();
    let shape = Shape::new(&scenarios);
    let columns = shape.columns(&settings.axes);

    let mut rows: Vec<Option<Vec<Vec<Cell>>>> = (0..points.len()).map(|_| None).collect();
    for (path, header, bytes) in &parts {
        let spec = header.spec();
        let damaged = |why: String| {
            AppError::Usage(format!(
                "{}: {why}; the part is damaged or was not written by `tcsim sweep --shard {}/{}`: rerun that shard",
                path.display(),
                spec.index,
                spec.count
            ))
        };
        let body: Body = serde_json::from_slice(bytes)
            .map_err(|e| damaged(format!("its body is not a sweep part's ({e})")))?;
        let mut count = 0;
        for p in body.points {
            let k = p.point;
            if k >= points.len() || !owns(spec, k) {
                return Err(damaged(format!(
                    "it holds point {k}, which is not this shard's of {}",
                    points.len()
                )));
            }
            if rows[k].is_some() {
                return Err(damaged(format!("it holds point {k} twice")));
            }
            let strategies = points[k].scenario.strategies.len();
            if p.rows.len() != strategies || p.rows.iter().any(|r| r.len() != columns.len()) {
                return Err(damaged(format!(
                    "point {k} has not {strategies} rows of {} cells",
                    columns.len()
                )));
            }
            rows[k] = Some(
                p.rows
                    .into_iter()
                    .map(|r| r.into_iter().map(Cell::from).collect())
                    .collect(),
            );
            count += 1;
        }
        let expected = (0..points.len()).filter(|&k| owns(spec, k)).count();
        if count != expected {
            return Err(damaged(format!(
                "it holds {count} of the shard's {expected} points"
            )));
        }
    }
    // Every point belongs to exactly one shard and every shard is given
    // (check_set) and whole (above): no row is missing.
    let rows: Vec<Vec<Cell>> = rows.into_iter().flatten().flatten().collect();
    let table = Table { columns, rows };
    let (name, bytes) = match settings.format {
        Format::Csv => ("sweep.csv", crate::report::csv::write(&table)?),
        Format::Json => ("sweep.json", crate::report::json::write(&table)?),
    };
    let provenance = Provenance::new(Path::new(&label), first.text.as_bytes(), &scenarios);
    let mut staging = Staging::new(&args.out, provenance, OtherScenario::Warn)?;
    staging.add(name, &bytes)?;
    if let signal @ 1.. = interrupted.load(Ordering::SeqCst) {
        return Err(AppError::Interrupted(signal as i32));
    }
    let written = staging.commit()?;
    if !args.quiet {
        crate::terminal::print_stdout(&crate::report::sweep::summary_of(&scenarios))?;
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        crate::terminal::print_status(&format!("wrote {}", names.join(", ")));
    }
    Ok(())
}
