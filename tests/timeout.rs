//! `timeout` (asyncio.wait_for), `interval`, and `sleep_until`.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use evloop::time::{interval, sleep, sleep_until, timeout, Elapsed};

struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn timeout_elapses_for_a_slow_future_and_drops_it() {
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    let start = Instant::now();
    let result = evloop::run(async move {
        timeout(Duration::from_millis(50), async move {
            let _flag = flag;
            sleep(Duration::from_secs(10)).await;
            1
        })
        .await
    });
    let err: Elapsed = result.unwrap_err();
    assert_eq!(err.to_string(), "deadline has elapsed");
    assert!(dropped.get(), "the slow future was dropped");
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(50) && took < Duration::from_secs(2),
        "{took:?}"
    );
}

#[test]
fn timeout_returns_the_value_of_a_fast_future() {
    let result = evloop::run(timeout(Duration::from_secs(5), async {
        sleep(Duration::from_millis(10)).await;
        "fast"
    }));
    assert_eq!(result, Ok("fast"));
}

#[test]
fn sleep_until_the_past_is_ready_at_once() {
    evloop::run(async {
        let past = Instant::now() - Duration::from_millis(5);
        let start = Instant::now();
        sleep_until(past).await;
        assert!(start.elapsed() < Duration::from_millis(5));
    });
}

#[test]
fn interval_ticks_at_its_period() {
    let start = Instant::now();
    evloop::run(async {
        let mut ticker = interval(Duration::from_millis(20));
        for _ in 0..5 {
            ticker.tick().await;
        }
    });
    let took = start.elapsed();
    // First tick is immediate, then four periods.
    assert!(took >= Duration::from_millis(80), "{took:?}");
    assert!(took < Duration::from_millis(400), "{took:?}");
}

#[test]
fn a_sleep_never_completes_early() {
    evloop::run(async {
        for ms in [1u64, 2, 5, 10] {
            for _ in 0..5 {
                let start = Instant::now();
                sleep(Duration::from_millis(ms)).await;
                assert!(start.elapsed() >= Duration::from_millis(ms));
            }
        }
    });
}

#[test]
fn many_sleepers_wake_and_dropped_sleeps_free_their_timers() {
    let fired = Rc::new(Cell::new(0));
    let f = fired.clone();
    evloop::run(async move {
        let handles: Vec<_> = (0..10_000u64)
            .map(|i| {
                let f = f.clone();
                evloop::spawn(async move {
                    sleep(Duration::from_millis(i % 20)).await;
                    f.set(f.get() + 1);
                })
            })
            .collect();
        // Sleeps armed (polled once) and dropped before they fire must not fire or leak.
        for _ in 0..1000 {
            evloop::race(
                async {
                    sleep(Duration::from_secs(2)).await;
                    false
                },
                async { true },
            )
            .await;
        }
        evloop::gather_all(handles).await;
    });
    assert_eq!(fired.get(), 10_000);
}

/// 50 sleeps of each length, none shorter than asked.
async fn sleeps_of_four_lengths_are_never_early() {
    for micros in [50u64, 250, 1_000, 10_000] {
        let length = Duration::from_micros(micros);
        for _ in 0..50 {
            let start = Instant::now();
            sleep(length).await;
            let slept = start.elapsed();
            assert!(slept >= length, "a {length:?} sleep woke after {slept:?}");
        }
    }
}

#[test]
fn sub_millisecond_and_longer_sleeps_are_never_early() {
    evloop::run(sleeps_of_four_lengths_are_never_early());
}

#[test]
fn sleeps_are_never_early_without_spinning_either() {
    let rt = evloop::Runtime::builder()
        .timer_spin(Duration::ZERO)
        .build()
        .unwrap();
    rt.block_on(sleeps_of_four_lengths_are_never_early());
}

#[test]
fn a_one_second_timeout_lets_a_999ms_future_finish() {
    let result = evloop::run(timeout(Duration::from_secs(1), async {
        sleep(Duration::from_millis(999)).await;
        "just in time"
    }));
    assert_eq!(result, Ok("just in time"));
}
