//! A dump as JSON, for tools (`evloop-ps --json`). Written by hand: a few fields, no
//! dependency.
//!
//! ```text
//! {"pid":4242,"loop":0,"debug":true,"tasks":[
//!   {"id":1,"name":"acceptor","spawned_at":"src/main.rs:11:5","spawned_by":0,
//!    "state":"idle","polls":3,"poll_time_us":120,"since_last_poll_us":1204311,
//!    "waits":[{"kind":"accept","at":null,"fd":7,"addr":"127.0.0.1:7000"}]}]}
//! ```
//!
//! A wait's detail is flattened into it: `time_left_us` (a deadline), `fd` and `addr` (a
//! socket), `task` and `loop` (a join), `permits`, `signal`, `pid`. Durations are whole
//! microseconds; absent figures (outside debug mode) are `null`.

use std::fmt::Write as _;
use std::panic::Location;
use std::time::Duration;

use evloop_reactor::wait_site::{WaitDetail, WaitSite};

use super::{DumpedTask, TaskDump};

impl TaskDump {
    /// This dump as one line of JSON (see the format in `json.rs`'s docs).
    ///
    /// ```
    /// let rt = evloop::Runtime::builder().debug(true).build()?;
    /// rt.block_on(async {
    ///     let named = evloop::task::Builder::new().name("a \"quoted\" name").spawn(async {});
    ///     let json = evloop::task::dump().to_json();
    ///     assert!(json.starts_with("{\"pid\":"));
    ///     assert!(json.contains(r#""name":"a \"quoted\" name""#));
    ///     named.await.unwrap();
    /// });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(128 + 256 * self.tasks.len());
        let _ = write!(
            out,
            "{{\"pid\":{},\"loop\":{},\"debug\":{},\"tasks\":[",
            self.pid, self.loop_index, self.debug
        );
        for (i, task) in self.tasks.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            self.task_json(&mut out, task);
        }
        out.push_str("]}");
        out
    }

    /// Appends `task` as a JSON object.
    fn task_json(&self, out: &mut String, task: &DumpedTask) {
        let _ = write!(out, "{{\"id\":{},\"name\":", task.id);
        match &task.name {
            Some(name) => string(out, name),
            None => out.push_str("null"),
        }
        out.push_str(",\"spawned_at\":");
        location(out, Some(task.location));
        out.push_str(",\"spawned_by\":");
        number(out, task.spawned_by);
        let _ = write!(
            out,
            ",\"state\":\"{}\",\"polls\":{},\"poll_time_us\":",
            task.state.name(),
            task.polls
        );
        number(out, task.poll_time.map(micros));
        out.push_str(",\"since_last_poll_us\":");
        number(out, task.since_last_poll.map(micros));
        let _ = write!(out, ",\"waits_unknown\":{}", task.waits_unknown(self.debug));
        out.push_str(",\"waits\":[");
        for (i, site) in task.waits.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            self.wait_json(out, site);
        }
        out.push_str("]}");
    }

    /// Appends `site` as a JSON object, its detail flattened into it.
    fn wait_json(&self, out: &mut String, site: &WaitSite) {
        out.push_str("{\"kind\":");
        string(out, site.kind.name());
        out.push_str(",\"at\":");
        location(out, site.location);
        match &site.detail {
            WaitDetail::None => {}
            WaitDetail::Deadline(_) => {
                let left = site.time_left(self.taken_at).unwrap_or_default();
                let _ = write!(out, ",\"time_left_us\":{}", micros(left));
            }
            WaitDetail::Socket { fd, addr } => {
                let _ = write!(out, ",\"fd\":{fd},\"addr\":");
                match addr {
                    Some(addr) => string(out, &addr.to_string()),
                    None => out.push_str("null"),
                }
            }
            WaitDetail::Task { id, loop_index } => {
                let _ = write!(out, ",\"task\":{id},\"loop\":{loop_index}");
            }
            WaitDetail::Permits(n) => {
                let _ = write!(out, ",\"permits\":{n}");
            }
            WaitDetail::Signal(signal) => {
                let _ = write!(out, ",\"signal\":{signal}");
            }
            WaitDetail::Fd(fd) => {
                let _ = write!(out, ",\"fd\":{fd}");
            }
            WaitDetail::Process(pid) => {
                let _ = write!(out, ",\"pid\":{pid}");
            }
            // A detail added later: its Display, whatever it is.
            other => {
                out.push_str(",\"detail\":");
                string(out, &other.to_string());
            }
        }
        out.push('}');
    }
}

/// Whole microseconds, saturating.
fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// Appends a number, or `null`.
fn number(out: &mut String, n: Option<u64>) {
    match n {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

/// Appends `"file:line:column"`, or `null`.
fn location(out: &mut String, at: Option<&'static Location<'static>>) {
    match at {
        Some(at) => string(out, &format!("{}:{}:{}", at.file(), at.line(), at.column())),
        None => out.push_str("null"),
    }
}

/// Appends `s` as a JSON string.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        let mut out = String::new();
        string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
    }
}
