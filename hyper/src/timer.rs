//! [`EvloopTimer`]: hyper's `rt::Timer` on the loop's timer wheel.

use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::sleep::LoopSleep;

/// Gives hyper its timeouts (header read timeout, keep-alive and HTTP/2 ping timers)
/// from evloop's timer wheel: `sleep` and `sleep_until` are `evloop::time::sleep` and
/// `sleep_until`, and `reset` moves an armed timer in place.
///
/// hyper requires its sleeps to be `Send + Sync`; evloop's are bound to their loop, so
/// each one here is checked to be polled and reset on the thread of the loop that
/// first polled it, and panics elsewhere. hyper polls them inside the connection task,
/// which never leaves the loop's thread.
///
/// ```
/// use std::time::{Duration, Instant};
/// use hyper::rt::Timer;
/// use evloop_hyper::EvloopTimer;
///
/// evloop::run(async {
///     let start = Instant::now();
///     EvloopTimer.sleep(Duration::from_millis(20)).await;
///     assert!(start.elapsed() >= Duration::from_millis(20));
/// });
/// ```
///
/// To give hyper's HTTP/1 server a header read timeout:
///
/// ```no_run
/// use std::time::Duration;
/// let mut http = hyper::server::conn::http1::Builder::new();
/// http.timer(evloop_hyper::EvloopTimer).header_read_timeout(Duration::from_secs(5));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct EvloopTimer;

impl hyper::rt::Timer for EvloopTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(LoopSleep::new(evloop_time::sleep(duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let deadline = evloop_time::Instant::from_std(deadline);
        Box::pin(LoopSleep::new(evloop_time::sleep_until(deadline)))
    }

    /// The loop's clock (`evloop::time::Instant::now`), so hyper's deadlines follow it
    /// when a test pauses time.
    fn now(&self) -> Instant {
        evloop_time::Instant::now().into_std()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<LoopSleep>() {
            Some(ours) => ours
                .get_mut()
                .reset(evloop_time::Instant::from_std(new_deadline)),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}
