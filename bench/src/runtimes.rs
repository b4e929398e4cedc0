//! One adapter per runtime: how to enter it, spawn on it and sleep on it.
//!
//! Workloads are written once, generic over [`Rt`]. A fresh runtime is built for every
//! measurement (smol's thread-local executor is the exception: it is reused), and the
//! clock runs inside `block_on`, so building and dropping a runtime is not measured.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// A single-threaded runtime under test.
pub trait Rt {
    /// The column name in the tables.
    const NAME: &'static str;
    /// A spawned task's handle: awaiting it yields the task's output.
    type Handle<T: 'static>: Future<Output = T>;
    /// The runtime's own sleep future.
    type Sleep: Future;

    /// Runs `fut` to completion on a fresh runtime on this thread.
    fn block_on<F: Future + 'static>(fut: F) -> F::Output;
    /// Spawns a task on the current runtime (no `Send` bound).
    fn spawn<F>(fut: F) -> Self::Handle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static;
    /// Spawns a task whose handle is dropped (detached, never cancelled).
    fn spawn_detached<F: Future<Output = ()> + 'static>(fut: F);
    /// The runtime's `sleep(d)`.
    fn sleep(d: Duration) -> Self::Sleep;
}

/// evloop.
pub struct Evloop;

/// Unwraps a `Result` output of a join handle (a panic in a benchmark task is a bug).
pub struct Unwrap<H>(H);

impl<H, T, E> Future for Unwrap<H>
where
    H: Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: structural pinning of the only field.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        inner.poll(cx).map(|r| r.expect("benchmark task failed"))
    }
}

impl Rt for Evloop {
    const NAME: &'static str = "evloop";
    type Handle<T: 'static> = Unwrap<evloop::JoinHandle<T>>;
    type Sleep = evloop::time::Sleep;

    fn block_on<F: Future + 'static>(fut: F) -> F::Output {
        evloop::Runtime::new()
            .expect("evloop runtime")
            .block_on(fut)
    }
    fn spawn<F>(fut: F) -> Self::Handle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Unwrap(evloop::spawn(fut))
    }
    fn spawn_detached<F: Future<Output = ()> + 'static>(fut: F) {
        drop(evloop::spawn(fut));
    }
    fn sleep(d: Duration) -> Self::Sleep {
        evloop::time::sleep(d)
    }
}

/// evloop in debug mode (`Builder::debug(true)`): every poll timed and recorded, every
/// wait site noted, the dump server listening. Not one of the compared runtimes: the
/// `debug_cost` workload sets it against [`Evloop`].
pub struct EvloopDebug;

impl Rt for EvloopDebug {
    const NAME: &'static str = "evloop-debug";
    type Handle<T: 'static> = Unwrap<evloop::JoinHandle<T>>;
    type Sleep = evloop::time::Sleep;

    fn block_on<F: Future + 'static>(fut: F) -> F::Output {
        evloop::Runtime::builder()
            .debug(true)
            .build()
            .expect("evloop runtime")
            .block_on(fut)
    }
    fn spawn<F>(fut: F) -> Self::Handle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Evloop::spawn(fut)
    }
    fn spawn_detached<F: Future<Output = ()> + 'static>(fut: F) {
        Evloop::spawn_detached(fut);
    }
    fn sleep(d: Duration) -> Self::Sleep {
        Evloop::sleep(d)
    }
}

/// Lets a `!Send` future through `tokio::spawn`'s `Send` bound.
///
/// Sound here because a current_thread runtime polls, completes and drops every task on
/// the one thread that runs `block_on` and drops the runtime: nothing crosses a thread.
pub struct AssertSend<T>(T);

// SAFETY: see the type's documentation; only used with tokio's current_thread runtime,
// built, driven and dropped on one thread.
unsafe impl<T> Send for AssertSend<T> {}

impl<F: Future> Future for AssertSend<F> {
    type Output = AssertSend<F::Output>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: structural pinning of the only field.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        inner.poll(cx).map(AssertSend)
    }
}

/// A tokio join handle of an [`AssertSend`] output, unwrapped.
pub struct TokioHandle<T>(tokio::task::JoinHandle<AssertSend<T>>);

impl<T> Future for TokioHandle<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.expect("benchmark task failed").0)
    }
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// tokio's current_thread runtime with `tokio::spawn`.
pub struct Tokio;

impl Rt for Tokio {
    const NAME: &'static str = "tokio";
    type Handle<T: 'static> = TokioHandle<T>;
    type Sleep = tokio::time::Sleep;

    fn block_on<F: Future + 'static>(fut: F) -> F::Output {
        tokio_rt().block_on(fut)
    }
    fn spawn<F>(fut: F) -> Self::Handle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        TokioHandle(tokio::spawn(AssertSend(fut)))
    }
    fn spawn_detached<F: Future<Output = ()> + 'static>(fut: F) {
        drop(tokio::spawn(AssertSend(fut)));
    }
    fn sleep(d: Duration) -> Self::Sleep {
        tokio::time::sleep(d)
    }
}

/// tokio's current_thread runtime with a `LocalSet` and `spawn_local`.
pub struct TokioLocal;

impl Rt for TokioLocal {
    const NAME: &'static str = "tokio-local";
    type Handle<T: 'static> = Unwrap<tokio::task::JoinHandle<T>>;
    type Sleep = tokio::time::Sleep;

    fn block_on<F: Future + 'static>(fut: F) -> F::Output {
        let rt = tokio_rt();
        tokio::task::LocalSet::new().block_on(&rt, fut)
    }
    fn spawn<F>(fut: F) -> Self::Handle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Unwrap(tokio::task::spawn_local(fut))
    }
    fn spawn_detached<F: Future<Output = ()> + 'static>(fut: F) {
        drop(tokio::task::spawn_local(fut));
    }
    fn sleep(d: Duration) -> Self::Sleep {
        tokio::time::sleep(d)
    }
}

thread_local! {
    /// The executor of the `Smol::block_on` running on this thread, or null.
    static SMOL_EX: Cell<*const smol::LocalExecutor<'static>> = const { Cell::new(std::ptr::null()) };
}

/// Calls `f` with the executor of the running `Smol::block_on`.
fn with_smol<R>(f: impl FnOnce(&smol::LocalExecutor<'static>) -> R) -> R {
    let ex = SMOL_EX.with(Cell::get);
    assert!(!ex.is_null(), "Smol::spawn outside Smol::block_on");
    // SAFETY: the pointer is set only while `Smol::block_on` holds the executor alive
    // on this thread's stack, and reset before it is dropped.
    f(unsafe { &*ex })
}

/// smol: a fresh `LocalExecutor` per run, driven by `smol::block_on` (async-io), so no
/// task of one run is left over (or cancelled) in the next one.
pub struct Smol;

impl Rt for Smol {
    const NAME: &'static str = "smol";
    type Handle<T: 'static> = smol::Task<T>;
    type Sleep = smol::Timer;

    fn block_on<F: Future + 'static>(fut: F) -> F::Output {
        struct Reset(*const smol::LocalExecutor<'static>);
        impl Drop for Reset {
            fn drop(&mut self) {
                SMOL_EX.with(|c| c.set(self.0));
            }
        }
        let ex = smol::LocalExecutor::new();
        let _reset = Reset(SMOL_EX.with(|c| c.replace(&ex)));
        smol::block_on(ex.run(fut))
    }
    fn spawn<F>(fut: F) -> Self::Handle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        with_smol(|ex| ex.spawn(fut))
    }
    fn spawn_detached<F: Future<Output = ()> + 'static>(fut: F) {
        with_smol(|ex| ex.spawn(fut).detach());
    }
    fn sleep(d: Duration) -> Self::Sleep {
        smol::Timer::after(d)
    }
}

/// The runtimes in table order.
pub const NAMES: [&str; 4] = [Evloop::NAME, Tokio::NAME, TokioLocal::NAME, Smol::NAME];
