//! [`timeout`] and [`timeout_at`]: a future with a deadline, like `asyncio.wait_for`.

use std::error::Error;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use evloop_reactor::wait_site::WaitKind;

use crate::sleep::{sleep, sleep_until, Sleep};
use crate::Instant;

/// Runs `future` for at most `duration`; like `asyncio.wait_for(aw, timeout)`.
///
/// Resolves to `Ok(output)` if the future finishes first, or `Err(Elapsed)` once the time
/// is up, dropping the future (which cancels whatever it was doing). The future is always
/// polled before the clock is checked, so one that is ready at once never times out, even
/// with a zero duration.
///
/// ```
/// use std::time::Duration;
/// use evloop_time::{timeout, Instant};
///
/// let bounded = timeout(Duration::from_secs(5), async { 42 });
/// assert!(bounded.deadline() > Instant::now());
/// // In a task:
/// // match bounded.await {
/// //     Ok(answer) => println!("got {answer}"),
/// //     Err(elapsed) => println!("gave up: {elapsed}"),
/// // }
/// ```
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        sleep: sleep(duration),
    }
}

/// Runs `future` until `deadline` at the latest; see [`timeout`].
///
/// ```
/// use std::time::Duration;
/// use evloop_time::{timeout_at, Instant};
///
/// let deadline = Instant::now() + Duration::from_millis(250);
/// let bounded = timeout_at(deadline, std::future::pending::<()>());
/// // In a task: `assert!(bounded.await.is_err());`
/// # drop(bounded);
/// ```
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        sleep: sleep_until(deadline),
    }
}

/// The future returned by [`timeout`] and [`timeout_at`]: the inner future's output, or
/// [`Elapsed`] if the deadline passes first.
///
/// ```
/// use std::time::Duration;
/// use evloop::time::{sleep, timeout, Elapsed};
///
/// evloop::run(async {
///     let quick = timeout(Duration::from_millis(50), async { "in time" });
///     assert_eq!(quick.await, Ok("in time"));
///     let stuck = timeout(Duration::from_millis(1), sleep(Duration::from_secs(60)));
///     assert_eq!(stuck.await, Err(Elapsed));
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Timeout<F> {
    /// The future being bounded. Structurally pinned: never moved while `Timeout` is
    /// pinned (there is no `Drop` impl, and only `&mut self`/`self` methods reach it).
    future: F,
    /// The deadline's timer, armed on the first poll that finds the future pending.
    sleep: Sleep,
}

/// The error of a [`Timeout`] whose deadline passed before its future finished:
/// asyncio's `TimeoutError`. It is a `std::error::Error`, so `?` passes it on as a
/// `Box<dyn Error>`.
///
/// ```
/// use std::time::Duration;
/// use evloop::time::{timeout, Elapsed};
///
/// fn fetch() -> Result<u32, Box<dyn std::error::Error>> {
///     evloop::run(async {
///         let value = timeout(Duration::from_millis(1), std::future::pending::<u32>()).await?;
///         Ok(value)
///     })
/// }
/// let err = fetch().unwrap_err();
/// assert!(err.is::<Elapsed>());
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

impl<F> Timeout<F> {
    /// The inner future, unfinished, without its deadline.
    ///
    /// ```
    /// use std::time::Duration;
    /// let bounded = evloop::time::timeout(Duration::from_millis(1), async { 5 });
    /// let unbounded = bounded.into_inner(); // changed our mind: no deadline after all
    /// assert_eq!(evloop::run(unbounded), 5);
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }

    /// A reference to the inner future.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::{sleep, timeout};
    /// let nap = sleep(Duration::from_secs(1));
    /// let nap_deadline = nap.deadline();
    /// let bounded = timeout(Duration::from_millis(10), nap);
    /// assert_eq!(bounded.get_ref().deadline(), nap_deadline);
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// A mutable reference to the inner future (only reachable while not pinned).
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::{sleep, timeout, Instant};
    ///
    /// evloop::run(async {
    ///     let mut bounded = timeout(Duration::from_secs(5), sleep(Duration::from_secs(60)));
    ///     // Make the inner sleep end sooner, before the timeout ever polls it.
    ///     bounded.get_mut().reset(Instant::now() + Duration::from_millis(1));
    ///     assert_eq!(bounded.await, Ok(()));
    /// });
    /// ```
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.future
    }

    /// The instant at which this timeout elapses.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::{timeout_at, Instant};
    /// let deadline = Instant::now() + Duration::from_secs(2);
    /// let bounded = timeout_at(deadline, async {});
    /// assert_eq!(bounded.deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.sleep.deadline()
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned: it is pinned whenever `Timeout` is,
        // `Timeout` has no `Drop` impl and is `Unpin` only if `F` is, and no method moves
        // `future` out of a pinned `Timeout` (`into_inner` and `get_mut` need it unpinned).
        // `sleep` is not structurally pinned and is `Unpin`, so a plain `&mut` to it is fine.
        let (future, sleep) = unsafe {
            let this = self.get_unchecked_mut();
            (Pin::new_unchecked(&mut this.future), &mut this.sleep)
        };
        if let Poll::Ready(output) = future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let site = sleep.site();
        sleep
            .poll_as(cx, WaitKind::Timeout, site)
            .map(|()| Err(Elapsed))
    }
}

impl<F: fmt::Debug> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("future", &self.future)
            .field("deadline", &self.sleep.deadline())
            .finish()
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::future::poll_fn;
    use std::rc::Rc;

    use super::*;
    use crate::test_util::Counter;
    use crate::TimerStore;

    #[test]
    fn a_ready_future_wins_even_with_a_zero_timeout() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let mut bounded = Box::pin(timeout(Duration::ZERO, async { 7 }));
        let waker = Counter::new().waker();
        let poll = bounded.as_mut().poll(&mut Context::from_waker(&waker));
        assert_eq!(poll, Poll::Ready(Ok(7)));
        assert!(store.is_empty());
    }

    #[test]
    fn a_pending_future_times_out_at_the_deadline_and_not_before() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let mut bounded = timeout(Duration::from_millis(10), std::future::pending::<u8>());
        assert_eq!(counter.poll(&mut bounded), Poll::Pending);
        assert_eq!(store.len(), 1);
        store.fire_due(bounded.deadline() - Duration::from_nanos(1));
        assert_eq!(counter.poll(&mut bounded), Poll::Pending);
        store.fire_due(bounded.deadline());
        assert_eq!(counter.wakes(), 1);
        assert_eq!(counter.poll(&mut bounded), Poll::Ready(Err(Elapsed)));
    }

    #[test]
    fn the_inner_future_is_polled_first_even_after_the_deadline() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let ready = Rc::new(Cell::new(false));
        let inner = {
            let ready = Rc::clone(&ready);
            poll_fn(move |_| {
                if ready.get() {
                    Poll::Ready("done")
                } else {
                    Poll::Pending
                }
            })
        };
        let mut bounded = timeout(Duration::from_millis(1), inner);
        assert_eq!(counter.poll(&mut bounded), Poll::Pending);
        store.fire_due(bounded.deadline());
        ready.set(true);
        assert_eq!(counter.poll(&mut bounded), Poll::Ready(Ok("done")));
    }

    #[test]
    fn dropping_a_timeout_cancels_its_timer() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let mut bounded = timeout_at(
            Instant::now() + Duration::from_secs(60),
            std::future::pending::<()>(),
        );
        assert!(Counter::new().poll(&mut bounded).is_pending());
        assert_eq!(store.len(), 1);
        drop(bounded);
        assert!(store.is_empty());
    }

    #[test]
    fn a_non_unpin_future_works_pinned() {
        let store = TimerStore::new();
        let _entered = store.enter();
        let counter = Counter::new();
        let mut bounded = Box::pin(timeout(Duration::from_millis(1), async {
            std::future::pending::<()>().await;
        }));
        let waker = counter.waker();
        let mut cx = Context::from_waker(&waker);
        assert!(bounded.as_mut().poll(&mut cx).is_pending());
        store.fire_due(bounded.deadline());
        assert_eq!(bounded.as_mut().poll(&mut cx), Poll::Ready(Err(Elapsed)));
    }

    #[test]
    fn accessors_and_elapsed_display() {
        /// A never-ready future with some state to reach.
        #[derive(Debug, PartialEq)]
        struct Stateful(Vec<u8>);
        impl Future for Stateful {
            type Output = ();
            fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
                Poll::Pending
            }
        }
        let mut bounded = timeout(Duration::from_secs(1), Stateful(vec![1]));
        bounded.get_mut().0.push(2);
        assert_eq!(bounded.get_ref().0, [1, 2]);
        assert!(format!("{bounded:?}").contains("Stateful"));
        assert_eq!(bounded.into_inner(), Stateful(vec![1, 2]));
        let err: Box<dyn Error> = Box::new(Elapsed);
        assert_eq!(err.to_string(), "deadline has elapsed");
    }
}
