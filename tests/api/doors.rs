//! One door per room (issue 16): a domain under `src/domains/<a>/` must not name another domain's
//! store (`domains::<b>::…store`). The doors still open are listed in `doors_open.txt`; this test
//! fails on a new one, and on a listed one that is closed (so the list only shrinks).

use std::collections::BTreeSet;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The text a path names after `domains::<b>::`: a `{…}` group or a plain path.
fn named_after(s: &str) -> &str {
    if s.starts_with('{') {
        let mut depth = 0;
        for (i, c) in s.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => return &s[..=i],
                '}' => depth -= 1,
                _ => {}
            }
        }
        s
    } else {
        let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).unwrap_or(s.len());
        &s[..end]
    }
}

/// Identifiers ending in `store` in a use path (renames after `as` are not names of modules).
fn stores(seg: &str) -> Vec<String> {
    let words: Vec<&str> =
        seg.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if w.ends_with("store") && (i == 0 || words[i - 1] != "as") {
            out.push((*w).to_owned());
        }
    }
    out
}

/// Every (file, `b::store`) where a file of domain a names a store of domain b ≠ a.
fn open_doors(root: &Path) -> BTreeSet<String> {
    let domains = root.join("src/domains");
    let mut files = Vec::new();
    rust_files(&domains, &mut files);
    let mut found = BTreeSet::new();
    for f in files {
        let rel = f.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let own = f.strip_prefix(&domains).unwrap().iter().next().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        for (at, _) in text.match_indices("domains::") {
            let rest = &text[at + "domains::".len()..];
            let Some((other, after)) = rest.split_once("::") else { continue };
            if other == own || !other.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                continue;
            }
            for s in stores(named_after(after)) {
                found.insert(format!("{rel} {other}::{s}"));
            }
        }
    }
    found
}

#[test]
fn no_domain_opens_another_domains_store() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed: BTreeSet<String> = include_str!("doors_open.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    let found = open_doors(root);
    let new: Vec<&String> = found.difference(&listed).collect();
    let closed: Vec<&String> = listed.difference(&found).collect();
    assert!(
        new.is_empty(),
        "a domain reads another domain's tables through its store; call that domain's public face instead: {new:#?}"
    );
    assert!(closed.is_empty(), "closed doors still listed in tests/api/doors_open.txt; remove them: {closed:#?}");
}

#[test]
fn the_scanner_sees_groups_paths_and_renames() {
    assert_eq!(stores(named_after("{area_store::{self, AreaFilter}, model::AreaKind};")), ["area_store"]);
    assert_eq!(stores(named_after("store::overdue_by_grid(&db)")), ["store"]);
    assert_eq!(stores(named_after("{store as event_store, model};")), ["store"]);
    assert!(stores(named_after("service::{self, Dashboard};")).is_empty());
}
