//! `timeout` (asyncio.wait_for), `interval`, and `sleep_until`.
//!
//! What is order and arithmetic (which deadline wins, when each tick is due) runs on a
//! paused clock, exact and immune to the machine's load; what is about the real clock
//! (never early, the kernel wait really ends) runs on it, with lower bounds only and
//! upper bounds in seconds that only catch a hang.

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use evloop::time::{interval, sleep, sleep_until, timeout, Elapsed, Instant};

struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[evloop::test(start_paused = true)]
async fn timeout_elapses_for_a_slow_future_and_drops_it() {
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    let start = Instant::now();
    let result = timeout(Duration::from_millis(50), async move {
        let _flag = flag;
        sleep(Duration::from_secs(10)).await;
        1
    })
    .await;
    let err: Elapsed = result.unwrap_err();
    assert_eq!(err.to_string(), "deadline has elapsed");
    assert!(dropped.get(), "the slow future was dropped");
    assert_eq!(start.elapsed(), Duration::from_millis(50));
}

#[test]
fn a_real_timeout_elapses_after_its_duration_not_before() {
    let start = std::time::Instant::now();
    let result = evloop::run(timeout(
        Duration::from_millis(50),
        sleep(Duration::from_secs(60)),
    ));
    assert_eq!(result, Err(Elapsed));
    let took = start.elapsed();
    // Never early; the upper bound only catches a loop that missed the deadline for good.
    assert!(
        took >= Duration::from_millis(50) && took < Duration::from_secs(30),
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

#[evloop::test]
async fn sleep_until_the_past_is_ready_at_once() {
    let past = Instant::now() - Duration::from_millis(5);
    let mut nap = pin!(sleep_until(past));
    let first_poll = poll_fn(|cx| Poll::Ready(nap.as_mut().poll(cx))).await;
    assert_eq!(first_poll, Poll::Ready(()));
}

#[evloop::test(start_paused = true)]
async fn interval_ticks_at_its_period() {
    let start = Instant::now();
    let mut ticker = interval(Duration::from_millis(20));
    for k in 0..5u32 {
        let scheduled = ticker.tick().await;
        // The first tick is immediate, then one per period, each on time to the nanosecond.
        assert_eq!(scheduled, start + k * Duration::from_millis(20));
        assert_eq!(Instant::now(), scheduled);
    }
}

#[test]
fn a_real_interval_never_ticks_early() {
    let start = std::time::Instant::now();
    evloop::run(async {
        let mut ticker = interval(Duration::from_millis(20));
        for _ in 0..5 {
            let scheduled = ticker.tick().await;
            assert!(Instant::now() >= scheduled);
        }
    });
    let took = start.elapsed();
    // First tick is immediate, then four periods.
    assert!(took >= Duration::from_millis(80), "{took:?}");
    assert!(took < Duration::from_secs(30), "{took:?}");
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
fn many_sleepers_all_wake() {
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
        // Sleeps armed (polled once) and dropped before they fire, meanwhile.
        for _ in 0..1000 {
            let slept = evloop::race(
                async {
                    sleep(Duration::from_secs(2)).await;
                    true
                },
                async { false },
            )
            .await;
            assert!(!slept, "the ready future wins the race");
        }
        evloop::gather_all(handles).await;
    });
    assert_eq!(fired.get(), 10_000);
}

#[evloop::test(start_paused = true)]
async fn dropped_sleeps_free_their_timers() {
    // 1000 sleeps of 2 s armed by this task's first poll of each race, then dropped.
    for _ in 0..1000 {
        let slept = evloop::race(
            async {
                sleep(Duration::from_secs(2)).await;
                true
            },
            async { false },
        )
        .await;
        assert!(!slept);
    }
    // Had a dropped sleep kept its timer, it would fire at 2 s and wake this task while
    // it waits for 3 s: one poll more than the two a 3 s sleep takes.
    let polls = Cell::new(0);
    let mut nap = pin!(sleep(Duration::from_secs(3)));
    poll_fn(|cx| {
        polls.set(polls.get() + 1);
        nap.as_mut().poll(cx)
    })
    .await;
    assert_eq!(polls.get(), 2, "woken only by its own timer");
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

#[evloop::test(start_paused = true)]
async fn a_one_second_timeout_lets_a_999ms_future_finish() {
    let result = timeout(Duration::from_secs(1), async {
        sleep(Duration::from_millis(999)).await;
        "just in time"
    })
    .await;
    assert_eq!(result, Ok("just in time"));
    let late = timeout(Duration::from_secs(1), sleep(Duration::from_millis(1001))).await;
    assert_eq!(late, Err(Elapsed));
}

#[evloop::test(start_paused = true)]
async fn a_future_due_with_its_timeout_wins_because_it_is_polled_first() {
    let start = Instant::now();
    let tie = timeout(Duration::from_secs(1), sleep(Duration::from_secs(1))).await;
    assert_eq!(tie, Ok(()));
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}
