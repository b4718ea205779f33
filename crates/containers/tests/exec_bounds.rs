//! An exec's output is bounded by construction: a command that prints without end (as a client
//! talking to a hostile server could) leaves at most `MAX_EXEC_OUTPUT` bytes of each stream in
//! memory, the rest read, dropped and counted. Docker-backed (the MySQL image, no network).

use containers::{ContainerSpec, MAX_EXEC_OUTPUT, Network, RunLabels, recipes};

#[tokio::test]
async fn exec_keeps_at_most_the_limit_of_each_stream_and_counts_the_rest() {
    let image = &recipes::MYSQL_9;
    let mut spec = ContainerSpec::new("exec bounds test", image.repository, image.tag());
    spec.cmd = Some(vec!["sleep".into(), "infinity".into()]);
    spec.network = Network::None;
    spec.labels = RunLabels::for_this_process().as_map();
    let container = spec
        .start()
        .await
        .expect("the image is built (cargo xtask images)");
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
