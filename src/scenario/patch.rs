//! Scenario patching for `tcsim sweep`: `--set KEY=V1,V2,...` parsed into
//! axes, the grid of their values, and the scenario text with each key set
//! to its value at a point, checked like any file.

use crate::config::Overrides;
use crate::error::{AppError, KeyPath, Seg, closest};
use crate::model::Scenario;

/// One `--set KEY=V1,V2,...`: a key path and its values as TOML.
///
/// The path is dotted table keys, each optionally followed by `[N]`
/// (0-based) to index an array: `jobs.offer.grants[0].vesting`, the same
/// syntax as the keys in error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The key as the user wrote it.
    pub key: String,
    /// Path segments.
    pub path: KeyPath,
    /// Each value as written (a TOML value; bare words are strings).
    pub values: Vec<String>,
}

/// Most points one sweep may run.
pub const MAX_POINTS: usize = 10_000;

/// Parses one `--set` argument.
pub fn parse_axis(arg: &str) -> Result<Axis, AppError> {
    let usage = |why: &str| {
        AppError::Usage(format!(
            "--set {arg}: {why}; write --set KEY=V1,V2,... e.g. --set companies.rocket.exit_rate=0.05,0.1"
        ))
    };
    let (key, values) = arg.split_once('=').ok_or_else(|| usage("missing `=`"))?;
    let key = key.trim();
    let path = parse_path(key).map_err(|why| usage(&why))?;
    let values: Vec<String> = split_values(values);
    if values.is_empty() || values.iter().any(|v| v.is_empty()) {
        return Err(usage("every value must be non-empty"));
    }
    Ok(Axis {
        key: key.to_string(),
        path,
        values,
    })
}

/// Parses `a.b[0].c` into its segments.
pub fn parse_path(key: &str) -> Result<KeyPath, String> {
    let mut segs = Vec::new();
    for part in split_outside_quotes(key, '.') {
        let part = part.trim();
        // A quoted key, as error messages print a name with a dot in it:
        // `jobs."senior.eng".base`.
        let (name, mut rest) = match part.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &part[1..];
                let end = body
                    .find(q)
                    .ok_or_else(|| format!("`{part}` has no closing {q}"))?;
                (body[..end].to_string(), &body[end + 1..])
            }
            _ => {
                let (name, rest) = part.split_at(part.find('[').unwrap_or(part.len()));
                (name.to_string(), rest)
            }
        };
        if name.is_empty() {
            return Err("the key path has an empty part".into());
        }
        segs.push(Seg::Key(name));
        while !rest.is_empty() {
            let index = rest
                .strip_prefix('[')
                .and_then(|r| r.split_once(']'))
                .and_then(|(n, tail)| n.trim().parse::<usize>().ok().map(|n| (n, tail)));
            match index {
                Some((n, tail)) => {
                    segs.push(Seg::Index(n));
                    rest = tail;
                }
                None => {
                    return Err(format!(
                        "`{part}` is not a key or a key with [N] indices, e.g. grants[0]"
                    ));
                }
            }
        }
    }
    Ok(KeyPath(segs))
}

/// `s` split on `sep` where it is not inside `"..."` or `'...'`.
fn split_outside_quotes(s: &str, sep: char) -> Vec<&str> {
    let (mut parts, mut start, mut quote) = (Vec::new(), 0, None);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c == sep => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Splits on commas outside brackets and quotes, so a value may be an
/// array or inline table: `vesting=[25,25,25,25],[5,15,40,40]`.
fn split_values(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quote) = (Vec::new(), String::new(), 0i32, None);
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out
}

/// Every point of the grid: one value index per axis, first axis slowest.
pub fn grid(axes: &[Axis]) -> Result<Vec<Vec<usize>>, AppError> {
    let count = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
        .unwrap_or(usize::MAX);
    if count > MAX_POINTS {
        return Err(AppError::Usage(format!(
            "the sweep has {count} points; the limit is {MAX_POINTS}"
        )));
    }
    let mut points = vec![Vec::new()];
    for a in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                (0..a.values.len()).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    Ok(points)
}

/// Whether `path` is a job's `level`, whose every value is a string: an
/// unquoted `+1` or a level named `5` is the string, not TOML's integer.
fn is_level(path: &KeyPath) -> bool {
    matches!(
        path.0.as_slice(),
        [Seg::Key(jobs), Seg::Key(_), Seg::Key(level)] if jobs == "jobs" && level == "level"
    )
}

fn toml_value(axis: &Axis, raw: &str) -> Result<toml::Value, AppError> {
    if is_level(&axis.path) && !raw.starts_with(['"', '\'']) {
        return Ok(toml::Value::String(raw.to_string()));
    }
    let parsed: Result<toml::Table, _> = toml::from_str(&format!("v = {raw}"));
    match parsed {
        Ok(mut t) => Ok(t.remove("v").expect("the key just written")),
        // A bare word is a string: `--set jobs.offer.company=bigco`.
        Err(_)
            if raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            Ok(toml::Value::String(raw.to_string()))
        }
        Err(e) => Err(AppError::Usage(format!(
            "--set {}: `{raw}` is not a TOML value: {}",
            axis.key,
            e.message()
        ))),
    }
}

/// The scenario text with each axis set to its value at `point`. The key
/// path must lead to an existing table (or array element); the key itself
/// may be new (the checker then rejects it if it is not a scenario key).
pub fn apply(text: &str, axes: &[Axis], point: &[usize]) -> Result<String, AppError> {
    let mut doc: toml::Table = toml::from_str(text)
        .map_err(|e| AppError::Usage(format!("the scenario is not valid TOML: {}", e.message())))?;
    for (axis, &i) in axes.iter().zip(point) {
        let value = toml_value(axis, &axis.values[i])?;
        set(&mut doc, axis, value)?;
    }
    toml::to_string(&doc)
        .map_err(|e| AppError::Usage(format!("cannot write the swept scenario: {e}")))
}

/// Sets `axis`'s key in `doc` to `value`.
fn set(doc: &mut toml::Table, axis: &Axis, value: toml::Value) -> Result<(), AppError> {
    let segs = &axis.path.0;
    // `known`: the keys of the table that lacks segs[depth], to offer the
    // whole key path with the closest of them in its place.
    let missing = |depth: usize, known: Option<&toml::Table>| {
        let what = match segs[depth] {
            Seg::Key(_) => "table",
            Seg::Index(_) => "array element",
        };
        let suggestion = match (&segs[depth], known) {
            (Seg::Key(k), Some(t)) => closest(k, t.keys().map(String::as_str)).map(|near| {
                let mut path = segs.clone();
                path[depth] = Seg::Key(near.to_string());
                format!("; did you mean `{}`?", KeyPath(path))
            }),
            _ => None,
        };
        AppError::Usage(format!(
            "--set {}: the scenario has no {what} `{}`{}",
            axis.key,
            KeyPath(segs[..=depth].to_vec()),
            suggestion.unwrap_or_default()
        ))
    };
    let (last, parents) = segs.split_last().expect("a parsed path is never empty");
    let mut root = toml::Value::Table(std::mem::take(doc));
    let result = (|| {
        let mut node = &mut root;
        for (depth, seg) in parents.iter().enumerate() {
            node = match (seg, node) {
                (Seg::Key(k), toml::Value::Table(t)) => match t.contains_key(k) {
                    true => t.get_mut(k),
                    false => return Err(missing(depth, Some(t))),
                },
                (Seg::Index(i), toml::Value::Array(a)) => a.get_mut(*i),
                _ => None,
            }
            .ok_or_else(|| missing(depth, None))?;
        }
        match (last, node) {
            (Seg::Key(k), toml::Value::Table(t)) => {
                t.insert(k.clone(), value);
                Ok(())
            }
            (Seg::Index(i), toml::Value::Array(a)) if *i < a.len() => {
                a[*i] = value;
                Ok(())
            }
            _ => Err(missing(segs.len() - 1, None)),
        }
    })();
    if let toml::Value::Table(t) = root {
        *doc = t;
    }
    result
}

/// Checks the scenario at one point; an error names the `--set` values
/// rather than a position in a rewritten file.
pub fn scenario_at(
    label: &str,
    text: &str,
    axes: &[Axis],
    point: &[usize],
) -> Result<Scenario, AppError> {
    let swept = apply(text, axes, point)?;
    crate::scenario::parse(label, &swept).map_err(|e| {
        let settings: Vec<String> = axes
            .iter()
            .zip(point)
            .map(|(a, &i)| format!("{}={}", a.key, a.values[i]))
            .collect();
        AppError::Usage(format!(
            "{label} with --set {}: {} {}",
            settings.join(" --set "),
            e.key,
            e.message
        ))
    })
}

/// One point of a sweep, checked.
#[derive(Debug, Clone)]
pub struct SweepPoint {
    /// The value of each axis at this point, as written.
    pub values: Vec<String>,
    /// The scenario at this point, with the command line's overrides.
    pub scenario: Scenario,
}

/// Every point of the sweep of the scenario `text` (named `label`) over
/// `axes`, checked before any is simulated. A point's `[simulation]` is its
/// own (`--set simulation.seed=1,2` gives each point its seed); `overrides`
/// then apply to every point. All points must report the same percentiles:
/// `sweep.csv` has one header.
pub fn points(
    label: &str,
    text: &str,
    axes: &[Axis],
    overrides: Overrides,
) -> Result<Vec<SweepPoint>, AppError> {
    let mut out: Vec<SweepPoint> = Vec::new();
    for point in grid(axes)? {
        let mut scenario = scenario_at(label, text, axes, &point)?;
        overrides.apply(&mut scenario);
        if let Some(first) = out.first()
            && first.scenario.sim.percentiles != scenario.sim.percentiles
        {
            return Err(AppError::Usage(
                "--set simulation.percentiles: every point of a sweep must report the same percentiles \
                 (sweep.csv has one header); run one sweep per list"
                    .into(),
            ));
        }
        let values = axes
            .iter()
            .zip(&point)
            .map(|(a, &i)| a.values[i].clone())
            .collect();
        out.push(SweepPoint { values, scenario });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_arguments_split_on_top_level_commas_only() {
        let a = parse_axis("jobs.x.grants=[25,25,25,25],[5,15,40,40]").unwrap();
        assert_eq!(a.values, vec!["[25,25,25,25]", "[5,15,40,40]"]);
        let b = parse_axis("companies.rocket.exit_rate=0.05, 0.1,0.2").unwrap();
        assert_eq!(b.path.to_string(), "companies.rocket.exit_rate");
        assert_eq!(b.values, vec!["0.05", "0.1", "0.2"]);
    }

    #[test]
    fn malformed_set_arguments_are_usage_errors() {
        assert!(parse_axis("no-equals").is_err());
        assert!(parse_axis("a..b=1").is_err());
        assert!(parse_axis("a.b=1,,2").is_err());
        assert!(parse_axis("a.b[x]=1").is_err());
        assert!(parse_axis("a.b[0=1").is_err());
    }

    #[test]
    fn a_quoted_key_addresses_a_name_with_a_dot() {
        let a = parse_axis("jobs.\"senior.eng\".base=1,2").unwrap();
        assert_eq!(
            a.path.0,
            vec![
                Seg::Key("jobs".into()),
                Seg::Key("senior.eng".into()),
                Seg::Key("base".into()),
            ]
        );
        // The same path as an error message prints it.
        assert_eq!(a.path.to_string(), "jobs.\"senior.eng\".base");
        let text = "[jobs.\"senior.eng\"]\nbase = 5\n";
        let out = apply(text, std::slice::from_ref(&a), &[1]).unwrap();
        assert!(out.contains("base = 2"), "{out}");
        assert!(parse_axis("jobs.'x.y'[0].base=1").is_ok());
        assert!(parse_axis("jobs.\"open.base=1").is_err());
    }

    #[test]
    fn array_indices_address_tables_in_arrays() {
        let a = parse_axis("jobs.offer.grants[1].vesting=[50,50]").unwrap();
        assert_eq!(
            a.path.0,
            vec![
                Seg::Key("jobs".into()),
                Seg::Key("offer".into()),
                Seg::Key("grants".into()),
                Seg::Index(1),
                Seg::Key("vesting".into()),
            ]
        );
        let text =
            "[[jobs.offer.grants]]\nvesting = [25, 75]\n[[jobs.offer.grants]]\nvesting = [100]\n";
        let out = apply(text, std::slice::from_ref(&a), &[0]).unwrap();
        let doc: toml::Table = toml::from_str(&out).unwrap();
        let grants = doc["jobs"]["offer"]["grants"].as_array().unwrap();
        assert_eq!(grants[0]["vesting"].to_string(), "[25, 75]");
        assert_eq!(grants[1]["vesting"].to_string(), "[50, 50]");
        let beyond = parse_axis("jobs.offer.grants[2].vesting=[100]").unwrap();
        let err = apply(text, &[beyond], &[0]).unwrap_err().to_string();
        assert!(
            err.contains("no array element `jobs.offer.grants[2]`"),
            "{err}"
        );
    }

    #[test]
    fn the_grid_is_the_product_of_the_axes_first_axis_slowest() {
        let a = parse_axis("a.b=1,2").unwrap();
        let b = parse_axis("c.d=x,y,z").unwrap();
        let g = grid(&[a, b]).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0, 0]);
        assert_eq!(g[1], vec![0, 1]);
        assert_eq!(g[3], vec![1, 0]);
    }

    #[test]
    fn a_jobs_level_is_a_string_quoted_or_not() {
        let text = "[jobs.j]\nlevel = \"L4\"\n";
        let a = parse_axis("jobs.j.level=+1,same,L5,5,\"+1\"").unwrap();
        let level = |i: usize| {
            let out = apply(text, std::slice::from_ref(&a), &[i]).unwrap();
            let doc: toml::Table = toml::from_str(&out).unwrap();
            doc["jobs"]["j"]["level"].clone()
        };
        for (i, want) in ["+1", "same", "L5", "5", "+1"].into_iter().enumerate() {
            assert_eq!(level(i), toml::Value::String(want.into()));
        }
        // Other keys keep TOML's reading.
        let b = parse_axis("jobs.j.pay_factor=+1").unwrap();
        let out = apply(text, &[b], &[0]).unwrap();
        assert!(out.contains("pay_factor = 1"), "{out}");
    }

    #[test]
    fn apply_sets_values_and_rejects_missing_tables() {
        let text = "[companies.rocket]\nexit_rate = 0.1\n";
        let a = parse_axis("companies.rocket.exit_rate=0.25").unwrap();
        let out = apply(text, std::slice::from_ref(&a), &[0]).unwrap();
        assert!(out.contains("exit_rate = 0.25"), "{out}");
        let bad = parse_axis("companies.rockett.exit_rate=0.25").unwrap();
        let err = apply(text, &[bad], &[0]).unwrap_err().to_string();
        assert!(err.contains("no table `companies.rockett`"), "{err}");
    }

    #[test]
    fn a_misspelt_table_in_a_set_path_offers_the_closest_existing_one() {
        let text = "[companies.rocket]\nexit_rate = 0.1\n[jobs.offer]\nbase = 1\n";
        let err = |arg: &str| {
            let axis = parse_axis(arg).unwrap();
            apply(text, &[axis], &[0]).unwrap_err().to_string()
        };
        assert_eq!(
            err("companies.rockett.exit_rate=0.25"),
            "--set companies.rockett.exit_rate: the scenario has no table `companies.rockett`; \
             did you mean `companies.rocket.exit_rate`?"
        );
        assert_eq!(
            err("compnies.rocket.exit_rate=0.25"),
            "--set compnies.rocket.exit_rate: the scenario has no table `compnies`; \
             did you mean `companies.rocket.exit_rate`?"
        );
        // Nothing close: no guess.
        assert_eq!(
            err("companies.zephyr.exit_rate=0.25"),
            "--set companies.zephyr.exit_rate: the scenario has no table `companies.zephyr`"
        );
    }
}
