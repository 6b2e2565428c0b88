//! The register on disk is its owner's alone (issue 15.8): a new data directory is 0700, the SQLite
//! database with its log, the keys and every stored file are 0600, whatever the umask.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode() & 0o777
}

#[tokio::test]
async fn a_new_data_directory_and_its_files_are_the_owners_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let args = wangge::cli::DataArgs { data_dir: dir.clone(), database_url: None };
    let (_db, _config) = wangge::startup::open(&args).await.unwrap();
    let _keys = wangge::crypto::Keys::load(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700, "data directory");
    for f in ["wangge.db", "wangge.db-wal", "wangge.db-shm"] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
    for entry in walk(&dir) {
        let m = mode(&entry);
        if entry.is_dir() {
            assert_eq!(m & 0o077, 0, "directory {} is open to others: {m:o}", entry.display());
        } else {
            assert_eq!(m & 0o077, 0, "file {} is readable by others: {m:o}", entry.display());
        }
    }
    let files = wangge::files::LocalFiles::new(dir.join("files"));
    let id = files.put(b"\xFF\xD8\xFF\xE0 photo of a resident").await.unwrap();
    let stored = dir.join("files").join(&id[..2]).join(&id);
    assert_eq!(mode(&stored), 0o600);
    assert_eq!(mode(stored.parent().unwrap()), 0o700);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}
