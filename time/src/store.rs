//! [`TimerStore`], one per loop, and the thread's "current store" that timer futures bind to
//! (kept in the loop's context, `evloop_reactor::context`).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use evloop_reactor::context::{self, EnterGuard, LoopContext};

use crate::clock::Clock;
use crate::wheel::{Key, Wheel};
use crate::Instant;

/// The timers of one loop: every armed [`Sleep`](crate::Sleep) (and so every
/// [`Timeout`](crate::Timeout) and [`Interval`](crate::Interval)) of the loop lives here
/// until it fires or is dropped.
///
/// The executor owns one `Rc<TimerStore>` per loop. While the loop runs it keeps the store
/// [entered](TimerStore::enter), so that timer futures find it on their first poll; each
/// turn it sleeps in the reactor no longer than [`next_deadline`](TimerStore::next_deadline)
/// and then calls [`fire_due`](TimerStore::fire_due), which wakes the tasks whose timers
/// are due.
///
/// Internally a hierarchical timing wheel: arming, cancelling and firing a timer are O(1),
/// and a million armed timers cost memory in proportion but nothing per loop turn.
///
/// The store is single-threaded (neither `Send` nor `Sync`) and used behind an [`Rc`].
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::sync::Arc;
/// use std::task::{Context, Poll, Wake, Waker};
/// use std::time::Duration;
/// use evloop_time::{sleep, Instant, TimerStore};
///
/// struct Noop;
/// impl Wake for Noop {
///     fn wake(self: Arc<Self>) {}
/// }
/// let waker = Waker::from(Arc::new(Noop));
/// let mut cx = Context::from_waker(&waker);
///
/// let store = TimerStore::new();
/// let _entered = store.enter();
/// let mut nap = sleep(Duration::from_millis(10));
/// assert_eq!(Pin::new(&mut nap).poll(&mut cx), Poll::Pending);
/// assert_eq!(store.len(), 1);
/// assert!(store.next_deadline() <= Some(nap.deadline())); // never later
///
/// // What the loop does after its wait; here with a made-up "now" at the deadline.
/// assert_eq!(store.fire_due(nap.deadline()), 1);
/// assert_eq!(Pin::new(&mut nap).poll(&mut cx), Poll::Ready(()));
/// assert!(store.is_empty());
/// assert_eq!(store.next_deadline(), None);
/// ```
pub struct TimerStore {
    /// The loop's clock: the system's, or paused for a test (`clock.rs`).
    clock: Clock,
    /// The origin of the wheel's nanosecond deadlines: when the store was made.
    base: Instant,
    /// The armed and fired-but-not-dropped timers, each with the waker to wake.
    wheel: RefCell<Wheel<Option<Waker>>>,
    /// The latest "now" the store has seen (from `fire_due` or a clock read it made); a
    /// deadline at or before it has certainly passed, which spares a clock read.
    now: Cell<Instant>,
    /// The wakers of the timers one `fire_due` call fires, collected while the wheel is
    /// borrowed and woken after; kept between calls so firing does not allocate.
    due: RefCell<Vec<Waker>>,
    /// Makes the store `!Send` and `!Sync`: its timers are for its own loop's thread.
    _not_send: PhantomData<*const ()>,
}

impl TimerStore {
    /// Makes an empty store whose clock origin is now.
    ///
    /// ```
    /// let store = evloop_time::TimerStore::new();
    /// assert!(store.is_empty());
    /// assert_eq!(store.next_deadline(), None);
    /// ```
    pub fn new() -> Rc<TimerStore> {
        // The system's time, not `Instant::now()`: a store made inside a paused loop has a
        // clock of its own.
        let base = Instant::from_std(std::time::Instant::now());
        Rc::new(TimerStore {
            clock: Clock::new(),
            base,
            wheel: RefCell::new(Wheel::new()),
            now: Cell::new(base),
            due: RefCell::new(Vec::new()),
            _not_send: PhantomData,
        })
    }

    /// Makes this the thread's current store until the returned guard drops, which
    /// restores the previous one (nesting is allowed). Timer futures bind to the current
    /// store on their first poll.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop_time::{sleep, TimerStore};
    /// # use std::{future::Future, pin::Pin, sync::Arc, task::{Context, Poll, Wake, Waker}};
    /// # struct Noop;
    /// # impl Wake for Noop { fn wake(self: Arc<Self>) {} }
    /// # let waker = Waker::from(Arc::new(Noop));
    /// # let mut cx = Context::from_waker(&waker);
    ///
    /// let store = TimerStore::new();
    /// let mut nap = sleep(Duration::from_secs(1));
    /// {
    ///     let _entered = store.enter();
    ///     assert!(Pin::new(&mut nap).poll(&mut cx).is_pending()); // binds to `store`
    /// }
    /// // The sleep stays bound to the store it was first polled in, entered or not.
    /// assert_eq!(store.len(), 1);
    /// drop(nap);
    /// assert!(store.is_empty());
    /// ```
    pub fn enter(self: &Rc<Self>) -> EnterGuard<'static> {
        let timers: Rc<dyn std::any::Any> = Rc::clone(self) as _;
        LoopContext::new(None, Some(timers)).enter_owned()
    }

    /// The thread's current store, if some loop has entered one.
    ///
    /// ```
    /// use evloop_time::TimerStore;
    /// assert!(TimerStore::current().is_none()); // no loop on this thread
    /// evloop::run(async {
    ///     assert!(TimerStore::current().is_some()); // the running loop's store
    /// });
    /// let store = TimerStore::new();
    /// let _entered = store.enter();
    /// assert!(std::rc::Rc::ptr_eq(&TimerStore::current().unwrap(), &store));
    /// ```
    pub fn current() -> Option<Rc<TimerStore>> {
        context::with(|cx| cx.timers::<TimerStore>()).flatten()
    }

    /// Runs `f` with the thread's current store, if there is one (without cloning it).
    pub(crate) fn with_current<R>(f: impl FnOnce(&TimerStore) -> R) -> Option<R> {
        context::with(|cx| cx.timers_ref::<TimerStore>().map(f)).flatten()
    }

    /// The loop's clock, which [`Instant::now`] reads while this store is current.
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Is this loop's time [paused](crate::pause)? Then the loop, when every task waits,
    /// calls [`auto_advance`](Self::auto_advance) instead of sleeping until
    /// [`next_deadline`](Self::next_deadline).
    ///
    /// ```
    /// use evloop_time::TimerStore;
    /// evloop::run(async {
    ///     let store = TimerStore::current().unwrap();
    ///     assert!(!store.is_paused());
    ///     evloop::time::pause();
    ///     assert!(store.is_paused());
    /// });
    /// ```
    pub fn is_paused(&self) -> bool {
        self.clock.is_paused()
    }

    /// With time paused, moves the clock forward to `deadline` (if that is later than where
    /// it stands): what the loop does instead of sleeping until the next timer when every
    /// task waits. The timers due then fire at the loop's next
    /// [`fire_due`](Self::fire_due)`(Instant::now())`. Does nothing if time is not paused.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop_time::{Instant, TimerStore};
    /// evloop::run(async {
    ///     evloop::time::pause();
    ///     let store = TimerStore::current().unwrap();
    ///     let start = Instant::now();
    ///     store.auto_advance(start + Duration::from_secs(2));
    ///     assert_eq!(Instant::now(), start + Duration::from_secs(2));
    ///     store.auto_advance(start); // never backwards
    ///     assert_eq!(Instant::now(), start + Duration::from_secs(2));
    /// });
    /// ```
    pub fn auto_advance(&self, deadline: Instant) {
        self.clock.advance_to(deadline);
    }

    /// The earliest instant at which some armed timer may be due, or `None` when no timer
    /// is armed: how long the loop may sleep.
    ///
    /// Never later than the true earliest deadline. It is that exact deadline (to the
    /// nanosecond) when the earliest timer is due within a few milliseconds; for timers
    /// further out it may be earlier, and [`fire_due`](Self::fire_due) at that instant
    /// refines the wheel so the next answer is closer.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop_time::{sleep, TimerStore};
    /// # use std::{future::Future, pin::Pin, sync::Arc, task::{Context, Poll, Wake, Waker}};
    /// # struct Noop;
    /// # impl Wake for Noop { fn wake(self: Arc<Self>) {} }
    /// # let waker = Waker::from(Arc::new(Noop));
    /// # let mut cx = Context::from_waker(&waker);
    ///
    /// let store = TimerStore::new();
    /// let _entered = store.enter();
    /// assert_eq!(store.next_deadline(), None); // nothing armed: the loop may wait forever
    /// let mut later = sleep(Duration::from_millis(3));
    /// let mut sooner = sleep(Duration::from_millis(2));
    /// assert!(Pin::new(&mut later).poll(&mut cx).is_pending());
    /// assert!(Pin::new(&mut sooner).poll(&mut cx).is_pending());
    /// assert_eq!(store.next_deadline(), Some(sooner.deadline())); // near: exact
    /// ```
    pub fn next_deadline(&self) -> Option<Instant> {
        let nanos = self.wheel.borrow().next_deadline()?;
        Some(self.base + Duration::from_nanos(nanos))
    }

    /// Wakes every timer whose deadline is at or before `now`; returns how many fired.
    ///
    /// Never fires a timer early, and costs only what is due (plus at most a few cascade
    /// steps per timer over its lifetime), however many timers are armed. The wakers are
    /// woken after the store is released, so a waker may use the store again.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop_time::{sleep, TimerStore};
    /// # use std::{future::Future, pin::Pin, sync::Arc, task::{Context, Poll, Wake, Waker}};
    /// # struct Noop;
    /// # impl Wake for Noop { fn wake(self: Arc<Self>) {} }
    /// # let waker = Waker::from(Arc::new(Noop));
    /// # let mut cx = Context::from_waker(&waker);
    ///
    /// let store = TimerStore::new();
    /// let _entered = store.enter();
    /// let mut short = sleep(Duration::from_millis(1));
    /// let mut long = sleep(Duration::from_secs(60));
    /// assert!(Pin::new(&mut short).poll(&mut cx).is_pending());
    /// assert!(Pin::new(&mut long).poll(&mut cx).is_pending());
    /// assert_eq!(store.fire_due(short.deadline()), 1); // only the short one is due
    /// assert!(short.is_elapsed() && !long.is_elapsed());
    /// assert_eq!(store.len(), 1);
    /// ```
    pub fn fire_due(&self, now: Instant) -> usize {
        if now > self.now.get() {
            self.now.set(now);
        }
        let now = self.nanos(now);
        let mut due = std::mem::take(&mut *self.due.borrow_mut());
        let fired = self.wheel.borrow_mut().fire_due(now, |waker| {
            if let Some(waker) = waker.take() {
                due.push(waker);
            }
        });
        for waker in due.drain(..) {
            waker.wake();
        }
        *self.due.borrow_mut() = due;
        fired
    }

    /// How many timers are armed: not yet fired, not cancelled.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop_time::{sleep, TimerStore};
    /// # use std::{future::Future, pin::Pin, sync::Arc, task::{Context, Poll, Wake, Waker}};
    /// # struct Noop;
    /// # impl Wake for Noop { fn wake(self: Arc<Self>) {} }
    /// # let waker = Waker::from(Arc::new(Noop));
    /// # let mut cx = Context::from_waker(&waker);
    ///
    /// let store = TimerStore::new();
    /// let _entered = store.enter();
    /// let mut naps: Vec<_> = (1..=3).map(|s| sleep(Duration::from_secs(s))).collect();
    /// assert_eq!(store.len(), 0); // timers are armed on the first poll, not before
    /// for nap in &mut naps {
    ///     assert!(Pin::new(nap).poll(&mut cx).is_pending());
    /// }
    /// assert_eq!(store.len(), 3);
    /// naps.pop(); // dropping a sleep cancels its timer
    /// assert_eq!(store.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.wheel.borrow().len()
    }

    /// Is no timer armed?
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop_time::{sleep, TimerStore};
    /// # use std::{future::Future, pin::Pin, sync::Arc, task::{Context, Poll, Wake, Waker}};
    /// # struct Noop;
    /// # impl Wake for Noop { fn wake(self: Arc<Self>) {} }
    /// # let waker = Waker::from(Arc::new(Noop));
    /// # let mut cx = Context::from_waker(&waker);
    ///
    /// let store = TimerStore::new();
    /// let _entered = store.enter();
    /// assert!(store.is_empty());
    /// let mut nap = sleep(Duration::from_millis(1));
    /// assert!(Pin::new(&mut nap).poll(&mut cx).is_pending());
    /// assert!(!store.is_empty());
    /// store.fire_due(nap.deadline());
    /// assert!(store.is_empty()); // a fired timer is no longer armed
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Has `deadline` certainly passed? Reads the clock only when the latest "now" the
    /// store knows of does not already prove it.
    pub(crate) fn has_passed(&self, deadline: Instant) -> bool {
        if deadline <= self.now.get() {
            return true;
        }
        let now = self.clock.now();
        self.now.set(now);
        deadline <= now
    }

    /// Arms a new timer for `deadline` that wakes `waker`.
    pub(crate) fn arm(&self, deadline: Instant, waker: Waker) -> Key {
        let deadline = self.nanos(deadline);
        self.wheel.borrow_mut().insert(deadline, Some(waker))
    }

    /// Polls the timer `key` for `deadline`: ready once fired (or once the store's "now"
    /// proves the deadline passed); otherwise makes sure `waker` is the one woken.
    pub(crate) fn poll_timer(&self, key: Key, deadline: Instant, waker: &Waker) -> Poll<()> {
        let mut wheel = self.wheel.borrow_mut();
        if !wheel.is_armed(key) {
            return Poll::Ready(());
        }
        if deadline <= self.now.get() {
            wheel.disarm(key);
            return Poll::Ready(());
        }
        let stored = wheel.value_mut(key);
        if stored.as_ref().is_some_and(|w| w.will_wake(waker)) {
            return Poll::Pending;
        }
        let old = stored.replace(waker.clone());
        // A waker's drop may run arbitrary code: not while the wheel is borrowed.
        drop(wheel);
        drop(old);
        Poll::Pending
    }

    /// Moves the timer `key` to `deadline` (re-arming it if it had fired), keeping its
    /// waker; a deadline the store already knows has passed leaves it ready instead.
    pub(crate) fn reset_timer(&self, key: Key, deadline: Instant) {
        let mut wheel = self.wheel.borrow_mut();
        if deadline <= self.now.get() {
            wheel.disarm(key);
        } else {
            wheel.reset(key, self.nanos(deadline));
        }
    }

    /// Has the timer `key` for `deadline` fired, or has its deadline certainly passed?
    pub(crate) fn timer_elapsed(&self, key: Key, deadline: Instant) -> bool {
        !self.wheel.borrow().is_armed(key) || deadline <= self.now.get()
    }

    /// Cancels the timer `key` and frees its slot.
    pub(crate) fn remove_timer(&self, key: Key) {
        let waker = self.wheel.borrow_mut().remove(key);
        // Dropped after the wheel is released: a waker's drop may run arbitrary code.
        drop(waker);
    }

    /// How many slab slots the wheel has ever needed (armed, fired or free).
    #[cfg(test)]
    pub(crate) fn wheel_slots(&self) -> usize {
        self.wheel.borrow().slab_len()
    }

    /// `instant` as nanoseconds since the store's origin (0 before it, saturating far
    /// beyond it).
    fn nanos(&self, instant: Instant) -> u64 {
        let since = instant.saturating_duration_since(self.base).as_nanos();
        u64::try_from(since).unwrap_or(u64::MAX)
    }
}

impl fmt::Debug for TimerStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerStore")
            .field("armed", &self.len())
            .field("next_deadline", &self.next_deadline())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::Counter;

    #[test]
    fn enter_nests_and_restores() {
        assert!(TimerStore::current().is_none());
        let outer = TimerStore::new();
        let inner = TimerStore::new();
        {
            let _outer = outer.enter();
            assert!(Rc::ptr_eq(&TimerStore::current().unwrap(), &outer));
            {
                let _inner = inner.enter();
                assert!(Rc::ptr_eq(&TimerStore::current().unwrap(), &inner));
            }
            assert!(Rc::ptr_eq(&TimerStore::current().unwrap(), &outer));
        }
        assert!(TimerStore::current().is_none());
        assert_eq!(Rc::strong_count(&outer), 1);
    }

    #[test]
    fn fire_due_wakes_only_what_is_due_and_reuses_its_buffer() {
        let store = TimerStore::new();
        let counter = Counter::new();
        let base = store.base;
        let keys: Vec<Key> = (1..=4)
            .map(|ms| store.arm(base + Duration::from_millis(ms), counter.waker()))
            .collect();
        assert_eq!(store.len(), 4);
        assert_eq!(store.next_deadline(), Some(base + Duration::from_millis(1)));
        assert_eq!(store.fire_due(base + Duration::from_micros(2500)), 2);
        assert_eq!(counter.wakes(), 2);
        assert_eq!(store.len(), 2);
        let capacity = store.due.borrow().capacity();
        assert!(capacity >= 2);
        assert_eq!(store.fire_due(base + Duration::from_millis(10)), 2);
        assert_eq!(counter.wakes(), 4);
        assert_eq!(store.due.borrow().capacity(), capacity);
        assert!(store.is_empty());
        assert_eq!(store.next_deadline(), None);
        for key in keys {
            store.remove_timer(key);
        }
    }

    #[test]
    fn fire_due_never_fires_early_and_the_deadline_is_exact() {
        let store = TimerStore::new();
        let counter = Counter::new();
        let deadline = store.base + Duration::from_nanos(1_234_567);
        let key = store.arm(deadline, counter.waker());
        assert_eq!(store.next_deadline(), Some(deadline));
        assert_eq!(store.fire_due(deadline - Duration::from_nanos(1)), 0);
        assert_eq!(store.fire_due(deadline), 1);
        assert_eq!(counter.wakes(), 1);
        store.remove_timer(key);
    }

    #[test]
    fn a_timer_before_the_store_was_made_fires_at_once() {
        let early = Instant::now();
        let store = TimerStore::new();
        let counter = Counter::new();
        let key = store.arm(early, counter.waker());
        assert_eq!(store.fire_due(store.base), 1);
        store.remove_timer(key);
    }

    #[test]
    fn a_waker_may_reenter_the_store() {
        thread_local! {
            /// The timer the waker removes, as a task dropping its Sleep would.
            static KEY: Cell<Option<Key>> = const { Cell::new(None) };
        }
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::with_hook(|| {
            let store = TimerStore::current().expect("entered");
            if let Some(key) = KEY.with(Cell::take) {
                store.remove_timer(key);
                store.fire_due(store.base);
            }
        });
        let key = store.arm(store.base, counter.waker());
        KEY.with(|k| k.set(Some(key)));
        assert_eq!(store.fire_due(store.base + Duration::from_millis(1)), 1);
        assert_eq!(counter.wakes(), 1);
        assert!(store.is_empty());
        assert_eq!(store.wheel.borrow().len(), 0);
    }
}
