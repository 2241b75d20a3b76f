//! Files the tool writes are written whole or not at all: to a temporary file beside the
//! target, flushed to disk, then renamed over it. A failed or interrupted run (an error, a full
//! disk, Ctrl-C) leaves the old file as it was; on an error the temporary file is removed (an
//! interrupted run may leave a `.NAME.*.tmp` beside the target, never a damaged target).
//!
//! A symbolic link is followed to its final target, which is written as any other target
//! (atomically when it is a regular file or does not exist yet, in place when it is a device
//! or a pipe): the link stays a link. A target that exists without write permission (no write
//! bit in its mode) is refused, though its directory would allow the rename: replacing it
//! would silently defeat the protection.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes the file at `target` with what `fill` writes, atomically: readers of `target` see
/// the old content or the new one, never a part. A target that exists but is not a regular
/// file (`/dev/stdout`, a FIFO) is written in place: it cannot be replaced by a rename. A
/// symbolic link is followed (see the module docs); a read-only target is refused.
pub fn atomically(
    target: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let resolved = follow_links(target)?;
    let target = resolved.as_path();
    let existing = std::fs::metadata(target).ok();
    if let Some(meta) = &existing
        && meta.permissions().readonly()
    {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the file is read-only",
        ));
    }
    if let Some(meta) = &existing
        && !meta.is_file()
    {
        let mut w = BufWriter::new(OpenOptions::new().write(true).open(target)?);
        fill(&mut w)?;
        return w.flush();
    }
    let (tmp, file) = create_beside(target)?;
    let result = (|| {
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        if let Some(meta) = &existing {
            // Keep the mode of the file being replaced.
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, target)
    })();
    match result {
        Ok(()) => {
            // Best effort: make the rename itself durable.
            if let Some(dir) = parent(target)
                && let Ok(d) = File::open(dir)
            {
                let _ = d.sync_all();
            }
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Writes `bytes` to `target` atomically (see [`atomically`]).
pub fn bytes(target: &Path, bytes: &[u8]) -> io::Result<()> {
    atomically(target, |w| w.write_all(bytes))
}

/// How many links [`follow_links`] follows before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// `target` with every symbolic link on its last component followed: the path of the file
/// the links lead to, which may not exist yet (a dangling link names the file to create).
fn follow_links(target: &Path) -> io::Result<PathBuf> {
    let mut path = target.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&path)?;
                path = match parent(&path) {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links to follow"
    )))
}

/// The directory of `target` (`.` for a bare file name).
fn parent(target: &Path) -> Option<&Path> {
    match target.parent() {
        Some(p) if p.as_os_str().is_empty() => Some(Path::new(".")),
        other => other,
    }
}

/// A new file `.NAME.PID.N.tmp` in the target's directory (same file system, so the rename is
/// atomic), created exclusively so two runs never share one.
fn create_beside(target: &Path) -> io::Result<(PathBuf, File)> {
    let dir = parent(target).unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let pid = std::process::id();
    let mut last = io::Error::other("no temporary name was free");
    for n in 0u32..100 {
        let tmp = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tenant-attach-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = scratch("fail");
        let target = dir.join("out.json");
        std::fs::write(&target, "old").unwrap();
        let err = atomically(&target, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        bytes(&target, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_stays_a_link() {
        let dir = scratch("link");
        std::fs::create_dir_all(dir.join("real")).unwrap();
        let target = dir.join("real").join("out.json");
        std::fs::write(&target, "old").unwrap();
        let link = dir.join("link.json");
        std::os::unix::fs::symlink("real/out.json", &link).unwrap();
        let chain = dir.join("chain.json");
        std::os::unix::fs::symlink("link.json", &chain).unwrap();
        bytes(&chain, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        for l in [&link, &chain] {
            assert!(
                std::fs::symlink_metadata(l)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }
        // A dangling link creates the file it names.
        let dangling = dir.join("dangling.json");
        std::os::unix::fs::symlink("real/new.json", &dangling).unwrap();
        bytes(&dangling, b"created").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("real/new.json")).unwrap(),
            "created"
        );
        assert!(
            std::fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // A loop is an error, not a hang.
        std::os::unix::fs::symlink("loop.json", dir.join("loop.json")).unwrap();
        assert!(bytes(&dir.join("loop.json"), b"x").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
