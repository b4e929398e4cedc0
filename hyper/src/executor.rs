//! [`EvloopExecutor`]: hyper's `rt::Executor` as `evloop::spawn`.

use std::future::Future;

/// Runs the futures hyper hands off (HTTP/2 streams and connection tasks, for example)
/// as tasks on the current evloop loop, like `asyncio.create_task`. The futures need
/// not be `Send`: they stay on the loop's thread.
///
/// It must be used on a loop's thread: [`execute`](hyper::rt::Executor::execute) panics
/// outside a loop, as `evloop::spawn` does.
///
/// ```
/// use hyper::rt::Executor;
/// use evloop_hyper::EvloopExecutor;
///
/// evloop::run(async {
///     let (tx, rx) = std::sync::mpsc::channel();
///     EvloopExecutor.execute(async move { tx.send("ran on the loop").unwrap() });
///     evloop::yield_now().await;
///     assert_eq!(rx.try_recv(), Ok("ran on the loop"));
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct EvloopExecutor;

impl<F> hyper::rt::Executor<F> for EvloopExecutor
where
    F: Future + 'static,
{
    #[track_caller]
    fn execute(&self, future: F) {
        // Detached: the task runs to its end, as hyper expects of its executor.
        drop(evloop_executor::spawn(future));
    }
}
