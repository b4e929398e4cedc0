//! [`Pool`]: a client's keep-alive connections, per target.
//!
//! Every connection a request went out on is kept here (up to the idle limit), busy or
//! not. A connection is reused once hyper says it is ready for another request, which
//! it does only after the previous response was read to its end: a connection whose
//! response body was dropped unread is closed by hyper and never ready again. So
//! `checkout` just looks for a ready one among the target's connections, dropping the
//! closed ones on the way; no per-request task waits for a connection to come back.
//!
//! A sweeper task, alive while the pool holds connections, closes the ones idle longer
//! than the idle timeout.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use hyper::client::conn::http1::SendRequest;

use super::body::RequestBody;
use super::target::Target;

/// hyper's handle to one HTTP/1.1 connection.
pub(crate) type Sender = SendRequest<RequestBody>;

/// The keep-alive connections of one client (shared by its clones).
pub(crate) struct Pool {
    /// The connections and the limits; the sweeper holds a weak reference.
    state: Rc<RefCell<State>>,
}

/// What the pool holds.
struct State {
    /// The connections of each target, busy and idle, oldest first.
    hosts: HashMap<Target, Vec<Entry>>,
    /// How many idle connections each target keeps; `0` turns keep-alive off.
    max_idle_per_host: usize,
    /// How long a connection may stay idle; `None`: until the server closes it.
    idle_timeout: Option<Duration>,
    /// Whether the sweeper task runs.
    sweeping: bool,
}

/// One kept connection.
struct Entry {
    /// hyper's handle to it.
    sender: Sender,
    /// When it was first seen ready for another request; `None` while busy.
    idle_since: Option<Instant>,
}

impl Pool {
    /// An empty pool with these limits.
    pub(crate) fn new(max_idle_per_host: usize, idle_timeout: Option<Duration>) -> Pool {
        Pool {
            state: Rc::new(RefCell::new(State {
                hosts: HashMap::new(),
                max_idle_per_host,
                idle_timeout,
                sweeping: false,
            })),
        }
    }

    /// An idle connection to `target`, ready for a request, if the pool has one.
    pub(crate) fn checkout(&self, target: &Target) -> Option<Sender> {
        let mut state = self.state.borrow_mut();
        let (idle_timeout, max_idle) = (state.idle_timeout, state.max_idle_per_host);
        let entries = state.hosts.get_mut(target)?;
        let now = Instant::now();
        entries.retain_mut(|entry| entry.is_alive(now, idle_timeout));
        // The most recently used ready connection: the one least likely to have been
        // closed by the server meanwhile.
        let found = entries
            .iter()
            .rposition(|entry| entry.idle_since.is_some())
            .map(|i| entries.remove(i).sender);
        trim_idle(entries, max_idle);
        if entries.is_empty() {
            state.hosts.remove(target);
        }
        found
    }

    /// Keeps `sender`, just handed a request, to reuse it once its response is over.
    pub(crate) fn keep(&self, target: &Target, sender: Sender) {
        let mut state = self.state.borrow_mut();
        if state.max_idle_per_host == 0 {
            return; // keep-alive is off: hyper closes the connection after the response
        }
        let entry = Entry {
            sender,
            idle_since: None,
        };
        match state.hosts.get_mut(target) {
            Some(entries) => entries.push(entry),
            None => {
                state.hosts.insert(target.clone(), vec![entry]);
            }
        }
        if let (Some(idle_timeout), false) = (state.idle_timeout, state.sweeping) {
            state.sweeping = true;
            evloop_executor::task::Builder::new()
                .name("evloop-hyper pool sweeper")
                .spawn(sweep(Rc::downgrade(&self.state), idle_timeout));
        }
    }
}

impl Entry {
    /// Whether the connection is still worth keeping at `now`: open, and not idle for
    /// `idle_timeout` or longer. Notes when it turned idle.
    fn is_alive(&mut self, now: Instant, idle_timeout: Option<Duration>) -> bool {
        if self.sender.is_closed() {
            return false;
        }
        if !self.sender.is_ready() {
            self.idle_since = None;
            return true;
        }
        let since = *self.idle_since.get_or_insert(now);
        idle_timeout.is_none_or(|limit| now.duration_since(since) < limit)
    }
}

/// Closes the longest-idle connections of `entries` beyond `max_idle`.
fn trim_idle(entries: &mut Vec<Entry>, max_idle: usize) {
    let mut idle = entries.iter().filter(|e| e.idle_since.is_some()).count();
    while idle > max_idle {
        let oldest = entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.idle_since.map(|since| (since, i)))
            .min()
            .map(|(_, i)| i);
        match oldest {
            Some(i) => drop(entries.remove(i)),
            None => break,
        }
        idle -= 1;
    }
}

/// The sweeper: every quarter of `idle_timeout`, closes the connections idle longer
/// than it (so a connection lives between 1 and 1.25 idle timeouts once idle). Ends when
/// the pool is empty or its client is gone.
async fn sweep(state: Weak<RefCell<State>>, idle_timeout: Duration) {
    let period = (idle_timeout / 4).max(Duration::from_millis(1));
    loop {
        evloop_time::sleep(period).await;
        let Some(state) = state.upgrade() else {
            return;
        };
        let mut state = state.borrow_mut();
        let (max_idle, now) = (state.max_idle_per_host, Instant::now());
        state.hosts.retain(|_, entries| {
            entries.retain_mut(|entry| entry.is_alive(now, Some(idle_timeout)));
            trim_idle(entries, max_idle);
            !entries.is_empty()
        });
        if state.hosts.is_empty() {
            state.sweeping = false;
            return;
        }
    }
}
