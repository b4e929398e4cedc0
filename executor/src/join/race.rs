//! `race`: the first of two futures to finish wins.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// Runs two futures concurrently and returns the output of whichever finishes first; the
/// other is dropped. Like `asyncio.wait(..., return_when=FIRST_COMPLETED)` followed by
/// cancelling the loser. If both are ready on the same poll, `a` wins.
///
/// ```
/// use std::time::Duration;
/// use evloop::time::sleep;
/// evloop::run(async {
///     let winner = evloop::race(
///         async { sleep(Duration::from_millis(50)).await; "slow" },
///         async { sleep(Duration::from_millis(5)).await; "fast" },
///     )
///     .await;
///     assert_eq!(winner, "fast");
/// });
/// ```
pub fn race<A, B, T>(a: A, b: B) -> Race<A::IntoFuture, B::IntoFuture>
where
    A: IntoFuture<Output = T>,
    B: IntoFuture<Output = T>,
{
    Race {
        a: a.into_future(),
        b: b.into_future(),
    }
}

pin_project! {
    /// The future of [`race`]: `a` (polled first) against `b`.
    ///
    /// ```
    /// use std::future::{pending, ready};
    /// // Both ready at once: `a`, polled first, wins.
    /// let tie: evloop::Race<_, _> = evloop::race(ready("a"), ready("b"));
    /// assert_eq!(evloop::run(tie), "a");
    /// // A future that never finishes loses to any that does.
    /// assert_eq!(evloop::run(evloop::race(pending(), ready(1))), 1);
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct Race<A, B> {
        #[pin]
        a: A,
        #[pin]
        b: B,
    }
}

impl<A, B, T> Future for Race<A, B>
where
    A: Future<Output = T>,
    B: Future<Output = T>,
{
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.project();
        if let Poll::Ready(out) = this.a.poll(cx) {
            return Poll::Ready(out);
        }
        this.b.poll(cx)
    }
}
