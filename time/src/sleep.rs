//! [`sleep`] and [`sleep_until`]: the future that completes at a deadline, like
//! `asyncio.sleep`.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use evloop_reactor::context::{noting_waits, record_wait};
use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};

use crate::store::TimerStore;
use crate::wheel::Key;
use crate::Instant;

/// Waits until `duration` has passed; like `asyncio.sleep(seconds)`.
///
/// The deadline is fixed when `sleep` is called; the timer is armed on the first poll,
/// which must happen inside an evloop runtime. A duration too large to represent sleeps
/// for about 30 years.
///
/// ```
/// use std::time::Duration;
/// use evloop_time::{sleep, Instant};
///
/// let nap = sleep(Duration::from_millis(100)); // no loop needed until it is polled
/// assert!(nap.deadline() > Instant::now());
/// // In a task: `sleep(Duration::from_millis(100)).await;`
/// ```
///
/// In debug mode a task dump shows a task waiting here as asleep at the line that called
/// `sleep`, with the time left.
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let now = Instant::now();
    sleep_until(now.checked_add(duration).unwrap_or_else(|| far_future(now)))
}

/// Waits until `deadline`. A deadline already passed completes on the first poll.
///
/// ```
/// use std::time::Duration;
/// use evloop_time::{sleep_until, Instant};
///
/// let deadline = Instant::now() + Duration::from_secs(1);
/// assert_eq!(sleep_until(deadline).deadline(), deadline);
/// // In a task: `sleep_until(deadline).await;`
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        timer: None,
        site: Location::caller(),
    }
}

/// An instant roughly 30 years after `now`: what "forever" means for a timer.
pub(crate) fn far_future(now: Instant) -> Instant {
    const THIRTY_YEARS: Duration = Duration::from_secs(86_400 * 365 * 30);
    now.checked_add(THIRTY_YEARS).unwrap_or(now)
}

/// The future returned by [`sleep`] and [`sleep_until`]: completes once its deadline has
/// passed, never before.
///
/// It is `Unpin` (no pinning needed to poll or [`reset`](Sleep::reset) it) and not
/// `Send`: it belongs to the loop that first polled it. Dropping it cancels its timer.
///
/// ```compile_fail
/// fn assert_send<T: Send>(_: T) {}
/// assert_send(evloop_time::sleep(std::time::Duration::from_secs(1)));
/// ```
pub struct Sleep {
    /// The instant at which the sleep completes.
    deadline: Instant,
    /// The store and wheel entry, once a poll found the deadline still ahead and armed a
    /// timer; `None` before that.
    timer: Option<Timer>,
    /// The user's call that made it (`sleep`, `timeout`, `interval`...): its wait site.
    site: &'static Location<'static>,
}

/// A timer armed in a store: owns its wheel entry and frees it on drop.
struct Timer {
    /// The store of the loop that first polled the sleep.
    store: Rc<TimerStore>,
    /// The sleep's entry in that store's wheel.
    key: Key,
}

impl Sleep {
    /// The instant at which this sleep completes, fixed when it was made.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::{sleep, Instant};
    ///
    /// evloop::run(async {
    ///     let nap = sleep(Duration::from_millis(3));
    ///     let deadline = nap.deadline();
    ///     nap.await;
    ///     assert!(Instant::now() >= deadline);
    /// });
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Has the deadline passed? For an armed sleep, true once its timer fired (or the
    /// loop's clock shows the deadline passed): exactly when a poll would be ready.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::sleep;
    ///
    /// evloop::run(async {
    ///     let mut nap = sleep(Duration::from_millis(2));
    ///     assert!(!nap.is_elapsed());
    ///     (&mut nap).await; // `Sleep` is `Unpin`: await it by reference, keep it
    ///     assert!(nap.is_elapsed());
    ///     assert!(sleep(Duration::ZERO).is_elapsed());
    /// });
    /// ```
    pub fn is_elapsed(&self) -> bool {
        match &self.timer {
            Some(timer) => timer.store.timer_elapsed(timer.key, self.deadline),
            None => self.deadline <= Instant::now(),
        }
    }

    /// Moves the deadline to `deadline`, whether or not this sleep completed already; an
    /// armed timer is re-armed in place in O(1) and keeps its waker.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop_time::{sleep, Instant};
    ///
    /// let mut nap = sleep(Duration::from_secs(60));
    /// let sooner = Instant::now() + Duration::from_millis(5);
    /// nap.reset(sooner);
    /// assert_eq!(nap.deadline(), sooner);
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        if let Some(timer) = &self.timer {
            timer.store.reset_timer(timer.key, deadline);
        }
    }
}

impl Sleep {
    /// Where the sleep was made: the user's `sleep`, `timeout` or `interval` call.
    pub(crate) fn site(&self) -> &'static Location<'static> {
        self.site
    }

    /// Polls the timer; in debug mode a `Pending` notes a wait site of `kind` made at
    /// `site` (a sleep's own, or the timeout's or interval's it serves).
    #[inline]
    pub(crate) fn poll_as(
        &mut self,
        cx: &mut Context<'_>,
        kind: WaitKind,
        site: &'static Location<'static>,
    ) -> Poll<()> {
        let poll = self.poll_timer(cx);
        // The check inline, the note out of line: a pending sleep outside debug mode pays
        // a thread-local read and a branch, nothing to build the note with.
        if poll.is_pending() && noting_waits() {
            self.note_wait(kind, site);
        }
        poll
    }

    /// Debug mode: notes the wait of a pending poll.
    #[cold]
    #[inline(never)]
    fn note_wait(&self, kind: WaitKind, site: &'static Location<'static>) {
        let deadline = WaitDetail::Deadline(self.deadline.into_std());
        record_wait(|| WaitSite::new(kind, Some(site), deadline));
    }

    /// Polls the timer: ready once the deadline passed, else armed with `cx`'s waker.
    #[inline]
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(timer) = &self.timer {
            return timer.store.poll_timer(timer.key, self.deadline, cx.waker());
        }
        let store = TimerStore::current().unwrap_or_else(|| {
            panic!(
                "evloop timer polled outside an evloop runtime: run it inside \
                 evloop::run(...) or Runtime::block_on"
            )
        });
        if store.has_passed(self.deadline) {
            return Poll::Ready(());
        }
        let key = store.arm(self.deadline, cx.waker().clone());
        self.timer = Some(Timer { store, key });
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.poll_as(cx, WaitKind::Sleep, this.site)
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.store.remove_timer(self.key);
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("armed", &self.timer.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::test_util::{settle, Counter};

    #[test]
    fn a_sleep_is_lazy_and_binds_on_first_poll() {
        let nap = sleep(Duration::from_millis(1));
        let store = TimerStore::new();
        assert!(store.is_empty());
        let _entered = store.enter();
        let mut nap = nap;
        let counter = Counter::new();
        assert_eq!(counter.poll(&mut nap), Poll::Pending);
        assert_eq!(store.len(), 1);
        settle(&store, nap.deadline());
    }

    #[test]
    #[should_panic(expected = "outside an evloop runtime")]
    fn polling_outside_a_runtime_panics_with_a_hint() {
        let _ = Counter::new().poll(&mut sleep(Duration::from_millis(1)));
    }

    #[test]
    fn a_past_deadline_is_ready_at_once_without_a_timer() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let mut nap = sleep_until(Instant::now() - Duration::from_millis(1));
        assert!(nap.is_elapsed());
        assert_eq!(counter.poll(&mut nap), Poll::Ready(()));
        assert_eq!(counter.poll(&mut sleep(Duration::ZERO)), Poll::Ready(()));
        assert!(store.is_empty());
        assert_eq!(store.wheel_slots(), 0);
    }

    #[test]
    fn completes_when_fired_and_never_before() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let mut nap = sleep(Duration::from_millis(5));
        assert_eq!(counter.poll(&mut nap), Poll::Pending);
        assert!(!nap.is_elapsed());
        assert_eq!(store.fire_due(nap.deadline() - Duration::from_nanos(1)), 0);
        assert_eq!(counter.poll(&mut nap), Poll::Pending);
        assert_eq!(counter.wakes(), 0);
        assert_eq!(store.fire_due(nap.deadline()), 1);
        assert_eq!(counter.wakes(), 1);
        assert!(nap.is_elapsed());
        assert_eq!(counter.poll(&mut nap), Poll::Ready(()));
        assert_eq!(counter.poll(&mut nap), Poll::Ready(()));
    }

    #[test]
    fn a_real_short_sleep_completes_after_its_deadline() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let start = Instant::now();
        let mut nap = sleep(Duration::from_millis(2));
        while counter.poll(&mut nap).is_pending() {
            let wait = store
                .next_deadline()
                .expect("armed")
                .saturating_duration_since(Instant::now());
            std::thread::sleep(wait);
            store.fire_due(Instant::now());
        }
        assert!(start.elapsed() >= Duration::from_millis(2));
        assert!(Instant::now() >= nap.deadline());
    }

    #[test]
    fn dropping_cancels_and_frees_the_slot_armed_or_fired() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let mut armed = sleep(Duration::from_secs(10));
        let mut fired = sleep(Duration::from_millis(1));
        assert!(counter.poll(&mut armed).is_pending());
        assert!(counter.poll(&mut fired).is_pending());
        store.fire_due(fired.deadline());
        assert_eq!(store.len(), 1);
        drop(armed);
        drop(fired);
        assert!(store.is_empty());
        assert_eq!(store.fire_due(Instant::now()), 0);
        assert_eq!(counter.wakes(), 1);
        // Both slots are free again: two new sleeps reuse them.
        let mut a = sleep(Duration::from_secs(1));
        let mut b = sleep(Duration::from_secs(2));
        assert!(counter.poll(&mut a).is_pending());
        assert!(counter.poll(&mut b).is_pending());
        assert_eq!(store.wheel_slots(), 2);
    }

    #[test]
    fn repolling_with_the_same_waker_keeps_it_and_a_new_waker_replaces_it() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let first = Counter::new();
        let second = Counter::new();
        let mut nap = sleep(Duration::from_millis(3));
        assert!(first.poll(&mut nap).is_pending());
        let before = Arc::strong_count(&first);
        assert!(first.poll(&mut nap).is_pending());
        assert_eq!(
            Arc::strong_count(&first),
            before,
            "no clone for the same waker"
        );
        assert!(second.poll(&mut nap).is_pending());
        assert_eq!(Arc::strong_count(&first), before - 1, "old waker dropped");
        store.fire_due(nap.deadline());
        assert_eq!((first.wakes(), second.wakes()), (0, 1));
    }

    #[test]
    fn reset_rearms_in_place_earlier_later_and_after_firing() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let mut nap = sleep(Duration::from_secs(3600));
        assert!(counter.poll(&mut nap).is_pending());
        let soon = Instant::now() + Duration::from_millis(1);
        nap.reset(soon);
        assert_eq!(store.len(), 1);
        settle(&store, soon);
        store.fire_due(soon);
        assert_eq!(counter.wakes(), 1, "the waker was kept across the reset");
        assert_eq!(counter.poll(&mut nap), Poll::Ready(()));
        // Re-arm the fired sleep.
        let later = soon + Duration::from_millis(1);
        nap.reset(later);
        assert!(!nap.is_elapsed());
        assert_eq!(counter.poll(&mut nap), Poll::Pending);
        assert_eq!(store.len(), 1);
        assert_eq!(store.wheel_slots(), 1, "the same slot is reused");
        // A reset to a deadline the store knows has passed is ready without a fire.
        nap.reset(soon);
        assert_eq!(counter.poll(&mut nap), Poll::Ready(()));
        assert!(store.is_empty());
    }

    #[test]
    fn a_million_sleepers_cost_nothing_per_fire() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let now = Instant::now();
        let mut naps: Vec<Sleep> = (0..1_000_000u64)
            .map(|i| sleep_until(now + Duration::from_secs(60) + Duration::from_micros(i)))
            .collect();
        for nap in &mut naps {
            assert!(counter.poll(nap).is_pending());
        }
        assert_eq!(store.len(), 1_000_000);
        let start = Instant::now();
        for i in 1..=10_000u32 {
            assert_eq!(store.fire_due(now + Duration::from_micros(i.into())), 0);
        }
        // 10k calls against a million armed timers: well under a microsecond each in fact
        // (the bench measures it). A scan of the armed timers would take 10k x 1M steps,
        // minutes; the bound is generous for a loaded machine and still catches that.
        assert!(start.elapsed() < Duration::from_secs(10));
        drop(naps);
        assert!(store.is_empty());
    }
}
