//! `yield_now`: give the other ready tasks a turn.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Lets every other ready task run before this one continues, like
/// `await asyncio.sleep(0)`. The task goes to the back of the run queue.
///
/// ```
/// evloop::run(async {
///     for _ in 0..3 {
///         evloop::yield_now().await;
///     }
/// });
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await
}

/// Pending once (after waking itself), then ready.
struct YieldNow {
    /// Has it already returned `Pending` once?
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
