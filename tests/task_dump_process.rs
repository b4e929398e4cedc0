//! Task dumps of the waits that change the whole process: a signal's delivery (a handler
//! installed for `SIGHUP`), an `AsyncFd`'s readiness and a child's exit (a child process
//! this binary watches). A binary of its own, as `tests/suite/main.rs` asks of tests that
//! change signal dispositions or watch the process's children; the other dump tests are in
//! `tests/suite/task_dump.rs`.

use std::future::Future;

use evloop::task::{dump, TaskState, WaitDetail, WaitKind};

fn debug_runtime() -> evloop::Runtime {
    evloop::Runtime::builder().debug(true).build().unwrap()
}

/// Yields until no task is scheduled (every one but the caller waits), at most 1,000
/// turns.
async fn settle() {
    for _ in 0..1_000 {
        evloop::yield_now().await;
        let busy = dump().tasks.iter().any(|t| t.state == TaskState::Scheduled);
        if !busy {
            return;
        }
    }
    panic!("the tasks never settled: {}", dump());
}

/// Drops a wait's output (in a one-line async block, so that `line!()` beside it is the
/// wait's line).
fn ignore<T>(_: T) {}

/// Spawns `future`, which waits once made at `line`; returns the task's id and `line`.
fn spawn_at<F: Future<Output = ()> + 'static>((future, line): (F, u32)) -> (u64, u32) {
    (evloop::spawn(future).id(), line)
}

#[test]
fn signals_fds_and_children_name_their_waits() {
    use evloop::signal::{signal, SignalKind};
    debug_runtime().block_on(async {
        let mut hangups = signal(SignalKind::hangup()).unwrap();
        let (ours, _theirs) = std::os::unix::net::UnixStream::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        let fd = evloop::io::AsyncFd::new(ours).unwrap();
        let mut child = evloop::process::Command::new("sleep")
            .arg("60")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        let signalled = (async move { ignore(hangups.recv().await) }, line!());
        let readable = (async move { ignore(fd.readable().await) }, line!());
        let exited = (async move { ignore(child.wait().await) }, line!());
        let cases = [
            (
                spawn_at(signalled),
                WaitKind::Signal,
                WaitDetail::Signal(libc::SIGHUP),
            ),
            (spawn_at(readable), WaitKind::FdReadable, WaitDetail::None),
            (
                spawn_at(exited),
                WaitKind::ChildExit,
                WaitDetail::Process(pid),
            ),
        ];
        settle().await;
        let dump = dump();
        for ((id, line), kind, detail) in cases {
            let waits = &dump
                .task(id)
                .unwrap_or_else(|| panic!("no task {id} in\n{dump}"))
                .waits;
            assert_eq!(waits.len(), 1, "{kind}: {waits:?}");
            assert_eq!(waits[0].kind, kind);
            if detail != WaitDetail::None {
                assert_eq!(waits[0].detail, detail);
            }
            let at = waits[0]
                .location
                .unwrap_or_else(|| panic!("{kind} has no site"));
            assert_eq!((at.file(), at.line()), (file!(), line), "{kind}");
        }
    });
}
