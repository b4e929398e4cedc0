//! The loop's clock, and test time: [`pause`], [`advance`] and [`resume`].
//!
//! Every loop's [`TimerStore`] has a [`Clock`], and [`Instant::now`] reads the clock of the
//! loop running on the calling thread: the system's monotonic clock until a test pauses
//! it. A global count of clocks that ever left the system's time keeps the common case
//! (no clock paused in the process) at one relaxed atomic load more than
//! `std::time::Instant::now()`; after that, a thread-local lookup finds the loop's clock.
//! The executor's part is one branch where the loop would sleep: with the clock paused it
//! checks I/O without blocking and then calls [`TimerStore::auto_advance`] instead.
//! What users see, with the traps, is on [`pause`].

use std::cell::Cell;
use std::fmt;
use std::future::poll_fn;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Duration;

use crate::store::TimerStore;
use crate::Instant;

/// How many clocks in the process have left the system's time (paused at some point and
/// not yet dropped). While zero, [`now`] is the system's clock without looking further.
static BENT_CLOCKS: AtomicUsize = AtomicUsize::new(0);

/// The current time on the clock of this thread's loop.
pub(crate) fn now() -> Instant {
    // Relaxed is enough: a clock is bent (and read) only on its loop's thread, which sees
    // its own increment; another thread reading a stale count reads the system's clock,
    // which is its own loop's time.
    if BENT_CLOCKS.load(Ordering::Relaxed) == 0 {
        return Instant::from_std(std::time::Instant::now());
    }
    now_on_this_threads_clock()
}

/// [`now`] once some clock was paused: ask the current loop's clock.
#[cold]
#[inline(never)]
fn now_on_this_threads_clock() -> Instant {
    TimerStore::with_current(|store| store.clock().now())
        .unwrap_or_else(|| Instant::from_std(std::time::Instant::now()))
}

/// One loop's clock; [`TimerStore`] keeps it.
pub(crate) struct Clock {
    /// Where the clock stands relative to the system's.
    state: Cell<State>,
}

/// The three ways a clock can run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    /// The system's monotonic clock: how every clock starts.
    System,
    /// Paused: stands at `at` until advanced or resumed.
    Paused {
        /// The time the clock shows.
        at: Instant,
    },
    /// Resumed after a pause: runs at the system's pace from `from`, the time it showed
    /// when the system's clock read `since`.
    Resumed {
        /// The time the clock showed when it was resumed.
        from: Instant,
        /// The system's time at that moment.
        since: std::time::Instant,
    },
}

impl Clock {
    /// A clock that follows the system's.
    pub(crate) fn new() -> Clock {
        Clock {
            state: Cell::new(State::System),
        }
    }

    /// The time on this clock.
    pub(crate) fn now(&self) -> Instant {
        match self.state.get() {
            State::System => Instant::from_std(std::time::Instant::now()),
            State::Paused { at } => at,
            State::Resumed { from, since } => from + since.elapsed(),
        }
    }

    /// Is the clock standing still?
    pub(crate) fn is_paused(&self) -> bool {
        matches!(self.state.get(), State::Paused { .. })
    }

    /// Stops the clock where it is; returns `false` if it was paused already.
    fn pause(&self) -> bool {
        let at = match self.state.get() {
            State::Paused { .. } => return false,
            State::System => {
                BENT_CLOCKS.fetch_add(1, Ordering::Relaxed);
                self.now()
            }
            State::Resumed { .. } => self.now(),
        };
        self.state.set(State::Paused { at });
        true
    }

    /// Lets a paused clock run again from where it stands; returns `false` if it was not
    /// paused.
    fn resume(&self) -> bool {
        let State::Paused { at } = self.state.get() else {
            return false;
        };
        self.state.set(State::Resumed {
            from: at,
            since: std::time::Instant::now(),
        });
        true
    }

    /// Moves a paused clock forward to `to`, if that is later than where it stands;
    /// returns `false` if it was not paused.
    pub(crate) fn advance_to(&self, to: Instant) -> bool {
        let State::Paused { at } = self.state.get() else {
            return false;
        };
        self.state.set(State::Paused { at: at.max(to) });
        true
    }
}

impl Drop for Clock {
    fn drop(&mut self) {
        if self.state.get() != State::System {
            BENT_CLOCKS.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock")
            .field("state", &self.state.get())
            .finish()
    }
}

/// The store of the loop running on this thread, or a panic that says `what` needs one.
#[track_caller]
fn current_store(what: &str) -> std::rc::Rc<TimerStore> {
    TimerStore::current().unwrap_or_else(|| {
        panic!(
            "evloop::time::{what} called outside an evloop runtime: time is paused per loop, \
             so call it inside `evloop::run(...)` (or a task), or start a test paused with \
             `#[evloop::test(start_paused = true)]`"
        )
    })
}

/// Stops the clock of the loop running on this thread, for tests, like tokio's
/// `time::pause`: a test of a 30-second timeout or of an hour of `interval` ticks should
/// neither wait that long nor fail because the machine was busy.
///
/// While paused, [`Instant::now`] stands still. The clock moves only when
/// - a task calls [`advance(d)`](advance): exactly by `d`, firing the timers that came due;
/// - every task waits (none ready, no I/O ready, no `spawn_blocking` job running): instead
///   of sleeping until the next timer, the loop moves the clock to that timer's deadline
///   and fires it at once. Tasks that only wait for timers run in no time, their timers
///   firing in the same order and at the same instants of the loop's clock as for real.
///
/// [`resume`] lets it run at the system's pace again, from where it stood.
/// `#[evloop::test(start_paused = true)]` pauses a test's loop before its body runs.
///
/// ```
/// use std::time::Duration;
/// use evloop::time::{interval, sleep, timeout, Elapsed, Instant};
///
/// evloop::run(async {
///     evloop::time::pause();
///     let real = std::time::Instant::now();
///     let start = Instant::now();
///     let slow = timeout(Duration::from_secs(30), sleep(Duration::from_secs(60)));
///     assert_eq!(slow.await, Err(Elapsed));
///     assert_eq!(Instant::now() - start, Duration::from_secs(30));
///     let mut every = interval(Duration::from_secs(1));
///     for _ in 0..=3600 {
///         every.tick().await; // an hour of ticks
///     }
///     assert_eq!(Instant::now() - start, Duration::from_secs(30 + 3600));
///     assert!(real.elapsed() < Duration::from_secs(30)); // in fact milliseconds
/// });
/// ```
///
/// # Traps
///
/// - The loop jumps only when nothing else can happen *now*. It checks I/O without
///   blocking before each jump, so a peer on another thread or process that has not
///   answered yet loses the race against any timer: under paused time,
///   `timeout(Duration::from_secs(5), stream.read(..))` against a slow peer elapses at
///   once. Pause time in tests whose tasks talk to each other on the loop, or advance by
///   hand.
/// - While a `spawn_blocking` job of the loop runs, the clock does not jump (its result
///   may be what the timers race against); a job that never ends keeps the clock still.
/// - Only this loop's clock stands still: other threads and `std::time::Instant::now()`
///   keep the real time. A clock paused and then resumed stays behind the system's by
///   the time it stood still (minus what was advanced): its instants compare with each
///   other, not with the system's.
///
/// # Panics
///
/// Outside a running loop, or if the loop's time is paused already.
#[track_caller]
pub fn pause() {
    let store = current_store("pause");
    if !store.clock().pause() {
        panic!(
            "evloop::time::pause: time is already paused on this loop (by an earlier pause() \
             or `#[evloop::test(start_paused = true)]`); call evloop::time::resume() first"
        );
    }
}

/// Lets the paused clock of the loop running on this thread run again, at the system's
/// pace, from the time it shows now (it does not catch up with the system's clock).
///
/// ```
/// use std::time::Duration;
/// use evloop::time::Instant;
///
/// evloop::run(async {
///     evloop::time::pause();
///     let paused_at = Instant::now();
///     evloop::time::advance(Duration::from_secs(10)).await;
///     evloop::time::resume();
///     evloop::time::sleep(Duration::from_millis(1)).await; // a real millisecond
///     assert!(Instant::now() >= paused_at + Duration::from_millis(10_001));
/// });
/// ```
///
/// # Panics
///
/// Outside a running loop, or if the loop's time is not paused.
#[track_caller]
pub fn resume() {
    let store = current_store("resume");
    if !store.clock().resume() {
        panic!("evloop::time::resume: time is not paused on this loop; nothing to resume");
    }
}

/// Moves the paused clock of the loop running on this thread forward by exactly
/// `duration`, fires the timers that came due, and yields so that their tasks run before
/// the caller continues.
///
/// The clock moves when the returned future is first polled.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use evloop::time::{advance, sleep, Instant};
///
/// evloop::run(async {
///     evloop::time::pause();
///     let start = Instant::now();
///     let woke = Rc::new(Cell::new(false));
///     let flag = woke.clone();
///     evloop::spawn(async move {
///         sleep(Duration::from_secs(5)).await;
///         flag.set(true);
///     });
///     evloop::yield_now().await; // let the task start its sleep
///     advance(Duration::from_secs(4)).await;
///     assert!(!woke.get());
///     advance(Duration::from_secs(1)).await;
///     assert!(woke.get());
///     assert_eq!(Instant::now() - start, Duration::from_secs(5)); // exactly
/// });
/// ```
///
/// # Panics
///
/// Outside a running loop, if the loop's time is not paused, or if the clock would pass
/// the end of representable time.
pub async fn advance(duration: Duration) {
    let store = current_store("advance");
    let clock = store.clock();
    let to = clock.now().checked_add(duration).unwrap_or_else(|| {
        panic!("evloop::time::advance({duration:?}): the clock would pass the end of time")
    });
    if !clock.advance_to(to) {
        panic!(
            "evloop::time::advance needs paused time: call evloop::time::pause() first (or \
             start the test with `#[evloop::test(start_paused = true)]`)"
        );
    }
    store.fire_due(to);
    drop(store);
    // The tasks just woken are queued; going behind them lets them run first.
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_clock_stands_still_and_moves_only_forward() {
        let clock = Clock::new();
        assert!(!clock.is_paused());
        assert!(clock.pause());
        assert!(!clock.pause(), "pausing twice is refused");
        let at = clock.now();
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(clock.now(), at);
        assert!(clock.advance_to(at + Duration::from_secs(7)));
        assert_eq!(clock.now(), at + Duration::from_secs(7));
        assert!(clock.advance_to(at), "an earlier target is no error...");
        assert_eq!(
            clock.now(),
            at + Duration::from_secs(7),
            "...and no move back"
        );
    }

    #[test]
    fn a_resumed_clock_runs_on_from_where_it_stood() {
        let clock = Clock::new();
        assert!(!clock.resume(), "a running clock cannot be resumed");
        assert!(clock.pause());
        let at = clock.now();
        assert!(clock.advance_to(at + Duration::from_secs(60)));
        std::thread::sleep(Duration::from_millis(5));
        assert!(clock.resume());
        assert!(!clock.is_paused());
        assert!(!clock.advance_to(at + Duration::from_secs(120)));
        let resumed = clock.now();
        assert!(resumed >= at + Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(2));
        assert!(clock.now() >= resumed + Duration::from_millis(2));
        assert!(clock.pause(), "a resumed clock can be paused again");
    }
}
