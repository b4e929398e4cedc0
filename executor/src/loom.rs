//! The synchronization primitives of the cross-thread paths (the task state word, the
//! injection queue with its wake-up protocol, and a remote task's result slot), swappable
//! for loom's models.
//!
//! Normally these are std's atomics and crossbeam's lock-free queue. Built with
//! `RUSTFLAGS="--cfg loom"`, they are loom's, so the `loom` tests can run every
//! interleaving of those paths (see `runtime/loom_tests.rs` and `task/state.rs`):
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p evloop-executor --release --lib loom
//! ```

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{fence, AtomicBool, AtomicU32, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{fence, AtomicBool, AtomicU32, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use crossbeam_queue::SegQueue as Queue;

/// Under loom: a FIFO queue behind loom's mutex, with `SegQueue`'s methods.
#[cfg(loom)]
pub(crate) struct Queue<T>(loom::sync::Mutex<std::collections::VecDeque<T>>);

#[cfg(loom)]
impl<T> Queue<T> {
    /// An empty queue.
    pub(crate) fn new() -> Queue<T> {
        Queue(loom::sync::Mutex::new(std::collections::VecDeque::new()))
    }

    /// Appends `value`.
    pub(crate) fn push(&self, value: T) {
        self.0.lock().unwrap().push_back(value);
    }

    /// Takes the oldest value.
    pub(crate) fn pop(&self) -> Option<T> {
        self.0.lock().unwrap().pop_front()
    }

    /// Is it empty?
    pub(crate) fn is_empty(&self) -> bool {
        self.0.lock().unwrap().is_empty()
    }
}

/// `loom::model`, printing how many interleavings it explored.
#[cfg(all(test, loom))]
pub(crate) fn model(name: &str, f: impl Fn() + Sync + Send + 'static) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    loom::model(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        f();
    });
    eprintln!(
        "loom: {name}: {} interleavings",
        runs.load(Ordering::Relaxed)
    );
}
