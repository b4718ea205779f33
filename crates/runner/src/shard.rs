//! The stable shard partition of `--shard I/N`: a scenario keeps its shard as others are added.

/// Whether scenario `id` falls in shard `i` of `n` (1-based): FNV-1a of the id, modulo `n`.
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
}
