//! The starter scenario `tcsim init` writes: the user's current job and one
//! offer, at two public companies, commented so it can be edited in place.

use std::io::Write;
use std::path::Path;

use crate::error::AppError;

/// The starter scenario `tcsim init` writes.
pub const STARTER: &str = include_str!("../starter.toml");

/// Writes [`STARTER`] to `path` (`tcsim init`), never over an existing
/// file, whole or not at all, and only into a directory that exists.
pub fn write(path: &Path) -> Result<(), AppError> {
    let refuse = || {
        AppError::Usage(format!(
            "{} already exists; tcsim init never overwrites a file. Pick another path, e.g. `tcsim init my-offer.toml`",
            path.display()
        ))
    };
    if path.is_dir() {
        return Err(AppError::Usage(format!(
            "{} is a directory; give tcsim init a file path, e.g. `tcsim init {}`",
            path.display(),
            path.join("scenario.toml").display()
        )));
    }
    if path.exists() {
        return Err(refuse());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| AppError::Io { path: p, source }
    };
    // A missing directory is not created: a typo in the path would
    // otherwise leave a tree of directories behind (bad input, exit 2).
    if !dir.is_dir() {
        let exists = dir.exists();
        let (path, dir) = (path.display(), dir.display());
        return Err(AppError::Usage(match exists {
            true => format!("{path}: {dir} is a file, not a directory; give a path in a directory"),
            false => format!(
                "{path}: the directory {dir} does not exist; create it first (mkdir -p {dir}) or give a path in an existing directory"
            ),
        }));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tcsim-init.").suffix(".tmp");
    // 0666 so the umask decides, as for any new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io(dir))?;
    tmp.write_all(STARTER.as_bytes()).map_err(io(tmp.path()))?;
    tmp.as_file().sync_all().map_err(io(tmp.path()))?;
    // Refuses atomically a file created meanwhile.
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            refuse()
        } else {
            AppError::Io {
                path: path.to_path_buf(),
                source: e.error,
            }
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::model::CompanyKind;

    #[test]
    fn the_starter_scenario_parses_and_runs() {
        let mut scenario = crate::scenario::parse("scenario.toml", STARTER)
            .unwrap_or_else(|e| panic!("the starter is invalid: {e}"));
        assert_eq!(scenario.strategies.len(), 2);
        assert!(
            scenario
                .companies
                .iter()
                .all(|c| matches!(c.kind, CompanyKind::Public(_))),
            "the starter uses public companies only"
        );
        scenario.sim.runs = 2000;
        let results = Engine::new(&scenario).simulate(&|_| {});
        let summary = crate::report::summary::render(&scenario, &results);
        assert!(summary.contains("switch ahead of stay"), "{summary}");
    }
}
