//! A dump as a table, one line a task, like `python -m asyncio ps`: what `evloop-ps`
//! prints by default.
//!
//! ```text
//! loop 0 of process 4242: 2 tasks, debug mode
//! id  name      state  polls  busy    last poll  by  spawned at         waiting for
//!  0            idle       2  41 µs   1.204 s    -   src/main.rs:9      join of task 1
//!  1  acceptor  idle       3  120 µs  1.204 s    0   src/main.rs:11     accept on 127.0.0.1:7000
//! ```

use std::fmt::{self, Write as _};

use evloop_reactor::wait_site::HumanDuration;

use super::tree::Heading;
use super::TaskDump;

/// A [`TaskDump`] printed one line a task; made by [`TaskDump::table`].
///
/// ```
/// evloop::run(async {
///     let table = evloop::task::dump().table().to_string();
///     let mut lines = table.lines();
///     assert!(lines.next().unwrap().starts_with("loop "));
///     assert!(lines.next().unwrap().starts_with("id"));
///     assert!(lines.next().unwrap().trim_start().starts_with("0 ")); // the main future
/// });
/// ```
#[derive(Debug)]
pub struct Table<'a> {
    /// The dump.
    dump: &'a TaskDump,
}

impl TaskDump {
    /// This dump printed one line a task (its `Display` draws the await tree instead).
    ///
    /// ```
    /// let rt = evloop::Runtime::builder().debug(true).build()?;
    /// rt.block_on(async {
    ///     let nap = evloop::spawn(evloop::time::sleep(std::time::Duration::from_secs(9)));
    ///     evloop::yield_now().await;
    ///     let table = evloop::task::dump().table().to_string();
    ///     let line = table.lines().find(|l| l.trim_start().starts_with("1 ")).unwrap();
    ///     assert!(line.contains(" sleep at "), "{line}");
    ///     nap.abort();
    /// });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn table(&self) -> Table<'_> {
        Table { dump: self }
    }
}

impl fmt::Display for Table<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dump = self.dump;
        writeln!(f, "{}", Heading(dump))?;
        let mut header = vec!["id", "name", "state", "polls"];
        if dump.debug {
            header.extend(["busy", "last poll", "by"]);
        }
        header.push("spawned at");
        if dump.debug {
            header.push("waiting for");
        }
        let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
        for task in &dump.tasks {
            let mut row = vec![
                task.id.to_string(),
                task.name.clone().unwrap_or_default(),
                task.state.name().to_string(),
                task.polls.to_string(),
            ];
            if dump.debug {
                row.push(task.busy(dump.poll_time_resolution));
                row.push(
                    task.since_last_poll
                        .map_or("-".into(), |d| HumanDuration(d).to_string()),
                );
                row.push(task.spawned_by.map_or("-".into(), |p| p.to_string()));
            }
            row.push(task.location.to_string());
            if dump.debug {
                let mut waits = String::new();
                for (i, site) in task.waits.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    let _ = write!(waits, "{sep}{}", site.describe(dump.taken_at));
                }
                if task.waits_unknown(true) {
                    waits.push_str("unknown future (not evloop's)");
                }
                row.push(waits);
            }
            rows.push(row);
        }
        let widths: Vec<usize> = (0..header.len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for row in &rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                let pad = widths[c] - cell.chars().count();
                if c > 0 {
                    line.push_str("  ");
                }
                // Numbers right-aligned (id, polls), the rest left-aligned.
                if c == 0 || c == 3 {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        if !dump.debug {
            writeln!(
                f,
                "(not in debug mode: start the program with EVLOOP_DEBUG=1 to see what each task waits for)"
            )?;
        }
        Ok(())
    }
}
