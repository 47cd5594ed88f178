//! The single place that puts output files on disk: one run's files are
//! one set, written under a lock on the directory, all or nothing, with
//! `manifest.json` last (docs/reference.md, "Output files").

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use super::manifest::{self, Entry, MANIFEST, Manifest, OUTPUTS, OtherScenario, Provenance};
use crate::error::AppError;

/// The lock file inside the output directory: held (`flock`) for the whole
/// write and removed when the run ends.
pub const LOCK_FILE: &str = ".tcsim.lock";

/// A file about to be replaced is kept as `.NAME.tcsim-old` until the
/// whole set is in place.
const BACKUP_SUFFIX: &str = ".tcsim-old";

/// Written before a commit's first backup and removed after its last step:
/// the names of the files the commit creates (no previous file to keep). A
/// run killed mid-commit leaves it, and the next run undoes that commit
/// exactly: backups put back, created files removed.
const JOURNAL: &str = ".tcsim-commit";

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> AppError {
    let path = path.to_path_buf();
    move |source| AppError::Io { path, source }
}

fn backup_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}{BACKUP_SUFFIX}"))
}

/// Output files on their way into a directory, as one set:
///
/// - [`Staging::new`] locks the directory, so that a second run into it
///   fails at once instead of mixing its files with this one's;
/// - each file is written to a temporary file in the directory first;
/// - [`Staging::commit`] adds `manifest.json`, keeps every file it is about
///   to replace under a backup name, renames the new files over their
///   targets (the manifest last), and on any failure puts the previous
///   files back, so that either every file of the set is replaced or none.
///
/// Dropping a staging without committing (an error, Ctrl-C) leaves the
/// previous files untouched, removes the temporary ones, the lock file and
/// any directory it created.
pub struct Staging {
    dir: PathBuf,
    provenance: Provenance,
    staged: Vec<Staged>,
    /// Directories [`Staging::new`] created, deepest first.
    created: Vec<PathBuf>,
    lock: Option<FileLock>,
    /// Test hook: the rename with this index fails.
    #[cfg(test)]
    fail_rename_at: Option<usize>,
}

/// A file written to its temporary file, waiting for [`Staging::commit`].
struct Staged {
    tmp: NamedTempFile,
    target: PathBuf,
    entry: Entry,
}

impl Staging {
    /// Creates `dir` if needed and locks it; fails at once (exit status 1)
    /// when another tcsim run holds the lock, and, by `other`, refuses or
    /// warns when the manifest there names another scenario file.
    pub fn new(
        dir: &Path,
        provenance: Provenance,
        other: OtherScenario,
    ) -> Result<Staging, AppError> {
        let mut created = Vec::new();
        let mut missing = Some(dir);
        while let Some(d) = missing {
            if d.as_os_str().is_empty() || d.exists() {
                break;
            }
            created.push(d.to_path_buf());
            missing = d.parent();
        }
        fs::create_dir_all(dir).map_err(io_error(dir))?;
        let mut staging = Staging {
            dir: dir.to_path_buf(),
            provenance,
            staged: Vec::new(),
            created,
            lock: None,
            #[cfg(test)]
            fail_rename_at: None,
        };
        // From here on, dropping `staging` undoes what it did.
        staging.lock = Some(FileLock::dir(dir)?);
        recover(dir)?;
        staging.check_scenario(other)?;
        Ok(staging)
    }

    /// Refuses or warns when the directory's manifest names another
    /// scenario file than this run's.
    fn check_scenario(&self, other: OtherScenario) -> Result<(), AppError> {
        let Some(previous) = Manifest::read(&self.dir) else {
            return Ok(());
        };
        if !previous.names_another_scenario(&self.provenance) {
            return Ok(());
        }
        let (dir, old, new) = (
            self.dir.display(),
            &previous.scenario.path,
            &self.provenance.scenario,
        );
        match other {
            OtherScenario::Refuse => Err(AppError::Io {
                path: self.dir.clone(),
                source: io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "holds the outputs of another scenario file, {old}; \
                         give --out DIR to write those of {new} elsewhere, or remove {dir} first"
                    ),
                ),
            }),
            OtherScenario::Warn => {
                let _ = writeln!(
                    io::stderr(),
                    "warning: {dir} holds the outputs of another scenario file, {old}; \
                     replacing them with those of {new}"
                );
                Ok(())
            }
        }
    }

    /// Stages `name` with contents `bytes`.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), AppError> {
        let mut stream = self.begin(name)?;
        stream.write(bytes)?;
        self.push(stream)
    }

    /// Starts a temporary file for `name`, to be written piece by piece (a
    /// file too big to hold in memory) while other files are staged. It is
    /// staged, in the order of the calls, by [`Staging::push`]; dropped, it
    /// is removed.
    pub fn begin(&self, name: &str) -> Result<Stream, AppError> {
        let target = self.dir.join(name);
        // A directory in the way could not be replaced: refuse before
        // simulating (commit checks again).
        if target.is_dir() {
            return Err(is_a_directory(target));
        }
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // Ask for 0666 so the umask decides, as for any new file (the
        // default for temporary files is owner-only 0600).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let tmp = builder
            .tempfile_in(&self.dir)
            .map_err(io_error(&self.dir))?;
        Ok(Stream {
            file: BufWriter::with_capacity(1 << 20, tmp),
            target,
            name: name.to_string(),
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// Flushes `stream` to disk and stages it after the files staged so far.
    pub fn push(&mut self, stream: Stream) -> Result<(), AppError> {
        let staged = stream.finish()?;
        self.staged.push(staged);
        Ok(())
    }

    /// Writes `manifest.json` for the staged files, then puts the whole set
    /// in place: every staged file renamed over its target in the order
    /// staged, the manifest last. On a failure no file of the set is
    /// replaced: the previous files are restored from their backups.
    /// Returns the targets, the manifest aside.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, AppError> {
        let names: Vec<&str> = self.staged.iter().map(|s| s.entry.name.as_str()).collect();
        let earlier = OUTPUTS
            .iter()
            .filter(|n| !names.contains(n))
            .filter(|n| fs::symlink_metadata(self.dir.join(n)).is_ok_and(|m| m.is_file()))
            .map(|n| n.to_string())
            .collect();
        let files = self.staged.iter().map(|s| s.entry.clone()).collect();
        let manifest = Manifest::new(&self.provenance, files, earlier, SystemTime::now());
        self.add(MANIFEST, &manifest.to_bytes())?;
        let staged = std::mem::take(&mut self.staged);

        // Nothing in the way: a directory cannot be replaced by a file.
        for s in &staged {
            if fs::symlink_metadata(&s.target).is_ok_and(|m| m.is_dir()) {
                return Err(is_a_directory(s.target.clone()));
            }
        }
        // The journal first: a kill from here on is undone by the next run.
        let created: Vec<&str> = staged
            .iter()
            .filter(|s| fs::symlink_metadata(&s.target).is_err())
            .map(|s| s.entry.name.as_str())
            .collect();
        let journal = self.dir.join(JOURNAL);
        write_journal(&journal, &created).map_err(io_error(&journal))?;
        // Keep every file about to be replaced.
        let mut backups: Vec<Option<Backup>> = Vec::with_capacity(staged.len());
        for s in &staged {
            match Backup::make(&self.dir, &s.target, &s.entry.name) {
                Ok(b) => backups.push(b),
                Err(source) => {
                    if restore(&[], &backups) {
                        let _ = fs::remove_file(&journal);
                    }
                    return Err(AppError::Io {
                        path: s.target.clone(),
                        source,
                    });
                }
            }
        }
        // Replace, or put everything back.
        let mut written: Vec<PathBuf> = Vec::with_capacity(staged.len());
        for (i, s) in staged.into_iter().enumerate() {
            if let Err(e) = self.rename(i, s.tmp, &s.target) {
                let source = match restore(&written, &backups) {
                    true => {
                        let _ = fs::remove_file(&journal);
                        e
                    }
                    false => io::Error::new(
                        e.kind(),
                        format!(
                            "{e}; some previous files could not be put back yet (they are kept \
                             as .NAME{BACKUP_SUFFIX}; the next tcsim run into this directory restores them)"
                        ),
                    ),
                };
                return Err(AppError::Io {
                    path: s.target,
                    source,
                });
            }
            written.push(s.target);
        }
        for b in backups.iter().flatten() {
            let _ = fs::remove_file(&b.path);
        }
        // Backups first, then the journal: backups with no journal are
        // leftovers of a finished commit.
        let _ = fs::remove_file(&journal);
        // The directories now hold the outputs: keep them.
        self.created.clear();
        written.pop();
        Ok(written)
    }

    /// Renames `tmp` over `target` (the `i`th rename of the commit).
    fn rename(&self, i: usize, tmp: NamedTempFile, target: &Path) -> io::Result<()> {
        #[cfg(test)]
        if self.fail_rename_at == Some(i) {
            return Err(io::Error::other("injected rename failure"));
        }
        let _ = i;
        tmp.persist(target).map(drop).map_err(|e| e.error)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Temporary files first, then the lock file, so that a directory
        // created for them is empty again; one holding anything else stays.
        self.staged.clear();
        self.lock.take();
        for d in &self.created {
            let _ = fs::remove_dir(d);
        }
    }
}

fn is_a_directory(path: PathBuf) -> AppError {
    AppError::Io {
        path,
        source: io::Error::new(io::ErrorKind::IsADirectory, "is a directory, not a file"),
    }
}

/// A previous file kept aside during a commit.
struct Backup {
    target: PathBuf,
    path: PathBuf,
    /// Renamed aside (the file system has no hard links): the target is
    /// missing until the new file takes its place.
    moved: bool,
}

impl Backup {
    /// Keeps `target` (named `name`) as `.NAME.tcsim-old`: a hard link, so
    /// the target stays in place, else a rename. `None` when there is no
    /// target yet.
    fn make(dir: &Path, target: &Path, name: &str) -> io::Result<Option<Backup>> {
        match fs::symlink_metadata(target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        let path = backup_path(dir, name);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let moved = match fs::hard_link(target, &path) {
            Ok(()) => false,
            Err(_) => {
                fs::rename(target, &path)?;
                true
            }
        };
        Ok(Some(Backup {
            target: target.to_path_buf(),
            path,
            moved,
        }))
    }
}

/// Undoes a commit: the first `written.len()` files of the set (already
/// renamed into place) get their previous file back or are removed, every
/// other backup is dropped or moved back. True when everything was undone;
/// a backup that could not be put back stays for [`recover`].
fn restore(written: &[PathBuf], backups: &[Option<Backup>]) -> bool {
    let mut ok = true;
    for (i, backup) in backups.iter().enumerate() {
        let undone = match (backup, i < written.len()) {
            (Some(b), true) => put_back(&b.path, &b.target),
            (None, true) => fs::remove_file(&written[i]),
            (Some(b), false) if b.moved => put_back(&b.path, &b.target),
            (Some(b), false) => fs::remove_file(&b.path),
            (None, false) => Ok(()),
        };
        ok &= undone.is_ok();
    }
    ok
}

/// Renames `backup` over `target`. A rename between two names of one file
/// does nothing, so a backup that is still a hard link of its target is
/// removed instead.
fn put_back(backup: &Path, target: &Path) -> io::Result<()> {
    fs::rename(backup, target)?;
    match fs::remove_file(backup) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Cleans up after a run that was killed (SIGKILL, power loss) while it
/// held the lock: its temporary files are removed, and backups left by a
/// commit it did not finish are put back unless the directory's manifest
/// matches its files (the commit got as far as the manifest, or had not
/// replaced anything yet).
fn recover(dir: &Path) -> Result<(), AppError> {
    let entries = fs::read_dir(dir).map_err(io_error(dir))?;
    let ours = |name: &str| OUTPUTS.iter().chain([&MANIFEST]).any(|n| *n == name);
    let mut backups = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else {
            continue;
        };
        let Some(rest) = name.strip_prefix('.') else {
            continue;
        };
        if let Some(target) = rest.strip_suffix(BACKUP_SUFFIX)
            && ours(target)
        {
            backups.push((entry.path(), dir.join(target)));
        } else if let Some(rest) = rest.strip_suffix(".tmp")
            && let Some((target, _)) = rest.rsplit_once('.')
            && ours(target)
        {
            let _ = fs::remove_file(entry.path());
        }
    }
    let journal = dir.join(JOURNAL);
    let created = match fs::read_to_string(&journal) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(&journal)(e)),
    };
    // No journal: any backup is a leftover of a commit that finished.
    let Some(created) = created else {
        for (backup, _) in backups {
            fs::remove_file(&backup).map_err(io_error(&backup))?;
        }
        return Ok(());
    };
    // A commit was cut short. If its manifest is in place and matches, it
    // had finished its renames; otherwise undo it.
    let whole = Manifest::read(dir).is_some_and(|m| m.matches(dir));
    for (backup, target) in backups {
        match whole {
            true => fs::remove_file(&backup).map_err(io_error(&backup))?,
            false => put_back(&backup, &target).map_err(io_error(&target))?,
        }
    }
    if !whole {
        for name in created.lines().filter(|n| ours(n)) {
            match fs::remove_file(dir.join(name)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(io_error(&dir.join(name))(e));
                }
                _ => {}
            }
        }
    }
    fs::remove_file(&journal).map_err(io_error(&journal))
}

/// Writes the commit journal: one created file name per line, on disk
/// before any backup is made.
fn write_journal(path: &Path, created: &[&str]) -> io::Result<()> {
    let mut file = File::create(path)?;
    for name in created {
        writeln!(file, "{name}")?;
    }
    file.sync_all()
}

/// An exclusive `flock` on a lock file, held until dropped, when the file
/// is removed: [`LOCK_FILE`] in an output directory, or a shard's
/// `.part-I-of-N.tcsim.lock` beside its partial file.
pub struct FileLock {
    path: PathBuf,
    /// Closing it releases the lock.
    _file: File,
}

impl FileLock {
    /// Locks `dir` for a run's files, or fails at once when another
    /// process holds the lock.
    fn dir(dir: &Path) -> Result<FileLock, AppError> {
        FileLock::acquire(
            &dir.join(LOCK_FILE),
            dir,
            "another tcsim run is writing there; wait for it to finish, or give another --out",
        )
    }

    /// Locks the file `path` (created if missing) on behalf of `what` (the
    /// path messages name), or fails at once with `busy` when another
    /// process holds the lock. A file system without locks gets a warning
    /// and no lock.
    pub fn acquire(path: &Path, what: &Path, busy: &str) -> Result<FileLock, AppError> {
        let busy = || AppError::Io {
            path: what.to_path_buf(),
            source: io::Error::new(io::ErrorKind::WouldBlock, busy.to_string()),
        };
        // A holder that ends removes the file after its last write: a lock
        // won on a file no longer at `path` is worth nothing, so try again.
        for _ in 0..16 {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(io_error(path))?;
            let path = path.to_path_buf();
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Err(busy()),
                Err(TryLockError::Error(e)) => {
                    let _ = writeln!(
                        io::stderr(),
                        "warning: {}: cannot lock ({e}); another run writing there at the same time would not be stopped",
                        what.display()
                    );
                    return Ok(FileLock { path, _file: file });
                }
            }
            if still_at(&file, &path) {
                return Ok(FileLock { path, _file: file });
            }
        }
        Err(busy())
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Removed while still held, so no other process can be holding it.
        let _ = fs::remove_file(&self.path);
    }
}

/// True when `file` is the file at `path`.
#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// One file being written before it is staged (see [`Staging::begin`]);
/// its size and SHA-256 are taken as it is written.
pub struct Stream {
    file: BufWriter<NamedTempFile>,
    target: PathBuf,
    name: String,
    hasher: Sha256,
    size: u64,
}

impl Stream {
    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        self.file
            .write_all(bytes)
            .map_err(io_error(self.file.get_ref().path()))?;
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
        Ok(())
    }

    /// Flushes the file to disk.
    fn finish(self) -> Result<Staged, AppError> {
        let path = self.file.get_ref().path().to_path_buf();
        let tmp = self.file.into_inner().map_err(|e| AppError::Io {
            path,
            source: e.into_error(),
        })?;
        tmp.as_file().sync_all().map_err(io_error(tmp.path()))?;
        Ok(Staged {
            tmp,
            target: self.target,
            entry: Entry {
                name: self.name,
                size: self.size,
                sha256: manifest::hex(&self.hasher.finalize()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provenance(scenario: &str) -> Provenance {
        Provenance {
            argv: vec!["tcsim".into(), "run".into(), scenario.into()],
            scenario: scenario.into(),
            scenario_sha256: manifest::sha256(scenario.as_bytes()),
            seed: Some(7),
            runs: Some(100),
            percentiles: vec![10.0, 50.0, 90.0],
        }
    }

    fn staging(dir: &Path) -> Result<Staging, AppError> {
        Staging::new(dir, provenance("s.toml"), OtherScenario::Refuse)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn write(dir: &Path, files: &[(&str, &[u8])]) -> Result<Vec<PathBuf>, AppError> {
        let mut staging = staging(dir)?;
        for (name, bytes) in files {
            staging.add(name, bytes)?;
        }
        staging.commit()
    }

    #[test]
    fn a_commit_replaces_targets_adds_the_manifest_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("compare.csv"), "old").unwrap();
        fs::write(dir.path().join("samples.csv"), "earlier").unwrap();
        let written = write(
            dir.path(),
            &[("compare.csv", b"new"), ("percentiles.csv", b"p")],
        )
        .unwrap();
        assert_eq!(
            written,
            [
                dir.path().join("compare.csv"),
                dir.path().join("percentiles.csv")
            ]
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("compare.csv")).unwrap(),
            "new"
        );
        assert_eq!(
            names(dir.path()),
            [
                "compare.csv",
                "manifest.json",
                "percentiles.csv",
                "samples.csv"
            ]
        );
        let m = Manifest::read(dir.path()).unwrap();
        assert!(m.matches(dir.path()));
        let files: Vec<(&str, u64)> = m.files.iter().map(|e| (e.name.as_str(), e.size)).collect();
        assert_eq!(files, [("compare.csv", 3), ("percentiles.csv", 1)]);
        assert_eq!(m.files[0].sha256, manifest::sha256(b"new"));
        assert_eq!(m.earlier_files, ["samples.csv"]);
        assert_eq!(m.seed, Some(7));
    }

    #[test]
    fn a_failed_rename_puts_back_every_file_already_replaced() {
        for fail_at in 0..4 {
            let dir = tempfile::tempdir().unwrap();
            write(
                dir.path(),
                &[("percentiles.csv", b"p1"), ("compare.csv", b"c1")],
            )
            .unwrap();
            let before: Vec<(String, Vec<u8>)> = names(dir.path())
                .into_iter()
                .map(|n| (n.clone(), fs::read(dir.path().join(&n)).unwrap()))
                .collect();
            let mut s = staging(dir.path()).unwrap();
            s.add("percentiles.csv", b"p2").unwrap();
            s.add("compare.csv", b"c2").unwrap();
            s.add("samples.csv", b"s2").unwrap();
            // Renames 0-2 are the files, 3 the manifest.
            s.fail_rename_at = Some(fail_at);
            let err = s.commit().unwrap_err();
            assert!(err.to_string().contains("injected"), "{err}");
            let after: Vec<(String, Vec<u8>)> = names(dir.path())
                .into_iter()
                .map(|n| (n.clone(), fs::read(dir.path().join(&n)).unwrap()))
                .collect();
            assert_eq!(after, before, "failing rename {fail_at}");
        }
    }

    #[test]
    fn a_directory_in_the_way_at_commit_replaces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[("percentiles.csv", b"p1")]).unwrap();
        let mut s = staging(dir.path()).unwrap();
        s.add("percentiles.csv", b"p2").unwrap();
        s.add("samples.csv", b"s2").unwrap();
        fs::create_dir(dir.path().join("samples.csv")).unwrap();
        fs::write(dir.path().join("samples.csv").join("x"), "x").unwrap();
        let err = s.commit().unwrap_err();
        assert!(err.to_string().contains("samples.csv"), "{err}");
        assert_eq!(
            fs::read_to_string(dir.path().join("percentiles.csv")).unwrap(),
            "p1"
        );
        assert_eq!(
            names(dir.path()),
            ["manifest.json", "percentiles.csv", "samples.csv"]
        );
        assert!(Manifest::read(dir.path()).unwrap().matches(dir.path()));
    }

    #[test]
    fn a_dropped_staging_leaves_no_trace_not_even_the_directory_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a").join("b");
        {
            let mut staging = staging(&out).unwrap();
            staging.add("x.csv", b"x").unwrap();
            let mut stream = staging.begin("y.csv").unwrap();
            stream.write(b"partial").unwrap();
            drop(stream);
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_streamed_file_is_committed_with_the_others_and_hashed_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = staging(dir.path()).unwrap();
        let mut stream = staging.begin("samples.csv").unwrap();
        stream.write(b"a,").unwrap();
        stream.write(b"b\n").unwrap();
        staging.push(stream).unwrap();
        staging.add("compare.csv", b"s").unwrap();
        assert!(
            !dir.path().join("samples.csv").exists(),
            "nothing before commit"
        );
        staging.commit().unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("samples.csv")).unwrap(),
            "a,b\n"
        );
        let m = Manifest::read(dir.path()).unwrap();
        assert_eq!(m.files[0].sha256, manifest::sha256(b"a,b\n"));
        assert_eq!(m.files[0].size, 4);
    }

    #[test]
    fn a_second_staging_of_a_locked_directory_fails_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = staging(dir.path()).unwrap();
        assert_eq!(names(dir.path()), [LOCK_FILE]);
        let err = staging(dir.path()).err().expect("the directory is locked");
        assert_eq!(err.exit_code(), 1);
        assert!(
            err.to_string()
                .contains("another tcsim run is writing there"),
            "{err}"
        );
        assert_eq!(names(dir.path()), [LOCK_FILE], "the holder keeps its lock");
        drop(first);
        assert!(
            names(dir.path()).is_empty(),
            "the lock file goes with the run"
        );
        staging(dir.path()).unwrap().commit().unwrap();
    }

    #[test]
    fn another_scenario_in_the_directory_is_refused_or_warned_about() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[("percentiles.csv", b"p1")]).unwrap();
        let other = || provenance("b/s.toml");
        let err = Staging::new(dir.path(), other(), OtherScenario::Refuse)
            .err()
            .expect("refused");
        assert!(err.to_string().contains("s.toml"), "{err}");
        assert_eq!(names(dir.path()), ["manifest.json", "percentiles.csv"]);
        let mut s = Staging::new(dir.path(), other(), OtherScenario::Warn).unwrap();
        s.add("percentiles.csv", b"p2").unwrap();
        s.commit().unwrap();
        assert_eq!(
            Manifest::read(dir.path()).unwrap().scenario.path,
            "b/s.toml"
        );
    }

    #[test]
    fn a_killed_commit_is_undone_or_finished_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, &[("percentiles.csv", b"p1"), ("compare.csv", b"c1")]).unwrap();
        let old_manifest = fs::read(d.join(MANIFEST)).unwrap();
        // Killed after replacing percentiles.csv and creating samples.csv,
        // before the manifest: the journal, the backups and a temporary
        // file are left.
        write_journal(&d.join(JOURNAL), &["samples.csv"]).unwrap();
        fs::write(d.join("samples.csv"), "s2").unwrap();
        fs::hard_link(d.join("percentiles.csv"), backup_path(d, "percentiles.csv")).unwrap();
        fs::hard_link(d.join("compare.csv"), backup_path(d, "compare.csv")).unwrap();
        fs::write(d.join("percentiles.csv.new"), "p2").unwrap();
        fs::rename(d.join("percentiles.csv.new"), d.join("percentiles.csv")).unwrap();
        fs::write(d.join(".compare.csv.abc123.tmp"), "c2").unwrap();
        drop(staging(d).unwrap());
        assert_eq!(
            names(d),
            ["compare.csv", "manifest.json", "percentiles.csv"]
        );
        assert_eq!(fs::read(d.join(MANIFEST)).unwrap(), old_manifest);
        assert_eq!(fs::read_to_string(d.join("percentiles.csv")).unwrap(), "p1");

        // Backups without a journal are leftovers of a finished commit:
        // they go, and never overwrite the files in place.
        fs::write(backup_path(d, "percentiles.csv"), "p0").unwrap();
        drop(staging(d).unwrap());
        assert_eq!(fs::read_to_string(d.join("percentiles.csv")).unwrap(), "p1");
        assert_eq!(
            names(d),
            ["compare.csv", "manifest.json", "percentiles.csv"]
        );
    }
}
