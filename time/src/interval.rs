//! [`interval`] and [`interval_at`]: a timer that ticks every period, the async version
//! of a `while True: ...; await asyncio.sleep(period)` loop that does not drift.

use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::Location;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use evloop_reactor::wait_site::WaitKind;

use crate::sleep::{far_future, sleep_until, Sleep};
use crate::Instant;

/// Ticks every `period`, the first tick completing immediately.
///
/// Ticks are scheduled at `start + k * period`, so the time spent between two `tick()`
/// calls does not accumulate as drift. What happens when ticks are missed (the task ran
/// late) is set by [`MissedTickBehavior`].
///
/// # Panics
///
/// If `period` is zero.
///
/// ```
/// use std::time::Duration;
/// use evloop_time::interval;
///
/// let every = interval(Duration::from_millis(100));
/// assert_eq!(every.period(), Duration::from_millis(100));
/// // In a task:
/// // loop {
/// //     every.tick().await;
/// //     send_heartbeat().await;
/// // }
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick completing at `start`.
///
/// # Panics
///
/// If `period` is zero.
///
/// ```
/// use std::time::Duration;
/// use evloop_time::{interval_at, Instant};
///
/// let start = Instant::now() + Duration::from_secs(1);
/// let every = interval_at(start, Duration::from_secs(1));
/// // In a task: `assert_eq!(every.tick().await, start);`
/// # drop(every);
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        period > Duration::ZERO,
        "evloop::time::interval: the period must be non-zero"
    );
    Interval {
        delay: sleep_until(start),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// What an [`Interval`] does when a tick is so late that the next scheduled tick is
/// already due by the time it completes.
///
/// Here the task is 17 ms late right after the first tick of a 5 ms interval (on a paused
/// clock, where [`advance`](crate::advance) plays the busy task and the instants are
/// exact): the tick due at 5 ms completes late, at 17 ms, and those due at 10 and 15 ms
/// are missed. The behaviours differ in what comes after the late tick:
///
/// ```
/// use std::time::Duration;
/// use evloop::time::{advance, interval, Instant, MissedTickBehavior};
///
/// let ms = Duration::from_millis;
/// evloop::run(async {
///     evloop::time::pause();
///     // Burst (the default): the missed ticks come at once, on the original schedule.
///     let mut every = interval(ms(5));
///     let start = every.tick().await;
///     advance(ms(17)).await; // the task was busy elsewhere
///     assert_eq!(every.tick().await, start + ms(5)); // late
///     assert_eq!(every.tick().await, start + ms(10)); // at once
///     assert_eq!(every.tick().await, start + ms(15)); // at once
///     assert_eq!(Instant::now(), start + ms(17)); // all three at 17 ms
///
///     // Skip: on to the next tick of the schedule that is still ahead.
///     let mut every = interval(ms(5));
///     every.set_missed_tick_behavior(MissedTickBehavior::Skip);
///     let start = every.tick().await;
///     advance(ms(17)).await;
///     assert_eq!(every.tick().await, start + ms(5)); // late
///     assert_eq!(every.tick().await, start + ms(20));
///
///     // Delay: a new schedule, one period after the late tick.
///     let mut every = interval(ms(5));
///     every.set_missed_tick_behavior(MissedTickBehavior::Delay);
///     let start = every.tick().await;
///     advance(ms(17)).await;
///     assert_eq!(every.tick().await, start + ms(5)); // late, at 17 ms
///     assert_eq!(every.tick().await, start + ms(22)); // 17 + 5
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks as fast as they are polled until caught up with the original
    /// schedule (`start + k * period`). The default.
    #[default]
    Burst,
    /// Give up the schedule: the next tick is one `period` after the late one completed,
    /// and later ticks follow from there.
    Delay,
    /// Drop the missed ticks: the next tick is the first one of the original schedule that
    /// lies in the future.
    Skip,
}

/// The timer returned by [`interval`] and [`interval_at`]; call
/// [`tick`](Interval::tick) in a loop.
///
/// Not `Send`: it belongs to the loop that first polled it. Dropping it cancels its timer.
///
/// ```
/// use std::time::Duration;
/// use evloop::time::{interval, Instant};
///
/// evloop::run(async {
///     let start = Instant::now();
///     let mut every = interval(Duration::from_millis(5));
///     let mut beats = 0;
///     for _ in 0..3 {
///         every.tick().await; // at 0, 5 and 10 ms
///         beats += 1; // the periodic work: send a heartbeat, refresh a cache...
///     }
///     assert_eq!(beats, 3);
///     assert!(start.elapsed() >= Duration::from_millis(10));
/// });
/// ```
pub struct Interval {
    /// The timer of the next tick; its deadline is that tick's scheduled instant.
    delay: Sleep,
    /// The time between ticks; never zero.
    period: Duration,
    /// How to catch up after missed ticks.
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was scheduled for.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::{interval_at, Instant};
    ///
    /// evloop::run(async {
    ///     let start = Instant::now() + Duration::from_millis(2);
    ///     let mut every = interval_at(start, Duration::from_millis(3));
    ///     assert_eq!(every.tick().await, start);
    ///     assert_eq!(every.tick().await, start + Duration::from_millis(3));
    ///     assert!(Instant::now() >= start + Duration::from_millis(3)); // never early
    /// });
    /// ```
    ///
    /// In debug mode a task dump shows a task waiting here at the line that called `tick`.
    #[track_caller]
    pub fn tick(&mut self) -> impl Future<Output = Instant> + '_ {
        let site = Location::caller();
        poll_fn(move |cx| self.poll_tick_at(cx, site))
    }

    /// Polls for the next tick: `Ready` with its scheduled instant once it is due, after
    /// which the following tick is scheduled; otherwise `Pending` and `cx`'s waker is
    /// woken when it is due.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::task::Poll;
    /// use std::time::Duration;
    ///
    /// evloop::run(async {
    ///     let mut every = evloop::time::interval(Duration::from_secs(60));
    ///     // The first tick is due at once; the second only in a minute.
    ///     let first = poll_fn(|cx| Poll::Ready(every.poll_tick(cx))).await;
    ///     assert!(first.is_ready());
    ///     let second = poll_fn(|cx| Poll::Ready(every.poll_tick(cx))).await;
    ///     assert!(second.is_pending());
    /// });
    /// ```
    ///
    /// A task dump shows a task waiting here at the line that made the interval.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        let site = self.delay.site();
        self.poll_tick_at(cx, site)
    }

    /// `poll_tick`, noting `site` as the wait's in debug mode.
    fn poll_tick_at(
        &mut self,
        cx: &mut Context<'_>,
        site: &'static Location<'static>,
    ) -> Poll<Instant> {
        ready!(self.delay.poll_as(cx, WaitKind::IntervalTick, site));
        let scheduled = self.delay.deadline();
        let next = self.next_after(scheduled);
        self.delay.reset(next);
        Poll::Ready(scheduled)
    }

    /// Restarts the schedule: the next tick is one period from now.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::{interval, Instant};
    ///
    /// evloop::run(async {
    ///     let mut every = interval(Duration::from_millis(5));
    ///     let reset_at = Instant::now();
    ///     every.reset(); // no immediate first tick: the schedule starts now
    ///     let tick = every.tick().await;
    ///     assert!(tick >= reset_at + Duration::from_millis(5));
    /// });
    /// ```
    pub fn reset(&mut self) {
        let now = Instant::now();
        self.delay.reset(later(now, self.period));
    }

    /// The time between ticks.
    ///
    /// ```
    /// use std::time::Duration;
    /// let every = evloop::time::interval(Duration::from_millis(250));
    /// assert_eq!(every.period(), Duration::from_millis(250));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// How missed ticks are handled.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::{interval, MissedTickBehavior};
    /// let every = interval(Duration::from_secs(1));
    /// assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Burst);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets how missed ticks are handled; see [`MissedTickBehavior`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::{interval, MissedTickBehavior};
    /// let mut every = interval(Duration::from_secs(1));
    /// every.set_missed_tick_behavior(MissedTickBehavior::Skip);
    /// assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Skip);
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// When the tick after the one scheduled for `scheduled` is due.
    fn next_after(&self, scheduled: Instant) -> Instant {
        let next = later(scheduled, self.period);
        if self.missed_tick_behavior == MissedTickBehavior::Burst {
            return next;
        }
        let now = Instant::now();
        if next > now {
            return next;
        }
        match self.missed_tick_behavior {
            MissedTickBehavior::Burst => next,
            MissedTickBehavior::Delay => later(now, self.period),
            MissedTickBehavior::Skip => {
                let period = self.period.as_nanos();
                let behind = (now - scheduled).as_nanos() % period;
                let until_next = period - behind;
                let until_next = Duration::new(
                    u64::try_from(until_next / 1_000_000_000).unwrap_or(u64::MAX),
                    (until_next % 1_000_000_000) as u32,
                );
                now.checked_add(until_next)
                    .unwrap_or_else(|| far_future(now))
            }
        }
    }
}

/// `instant + period`, or "forever" where that overflows.
fn later(instant: Instant, period: Duration) -> Instant {
    instant
        .checked_add(period)
        .unwrap_or_else(|| far_future(instant))
}

impl fmt::Debug for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interval")
            .field("next_tick", &self.delay.deadline())
            .field("period", &self.period)
            .field("missed_tick_behavior", &self.missed_tick_behavior)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::test_util::{settle, Counter};
    use crate::TimerStore;

    /// Polls `interval` once with `counter`'s waker.
    fn poll_tick(interval: &mut Interval, counter: &Arc<Counter>) -> Poll<Instant> {
        let waker = counter.waker();
        interval.poll_tick(&mut Context::from_waker(&waker))
    }

    #[test]
    #[should_panic(expected = "period must be non-zero")]
    fn a_zero_period_panics() {
        let _ = interval(Duration::ZERO);
    }

    #[test]
    fn the_first_tick_is_immediate_and_later_ones_keep_the_schedule() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let period = Duration::from_millis(10);
        let mut every = interval(period);
        let start = match poll_tick(&mut every, &counter) {
            Poll::Ready(start) => start,
            Poll::Pending => panic!("the first tick is immediate"),
        };
        assert_eq!(poll_tick(&mut every, &counter), Poll::Pending);
        settle(&store, start + period);
        store.fire_due(start + period - Duration::from_nanos(1));
        assert_eq!(poll_tick(&mut every, &counter), Poll::Pending);
        store.fire_due(start + period + Duration::from_millis(3));
        assert_eq!(counter.wakes(), 1);
        assert_eq!(poll_tick(&mut every, &counter), Poll::Ready(start + period));
        // Lateness does not drift the schedule.
        settle(&store, start + 2 * period);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn interval_at_waits_for_its_start() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let start = Instant::now() + Duration::from_millis(5);
        let mut every = interval_at(start, Duration::from_millis(5));
        assert_eq!(poll_tick(&mut every, &counter), Poll::Pending);
        store.fire_due(start);
        assert_eq!(poll_tick(&mut every, &counter), Poll::Ready(start));
    }

    #[test]
    fn burst_catches_up_on_missed_ticks() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let period = Duration::from_millis(1);
        let start = Instant::now() + period;
        let mut every = interval_at(start, period);
        assert_eq!(poll_tick(&mut every, &counter), Poll::Pending);
        store.fire_due(start + 3 * period + period / 2);
        for k in 0..4 {
            assert_eq!(
                poll_tick(&mut every, &counter),
                Poll::Ready(start + k * period)
            );
        }
        assert_eq!(poll_tick(&mut every, &counter), Poll::Pending);
        settle(&store, start + 4 * period);
    }

    #[test]
    fn delay_and_skip_leave_the_schedule_after_a_miss() {
        for behavior in [MissedTickBehavior::Delay, MissedTickBehavior::Skip] {
            let store = TimerStore::new();
            let _entered = store.enter();
            let counter = Counter::new();
            let period = Duration::from_millis(2);
            let start = Instant::now() - 5 * period - period / 2;
            let mut every = interval_at(start, period);
            every.set_missed_tick_behavior(behavior);
            assert_eq!(every.missed_tick_behavior(), behavior);
            assert_eq!(poll_tick(&mut every, &counter), Poll::Ready(start));
            let now = Instant::now();
            let next = every.delay.deadline();
            assert!(next > now && next <= now + period, "{behavior:?}");
            if behavior == MissedTickBehavior::Skip {
                let offset = (next - start).as_nanos() % period.as_nanos();
                assert_eq!(offset, 0, "skip keeps the original phase");
            }
            assert_eq!(poll_tick(&mut every, &counter), Poll::Pending);
        }
    }

    #[test]
    fn reset_restarts_one_period_from_now() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let mut every = interval(Duration::from_secs(1));
        assert!(poll_tick(&mut every, &counter).is_ready());
        assert!(poll_tick(&mut every, &counter).is_pending());
        let before = Instant::now();
        every.reset();
        let next = every.delay.deadline();
        settle(&store, next);
        assert!(next >= before + Duration::from_secs(1));
        assert!(next <= Instant::now() + Duration::from_secs(1));
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn tick_is_an_async_fn_over_poll_tick() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let mut every = interval(Duration::from_millis(1));
        let first = Instant::now();
        let mut tick = Box::pin(every.tick());
        let waker = counter.waker();
        match tick.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(at) => {
                assert!(at <= Instant::now() && at >= first - Duration::from_secs(1))
            }
            Poll::Pending => panic!("the first tick is immediate"),
        }
    }
}
