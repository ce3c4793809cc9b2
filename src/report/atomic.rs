//! Atomic writes: a temporary file in the same folder, then a rename.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` so that readers see the old file or the whole new one, never
/// half of it. Where `path` is a symbolic link, the file it points to is written and the
/// link stays.
///
/// # Errors
/// [`Error::Io`] naming the file when the folder is not writable or the disk is full.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::Io {
        path: path.into(),
        source,
    };
    // A link is followed: the file it points to is replaced, the link is kept.
    let linked;
    let path = match std::fs::read_link(path) {
        Ok(target) => {
            linked = path.parent().unwrap_or(Path::new("")).join(target);
            linked.as_path()
        }
        Err(_) => path,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_stale(dir, &name);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable once the folder is synced (best effort: not every
        // system lets a folder be opened).
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Removes temporary files of earlier writes of `name` whose process is gone (killed
/// between creating and renaming them). Only where `/proc` tells which processes live.
fn remove_stale(dir: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|f| f.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Checks, before any long work, that `path` can be written: not empty, not a folder, its
/// folder exists and takes a new file, and its extension is one of `extensions` (any when
/// empty).
///
/// ```
/// use shortfall::report::check_writable;
/// let dir = std::env::temp_dir();
/// assert!(check_writable(&dir.join("results.json"), &["json", "csv"]).is_ok());
/// assert!(check_writable(&dir.join("results.txt"), &["json", "csv"]).is_err());
/// let missing = dir.join(format!("no_such_folder_{}", std::process::id()));
/// assert!(check_writable(&missing.join("r.json"), &["json"]).is_err());
/// assert!(!missing.exists());
/// assert!(check_writable(&dir, &[]).is_err());
/// ```
///
/// # Errors
/// [`Error::OutputPath`] for an empty path or a folder, [`Error::WrongExtension`] for another extension;
/// [`Error::Io`] when the folder is missing or refuses a file.
pub fn check_writable(path: &Path, extensions: &[&str]) -> Result<()> {
    let bad = |why: String| Err(Error::OutputPath(format!("{}: {why}", path.display())));
    if path.as_os_str().is_empty() {
        return Err(Error::OutputPath("an empty output path".into()));
    }
    if path.is_dir() {
        return bad("is a folder; give a file name".into());
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !extensions.is_empty() && !extensions.contains(&ext) {
        return bad(format!(
            "results are written as .{}",
            extensions.join(" or .")
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::Io {
            path: dir.into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
        });
    }
    check_folder(dir)
}

/// Checks that `dir` exists (creating it if it does not, as plots do) and takes a new
/// file.
///
/// # Errors
/// [`Error::Io`] naming the folder.
pub fn check_folder(dir: &Path) -> Result<()> {
    let io = |source| Error::Io {
        path: dir.into(),
        source,
    };
    if !dir.is_dir() {
        if dir.exists() {
            return Err(io(std::io::Error::other("exists and is not a folder")));
        }
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let probe = dir.join(format!(".shortfall-probe.{}.tmp", std::process::id()));
    std::fs::File::create(&probe).map_err(io)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}
