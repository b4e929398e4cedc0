//! Debug mode, like asyncio's `debug=True`: report any single poll that holds the loop
//! longer than a threshold, naming the task, where it was spawned and what it waited for
//! before that poll; keep what each task waits for, for task dumps (`task_records.rs`,
//! `task/dump/`); serve those dumps to `evloop-ps` (`dump_server/`).
//!
//! Off by default, and then it costs one predictable branch per poll. On with
//! `EVLOOP_DEBUG=1` in the environment or `Builder::debug(true)`.

use std::fmt;
use std::panic::Location;
use std::rc::Rc;
use std::time::Duration;

use evloop_reactor::wait_site::WaitSite;

/// One poll that blocked the loop for at least the slow-poll threshold, as debug mode
/// reports it (asyncio logs "Executing <Task ...> took 0.123 seconds").
///
/// Its `Display` is the line debug mode prints on stderr when no
/// [`on_slow_poll`](crate::Builder::on_slow_poll) hook is set.
///
/// ```
/// use std::{cell::RefCell, rc::Rc, time::Duration};
/// use evloop::task::SlowPoll;
/// let reports: Rc<RefCell<Vec<SlowPoll>>> = Rc::default();
/// let sink = reports.clone();
/// let rt = evloop::Runtime::builder()
///     .debug(true)
///     .slow_poll_threshold(Duration::from_millis(5))
///     .on_slow_poll(move |slow| sink.borrow_mut().push(slow.clone()))
///     .build()?;
/// let id = rt.block_on(async {
///     let hog = evloop::task::Builder::new()
///         .name("hog")
///         .spawn(async { std::thread::sleep(Duration::from_millis(10)) });
///     let id = hog.id();
///     hog.await.unwrap();
///     id
/// });
/// let slow = &reports.borrow()[0];
/// assert_eq!((slow.id, slow.name.as_deref()), (id, Some("hog")));
/// assert!(slow.location.file().ends_with(".rs"));
/// assert!(slow.duration >= Duration::from_millis(10));
/// assert!(slow.to_string().starts_with("task 'hog' ("));
/// assert!(slow.waited_on.is_empty()); // blocked in its first poll: it had waited for nothing
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SlowPoll {
    /// The task's id, or 0 for the future passed to `block_on` itself.
    pub id: u64,
    /// The task's name, if it has one.
    pub name: Option<String>,
    /// Where the task was spawned (or where `block_on`/`run` was called).
    pub location: &'static Location<'static>,
    /// How long the poll took. Measured with the kernel's tick clock when the threshold
    /// spans twenty ticks or more (the default 100 ms does, against the usual 4 ms
    /// ticks): then it is rounded up to whole ticks, never less than the poll took and at
    /// most two ticks more.
    pub duration: Duration,
    /// What the task waited for when its previous poll returned `Pending`, as its wait
    /// sites said (empty for a first poll, or a wait on futures evloop does not own): the
    /// wait that ended just before the poll that blocked.
    pub waited_on: Vec<WaitSite>,
}

impl fmt::Display for SlowPoll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, self.id) {
            (Some(name), _) => write!(f, "task '{name}'")?,
            (None, 0) => write!(f, "the main future")?,
            (None, id) => write!(f, "task {id}")?,
        }
        write!(
            f,
            " ({}) blocked the loop for {} ms in one poll",
            self.location,
            self.duration.as_millis()
        )?;
        for (i, site) in self.waited_on.iter().enumerate() {
            let lead = if i == 0 { ", after waiting on " } else { "; " };
            write!(f, "{lead}{}", site.summary())?;
        }
        Ok(())
    }
}

/// Where slow polls are reported.
#[derive(Clone, Default)]
pub(crate) enum SlowPollSink {
    /// `eprintln!` with an `evloop debug:` prefix.
    #[default]
    Stderr,
    /// A hook the user installed.
    Hook(Rc<dyn Fn(&SlowPoll)>),
}

impl SlowPollSink {
    /// Reports `slow`.
    pub(crate) fn report(&self, slow: &SlowPoll) {
        match self {
            SlowPollSink::Stderr => eprintln!("evloop debug: {slow}"),
            SlowPollSink::Hook(hook) => hook(slow),
        }
    }
}

impl fmt::Debug for SlowPollSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlowPollSink::Stderr => f.write_str("Stderr"),
            SlowPollSink::Hook(_) => f.write_str("Hook(..)"),
        }
    }
}

/// Debug-mode settings.
#[derive(Clone, Debug)]
pub(crate) struct DebugConfig {
    /// Is debug mode on?
    pub(crate) enabled: bool,
    /// Polls at least this long are reported.
    pub(crate) slow_poll_threshold: Duration,
    /// Where reports go.
    pub(crate) sink: SlowPollSink,
}

impl Default for DebugConfig {
    fn default() -> DebugConfig {
        DebugConfig {
            enabled: env_debug(),
            slow_poll_threshold: Duration::from_millis(100),
            sink: SlowPollSink::default(),
        }
    }
}

/// `EVLOOP_DEBUG` set to anything but empty, `0`, `false` or `off`.
fn env_debug() -> bool {
    match std::env::var("EVLOOP_DEBUG") {
        Ok(v) => !matches!(v.trim(), "" | "0" | "false" | "off" | "no"),
        Err(_) => false,
    }
}
