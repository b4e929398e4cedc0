//! Settings of a runtime, as the `Builder` collects them.

use std::time::Duration;

use evloop_reactor::Backend;

use super::debug::DebugConfig;
use crate::blocking::pool::PoolConfig;

/// Loop settings.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// How many ready tasks one turn polls before it checks I/O and timers again: the
    /// fairness budget that keeps a self-waking task from starving sockets and sleepers.
    pub(crate) event_interval: u32,
    /// Lower the loop thread's timer slack to 1 ns while it runs (see `Builder::timer_slack`).
    pub(crate) low_timer_slack: bool,
    /// The most a timed wait ends before a timer's deadline to spin the rest (see
    /// `Builder::timer_spin`); zero turns spinning off.
    pub(crate) timer_spin: Duration,
    /// The blocking pool's bound and keep-alive.
    pub(crate) pool: PoolConfig,
    /// Slow-poll detection.
    pub(crate) debug: DebugConfig,
    /// The CPU to pin the thread that builds the runtime to (see `Builder::pin_to_cpu`).
    pub(crate) pin_to_cpu: Option<usize>,
    /// The reactor's backend (see `Builder::backend`); `None` until `Builder::build`
    /// resolves it from `EVLOOP_BACKEND`, else the default (epoll).
    pub(crate) backend: Option<Backend>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            event_interval: 61,
            low_timer_slack: true,
            timer_spin: Duration::from_micros(100),
            pool: PoolConfig::default(),
            debug: DebugConfig::default(),
            pin_to_cpu: None,
            backend: None,
        }
    }
}
