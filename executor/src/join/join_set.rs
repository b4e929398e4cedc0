//! `JoinSet`: a group of spawned tasks whose outputs come back in completion order, like
//! asyncio's `TaskGroup` plus `as_completed`.
//!
//! Each task spawned into a set carries a small guard, `Notify`, inside its future. The
//! guard is dropped with the future, whichever way the task ends (output, panic, abort,
//! runtime shutdown), and then pushes the task's slot onto the set's completion queue and
//! wakes whoever waits in `join_next`. So `join_next` never scans the set: it pops the
//! next finished slot and reads that task's handle, O(1) per task.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::Location;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::runtime::spawn_named;
use crate::task::{JoinError, JoinHandle};

/// A set of tasks spawned on this loop, awaited in the order they finish.
///
/// - [`spawn`](JoinSet::spawn) starts a task in the set (`asyncio.TaskGroup.create_task`);
/// - [`join_next`](JoinSet::join_next) waits for the next one to finish, whichever it is
///   (`asyncio.as_completed`), and returns `None` once the set is empty;
/// - [`abort_all`](JoinSet::abort_all) cancels every task still running;
/// - dropping the set cancels every task still in it, so no task outlives the scope that
///   owns the set (the discipline of asyncio's `TaskGroup`).
///
/// ```
/// use std::time::Duration;
/// use evloop::task::JoinSet;
///
/// evloop::run(async {
///     let mut set = JoinSet::new();
///     for ms in [30u64, 10, 20] {
///         set.spawn(async move {
///             evloop::time::sleep(Duration::from_millis(ms)).await;
///             ms
///         });
///     }
///     let mut order = Vec::new();
///     while let Some(done) = set.join_next().await {
///         order.push(done.unwrap());
///     }
///     assert_eq!(order, [10, 20, 30]); // completion order, not spawn order
/// });
/// ```
pub struct JoinSet<T> {
    /// The handle of each task in the set, by slot; `None` for a free slot.
    handles: Vec<Option<JoinHandle<T>>>,
    /// Free slots in `handles`, reused before the vector grows.
    free: Vec<usize>,
    /// How many tasks are in the set (finished ones included until `join_next` takes them).
    len: usize,
    /// A finished task whose output `join_next` is reading.
    current: Option<usize>,
    /// Where the tasks report that they finished.
    done: Rc<Completions>,
}

/// The completion queue shared by a set and the guards inside its tasks.
#[derive(Default)]
struct Completions {
    /// Slots of tasks that finished, in the order they finished.
    slots: RefCell<VecDeque<usize>>,
    /// The task waiting in `join_next`, woken when a slot arrives.
    waiter: RefCell<Option<Waker>>,
}

/// Lives inside a task of the set; reports the task's slot when the future is dropped.
struct Notify {
    /// The set's completion queue.
    done: Rc<Completions>,
    /// The task's slot in the set.
    slot: usize,
}

impl Drop for Notify {
    fn drop(&mut self) {
        self.done.slots.borrow_mut().push_back(self.slot);
        let waiter = self.done.waiter.borrow_mut().take();
        if let Some(waker) = waiter {
            waker.wake();
        }
    }
}

impl<T: 'static> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set = evloop::JoinSet::<u32>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            handles: Vec::new(),
            free: Vec::new(),
            len: 0,
            current: None,
            done: Rc::default(),
        }
    }

    /// Spawns `future` on this thread's loop as a task of the set and returns its id.
    ///
    /// ```
    /// evloop::run(async {
    ///     let mut set = evloop::JoinSet::new();
    ///     let id = set.spawn(async { std::future::pending::<()>().await });
    ///     set.abort_all();
    ///     let err = set.join_next().await.unwrap().unwrap_err();
    ///     assert_eq!(err.id(), id); // the id tells which task an error belongs to
    /// });
    /// ```
    ///
    /// # Panics
    /// Outside a running loop, like [`spawn`](crate::spawn).
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> u64
    where
        F: Future<Output = T> + 'static,
    {
        let slot = self.free.pop().unwrap_or(self.handles.len());
        let notify = Notify {
            done: self.done.clone(),
            slot,
        };
        let task = async move {
            let _notify = notify;
            future.await
        };
        let handle = spawn_named(task, Location::caller(), None);
        let id = handle.id();
        if slot == self.handles.len() {
            self.handles.push(Some(handle));
        } else {
            self.handles[slot] = Some(handle);
        }
        self.len += 1;
        id
    }

    /// How many tasks the set holds: running ones and finished ones not yet returned by
    /// [`join_next`](JoinSet::join_next).
    ///
    /// ```
    /// evloop::run(async {
    ///     let mut set = evloop::JoinSet::new();
    ///     set.spawn(async { 1 });
    ///     set.spawn(async { 2 });
    ///     assert_eq!(set.len(), 2);
    ///     evloop::yield_now().await; // both finish, but stay until joined
    ///     assert_eq!(set.len(), 2);
    ///     set.join_next().await;
    ///     assert_eq!(set.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when the set holds no task.
    ///
    /// ```
    /// evloop::run(async {
    ///     let mut set = evloop::JoinSet::new();
    ///     assert!(set.is_empty());
    ///     set.spawn(async {});
    ///     assert!(!set.is_empty());
    ///     set.join_next().await.unwrap().unwrap();
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Waits for the next task of the set to finish and returns its result; `None` when
    /// the set is empty. A task that panicked or was aborted yields `Err(JoinError)`.
    ///
    /// Cancel-safe: if the returned future is dropped before it completes, no result is
    /// lost; the next call returns it.
    ///
    /// ```
    /// evloop::run(async {
    ///     let mut set = evloop::JoinSet::new();
    ///     set.spawn(async { "ok" });
    ///     set.spawn(async { panic!("failed") });
    ///     let (mut ok, mut failed) = (0, 0);
    ///     while let Some(result) = set.join_next().await {
    ///         match result {
    ///             Ok(value) => { assert_eq!(value, "ok"); ok += 1 }
    ///             Err(err) => { assert!(err.is_panic()); failed += 1 }
    ///         }
    ///     }
    ///     assert_eq!((ok, failed), (1, 1));
    ///     assert!(set.join_next().await.is_none()); // empty: None at once
    /// });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// The poll behind [`join_next`](JoinSet::join_next), for hand-written futures.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// evloop::run(async {
    ///     let mut set = evloop::JoinSet::new();
    ///     set.spawn(async { 7 });
    ///     let next = poll_fn(|cx| set.poll_join_next(cx)).await;
    ///     assert_eq!(next.unwrap().unwrap(), 7);
    /// });
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        loop {
            if let Some(slot) = self.current {
                let handle = self.handles[slot]
                    .as_mut()
                    .expect("a reported slot holds its task's handle");
                return match std::pin::Pin::new(handle).poll(cx) {
                    Poll::Ready(result) => {
                        self.current = None;
                        self.handles[slot] = None;
                        self.free.push(slot);
                        self.len -= 1;
                        Poll::Ready(Some(result))
                    }
                    Poll::Pending => Poll::Pending,
                };
            }
            let next = self.done.slots.borrow_mut().pop_front();
            match next {
                Some(slot) => self.current = Some(slot),
                None if self.len == 0 => return Poll::Ready(None),
                None => {
                    let mut waiter = self.done.waiter.borrow_mut();
                    match waiter.as_ref() {
                        Some(old) if old.will_wake(cx.waker()) => {}
                        _ => *waiter = Some(cx.waker().clone()),
                    }
                    return Poll::Pending;
                }
            }
        }
    }

    /// The next finished task's result if one is ready now, without waiting.
    ///
    /// ```
    /// evloop::run(async {
    ///     let mut set = evloop::JoinSet::new();
    ///     set.spawn(async { 3 });
    ///     assert!(set.try_join_next().is_none()); // spawned, not yet run
    ///     evloop::yield_now().await; // one loop turn: it runs and finishes
    ///     assert_eq!(set.try_join_next().unwrap().unwrap(), 3);
    /// });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        let waker = futures_task::noop_waker();
        match self.poll_join_next(&mut Context::from_waker(&waker)) {
            Poll::Ready(result) => result,
            Poll::Pending => None,
        }
    }

    /// Cancels every task of the set that is still running, like asyncio's `Task.cancel()`
    /// on each: their futures are dropped at the loop's next turn, and `join_next` then
    /// returns a cancelled [`JoinError`] for each (or the output of one that had already
    /// finished).
    ///
    /// ```
    /// use std::time::Duration;
    /// evloop::run(async {
    ///     let mut set = evloop::JoinSet::new();
    ///     for _ in 0..3 {
    ///         set.spawn(evloop::time::sleep(Duration::from_secs(60)));
    ///     }
    ///     set.abort_all();
    ///     while let Some(result) = set.join_next().await {
    ///         assert!(result.unwrap_err().is_cancelled());
    ///     }
    /// });
    /// ```
    pub fn abort_all(&mut self) {
        for handle in self.handles.iter().flatten() {
            handle.abort();
        }
    }

    /// Aborts every task and waits until all of them have finished, discarding results.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc, time::Duration};
    /// struct OnDrop(Rc<Cell<u32>>);
    /// impl Drop for OnDrop {
    ///     fn drop(&mut self) { self.0.set(self.0.get() + 1) }
    /// }
    /// evloop::run(async {
    ///     let dropped = Rc::new(Cell::new(0));
    ///     let mut set = evloop::JoinSet::new();
    ///     for _ in 0..2 {
    ///         let guard = OnDrop(dropped.clone());
    ///         set.spawn(async move {
    ///             let _guard = guard;
    ///             evloop::time::sleep(Duration::from_secs(60)).await;
    ///         });
    ///     }
    ///     set.shutdown().await;
    ///     assert!(set.is_empty());
    ///     assert_eq!(dropped.get(), 2); // both futures are gone when shutdown returns
    /// });
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Lets every task of the set run on by itself and empties the set: its tasks are no
    /// longer aborted when the set is dropped.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// evloop::run(async {
    ///     let ran = Rc::new(Cell::new(false));
    ///     let mut set = evloop::JoinSet::new();
    ///     let flag = ran.clone();
    ///     set.spawn(async move { flag.set(true) });
    ///     set.detach_all();
    ///     assert!(set.is_empty());
    ///     drop(set); // would abort the task, had it not been detached
    ///     evloop::yield_now().await;
    ///     assert!(ran.get());
    /// });
    /// ```
    pub fn detach_all(&mut self) {
        self.handles.clear();
        self.free.clear();
        self.len = 0;
        self.current = None;
        self.done = Rc::default();
    }
}

impl<T: 'static> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        for handle in self.handles.iter().flatten() {
            handle.abort();
        }
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}
