//! The main future: the one given to `block_on`, which is not a task. It is polled by
//! `block_on` itself whenever its waker has set the loop's "main woken" flag.

use std::sync::Arc;
use std::task::Wake;

use super::context;
use super::remote::Remote;

/// The waker of the future given to `block_on`.
pub(crate) struct MainWaker {
    /// The loop that polls the main future.
    pub(crate) remote: Arc<Remote>,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let here =
            context::with_current(|event_loop| Arc::ptr_eq(&event_loop.remote, &self.remote));
        if here.unwrap_or(false) {
            self.remote.set_main_woken();
        } else {
            self.remote.wake_main_remote();
        }
    }
}
