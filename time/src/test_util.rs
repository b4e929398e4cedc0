//! Helpers for driving timer futures in unit tests without an executor.

use crate::{Instant, TimerStore};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// A waker that counts its wakes and may run a hook on each.
pub(crate) struct Counter {
    /// How many times a waker made from this counter was woken.
    wakes: AtomicUsize,
    /// Run on every wake, after counting it.
    hook: Option<Box<dyn Fn() + Send + Sync>>,
}

impl Counter {
    /// A counter with no hook.
    pub(crate) fn new() -> Arc<Counter> {
        Arc::new(Counter {
            wakes: AtomicUsize::new(0),
            hook: None,
        })
    }

    /// A counter that runs `hook` on every wake.
    pub(crate) fn with_hook(hook: impl Fn() + Send + Sync + 'static) -> Arc<Counter> {
        Arc::new(Counter {
            wakes: AtomicUsize::new(0),
            hook: Some(Box::new(hook)),
        })
    }

    /// A waker that counts into this counter.
    pub(crate) fn waker(self: &Arc<Self>) -> Waker {
        Waker::from(Arc::clone(self))
    }

    /// How many wakes so far.
    pub(crate) fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }

    /// Polls `future` once with a waker of this counter.
    pub(crate) fn poll<F: Future + Unpin>(self: &Arc<Self>, future: &mut F) -> Poll<F::Output> {
        let waker = self.waker();
        Pin::new(future).poll(&mut Context::from_waker(&waker))
    }
}

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        if let Some(hook) = &self.hook {
            hook();
        }
    }
}

/// Follows `store.next_deadline()` (cascading the wheel as the loop would by firing at
/// each answer) until it names `deadline` exactly, checking it is never later.
pub(crate) fn settle(store: &TimerStore, deadline: Instant) {
    loop {
        let next = store.next_deadline().expect("a timer is armed");
        assert!(next <= deadline, "next_deadline is later than a deadline");
        if next == deadline {
            return;
        }
        assert_eq!(store.fire_due(next), 0, "fired before {deadline:?}");
    }
}
