//! The checked run configuration: what the command line asked for, in the
//! program's own types. `app` builds it from the parsed arguments; nothing
//! past `app` sees a clap type.

use std::path::{Path, PathBuf};

use crate::error::AppError;
use crate::model::Scenario;
use crate::report::Format;
use crate::report::manifest::OtherScenario;
use crate::scenario::patch::Axis;

/// `[simulation]` values the command line overrides (`--runs`, `--seed`),
/// applied once, to the checked scenario.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--runs N`.
    pub runs: Option<u64>,
    /// `--seed S`.
    pub seed: Option<u64>,
}

impl Overrides {
    /// Sets the overridden values in `scenario`.
    pub fn apply(&self, scenario: &mut Scenario) {
        if let Some(runs) = self.runs {
            scenario.sim.runs = runs;
        }
        if let Some(seed) = self.seed {
            scenario.sim.seed = seed;
        }
    }
}

/// How `tcsim run` and `tcsim sweep` simulate and where they write.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    /// The scenario file as the user named it.
    pub file: PathBuf,
    /// Overrides of the file's `[simulation]`.
    pub overrides: Overrides,
    /// Worker threads (`None`: every core).
    pub threads: Option<usize>,
    /// Output directory.
    pub out_dir: PathBuf,
    /// No progress bar and no summary.
    pub quiet: bool,
    /// Format of the result tables.
    pub format: Format,
    /// Also write `samples.csv`.
    pub samples: bool,
    /// Also write the charts: `fan.svg`, `diff.svg`, `unrealized.svg` and
    /// `final.svg`.
    pub plot: bool,
    /// Also write `report.html`.
    pub report: bool,
    /// `--years`: the summary's years, 1-based (`None`: the horizon;
    /// `Some(empty)`: every year).
    pub summary_years: Option<Vec<u32>>,
}

impl RunConfig {
    /// The thread pool the run uses.
    pub fn pool(&self) -> Result<rayon::ThreadPool, AppError> {
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(t) = self.threads {
            pool = pool.num_threads(t);
        }
        pool.build()
            .map_err(|e| AppError::Usage(format!("cannot start {:?} threads: {e}", self.threads)))
    }

    /// What to do when the output directory holds the outputs of another
    /// scenario file: refuse in the default directory (`a/offer.toml` and
    /// `b/offer.toml` share `out/offer/`), warn in one named with `--out`.
    pub fn other_scenario(&self) -> OtherScenario {
        match self.out_dir == default_out_dir(&self.file) {
            true => OtherScenario::Refuse,
            false => OtherScenario::Warn,
        }
    }

    /// The 0-based years the summary's tables show, checked against the
    /// horizon: a year past it is an error (exit 2).
    pub fn summary_years(&self, years: u32) -> Result<Vec<usize>, AppError> {
        match &self.summary_years {
            None => Ok(vec![years as usize - 1]),
            Some(list) if list.is_empty() => Ok((0..years as usize).collect()),
            Some(list) => {
                if let Some(y) = list.iter().find(|&&y| y > years) {
                    return Err(AppError::Usage(format!(
                        "--years {y}: the scenario has {years} years (1 to {years}); give years within them, or all"
                    )));
                }
                let mut v: Vec<usize> = list.iter().map(|&y| y as usize - 1).collect();
                v.sort_unstable();
                v.dedup();
                Ok(v)
            }
        }
    }

    /// The scenario's name in chart titles: the file stem.
    pub fn name(&self) -> String {
        file_stem(&self.file)
    }
}

/// What `tcsim trace` replays and how it prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceConfig {
    /// The scenario file.
    pub file: PathBuf,
    /// Run index of the world to replay.
    pub run: u64,
    /// Only this strategy (by name).
    pub strategy: Option<String>,
    /// Overrides of the file's `[simulation]` (the seed).
    pub overrides: Overrides,
    /// CSV instead of text.
    pub csv: bool,
}

impl TraceConfig {
    /// The index of `--strategy NAME` in `scenario` (`None`: every
    /// strategy); an unknown name is an error listing the strategies.
    pub fn strategy_index(&self, scenario: &Scenario) -> Result<Option<usize>, AppError> {
        let Some(name) = &self.strategy else {
            return Ok(None);
        };
        match scenario.strategies.iter().position(|s| &s.name == name) {
            Some(i) => Ok(Some(i)),
            None => {
                let names: Vec<&str> = scenario
                    .strategies
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect();
                Err(AppError::Usage(format!(
                    "--strategy {name}: no such strategy (strategies: {}){}",
                    names.join(", "),
                    crate::error::did_you_mean(name, names.iter().copied())
                )))
            }
        }
    }
}

impl TraceConfig {
    /// Checks `--run I` against the scenario: world `I` must be one that
    /// `tcsim run` simulates, `0 <= I < simulation.runs`, else an error
    /// (exit status 2) saying how to reach it.
    pub fn check_run(&self, scenario: &Scenario) -> Result<(), AppError> {
        let runs = scenario.sim.runs;
        if self.run >= runs {
            return Err(AppError::Usage(format!(
                "--run {}: the scenario has {runs} runs (0 to {}); pick one of them, or raise simulation.runs",
                self.run,
                runs - 1
            )));
        }
        Ok(())
    }
}

/// What `tcsim sweep` varies, on top of a [`RunConfig`].
#[derive(Debug, Clone, PartialEq)]
pub struct SweepConfig {
    /// How each point is simulated and where `sweep.csv` goes.
    pub run: RunConfig,
    /// The swept keys and their values.
    pub axes: Vec<Axis>,
    /// `--shard I/N` (or from a job array): simulate only this shard's
    /// points and write its partial file for `tcsim merge`.
    pub shard: Option<crate::shard::ShardSpec>,
}

impl SweepConfig {
    /// Checks the axes against the overrides: a key swept twice, or swept
    /// and also set by `--runs` / `--seed`, is an error (exit 2).
    pub fn new(run: RunConfig, axes: Vec<Axis>) -> Result<SweepConfig, AppError> {
        for (i, a) in axes.iter().enumerate() {
            if let Some(b) = axes[..i].iter().find(|b| b.path == a.path) {
                return Err(AppError::Usage(format!(
                    "--set {}: the key is already swept by --set {}; give each key once, with all its values",
                    a.key, b.key
                )));
            }
            let flag = match a.path.to_string().as_str() {
                "simulation.runs" if run.overrides.runs.is_some() => Some("--runs"),
                "simulation.seed" if run.overrides.seed.is_some() => Some("--seed"),
                _ => None,
            };
            if let Some(flag) = flag {
                return Err(AppError::Usage(format!(
                    "--set {} and {flag} both set {}; give one of them",
                    a.key, a.path
                )));
            }
        }
        Ok(SweepConfig {
            run,
            axes,
            shard: None,
        })
    }
}

/// What `tcsim solve` searches for, on top of a [`RunConfig`].
#[derive(Debug, Clone, PartialEq)]
pub struct SolveConfig {
    /// How each evaluation is simulated and where `solve.csv` goes.
    pub run: RunConfig,
    /// The varied key as the user wrote it.
    pub key: String,
    /// Its path.
    pub path: crate::error::KeyPath,
    /// What the strategy must reach.
    pub target: crate::solve::Target,
    /// `--strategy NAME` (`None`: the only compared strategy).
    pub strategy: Option<String>,
    /// `--year Y`, 1-based (`None`: the horizon).
    pub year: Option<u32>,
    /// `--between LO,HI` (`None`: the default range).
    pub between: Option<(f64, f64)>,
}

impl SolveConfig {
    /// Checks the command line's values: a key path, a target, a range of
    /// two finite numbers with `LO < HI`, and a key that `--runs` or
    /// `--seed` does not set too (exit 2 otherwise).
    pub fn new(
        run: RunConfig,
        key: &str,
        target: &str,
        strategy: Option<String>,
        year: Option<u32>,
        between: Option<&str>,
    ) -> Result<SolveConfig, AppError> {
        let key = key.trim();
        let path = crate::scenario::patch::parse_path(key).map_err(|why| {
            AppError::Usage(format!(
                "--vary {key}: {why}; write a dotted key path, e.g. --vary jobs.offer.base or --vary 'jobs.offer.grants[0].value'"
            ))
        })?;
        let flag = match path.to_string().as_str() {
            "simulation.runs" if run.overrides.runs.is_some() => Some("--runs"),
            "simulation.seed" if run.overrides.seed.is_some() => Some("--seed"),
            _ => None,
        };
        if let Some(flag) = flag {
            return Err(AppError::Usage(format!(
                "--vary {key} and {flag} both set {path}; give one of them"
            )));
        }
        let target = crate::solve::Target::parse(target)
            .map_err(|why| AppError::Usage(format!("--target {target}: {why}")))?;
        let between = between
            .map(|text| {
                let usage = |why: &str| {
                    AppError::Usage(format!(
                        "--between {text}: {why}; write --between LO,HI, e.g. --between 150000,250000"
                    ))
                };
                let (lo, hi) = text
                    .split_once(',')
                    .ok_or_else(|| usage("missing `,`"))?;
                let num = |s: &str| {
                    crate::solve::number(s.trim())
                        .ok_or_else(|| usage(&format!("`{}` is not a finite number", s.trim())))
                };
                let (lo, hi) = (num(lo)?, num(hi)?);
                if lo >= hi {
                    return Err(usage("LO must be below HI"));
                }
                Ok((lo, hi))
            })
            .transpose()?;
        Ok(SolveConfig {
            run,
            key: key.to_string(),
            path,
            target,
            strategy,
            year,
            between,
        })
    }

    /// The index of the strategy the target is about: `--strategy NAME`,
    /// or the only strategy compared with the baseline. An unknown name,
    /// the baseline, or no name when several are compared is an error
    /// (exit 2) listing the strategies to choose from.
    pub fn strategy_index(&self, scenario: &Scenario) -> Result<usize, AppError> {
        let baseline = scenario.sim.baseline;
        let names = |skip_baseline: bool| -> String {
            let v: Vec<&str> = scenario
                .strategies
                .iter()
                .enumerate()
                .filter(|&(i, _)| !skip_baseline || i != baseline)
                .map(|(_, s)| s.name.as_str())
                .collect();
            v.join(", ")
        };
        let base_name = &scenario.strategies[baseline].name;
        match &self.strategy {
            Some(name) => match scenario.strategies.iter().position(|s| &s.name == name) {
                Some(i) if i == baseline => Err(AppError::Usage(format!(
                    "--strategy {name}: that is the baseline, which the target compares every other strategy with; pick one of {}",
                    names(true)
                ))),
                Some(i) => Ok(i),
                None => Err(AppError::Usage(format!(
                    "--strategy {name}: no such strategy (strategies: {})",
                    names(false)
                ))),
            },
            None => {
                let compared: Vec<usize> = (0..scenario.strategies.len())
                    .filter(|&i| i != baseline)
                    .collect();
                match compared.as_slice() {
                    [one] => Ok(*one),
                    [] => Err(AppError::Usage(format!(
                        "the scenario has one strategy, {base_name}, the baseline: solve needs a second strategy to compare with it"
                    ))),
                    _ => Err(AppError::Usage(format!(
                        "several strategies are compared with the baseline {base_name} ({}): give --strategy NAME",
                        names(true)
                    ))),
                }
            }
        }
    }
}

/// Default output directory: `out/<file stem>/`, always a directory inside
/// `out/` (see [`file_stem`]).
pub fn default_out_dir(file: &Path) -> PathBuf {
    Path::new("out").join(file_stem(file))
}

/// The file's stem, or `scenario` when it has none that names a directory
/// of its own: `...toml` has the stem `..`, which would put the outputs in
/// `out/..`, the working directory.
fn file_stem(file: &Path) -> String {
    match file.file_stem().map(|s| s.to_string_lossy()) {
        Some(s) if !matches!(&*s, "" | "." | "..") => s.into_owned(),
        _ => "scenario".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_output_directory_is_always_inside_out() {
        let dir = |f: &str| default_out_dir(Path::new(f));
        assert_eq!(
            dir("scenarios/stay-vs-switch.toml"),
            Path::new("out/stay-vs-switch")
        );
        assert_eq!(dir("a.b.toml"), Path::new("out/a.b"));
        assert_eq!(dir(".hidden"), Path::new("out/.hidden"));
        for f in ["...toml", "x/...toml", "..toml", "..", ".", "/", ""] {
            assert_eq!(dir(f), Path::new("out/scenario"), "{f:?}");
        }
    }

    #[test]
    fn a_trace_run_must_be_one_of_the_scenarios_runs() {
        let text = "[simulation]\nyears = 1\nruns = 100\n[companies.c]\ntype = \"public\"\n\
                    share_price = 1\ndrift = 0\nvolatility = 0\n[jobs.j]\ncompany = \"c\"\n\
                    base = 1\n[strategies.s]\npath = [{ job = \"j\" }]\n";
        let scenario = crate::scenario::parse("t.toml", text).unwrap();
        let cfg = |run| TraceConfig {
            file: PathBuf::from("t.toml"),
            run,
            strategy: None,
            overrides: Overrides::default(),
            csv: false,
        };
        assert!(cfg(0).check_run(&scenario).is_ok());
        assert!(cfg(99).check_run(&scenario).is_ok());
        let err = cfg(100).check_run(&scenario).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.to_string(),
            "--run 100: the scenario has 100 runs (0 to 99); pick one of them, or raise simulation.runs"
        );
        assert!(cfg(u64::MAX).check_run(&scenario).is_err());
    }
}
