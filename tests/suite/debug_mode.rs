//! Debug mode and task introspection.

use std::cell::RefCell;
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;
use std::time::Duration;

use evloop::task::{all_tasks, Builder, SlowPoll, TaskState};
use evloop::JoinHandle;

/// Spawns `future` as a task named `name`, and returns where: the caller's location,
/// which is also the spawn site the task records (both reach through `#[track_caller]`;
/// had `Builder::spawn` recorded anything else, the two would differ).
#[track_caller]
fn spawn_named<F: Future + 'static>(
    name: &str,
    future: F,
) -> (JoinHandle<F::Output>, &'static Location<'static>) {
    (Builder::new().name(name).spawn(future), Location::caller())
}

/// The slow-poll threshold of [`runtime_recording_slow_polls`] (the default one).
const THRESHOLD: Duration = Duration::from_millis(100);

fn runtime_recording_slow_polls() -> (evloop::Runtime, Rc<RefCell<Vec<SlowPoll>>>) {
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = reports.clone();
    let rt = evloop::Runtime::builder()
        .debug(true)
        .slow_poll_threshold(THRESHOLD)
        .on_slow_poll(move |slow| sink.borrow_mut().push(slow.clone()))
        .build()
        .unwrap();
    (rt, reports)
}

#[test]
fn a_poll_that_blocks_150ms_is_reported_once_with_name_and_location() {
    let (rt, reports) = runtime_recording_slow_polls();
    let (spawned_at, quick_slowest) = rt.block_on(async {
        let (blocker, spawned_at) = spawn_named("db-writer", async {
            std::thread::sleep(Duration::from_millis(150))
        });
        let quick = Builder::new().name("quick").spawn(async {
            let mut slowest = Duration::ZERO;
            for _ in 0..3 {
                let start = std::time::Instant::now();
                std::thread::sleep(Duration::from_millis(1));
                slowest = slowest.max(start.elapsed());
                evloop::yield_now().await;
            }
            slowest
        });
        blocker.await.unwrap();
        (spawned_at, quick.await.unwrap())
    });
    let reports = reports.borrow();
    // Only slow polls are reported. On a loaded machine (or under valgrind) a poll other
    // than the blocker's may take longer than the threshold too, and is rightly reported.
    assert!(
        reports.iter().all(|r| r.duration >= THRESHOLD),
        "{reports:?}"
    );
    if quick_slowest < THRESHOLD / 2 {
        assert!(
            reports.iter().all(|r| r.name.as_deref() != Some("quick")),
            "a fast task was reported: {reports:?}"
        );
    }
    let blocker: Vec<_> = reports
        .iter()
        .filter(|r| r.name.as_deref() == Some("db-writer"))
        .collect();
    assert_eq!(blocker.len(), 1, "{reports:?}");
    let slow = blocker[0];
    assert!(slow.location.file().ends_with("debug_mode.rs"));
    assert_eq!(slow.location, spawned_at);
    assert!(slow.duration >= Duration::from_millis(150));
    let text = slow.to_string();
    assert!(
        text.starts_with(&format!("task 'db-writer' ({}:", file!())),
        "{text}"
    );
    assert!(text.ends_with("ms in one poll"), "{text}");
}

#[test]
fn debug_mode_off_reports_nothing() {
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = reports.clone();
    let rt = evloop::Runtime::builder()
        .debug(false)
        .slow_poll_threshold(Duration::from_millis(1))
        .on_slow_poll(move |slow| sink.borrow_mut().push(slow.clone()))
        .build()
        .unwrap();
    rt.block_on(async {
        evloop::spawn(async { std::thread::sleep(Duration::from_millis(5)) })
            .await
            .unwrap();
    });
    assert!(reports.borrow().is_empty());
}

#[test]
fn all_tasks_lists_a_named_idle_task_with_its_location() {
    evloop::run(async {
        let (idle, spawned_at) = spawn_named("listener", std::future::pending::<()>());
        let ready = evloop::spawn(async {});
        evloop::yield_now().await;
        let tasks = all_tasks();
        let me = tasks
            .iter()
            .find(|t| t.name.as_deref() == Some("listener"))
            .expect("the named task is listed");
        assert_eq!(me.state, TaskState::Idle);
        assert_eq!(me.location, spawned_at);
        assert!(me.location.file().ends_with("debug_mode.rs"));
        assert_eq!(me.polls, 1);
        assert_eq!(me.id, idle.id());
        assert!(ready.is_finished());
        assert!(
            tasks.iter().all(|t| t.id != ready.id()),
            "finished tasks are not listed"
        );
        idle.abort();
    });
    assert!(all_tasks().is_empty(), "outside a loop there are none");
}

#[test]
fn spawn_from_a_thread_that_is_not_the_loops_panics_with_advice() {
    let rt = evloop::Runtime::builder().debug(true).build().unwrap();
    rt.block_on(async {
        let outcome = std::thread::spawn(|| {
            std::panic::catch_unwind(|| drop(evloop::spawn(async {}))).map_err(|e| {
                match e.downcast_ref::<&str>() {
                    Some(text) => text.to_string(),
                    None => e.downcast_ref::<String>().cloned().unwrap_or_default(),
                }
            })
        })
        .join()
        .unwrap();
        let msg = outcome.unwrap_err();
        assert!(msg.contains("no loop running on this thread"), "{msg}");
        assert!(msg.contains("evloop::sync::shared::mpsc"), "{msg}");
    });
}
