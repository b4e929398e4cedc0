//! `spawn`: start a task on the loop of this thread, like `asyncio.create_task`.

use std::future::Future;
use std::panic::Location;

use crate::scheduler::context;
use crate::task::JoinHandle;

/// Spawns a task on the loop of this thread, like `asyncio.create_task`.
///
/// The task starts at the loop's next turn and runs concurrently with the caller,
/// interleaving at `.await` points. The future need not be `Send`: it never leaves this
/// thread. Await the returned [`JoinHandle`] for its output, or drop the handle to let it
/// run detached.
///
/// ```
/// use std::rc::Rc;
/// evloop::run(async {
///     let shared = Rc::new(5); // not Send, and that is fine
///     let s = shared.clone();
///     let handle = evloop::spawn(async move { *s * 2 });
///     assert_eq!(handle.await.unwrap(), 10);
/// });
/// ```
///
/// # Panics
/// Outside a running loop; wrap the program in [`run`](crate::run) or [`Runtime::block_on`](crate::Runtime::block_on).
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_named(future, Location::caller(), None)
}

/// `spawn` with an explicit location and name (for `task::Builder`).
#[track_caller]
pub(crate) fn spawn_named<F>(
    future: F,
    location: &'static Location<'static>,
    name: Option<Box<str>>,
) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match context::with_current(|event_loop| event_loop.spawn(future, location, name)) {
        Some(task) => JoinHandle::new(task),
        None => panic!(
            "evloop::spawn called outside of an evloop runtime: there is no loop running on \
             this thread. Start one with `evloop::run(async {{ ... }})` (or \
             `Runtime::block_on`) and spawn from inside it. From another thread, hand work to \
             a loop through a channel (`evloop::sync::shared::mpsc`) and spawn on the loop's \
             thread."
        ),
    }
}
