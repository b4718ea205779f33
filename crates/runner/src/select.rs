//! Which scenario files a run takes: filters (ids, paths, substrings) over the discovered
//! files, and the stable shard partition of `--shard I/N`. Reads the directory listing only.

use crate::Error;
use std::path::{Path, PathBuf};

/// Scenario files under `root` matching any of `filters` (all when `all` or none given), sorted
/// and without duplicates. A filter matches an id (`basic/valid`) or a path
/// (`scenarios/basic/valid.toml`) by substring.
///
/// Errors: [`Error::Scenario`] when `root` cannot be listed, [`Error::NoMatch`] naming the first
/// filter that matches nothing.
pub fn select(root: &Path, filters: &[String], all: bool) -> Result<Vec<PathBuf>, Error> {
    let found = scenario::discover(root)?;
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

/// Whether scenario `id` falls in shard `i` of `n` (1-based): FNV-1a of the id, modulo `n`. A
/// scenario keeps its shard as others are added.
pub fn in_shard(id: &str, (i, n): (u64, u64)) -> bool {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % n == i - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_scenarios() {
        let ids: Vec<String> = (0..200).map(|i| format!("group/scenario-{i}")).collect();
        let n = 4;
        for id in &ids {
            let owners = (1..=n).filter(|&i| in_shard(id, (i, n))).count();
            assert_eq!(owners, 1, "{id} is in exactly one shard");
        }
        let sizes: Vec<usize> = (1..=n)
            .map(|i| ids.iter().filter(|id| in_shard(id, (i, n))).count())
            .collect();
        assert!(sizes.iter().all(|&s| s > 30), "balanced enough: {sizes:?}");
        assert!(in_shard("basic/valid", (1, 1)));
    }

    #[test]
    fn filters_match_ids_and_paths_and_unknown_ones_are_named() {
        let root = harness::scenarios_root();
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
    }
}
