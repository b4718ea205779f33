//! SIGINT (Ctrl-C), SIGTERM (`timeout`, CI cancellation, `docker stop`) and SIGHUP (terminal
//! closed) during `cargo xtask matrix` leave no container behind and exit 130, 143, 129: the
//! real binary is started, signalled as soon as its first container exists, and Docker is asked
//! what is left with the run's label. SIGKILL cannot be caught: `cargo xtask clean` sweeps.
//! Needs Docker and the built images (`cargo xtask test` builds them).

use std::{
    process::{Command, Stdio},
    thread::sleep,
    time::{Duration, Instant},
};

fn containers_of_run(run_id: &str) -> Vec<String> {
    containers::containers_of_run(run_id).expect("docker ps runs")
}

/// Starts `cargo xtask matrix basic/` labelled `run_id` and returns once two of its containers
/// exist at once (bounded: 60 s): a scenario run is under way (a server and its companions),
/// not only the short-lived container that reads the drivers' hellos, which the run removes by
/// itself and a SIGKILL might then find gone.
fn start_matrix_until_container(run_id: &str) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["matrix", "basic/"])
        .env("HARNESS_RUN_ID", run_id)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xtask starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while containers_of_run(run_id).len() < 2 {
        assert!(
            Instant::now() < deadline,
            "two containers did not appear within 60 s"
        );
        assert!(
            child.try_wait().expect("poll").is_none(),
            "matrix ended before any container started"
        );
        sleep(Duration::from_millis(100));
    }
    child
}

#[rstest::rstest]
#[case::sigint("INT", 130)]
#[case::sigterm("TERM", 143)]
#[case::sighup("HUP", 129)]
fn a_signal_during_matrix_removes_every_container_of_the_run(
    #[case] signal: &str,
    #[case] exit_code: i32,
) {
    let run_id = format!("signal-{signal}-test-{}", std::process::id());
    let mut child = start_matrix_until_container(&run_id);
    let kill = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());

    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            containers::sweep(Some(&run_id)).expect("cleanup after failure");
            panic!("matrix did not exit within 60 s of SIG{signal}");
        }
        sleep(Duration::from_millis(100));
    };
    assert_eq!(
        status.code(),
        Some(exit_code),
        "a run stopped by SIG{signal} exits {exit_code}"
    );
    assert_eq!(
        containers_of_run(&run_id),
        Vec::<String>::new(),
        "containers left behind"
    );
}

#[test]
fn sigkill_leaves_containers_that_clean_sweeps() {
    let run_id = format!("kill-test-{}", std::process::id());
    let mut child = start_matrix_until_container(&run_id);
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    assert!(
        !containers_of_run(&run_id).is_empty(),
        "SIGKILL cannot clean up, so containers remain"
    );

    let status = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["clean", "--run", &run_id])
        .stderr(Stdio::null())
        .status()
        .expect("clean runs");
    assert!(status.success());
    assert_eq!(
        containers_of_run(&run_id),
        Vec::<String>::new(),
        "clean removed the killed run's containers"
    );
}
