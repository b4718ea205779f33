//! An exec's output is bounded by construction: a command that prints without end (as a client
//! talking to a hostile server could) leaves at most `MAX_EXEC_OUTPUT` bytes of each stream in
//! memory, the rest read, dropped and counted. Docker-backed (the MySQL image, no network).

use containers::{ContainerSpec, MAX_EXEC_OUTPUT, Network, RunLabels, recipes};

/// The MySQL image sleeping, with no network (and, like every container, the agent).
async fn sleeping_container() -> containers::Container {
    let image = &recipes::MYSQL_9;
    let mut spec = ContainerSpec::new("exec bounds test", image.repository, image.tag());
    spec.cmd = Some(vec!["sleep".into(), "infinity".into()]);
    spec.network = Network::None;
    spec.labels = RunLabels::for_this_process().as_map();
    spec.start()
        .await
        .expect("the image is built (cargo xtask images)")
}

#[tokio::test]
async fn exec_keeps_at_most_the_limit_of_each_stream_and_counts_the_rest() {
    let container = sleeping_container().await;
    let extra_out = 2 * MAX_EXEC_OUTPUT;
    let extra_err = 5;
    let script = format!(
        "head -c {} /dev/zero | tr '\\0' o; head -c {} /dev/zero | tr '\\0' e >&2; exit 7",
        MAX_EXEC_OUTPUT + extra_out,
        MAX_EXEC_OUTPUT + extra_err,
    );
    let (code, stdout, stderr) = container
        .exec(vec!["sh".into(), "-c".into(), script])
        .await
        .expect("docker exec");
    assert_eq!(code, Some(7));
    for (stream, text, extra, fill) in [
        ("stdout", &stdout, extra_out, 'o'),
        ("stderr", &stderr, extra_err, 'e'),
    ] {
        let (kept, note) = text.split_at(MAX_EXEC_OUTPUT);
        assert!(
            kept.chars().all(|c| c == fill),
            "{stream} keeps the first bytes"
        );
        assert_eq!(
            note,
            format!("\n… ({extra} more bytes dropped)\n"),
            "{stream} counts what it dropped"
        );
    }
    let (_, short, _) = container
        .exec(vec!["echo".into(), "short".into()])
        .await
        .expect("docker exec");
    assert_eq!(short, "short\n", "output under the limit is untouched");
}

/// Through the container's agent: a command past its bound is killed and reported as `None`
/// (a hung client), the agent then serves the next command, and a directory swap leaves
/// exactly the given files with their modes, owned as `docker cp` leaves them (root).
#[tokio::test]
async fn a_bounded_exec_kills_a_hung_command_and_a_swap_keeps_modes() {
    use std::time::{Duration, Instant};
    let container = sleeping_container().await;
    let started = Instant::now();
    let hung = container
        .exec_bounded(
            vec!["sleep".into(), "30".into()],
            Duration::from_millis(300),
        )
        .await
        .expect("exec");
    assert!(hung.is_none(), "killed at its bound: {hung:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "ended near its bound, not after 30 s"
    );
    let after = container
        .exec_bounded(vec!["echo".into(), "next".into()], Duration::from_secs(10))
        .await
        .expect("exec");
    assert_eq!(
        after.map(|(c, out, _)| (c, out)),
        Some((Some(0), "next\n".into()))
    );
    let file = |bytes: &[u8], mode| certgen::FixtureFile {
        bytes: bytes.to_vec(),
        mode,
    };
    let first = [("old.pem".to_owned(), file(b"old", 0o644))].into();
    container
        .replace_dir("/etc/mysql/tls", &first)
        .await
        .expect("swap");
    let second = [
        ("ca.pem".to_owned(), file(b"ca", 0o644)),
        ("server-key.pem".to_owned(), file(b"key", 0o000)),
    ]
    .into();
    container
        .replace_dir("/etc/mysql/tls", &second)
        .await
        .expect("swap");
    let (_, listing, _) = container
        .exec(vec![
            "sh".into(),
            "-c".into(),
            "cd /etc/mysql/tls && stat -c '%n %a %U' * && cat ca.pem".into(),
        ])
        .await
        .expect("exec");
    assert_eq!(listing, "ca.pem 644 root\nserver-key.pem 0 root\nca");
}
