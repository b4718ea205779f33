//! `--image NAME:TAG`: the flavor of a user-supplied image is read from the running server, and
//! a scenario run on it gives the same table as on the built-in flavor of that image. Here the
//! "user" images are this project's own (no registry is reachable); the official images go
//! through the same path plus their entrypoint's init (env, conf.d, initdb script).

use harness::{RunContext, run_scenario, scenarios_root};
use servers::{MARIADB_11_8, MYSQL_9, detect_flavor};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_image_flavor_comes_from_the_running_server() {
    let root = scenarios_root();
    let scenario = scenario::load(&root, &root.join("basic/valid.toml")).expect("scenario loads");
    let mut ctx = RunContext::new().expect("drivers/drivers.toml loads");
    ctx.drivers.retain(|d| d.name == "pymysql");
    for (builtin, family) in [(&MARIADB_11_8, "mariadb-11.8."), (&MYSQL_9, "mysql-9.")] {
        let image = builtin.image.reference();
        let detected = detect_flavor(&image, &ctx.labels, Duration::from_secs(90))
            .await
            .expect("probe boots and answers SELECT VERSION()");
        assert!(
            detected.name.starts_with(family),
            "{image} detected as {}",
            detected.name
        );
        assert_eq!(detected.reload_sql, builtin.reload_sql, "family behaviour");
        let on_user_image = run_scenario(&scenario, detected, &ctx).await.expect("runs");
        let on_builtin = run_scenario(&scenario, builtin, &ctx).await.expect("runs");
        assert_eq!(
            on_user_image
                .render_snapshot()
                .replace(detected.name, builtin.name),
            on_builtin.render_snapshot(),
            "same image, same table"
        );
    }
}

/// A scenario pinned to an image (`server.image`, e.g. the version a customer runs) runs only
/// there: its flavor is detected from the running server, the built-in flavors skip it, and
/// its table equals the built-in flavor's. A pin to an image the engine does not have is a
/// harness fault naming the scenario, the field and the fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_pinned_to_an_image_runs_there_only() {
    let root = scenarios_root();
    let text = std::fs::read_to_string(root.join("basic/valid.toml")).expect("readable");
    let pin = |image: &str| {
        let mut s = scenario::parse(
            std::path::Path::new("pinned.toml"),
            &format!("{text}\n[server]\nimage = \"{image}\"\n"),
        )
        .expect("pinned scenario parses");
        s.id = "basic/valid".into();
        s
    };
    let mut ctx = RunContext::new().expect("drivers/drivers.toml loads");
    ctx.drivers.retain(|d| d.name == "pymysql");

    let pinned = pin(&MARIADB_11_8.image.reference());
    let flavors = harness::pinned_flavors(
        std::slice::from_ref(&pinned),
        &ctx.labels,
        Duration::from_secs(90),
    )
    .await
    .expect("pinned image is detected");
    assert_eq!(flavors.len(), 1);
    let detected = flavors[0];
    assert!(
        detected.name.starts_with("mariadb-11.8."),
        "{}",
        detected.name
    );
    assert!(harness::runs_on(&pinned, detected));
    for builtin in servers::Flavor::ALL {
        assert!(
            !harness::runs_on(&pinned, builtin),
            "skipped on {}",
            builtin.name
        );
    }
    let on_pin = run_scenario(&pinned, detected, &ctx).await.expect("runs");
    let unpinned = scenario::load(&root, &root.join("basic/valid.toml")).expect("loads");
    let on_builtin = run_scenario(&unpinned, &MARIADB_11_8, &ctx)
        .await
        .expect("runs");
    assert_eq!(
        on_pin
            .render_snapshot()
            .replace(detected.name, MARIADB_11_8.name),
        on_builtin.render_snapshot(),
        "same image, same table"
    );

    let absent = pin("mysql-tls-harness/not-built:0");
    let err = harness::pinned_flavors(
        std::slice::from_ref(&absent),
        &ctx.labels,
        Duration::from_secs(10),
    )
    .await
    .expect_err("an image the engine lacks is a fault")
    .to_string();
    assert!(
        err.contains("scenario `basic/valid`: field `server.image`")
            && err.contains("docker pull mysql-tls-harness/not-built:0"),
        "{err}"
    );
}
