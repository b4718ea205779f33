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
