//! `gather!`, `try_gather!`, `try_gather_all` and `race`.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use evloop::time::{pause, sleep, Instant};

async fn after(ms: u64, value: u32) -> u32 {
    sleep(Duration::from_millis(ms)).await;
    value
}

#[test]
fn gather_runs_inside_the_caller_without_spawning() {
    let rt = evloop::Runtime::new().unwrap();
    let (a, b, c) =
        rt.block_on(async { evloop::gather!(after(20, 1), after(10, 2), async { "three" }).await });
    assert_eq!((a, b, c), (1, 2, "three"));
    assert_eq!(rt.alive_tasks(), 0);
}

#[test]
fn gather_borrows_from_the_caller() {
    evloop::run(async {
        let name = String::from("evloop");
        let len = |s: &str| {
            let n = s.len();
            async move { n }
        };
        let (a, b) = evloop::gather!(len(&name), len(&name[1..])).await;
        assert_eq!((a, b), (6, 5));
    });
}

#[test]
fn try_gather_returns_the_first_error_and_drops_the_rest() {
    let finished = Rc::new(Cell::new(false));
    let f = finished.clone();
    let (result, took): (Result<(u32, u32), &str>, _) = evloop::run(async move {
        pause();
        let start = Instant::now();
        let result = evloop::try_gather!(
            async move {
                sleep(Duration::from_secs(5)).await;
                f.set(true);
                Ok(1)
            },
            async {
                sleep(Duration::from_millis(10)).await;
                Err("failed fast")
            },
        )
        .await;
        (result, start.elapsed())
    });
    assert_eq!(result, Err("failed fast"));
    assert_eq!(
        took,
        Duration::from_millis(10),
        "did not wait for the 5 s sleep"
    );
    assert!(!finished.get());
}

#[test]
fn try_gather_all_collects_values_in_order() {
    let out: Result<Vec<u32>, String> = evloop::run(evloop::try_gather_all(
        [30u64, 10, 20]
            .into_iter()
            .map(|ms| async move { Ok(after(ms, ms as u32).await) }),
    ));
    assert_eq!(out, Ok(vec![30, 10, 20]));
}

#[test]
fn try_gather_all_stops_at_the_first_error() {
    let (out, took): (Result<Vec<u32>, u64>, _) = evloop::run(async {
        pause();
        let start = Instant::now();
        let out = evloop::try_gather_all([5000u64, 10, 20].into_iter().map(|ms| async move {
            sleep(Duration::from_millis(ms)).await;
            if ms == 10 {
                Err(ms)
            } else {
                Ok(ms as u32)
            }
        }))
        .await;
        (out, start.elapsed())
    });
    assert_eq!(out, Err(10));
    assert_eq!(
        took,
        Duration::from_millis(10),
        "did not wait for the 5 s sleep"
    );
}

#[test]
fn gather_all_of_nothing_is_empty() {
    let out: Vec<u32> = evloop::run(evloop::gather_all(Vec::<std::future::Ready<u32>>::new()));
    assert!(out.is_empty());
}

#[evloop::test(start_paused = true)]
async fn race_returns_the_first_to_finish() {
    let start = Instant::now();
    assert_eq!(evloop::race(after(50, 1), after(5, 2)).await, 2);
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(5),
        "the loser was not awaited"
    );
}
