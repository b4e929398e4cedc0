//! Child processes through the facade: pipes both ways without deadlock, exit codes and
//! signals, kill, many children at once with no zombie left, waits early, late and from
//! several tasks, and the errors a user meets.

mod common;

use std::io::ErrorKind;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::rc::Rc;
use std::time::{Duration, Instant};

use common::{pattern, run_bounded};
use evloop::process::Command;
use evloop::sync::Mutex;
use futures::{AsyncReadExt, AsyncWriteExt};

/// What `/proc` says of `pid`: `None` if it is gone (reaped), else its state letter
/// (`Z` for a zombie) and parent pid.
fn proc_state(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S ppid ...": comm may hold spaces and parentheses; the last ')' ends it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ');
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Whether `pid` is a zombie child of this process (exited, never reaped).
fn is_our_zombie(pid: u32) -> bool {
    proc_state(pid) == Some(('Z', std::process::id()))
}

/// Whether `pid` is still a child of this process (running or a zombie).
fn is_our_child(pid: u32) -> bool {
    proc_state(pid).is_some_and(|(_, ppid)| ppid == std::process::id())
}

/// Waits (bounded, 20 s) until none of `pids` is a child of ours any more: each was
/// reaped (by a wait or by the background reaper).
async fn until_reaped(pids: &[u32]) {
    let start = Instant::now();
    while pids.iter().any(|&pid| is_our_child(pid)) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "children never reaped: {:?}",
            pids.iter()
                .map(|&pid| (pid, proc_state(pid)))
                .filter(|(_, s)| s.is_some_and(|(_, ppid)| ppid == std::process::id()))
                .collect::<Vec<_>>()
        );
        evloop::time::sleep(Duration::from_millis(10)).await;
    }
}

#[test]
fn cat_echoes_a_mebibyte_each_way_while_written_and_read_at_once() {
    run_bounded(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        // 1 MiB is 16 pipe buffers: writing it all before reading would deadlock.
        let sent = pattern(1 << 20);
        let writer = async {
            stdin.write_all(&sent).await.unwrap();
            drop(stdin); // EOF: cat exits after echoing everything
        };
        let reader = async {
            let mut got = Vec::new();
            stdout.read_to_end(&mut got).await.unwrap();
            got
        };
        let ((), got) = evloop::gather!(writer, reader).await;
        assert_eq!(got.len(), sent.len());
        assert!(got == sent, "cat's output differs from its input");
        assert!(child.wait().await.unwrap().success());
    });
}

#[test]
fn exit_codes_and_signals_show_in_the_exit_status() {
    run_bounded(async {
        let ok = Command::new("true").status().await.unwrap();
        assert!(ok.success());
        assert_eq!(ok.code(), Some(0));

        let code = Command::new("sh")
            .args(["-c", "exit 42"])
            .status()
            .await
            .unwrap();
        assert!(!code.success());
        assert_eq!((code.code(), code.signal()), (Some(42), None));

        let term = Command::new("sh")
            .args(["-c", "kill -TERM $$"])
            .status()
            .await
            .unwrap();
        assert_eq!((term.code(), term.signal()), (None, Some(libc::SIGTERM)));
    });
}

#[test]
fn kill_on_a_sleeping_child_returns_within_a_second() {
    run_bounded(async {
        let mut child = Command::new("sleep").arg("60").spawn().unwrap();
        let pid = child.id().unwrap();
        let start = Instant::now();
        child.kill().await.unwrap();
        let took = start.elapsed();
        assert!(took < Duration::from_secs(1), "kill took {took:?}");
        assert_eq!(child.id(), None);
        assert_eq!(child.wait().await.unwrap().signal(), Some(libc::SIGKILL));
        assert!(
            !is_our_child(pid),
            "the killed child is still ours: {:?}",
            proc_state(pid)
        );
    });
}

#[test]
fn a_hundred_concurrent_children_finish_and_leave_no_zombie() {
    run_bounded(async {
        let mut pids = Vec::new();
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let mut child = Command::new("sh")
                    .args(["-c", &format!("exit {}", i % 7)])
                    .spawn()
                    .unwrap();
                pids.push(child.id().unwrap());
                evloop::spawn(async move { (i, child.wait().await.unwrap()) })
            })
            .collect();
        for result in evloop::gather_all(tasks).await {
            let (i, status) = result.unwrap();
            assert_eq!(status.code(), Some(i % 7));
        }
        let zombies: Vec<_> = pids.iter().copied().filter(|&p| is_our_zombie(p)).collect();
        assert!(zombies.is_empty(), "zombies left: {zombies:?}");
        until_reaped(&pids).await;
    });
}

#[test]
fn dropped_children_are_reaped_in_the_background() {
    run_bounded(async {
        let pids: Vec<u32> = (0..20)
            .map(|_| {
                let child = Command::new("sleep").arg("0.05").spawn().unwrap();
                child.id().unwrap()
                // dropped here, still running
            })
            .collect();
        until_reaped(&pids).await;
    });
}

#[test]
fn dropped_children_outlive_the_loop_and_are_still_reaped() {
    let pids = evloop::run(async {
        (0..5)
            .map(|_| {
                Command::new("sleep")
                    .arg("0.1")
                    .spawn()
                    .unwrap()
                    .id()
                    .unwrap()
            })
            .collect::<Vec<_>>()
    });
    // The loop is gone; the background reaper is not.
    let start = Instant::now();
    while pids.iter().any(|&pid| is_our_child(pid)) {
        assert!(start.elapsed() < Duration::from_secs(20), "never reaped");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn kill_on_drop_kills_the_child_before_it_is_reaped() {
    run_bounded(async {
        let child = Command::new("sleep")
            .arg("60")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        let start = Instant::now();
        drop(child);
        until_reaped(&[pid]).await;
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "a 60 s sleep was not killed"
        );
    });
}

#[test]
fn a_child_that_exits_before_wait_is_called_is_still_collected() {
    run_bounded(async {
        let mut child = Command::new("sh").args(["-c", "exit 5"]).spawn().unwrap();
        let pid = child.id().unwrap();
        // Let it exit and become a zombie before anyone waits.
        let start = Instant::now();
        while !is_our_zombie(pid) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the child never exited"
            );
            evloop::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(child.wait().await.unwrap().code(), Some(5));
        assert!(!is_our_child(pid));
        // try_wait on a reaped child gives the kept status.
        assert_eq!(child.try_wait().unwrap().and_then(|s| s.code()), Some(5));
    });
}

#[test]
fn wait_from_several_tasks_gives_each_the_same_status() {
    run_bounded(async {
        let child = Command::new("sh")
            .args(["-c", "sleep 0.05; exit 9"])
            .spawn()
            .unwrap();
        let shared = Rc::new(Mutex::new(child));
        let waiters: Vec<_> = (0..4)
            .map(|_| {
                let shared = shared.clone();
                evloop::spawn(async move { shared.lock().await.wait().await.unwrap() })
            })
            .collect();
        for status in evloop::gather_all(waiters).await {
            assert_eq!(status.unwrap().code(), Some(9));
        }
    });
}

#[test]
fn a_wait_cancelled_by_a_timeout_can_be_resumed_in_another_task() {
    run_bounded(async {
        let mut child = Command::new("sh")
            .args(["-c", "sleep 0.2; exit 3"])
            .spawn()
            .unwrap();
        let early = evloop::time::timeout(Duration::from_millis(10), child.wait()).await;
        assert!(early.is_err(), "the child cannot have exited yet");
        assert_eq!(child.try_wait().unwrap(), None);
        let later = evloop::spawn(async move { child.wait().await.unwrap() });
        assert_eq!(later.await.unwrap().code(), Some(3));
    });
}

#[test]
fn output_captures_stdout_and_stderr_and_the_status() {
    run_bounded(async {
        let out = Command::new("sh")
            .args(["-c", "printf out; printf err >&2; exit 1"])
            .output()
            .await
            .unwrap();
        assert_eq!(out.stdout, b"out");
        assert_eq!(out.stderr, b"err");
        assert_eq!(out.status.code(), Some(1));
        // stdin defaults to /dev/null for output(): cat sees end of file at once.
        let cat = Command::new("cat").output().await.unwrap();
        assert!(cat.stdout.is_empty() && cat.status.success());
    });
}

#[test]
fn a_missing_program_is_not_found_and_named() {
    run_bounded(async {
        let err = Command::new("evloop-no-such-program").spawn().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let text = err.to_string();
        assert!(text.contains("evloop-no-such-program"), "{text}");
        assert!(text.contains("PATH"), "{text}");

        let err = Command::new("true")
            .current_dir("/evloop/no/such/dir")
            .spawn()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("/evloop/no/such/dir"), "{err}");
    });
}

#[test]
fn spawning_outside_a_loop_says_where_to_spawn() {
    let err = Command::new("true").spawn().unwrap_err();
    assert!(err.to_string().contains("evloop::run"), "{err}");
}
