//! evloop's timers: [`sleep`], [`sleep_until`], [`timeout`], [`interval`], the loop's
//! clock ([`Instant`], with [`pause`], [`advance`] and [`resume`] for tests), and the
//! per-loop [`TimerStore`] that makes them fire.
//!
//! # Its place in the loop
//!
//! Each evloop loop (in `evloop-executor`) owns one [`TimerStore`] and keeps it
//! [entered](TimerStore::enter) while it runs. A turn of the loop goes:
//!
//! ```text
//! poll ready tasks           — a task awaiting `sleep(..)` arms a timer in the store
//! reactor.wait(timeout)      — timeout = until store.next_deadline(), or forever if none
//! store.fire_due(now)        — wakes the tasks whose deadline passed
//! ```
//!
//! The store knows nothing of tasks: it keeps the [`Waker`](std::task::Waker) each timer
//! future was last polled with and wakes it. The reactor (`evloop-reactor`) never sees
//! timers either; the executor turns `next_deadline` into the reactor's wait timeout.
//! Users reach all of this through the `evloop` facade, as `evloop::time`.
//!
//! # The asyncio names
//!
//! | asyncio | evloop |
//! |---|---|
//! | `await asyncio.sleep(0.5)` | `sleep(Duration::from_millis(500)).await` |
//! | `await asyncio.wait_for(aw, 2.0)` | `timeout(Duration::from_secs(2), aw).await` (`Err(Elapsed)` for `TimeoutError`) |
//! | `async with asyncio.timeout_at(when)` | `timeout_at(deadline, fut).await` |
//! | a `while True: ...; await asyncio.sleep(p)` loop | `interval(p)` and `interval.tick().await`, without drift |
//! | `loop.time()` | [`Instant::now()`] |
//! | a mocked `loop.time()` in tests | [`pause`], [`advance`], [`resume`] |
//!
//! # Guarantees
//!
//! - **Never early.** A timer completes only once its deadline has passed.
//! - **Lazy.** Timer futures may be made anywhere; they bind to the current loop's store on
//!   their first poll, and polling one outside a loop panics with a message saying so.
//! - **O(1).** The store is a hierarchical timing wheel: arming, re-arming, cancelling
//!   (dropping) and firing a timer cost O(1), a million armed timers cost memory in
//!   proportion and nothing per loop turn, and the hot path allocates nothing.
//!
//! # Test time
//!
//! A test that checks the order or the arithmetic of timers need not wait for them: after
//! [`pause()`](pause) (or in a `#[evloop::test(start_paused = true)]` test) the loop's clock
//! stands still, [`advance`] moves it by exactly the duration given, and when every task
//! waits the loop jumps to the next timer instead of sleeping. Timers fire in the same
//! order and at the same instants of the loop's clock as for real, in no real time,
//! however loaded the machine is. The store keeps the clock; the executor asks
//! [`TimerStore::is_paused`] before it sleeps and calls [`TimerStore::auto_advance`]
//! instead.
//!
//! ```
//! use std::time::Duration;
//! use evloop::time::{sleep, Instant};
//!
//! evloop::run(async {
//!     evloop::time::pause();
//!     let start = Instant::now();
//!     let (a, b) = evloop::gather!(
//!         async { sleep(Duration::from_secs(20)).await; Instant::now() },
//!         async { sleep(Duration::from_secs(10)).await; Instant::now() },
//!     )
//!     .await;
//!     assert_eq!((a - start, b - start), (Duration::from_secs(20), Duration::from_secs(10)));
//! });
//! ```
//!
//! Its traps (I/O from other threads, `spawn_blocking`, mixing clocks) are listed on
//! [`pause()`](pause).
//!
//! # Example
//!
//! No loop lives in this crate, so here the store is driven by hand, the way the
//! executor does it:
//!
//! ```
//! use std::future::Future;
//! use std::pin::Pin;
//! use std::sync::Arc;
//! use std::task::{Context, Poll, Wake, Waker};
//! use std::time::Duration;
//! use evloop_time::{timeout, Elapsed, TimerStore};
//!
//! struct Noop;
//! impl Wake for Noop {
//!     fn wake(self: Arc<Self>) {}
//! }
//! let waker = Waker::from(Arc::new(Noop));
//! let mut cx = Context::from_waker(&waker);
//!
//! let store = TimerStore::new();
//! let _entered = store.enter();
//! let mut wait_for = Box::pin(timeout(Duration::from_secs(2), std::future::pending::<()>()));
//! assert_eq!(wait_for.as_mut().poll(&mut cx), Poll::Pending);
//!
//! // The loop's turns, minus the actual sleeping: wait until the next deadline (which may
//! // come a little early for far timers), fire what is due, repeat.
//! while let Some(deadline) = store.next_deadline() {
//!     store.fire_due(deadline);
//! }
//! assert_eq!(wait_for.as_mut().poll(&mut cx), Poll::Ready(Err(Elapsed)));
//! ```
#![warn(missing_docs, missing_debug_implementations)]

mod clock;
mod instant;
mod interval;
mod sleep;
mod store;
#[cfg(test)]
mod test_util;
mod timeout;
mod wheel;

pub use clock::{advance, pause, resume};
pub use evloop_reactor::EnterGuard;
pub use instant::Instant;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use sleep::{sleep, sleep_until, Sleep};
pub use store::TimerStore;
pub use timeout::{timeout, timeout_at, Elapsed, Timeout};
