//! `manifest.json`: what one `tcsim run` or `tcsim sweep` wrote and from
//! what (see docs/reference.md, "manifest.json"). It is written last, through
//! the same staging as the outputs, so a directory whose manifest matches
//! its files holds one run's whole set.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::Scenario;

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";

/// Every file name `tcsim run`, `tcsim sweep` and `tcsim solve` write (the
/// manifest aside): the ones a later run lists under `earlier_files` when
/// it finds them and did not write them itself.
pub const OUTPUTS: [&str; 16] = [
    "percentiles.csv",
    "compare.csv",
    "decision.csv",
    "percentiles.json",
    "compare.json",
    "decision.json",
    "samples.csv",
    "fan.svg",
    "final.svg",
    "diff.svg",
    "unrealized.svg",
    "report.html",
    "sweep.csv",
    "sweep.json",
    "solve.csv",
    "evaluations.csv",
];

/// Lower-case hex of a SHA-256 digest.
pub fn hex(digest: &[u8]) -> String {
    let mut s = String::with_capacity(2 * digest.len());
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The SHA-256 of `bytes`, in hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The size and SHA-256 (hex) of the file at `path`, read piece by piece
/// (`samples.csv` can be larger than memory).
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let (mut hasher, mut size) = (Sha256::new(), 0u64);
    let mut buf = vec![0; 1 << 20];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok((size, hex(&hasher.finalize()))),
            Ok(n) => {
                hasher.update(&buf[..n]);
                size += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// What to do when the output directory's manifest names another scenario
/// file (another path, with other contents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherScenario {
    /// Refuse with exit status 1: the default directory `out/<file stem>/`,
    /// which two files of one name in different folders share.
    Refuse,
    /// Warn on stderr and go on: a directory named with `--out`.
    Warn,
}

/// Where a set of outputs comes from: what the manifest records besides the
/// files and the time.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// The command line, `argv[0]` first.
    pub argv: Vec<String>,
    /// The scenario file as given on the command line.
    pub scenario: String,
    /// SHA-256 of the scenario file's bytes, in hex.
    pub scenario_sha256: String,
    /// The seed of every simulated point (`None`: a sweep that varies it).
    pub seed: Option<u64>,
    /// The run count of every point (`None`: a sweep that varies it).
    pub runs: Option<u64>,
    /// The reported percentiles, in percent.
    pub percentiles: Vec<f64>,
}

impl Provenance {
    /// The provenance of outputs simulated from `scenarios` (one for a run,
    /// one per point for a sweep), all read from `file` whose bytes are
    /// `bytes`; the command line is this process's.
    pub fn new(file: &Path, bytes: &[u8], scenarios: &[&Scenario]) -> Provenance {
        let shared = |f: fn(&Scenario) -> u64| {
            let first = f(scenarios.first()?);
            scenarios.iter().all(|s| f(s) == first).then_some(first)
        };
        Provenance {
            argv: std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            scenario: file.display().to_string(),
            scenario_sha256: sha256(bytes),
            seed: shared(|s| s.sim.seed),
            runs: shared(|s| s.sim.runs),
            percentiles: scenarios
                .first()
                .map(|s| s.sim.percentiles.clone())
                .unwrap_or_default(),
        }
    }
}

/// The scenario file a manifest names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioFile {
    /// The path as given on the command line.
    pub path: String,
    /// SHA-256 of its bytes, in hex.
    pub sha256: String,
}

/// One file of the set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// File name inside the output directory.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of its bytes, in hex.
    pub sha256: String,
}

/// The contents of `manifest.json`, keys in this order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The tcsim version that wrote the set.
    pub tcsim_version: String,
    /// The command line, `argv[0]` first.
    pub command: Vec<String>,
    /// The scenario file.
    pub scenario: ScenarioFile,
    /// The seed (`null`: a sweep that varies it).
    pub seed: Option<u64>,
    /// The run count (`null`: a sweep that varies it).
    pub runs: Option<u64>,
    /// The reported percentiles, in percent.
    pub percentiles: Vec<f64>,
    /// When the set was written: UTC, RFC 3339, to the second.
    pub time: String,
    /// The files of this set, in the order written.
    pub files: Vec<Entry>,
    /// Output files found in the directory that this set does not include
    /// (left from earlier runs), by name.
    pub earlier_files: Vec<String>,
}

impl Manifest {
    /// The manifest of `files` from `provenance`, written at `time`.
    pub fn new(
        provenance: &Provenance,
        files: Vec<Entry>,
        earlier_files: Vec<String>,
        time: SystemTime,
    ) -> Manifest {
        Manifest {
            tcsim_version: env!("CARGO_PKG_VERSION").to_string(),
            command: provenance.argv.clone(),
            scenario: ScenarioFile {
                path: provenance.scenario.clone(),
                sha256: provenance.scenario_sha256.clone(),
            },
            seed: provenance.seed,
            runs: provenance.runs,
            percentiles: provenance.percentiles.clone(),
            time: rfc3339(time),
            files,
            earlier_files,
        }
    }

    /// Pretty JSON with a final line end.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        out.push(b'\n');
        out
    }

    /// The manifest in `dir`, if there is one that parses.
    pub fn read(dir: &Path) -> Option<Manifest> {
        let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// True when every file listed is in `dir` with the size and SHA-256
    /// listed.
    pub fn matches(&self, dir: &Path) -> bool {
        self.files.iter().all(|e| {
            hash_file(&dir.join(&e.name)).is_ok_and(|(size, sha)| size == e.size && sha == e.sha256)
        })
    }

    /// True when this manifest's scenario is another file than
    /// `provenance`'s: another path *and* other contents. The same file
    /// edited, or the same contents under another path, is the same
    /// scenario.
    pub fn names_another_scenario(&self, provenance: &Provenance) -> bool {
        Path::new(&self.scenario.path) != Path::new(&provenance.scenario)
            && self.scenario.sha256 != provenance.scenario_sha256
    }
}

/// `t` as RFC 3339 in UTC, to the second: `2025-03-01T09:30:00Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The proleptic Gregorian date of `z` days since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_is_utc_to_the_second() {
        let at = |s: u64| rfc3339(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(at(1_740_821_400), "2025-03-01T09:30:00Z");
        assert_eq!(at(4_102_444_800), "2100-01-01T00:00:00Z");
    }

    #[test]
    fn sha256_of_known_inputs() {
        assert_eq!(
            sha256(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    fn provenance(path: &str, bytes: &[u8]) -> Provenance {
        Provenance {
            argv: vec!["tcsim".into()],
            scenario: path.into(),
            scenario_sha256: sha256(bytes),
            seed: Some(1),
            runs: Some(10),
            percentiles: vec![50.0],
        }
    }

    #[test]
    fn another_scenario_is_another_path_with_other_contents() {
        let m = Manifest::new(
            &provenance("a/offer.toml", b"x"),
            Vec::new(),
            Vec::new(),
            UNIX_EPOCH,
        );
        assert!(!m.names_another_scenario(&provenance("a/offer.toml", b"edited")));
        assert!(!m.names_another_scenario(&provenance("b/offer.toml", b"x")));
        assert!(m.names_another_scenario(&provenance("b/offer.toml", b"y")));
    }

    #[test]
    fn a_manifest_reads_back_with_its_keys_in_order() {
        let m = Manifest::new(
            &provenance("s.toml", b"x"),
            vec![Entry {
                name: "a.csv".into(),
                size: 1,
                sha256: sha256(b"a"),
            }],
            vec!["samples.csv".into()],
            UNIX_EPOCH,
        );
        let bytes = m.to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let keys: Vec<usize> = [
            "tcsim_version",
            "command",
            "scenario",
            "seed",
            "runs",
            "percentiles",
            "time",
            "files",
            "earlier_files",
        ]
        .iter()
        .map(|k| text.find(&format!("\"{k}\"")).unwrap())
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert_eq!(serde_json::from_slice::<Manifest>(&bytes).unwrap(), m);
    }
}
