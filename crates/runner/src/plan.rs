//! The plan of a matrix run: which scenario runs on which flavor, in which order, grouped so
//! that scenarios sharing a server configuration run one after another on one reused server
//! (the fast path). Pure data: no Docker, no I/O.

use scenario::Scenario;
use servers::Flavor;

/// One scenario on one flavor.
#[derive(Debug, Clone)]
pub struct PlannedRun {
    /// Index of the scenario in [`Plan::scenarios`].
    pub scenario: usize,
    /// The flavor it runs on.
    pub flavor: &'static Flavor,
    /// `<scenario id> on <flavor name>`, as progress lines and faults print it.
    pub label: String,
}

/// Runs that go one after another on one server: the same [`harness::reuse_key`] (flavor and
/// rendered my.cnf), or a single run that needs its own fresh server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The shared server configuration, `None` for a run that always boots fresh.
    pub key: Option<String>,
    /// Indices into [`Plan::runs`], in plan order.
    pub runs: Vec<usize>,
}

/// Every scenario run of a matrix and how they are grouped.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The scenarios, as selected, filtered and sharded.
    pub scenarios: Vec<Scenario>,
    /// Scenario × flavor pairs in plan order: scenarios in order, each on its flavors in order
    /// (only where [`harness::runs_on`] allows).
    pub runs: Vec<PlannedRun>,
    /// Groups, biggest first (so the long sequential ones start early), ties in plan order.
    pub groups: Vec<Group>,
}

impl Plan {
    /// Plans `scenarios` on `flavors`. With `fresh`, every run is its own group (a server per
    /// scenario); otherwise runs sharing a [`harness::reuse_key`] share a group.
    pub fn new(scenarios: Vec<Scenario>, flavors: &[&'static Flavor], fresh: bool) -> Plan {
        let mut runs = Vec::new();
        for (index, scenario) in scenarios.iter().enumerate() {
            for &flavor in flavors.iter().filter(|f| harness::runs_on(scenario, f)) {
                runs.push(PlannedRun {
                    scenario: index,
                    flavor,
                    label: format!("{} on {}", scenario.id, flavor.name),
                });
            }
        }
        let mut groups: Vec<Group> = Vec::new();
        for (index, run) in runs.iter().enumerate() {
            let key = if fresh {
                None
            } else {
                harness::reuse_key(&scenarios[run.scenario], run.flavor)
            };
            match groups.iter_mut().find(|g| key.is_some() && g.key == key) {
                Some(group) => group.runs.push(index),
                None => groups.push(Group {
                    key,
                    runs: vec![index],
                }),
            }
        }
        groups.sort_by_key(|g| std::cmp::Reverse(g.runs.len()));
        Plan {
            scenarios,
            runs,
            groups,
        }
    }

    /// The scenario of run `index`.
    pub fn scenario_of(&self, run: &PlannedRun) -> &Scenario {
        &self.scenarios[run.scenario]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use servers::{MARIADB_11_8, MYSQL_9};
    use std::path::Path;

    /// A scenario from TOML text, id `test/<name>`.
    pub(crate) fn scenario(name: &str, extra: &str) -> Scenario {
        let text = format!(
            "description = \"{name}\"\n{extra}\n\
             [certs.ca]\nsubject_cn = \"CA\"\nis_ca = true\nkey = \"rsa2048-1\"\n\
             [certs.server]\nsubject_cn = \"s\"\nissuer = \"ca\"\nkey = \"rsa2048-2\"\n\
             [files]\n\"ca.pem\" = {{ certs = [\"ca\"] }}\n\
             \"server-cert.pem\" = {{ certs = [\"server\"] }}\n\
             \"server-key.pem\" = {{ key = \"rsa2048-2\" }}\n"
        );
        let mut s = scenario::parse(Path::new(&format!("test/{name}.toml")), &text)
            .unwrap_or_else(|e| panic!("test scenario {name}: {e}"));
        s.id = format!("test/{name}");
        s
    }

    #[test]
    fn runs_sharing_a_server_configuration_share_a_group_biggest_first() {
        let scenarios = vec![
            scenario("a", ""),
            scenario(
                "reloads",
                "[reload.files]\n\"ca.pem\" = { certs = [\"ca\"] }",
            ),
            scenario("b", ""),
            scenario("tls13", "[server]\ntls_version = \"TLSv1.3\""),
            scenario("c", ""),
        ];
        let plan = Plan::new(scenarios, &[&MYSQL_9, &MARIADB_11_8], false);
        assert_eq!(plan.runs.len(), 10, "every scenario on both flavors");
        assert_eq!(plan.runs[0].label, "test/a on mysql-9");
        assert_eq!(plan.runs[1].label, "test/a on mariadb-11.8");
        let labels = |g: &Group| -> Vec<&str> {
            g.runs
                .iter()
                .map(|&i| plan.runs[i].label.as_str())
                .collect()
        };
        assert_eq!(
            labels(&plan.groups[0]),
            [
                "test/a on mysql-9",
                "test/b on mysql-9",
                "test/c on mysql-9"
            ]
        );
        assert_eq!(
            labels(&plan.groups[1]),
            [
                "test/a on mariadb-11.8",
                "test/b on mariadb-11.8",
                "test/c on mariadb-11.8"
            ]
        );
        let reload_groups: Vec<&Group> = plan
            .groups
            .iter()
            .filter(|g| labels(g).iter().any(|l| l.starts_with("test/reloads")))
            .collect();
        assert_eq!(
            reload_groups.len(),
            2,
            "a scenario with [reload] never shares"
        );
        assert!(
            reload_groups
                .iter()
                .all(|g| g.key.is_none() && g.runs.len() == 1)
        );
        let every: usize = plan.groups.iter().map(|g| g.runs.len()).sum();
        assert_eq!(every, plan.runs.len(), "each run in exactly one group");
    }

    #[test]
    fn fresh_plans_one_group_per_run_in_plan_order() {
        let plan = Plan::new(
            vec![scenario("a", ""), scenario("b", "")],
            &[&MYSQL_9],
            true,
        );
        let runs: Vec<Vec<usize>> = plan.groups.iter().map(|g| g.runs.clone()).collect();
        assert_eq!(runs, [vec![0], vec![1]]);
    }

    #[test]
    fn a_scenario_runs_only_on_its_flavors() {
        let only = scenario("only-maria", "[server]\nflavors = [\"mariadb-11.8\"]");
        let plan = Plan::new(vec![only], &[&MYSQL_9, &MARIADB_11_8], false);
        let labels: Vec<&str> = plan.runs.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["test/only-maria on mariadb-11.8"]);
    }
}
