//! The benchmark binary must not rot: run it for one second per scenario (unpinned, few
//! connections, a small memory probe) and require zero errors and zero lost rotations
//! (and every concurrent order created), and a crash under load that loses nothing.
//! Its numbers mean nothing here (debug build, tests running beside it).

use std::process::Command;

#[test]
fn the_bench_runs_every_scenario_without_errors() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_unilogin-bench"));
    command.args([
        "--seconds",
        "1",
        "--connections",
        "4",
        "--sessions",
        "2000",
        "--no-pin",
    ]);
    // On the services run, the bench uses them too (its own database and key prefix).
    if let (Ok(db), Ok(redis)) = (
        std::env::var("UNILOGIN_TEST_DATABASE_URL"),
        std::env::var("UNILOGIN_TEST_REDIS_URL"),
    ) {
        command.args(["--database-url", &db, "--redis-url", &redis]);
    }
    let output = command.output().expect("the bench binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for scenario in [
        "bare actix-web handler",
        "client_credentials grant",
        "refresh_token grant",
        "userinfo",
        "introspection",
        "authorization_code exchange",
        "password login",
        "marketplace catalogue read",
        "open-API order query",
        "marketplace orders",
    ] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {scenario}")))
            .unwrap_or_else(|| panic!("no row for {scenario}:\n{stdout}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let rate: f64 = cells[3].parse().unwrap();
        assert!(rate > 0.0, "{row}");
        assert!(cells[6].starts_with('0'), "errors in {row}");
    }
    assert!(stdout.contains("(0 lost rotations)"), "{stdout}");
    // The crash check killed the server under load and lost nothing it had answered.
    assert!(
        stdout.contains("then the server killed (SIGKILL) and started again: 0 lost"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| rotations lost in a crash | 0 | 0 | met |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("with 2000 live browser sessions"),
        "{stdout}"
    );
    assert!(stdout.contains("| target | this run | goal |"), "{stdout}");
    for target in [
        "| catalogue vs bare |",
        "| order query vs bare |",
        "| code exchange |",
        "| orders |",
    ] {
        assert!(stdout.contains(target), "no target {target}:\n{stdout}");
    }
}
