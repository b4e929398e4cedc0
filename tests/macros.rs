//! `#[evloop::test]` (and so the expansion `#[evloop::main]` shares) on real tests:
//! tasks, timers, sockets, `Result` returns, `#[should_panic]`, builder options and
//! `start_paused`.

use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::{sleep, Instant};

#[evloop::test]
async fn spawned_tasks_and_timers_run_on_the_test_loop() {
    let start = Instant::now();
    let tasks: Vec<_> = (1..=3u64)
        .map(|i| {
            evloop::spawn(async move {
                sleep(Duration::from_millis(10 * i)).await;
                i
            })
        })
        .collect();
    let done: Vec<u64> = evloop::gather_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(done, [1, 2, 3]);
    // Never early; the upper bound only says the loop did not hang (the exact figure,
    // 30 ms, is checked with paused time below).
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(30) && took < Duration::from_secs(10),
        "{took:?}"
    );
}

#[evloop::test(start_paused = true)]
async fn start_paused_runs_the_body_on_a_paused_clock() {
    let real = std::time::Instant::now();
    let start = Instant::now();
    let tasks: Vec<_> = (1..=3u64)
        .map(|i| {
            evloop::spawn(async move {
                sleep(Duration::from_secs(10 * i)).await;
                Instant::now() - start
            })
        })
        .collect();
    let woke: Vec<Duration> = evloop::gather_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    // Each task woke exactly at its deadline, and they overlapped (30 s, not 60 s)...
    assert_eq!(woke, [10, 20, 30].map(Duration::from_secs));
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    // ...in far less real time than one of the sleeps.
    assert!(real.elapsed() < Duration::from_secs(10));
}

#[evloop::test(start_paused = false)]
async fn start_paused_false_leaves_the_clock_running() {
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(2));
    assert!(start.elapsed() >= Duration::from_millis(2));
}

#[evloop::test]
async fn a_test_may_return_a_result_and_use_question_mark() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = evloop::spawn(async move {
        let (mut conn, _) = listener.accept().await?;
        conn.write_all(b"hi").await
    });
    let mut client = TcpStream::connect(addr).await?;
    let mut buf = [0; 2];
    client.read_exact(&mut buf).await?;
    assert_eq!(&buf, b"hi");
    server.await.unwrap()
}

#[evloop::test]
#[should_panic(expected = "inside the test body")]
async fn a_panic_in_the_body_fails_the_test() {
    evloop::yield_now().await;
    panic!("inside the test body");
}

#[evloop::test]
async fn each_test_gets_a_fresh_loop() {
    // No task of another test is alive here: this loop was built for this test alone.
    assert!(evloop::task::all_tasks().is_empty());
    let handle = evloop::spawn(async {});
    handle.await.unwrap();
}

/// A task that blocks the loop for 40 ms: debug mode with a 20 ms threshold reports it.
async fn block_the_loop() {
    evloop::task::Builder::new()
        .name("blocker")
        .spawn(async { std::thread::sleep(Duration::from_millis(40)) })
        .await
        .unwrap();
}

/// Run only as a child process by `the_debug_option_turns_debug_mode_on`.
#[evloop::test(debug = true, slow_poll_threshold_ms = 20)]
#[ignore = "run as a child process by the_debug_option_turns_debug_mode_on"]
async fn child_with_debug_on() {
    block_the_loop().await;
}

/// Run only as a child process by `the_debug_option_turns_debug_mode_on`.
#[evloop::test(debug = false, slow_poll_threshold_ms = 20)]
#[ignore = "run as a child process by the_debug_option_turns_debug_mode_on"]
async fn child_with_debug_off() {
    block_the_loop().await;
}

/// Runs the ignored test `name` of this binary in a child process with `EVLOOP_DEBUG`
/// set to `env_debug`, and returns its stderr (slow-poll reports go there).
fn child_stderr(name: &str, env_debug: &str) -> String {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "--nocapture",
            "--test-threads=1",
            name,
        ])
        .env("EVLOOP_DEBUG", env_debug)
        .output()
        .unwrap();
    assert!(out.status.success(), "{name} failed: {out:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn the_debug_option_turns_debug_mode_on() {
    // `debug = true` wins over an environment that says off, and the threshold applies.
    let on = child_stderr("child_with_debug_on", "0");
    assert!(on.contains("evloop debug: task 'blocker'"), "stderr: {on}");
    // `debug = false` wins over an environment that says on.
    let off = child_stderr("child_with_debug_off", "1");
    assert!(!off.contains("evloop debug:"), "stderr: {off}");
}

/// The calling thread's timer slack, in nanoseconds.
fn timer_slack_ns() -> libc::c_int {
    // SAFETY: PR_GET_TIMERSLACK takes no pointer arguments and only reads the thread's slack.
    unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) }
}

#[evloop::test(event_interval = 1, max_blocking_threads = 1, timer_slack = false)]
async fn numeric_and_boolean_options_reach_the_builder() {
    // max_blocking_threads = 1: both jobs run on the pool's one thread.
    let a = evloop::spawn_blocking(|| std::thread::current().id());
    let b = evloop::spawn_blocking(|| std::thread::current().id());
    assert_eq!(a.await.unwrap(), b.await.unwrap());
    // timer_slack = false: the loop left the thread's slack alone (it lowers it to 1 ns
    // by default).
    assert_ne!(timer_slack_ns(), 1);
}

#[evloop::test]
async fn without_options_the_loop_lowers_the_timer_slack() {
    assert_eq!(timer_slack_ns(), 1);
}
