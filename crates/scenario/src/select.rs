//! Which scenario files a command takes: filters (ids, paths, substrings) over the discovered
//! files, or exactly one file for commands about one scenario. Reads the directory listing only.

use crate::{Error, discover};
use std::path::{Path, PathBuf};

/// Scenario files under `root` matching any of `filters` (all when `all` or none given), sorted
/// and without duplicates. A filter matches an id (`basic/valid`) or a path
/// (`scenarios/basic/valid.toml`) by substring.
///
/// Errors: [`Error::Io`] when `root` cannot be listed, [`Error::NoMatch`] naming the first
/// filter that matches nothing.
pub fn select(root: &Path, filters: &[String], all: bool) -> Result<Vec<PathBuf>, Error> {
    let found = discover(root)?;
    if all || filters.is_empty() {
        return Ok(found);
    }
    let id = |p: &Path| {
        p.strip_prefix(root)
            .unwrap_or(p)
            .with_extension("")
            .to_string_lossy()
            .into_owned()
    };
    let mut chosen = Vec::new();
    for filter in filters {
        let needle = filter
            .trim_start_matches("scenarios/")
            .trim_end_matches(".toml");
        let hits: Vec<_> = found
            .iter()
            .filter(|p| id(p).contains(needle))
            .cloned()
            .collect();
        if hits.is_empty() {
            return Err(Error::NoMatch {
                filter: filter.clone(),
                root: root.to_path_buf(),
            });
        }
        chosen.extend(hits);
    }
    chosen.sort();
    chosen.dedup();
    Ok(chosen)
}

/// The one scenario file for `id`: an id (`basic/valid`), a path (`scenarios/basic/valid.toml`),
/// or a substring of exactly one id.
///
/// Errors: [`Error::NoMatch`], or [`Error::Ambiguous`] with a few of the matches.
pub fn select_one(root: &Path, id: &str) -> Result<PathBuf, Error> {
    let exact = root.join(format!(
        "{}.toml",
        id.trim_start_matches("scenarios/")
            .trim_end_matches(".toml")
    ));
    if exact.is_file() {
        return Ok(exact);
    }
    let hits = select(root, &[id.to_owned()], false)?;
    match hits.as_slice() {
        [one] => Ok(one.clone()),
        many => Err(Error::Ambiguous {
            id: id.to_owned(),
            count: many.len(),
            examples: many
                .iter()
                .take(3)
                .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_ids_and_paths_and_unknown_ones_are_named() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let by_id = select(&root, &["basic/valid".into()], false).expect("selects");
        let by_path =
            select(&root, &["scenarios/basic/valid.toml".into()], false).expect("selects");
        assert_eq!(by_id, by_path);
        assert!(
            by_id
                .iter()
                .all(|p| p.to_string_lossy().contains("basic/valid"))
        );
        let all = select(&root, &[], false).expect("all");
        assert!(all.len() > by_id.len());
        let err = select(&root, &["no/such-scenario".into()], false).expect_err("no match");
        assert!(err.to_string().contains("`no/such-scenario`"), "{err}");
        assert_eq!(
            select_one(&root, "basic/valid").expect("exact id"),
            by_id[0]
        );
        let many = select_one(&root, "basic/").expect_err("ambiguous");
        assert!(many.to_string().contains("give one id"), "{many}");
    }
}
