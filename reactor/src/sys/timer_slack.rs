//! The OS boundary for the thread's timer slack (`prctl(PR_SET_TIMERSLACK)`).

#![allow(unsafe_code)]

/// Reads this thread's timer slack in nanoseconds.
fn get() -> Option<libc::c_ulong> {
    // SAFETY: PR_GET_TIMERSLACK takes no pointers and only reads the calling thread's slack.
    let r = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
    (r >= 0).then_some(r as libc::c_ulong)
}

/// Sets this thread's timer slack in nanoseconds (0 means "the default" to the kernel,
/// so the lowest useful value is 1).
fn set(ns: libc::c_ulong) {
    // SAFETY: PR_SET_TIMERSLACK takes a plain integer and only affects the calling thread.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, ns, 0, 0, 0) };
}

/// Lowers the calling thread's timer slack to 1 ns and restores the previous value on
/// drop.
///
/// Linux lets a sleeping thread wake up to its timer slack late (50 µs by default) so the
/// kernel can batch wakeups. A loop whose sleeps should be punctual lowers it while it runs.
///
/// ```
/// use evloop_reactor::TimerSlackGuard;
///
/// fn slack() -> libc::c_int {
///     // SAFETY: PR_GET_TIMERSLACK takes no pointers and only reads this thread's slack.
///     unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) }
/// }
/// let before = slack();
/// {
///     let _punctual = TimerSlackGuard::lowest();
///     assert_eq!(slack(), 1);
/// }
/// assert_eq!(slack(), before); // restored on drop
/// ```
#[derive(Debug)]
pub struct TimerSlackGuard {
    /// The slack to restore, if it could be read.
    previous: Option<libc::c_ulong>,
}

impl TimerSlackGuard {
    /// Sets the slack to 1 ns until the guard drops; what `evloop::Runtime::block_on` does
    /// unless its builder was given `timer_slack(false)`.
    ///
    /// ```
    /// let guard = evloop_reactor::TimerSlackGuard::lowest();
    /// std::thread::sleep(std::time::Duration::from_micros(100)); // wakes up more punctually
    /// drop(guard);
    /// ```
    pub fn lowest() -> TimerSlackGuard {
        let previous = get();
        if previous.is_some() {
            set(1);
        }
        TimerSlackGuard { previous }
    }
}

impl Drop for TimerSlackGuard {
    fn drop(&mut self) {
        if let Some(ns) = self.previous {
            set(ns);
        }
    }
}
