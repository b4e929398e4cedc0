//! The await tree: a [`TaskDump`]'s `Display`, drawn like `asyncio pstree`.
//!
//! ```text
//! loop 0 of process 4242: 3 tasks, debug mode
//! main future (src/main.rs:9) idle, polled 2 times, busy 41 µs, last polled 1.204 s ago
//! └── awaits task 1 'acceptor' (src/main.rs:11) idle, polled 3 times, ...
//!     ├── accept on 127.0.0.1:7000
//!     └── awaits task 2 (src/main.rs:14) idle, polled 1 time, ...
//!         └── sleep at src/main.rs:15, 4.200 s left
//! ```
//!
//! Each task's lines below it are its wait sites; a `JoinHandle` (or `RemoteHandle`) it
//! awaits is drawn as the awaited task itself, so tasks nest under their awaiters. Roots
//! are the tasks no task of the loop awaits. A task met again on the way down closes a
//! cycle (tasks awaiting each other): it is named, marked, and not followed again. The
//! walk keeps its own stack, so a chain of a million awaits draws without recursion.

use std::collections::{HashMap, HashSet};
use std::fmt;

use evloop_reactor::wait_site::{HumanDuration, WaitDetail, WaitKind};

use super::{DumpedTask, TaskDump};

/// What stands under a task in the tree.
enum Child<'a> {
    /// A task it awaits through its handle.
    Task(&'a DumpedTask),
    /// Any other wait, described.
    Line(String),
}

/// A task being drawn: the lines under it, and how far along they are.
struct Frame<'a> {
    /// The task's id.
    id: u64,
    /// What stands under it.
    children: Vec<Child<'a>>,
    /// The next child to draw.
    next: usize,
    /// What precedes each of its children's lines (the tree's rails so far).
    prefix: String,
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", Heading(self))?;
        let by_id: HashMap<u64, &DumpedTask> = self.tasks.iter().map(|t| (t.id, t)).collect();
        let awaited: HashSet<u64> = self
            .tasks
            .iter()
            .flat_map(|t| self.awaits(t))
            .filter(|id| by_id.contains_key(id))
            .collect();
        let mut drawn = HashSet::new();
        for root in self.tasks.iter().filter(|t| !awaited.contains(&t.id)) {
            self.draw(f, root, &by_id, &mut drawn)?;
        }
        // What is left awaits and is awaited: cycles, each drawn from its lowest id.
        for task in &self.tasks {
            if !drawn.contains(&task.id) {
                self.draw(f, task, &by_id, &mut drawn)?;
            }
        }
        if !self.debug {
            writeln!(
                f,
                "(not in debug mode: start the program with EVLOOP_DEBUG=1 to see what each task waits for)"
            )?;
        }
        Ok(())
    }
}

impl TaskDump {
    /// Draws `root` and everything under it.
    fn draw<'a>(
        &'a self,
        f: &mut fmt::Formatter<'_>,
        root: &'a DumpedTask,
        by_id: &HashMap<u64, &'a DumpedTask>,
        drawn: &mut HashSet<u64>,
    ) -> fmt::Result {
        writeln!(f, "{}", Node(root, self))?;
        drawn.insert(root.id);
        let mut on_path = HashSet::from([root.id]);
        let mut stack = vec![Frame {
            id: root.id,
            children: self.children(root, by_id),
            next: 0,
            prefix: String::new(),
        }];
        while let Some(frame) = stack.last_mut() {
            if frame.next == frame.children.len() {
                on_path.remove(&frame.id);
                stack.pop();
                continue;
            }
            let last = frame.next + 1 == frame.children.len();
            let (branch, rail) = if last {
                ("└── ", "    ")
            } else {
                ("├── ", "│   ")
            };
            let child = &frame.children[frame.next];
            frame.next += 1;
            let prefix = &frame.prefix;
            let task = match child {
                Child::Line(text) => {
                    writeln!(f, "{prefix}{branch}{text}")?;
                    continue;
                }
                Child::Task(task) => *task,
            };
            if on_path.contains(&task.id) {
                writeln!(
                    f,
                    "{prefix}{branch}awaits {}: a cycle, back to a task above (these tasks wait for each other)",
                    task.title()
                )?;
            } else if drawn.contains(&task.id) {
                writeln!(f, "{prefix}{branch}awaits {} (drawn above)", task.title())?;
            } else {
                writeln!(f, "{prefix}{branch}awaits {}", Node(task, self))?;
                drawn.insert(task.id);
                on_path.insert(task.id);
                let prefix = format!("{prefix}{rail}");
                stack.push(Frame {
                    id: task.id,
                    children: self.children(task, by_id),
                    next: 0,
                    prefix,
                });
            }
        }
        Ok(())
    }

    /// What stands under `task`: the tasks it awaits, its other waits, or the unknown.
    fn children<'a>(
        &self,
        task: &'a DumpedTask,
        by_id: &HashMap<u64, &'a DumpedTask>,
    ) -> Vec<Child<'a>> {
        let mut children: Vec<Child<'a>> = task
            .waits
            .iter()
            .map(|site| match site.detail {
                WaitDetail::Task { id, loop_index }
                    if site.kind == WaitKind::Join && loop_index == self.loop_index =>
                {
                    match by_id.get(&id) {
                        Some(awaited) => Child::Task(awaited),
                        None => Child::Line(site.describe(self.taken_at).to_string()),
                    }
                }
                WaitDetail::Task { loop_index, .. } if site.kind == WaitKind::Join => Child::Line(
                    format!("{} (on loop {loop_index})", site.describe(self.taken_at)),
                ),
                _ => Child::Line(site.describe(self.taken_at).to_string()),
            })
            .collect();
        if task.waits_unknown(self.debug) {
            children.push(Child::Line(format!(
                "unknown future (not evloop's): see the task's code, spawned at {}",
                task.location
            )));
        }
        children
    }
}

/// The dump's first line: which loop, how many tasks, debug mode or not.
pub(super) struct Heading<'a>(pub(super) &'a TaskDump);

impl fmt::Display for Heading<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dump = self.0;
        let n = dump.tasks.len();
        write!(
            f,
            "loop {} of process {}: {n} task{}{}",
            dump.loop_index,
            dump.pid,
            if n == 1 { "" } else { "s" },
            if dump.debug { ", debug mode" } else { "" }
        )
    }
}

/// A task's line: `task 2 'name' (src/x.rs:4) idle, polled 3 times, ...`.
struct Node<'a>(&'a DumpedTask, &'a TaskDump);

impl fmt::Display for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Node(task, dump) = *self;
        write!(
            f,
            "{} ({}) {}, polled {} time{}",
            task.title(),
            task.location,
            task.state.name(),
            task.polls,
            if task.polls == 1 { "" } else { "s" }
        )?;
        if task.poll_time.is_some() {
            write!(f, ", busy {}", task.busy(dump.poll_time_resolution))?;
        }
        if let Some(ago) = task.since_last_poll {
            write!(f, ", last polled {} ago", HumanDuration(ago))?;
        }
        if let (true, Some(parent)) = (dump.debug, task.spawned_by) {
            match parent {
                0 => f.write_str(", spawned by the main future")?,
                parent => write!(f, ", spawned by task {parent}")?,
            }
        }
        Ok(())
    }
}
