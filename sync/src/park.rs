//! Running one of this crate's futures to completion on a thread that has no loop, for the
//! `blocking_*` calls.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

/// Wakes a parked thread.
struct Unparker(Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

thread_local! {
    /// This thread's waker, made once so a blocking call allocates nothing.
    static WAKER: Waker = Waker::from(Arc::new(Unparker(thread::current())));
}

/// Polls `future` on the calling thread, parking between polls until it is woken.
///
/// # Panics
/// On a thread that runs an evloop loop: parking it would stop every task of the loop,
/// most likely the very one that would have woken it, so the call could never return.
#[track_caller]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    if evloop_reactor::Reactor::current().is_some() {
        panic!(
            "evloop::sync::shared: a blocking_* call on a thread that runs an evloop loop \
             would stop the loop (and the task that would wake it) for good. Inside async \
             code, `.await` the async version instead; call blocking_* only from threads \
             without a loop, such as std::thread or spawn_blocking."
        );
    }
    let mut future = pin!(future);
    WAKER.with(|waker| {
        let mut cx = Context::from_waker(waker);
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
            thread::park(); // a spurious return only costs one more poll
        }
    })
}
