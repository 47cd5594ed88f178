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
    /// Also write `fan.svg` and `final.svg`.
    pub plot: bool,
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
                    "--strategy {name}: no such strategy (strategies: {})",
                    names.join(", ")
                )))
            }
        }
    }
}

/// What `tcsim sweep` varies, on top of a [`RunConfig`].
#[derive(Debug, Clone, PartialEq)]
pub struct SweepConfig {
    /// How each point is simulated and where `sweep.csv` goes.
    pub run: RunConfig,
    /// The swept keys and their values.
    pub axes: Vec<Axis>,
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
        Ok(SweepConfig { run, axes })
    }
}

/// Default output directory: `out/<file stem>/`.
pub fn default_out_dir(file: &Path) -> PathBuf {
    Path::new("out").join(file_stem(file))
}

fn file_stem(file: &Path) -> String {
    file.file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}
