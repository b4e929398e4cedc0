//! `evloop-ps` against live processes: a child evloop program in debug mode, the same
//! without debug mode, a dead process's stale socket, garbage on the socket.
//!
//! The child is this test binary run again with `CHILD_ROLE` set, as the ignored test
//! [`child_program`]: an evloop program whose tasks wait at known lines, which exits
//! cleanly when its stdin closes.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Set in a child's environment: it runs [`child_program`].
const CHILD_ROLE: &str = "EVLOOP_PS_TEST_CHILD";

/// Idle tasks in the child program, besides the ones waiting at known lines.
const IDLE_TASKS: usize = 3_000;

/// How long a child may take to start, answer or exit.
const PATIENCE: Duration = Duration::from_secs(60);

/// The child's program (run only as a child: see the module docs). It prints `ready
/// LINE`, LINE being the line of its sleep, once its tasks wait.
#[test]
#[ignore = "run by the other tests, as a child process"]
fn child_program() {
    assert!(
        std::env::var_os(CHILD_ROLE).is_some(),
        "the other tests run this one as a child process"
    );
    evloop::run(async {
        use evloop::task::Builder;
        use std::time::Duration;
        let listener = evloop::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let _acceptor = Builder::new()
            .name("acceptor")
            .spawn(async move { listener.accept().await.map(drop) });
        let (nap, line) = (evloop::time::sleep(Duration::from_secs(600)), line!());
        let napper = Builder::new().name("napper").spawn(nap);
        let _parent = Builder::new()
            .name("parent")
            .spawn(async move { napper.await.unwrap() });
        // Enough idle tasks that a dump outgrows a socket's buffer: a client that does
        // not read its reply leaves the loop with bytes to send later.
        for _ in 0..IDLE_TASKS {
            drop(evloop::spawn(std::future::pending::<()>()));
        }
        // Stdin's end (the test closing it) ends the program, on the blocking pool.
        let eof = evloop::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new()));
        evloop::yield_now().await;
        evloop::yield_now().await;
        println!("ready {line}");
        eof.await.unwrap().unwrap();
    });
}

/// A child running [`child_program`], with `EVLOOP_DEBUG` as given and its sockets in
/// `dir`; returns it once it printed `ready`, with the line of its sleep.
fn start_child(debug: &str, dir: &Path) -> (Child, u32) {
    start_child_as(debug, dir, None)
}

/// [`start_child`], run as user `uid` if given (root only).
fn start_child_as(debug: &str, dir: &Path, uid: Option<u32>) -> (Child, u32) {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["child_program", "--exact", "--ignored", "--nocapture"])
        .env(CHILD_ROLE, "1")
        .env("EVLOOP_DEBUG", debug)
        .env("XDG_RUNTIME_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    if let Some(uid) = uid {
        command.uid(uid).gid(uid);
    }
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if let Some(at) = line.strip_prefix("ready ") {
                let _ = tx.send(at.parse::<u32>().unwrap());
            }
        }
    });
    match rx.recv_timeout(PATIENCE) {
        Ok(line) => (child, line),
        Err(_) => {
            let _ = child.kill();
            panic!("the child program never got ready");
        }
    }
}

/// Ends a child by closing its stdin and waits for it (killing it after `PATIENCE`);
/// returns whether it exited successfully.
fn finish(mut child: Child) -> bool {
    drop(child.stdin.take());
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    panic!("the child did not exit after its stdin closed");
}

/// Runs `evloop-ps` with `args`, its sockets looked for in `dir`.
fn evloop_ps(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evloop-ps"))
        .args(args)
        .env("XDG_RUNTIME_DIR", dir)
        .output()
        .unwrap()
}

/// A fresh directory for one test's sockets.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evloop-ps-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_child_in_debug_mode_shows_its_tasks_waits_and_await_tree() {
    let dir = scratch_dir("debug");
    let (child, sleep_line) = start_child("1", &dir);
    let pid = child.id().to_string();
    let socket = dir.join(format!("evloop-{pid}-0.sock"));
    assert!(socket.exists(), "the loop serves on {}", socket.display());

    let table = evloop_ps(&[&pid], &dir);
    let out = text(&table.stdout);
    assert!(table.status.success(), "{out}{}", text(&table.stderr));
    assert!(
        out.starts_with(&format!("loop 0 of process {pid}: ")),
        "{out}"
    );
    let napper = out
        .lines()
        .find(|l| l.contains("napper"))
        .unwrap_or_else(|| panic!("{out}"));
    let sleep_at = format!("sleep at ps/tests/ps.rs:{sleep_line}:");
    assert!(napper.contains(&sleep_at), "{napper}");
    assert!(out.contains("accept on 127.0.0.1:"), "{out}");

    let tree = evloop_ps(&[&pid, "--tree"], &dir);
    let out = text(&tree.stdout);
    assert!(tree.status.success(), "{out}{}", text(&tree.stderr));
    let lines: Vec<&str> = out.lines().collect();
    let parent = lines
        .iter()
        .position(|l| l.contains("'parent' ("))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        lines[parent].starts_with("task "),
        "the parent is a root:\n{out}"
    );
    assert!(
        lines[parent + 1].starts_with("└── awaits task ")
            && lines[parent + 1].contains("'napper' ("),
        "{out}"
    );
    assert!(
        lines[parent + 2]
            .trim_start()
            .starts_with(&format!("└── {sleep_at}")),
        "{out}"
    );
    // The main future awaits the blocking job's task, which waits on the job.
    assert!(lines[1].starts_with("main future ("), "{out}");
    assert!(out.contains("blocking job at ps/tests/ps.rs:"), "{out}");

    let json = evloop_ps(&[&pid, "--json"], &dir);
    let out = text(&json.stdout);
    assert!(json.status.success(), "{out}");
    assert!(
        out.starts_with(&format!("[{{\"pid\":{pid},\"loop\":0,\"debug\":true,")),
        "{out}"
    );
    assert!(out.trim_end().ends_with("]}]"), "{out}");

    // Garbage gets an error line, a silent client is left waiting, and neither stops
    // the loop from answering the next evloop-ps.
    let mut garbage = UnixStream::connect(&socket).unwrap();
    garbage.set_read_timeout(Some(PATIENCE)).unwrap();
    garbage.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    let mut reply = String::new();
    garbage.read_to_string(&mut reply).unwrap();
    assert!(
        reply.starts_with("error: unknown request \"GET / HTTP/1.1\""),
        "{reply}"
    );
    let _silent = UnixStream::connect(&socket).unwrap();
    let mut slow_reader = UnixStream::connect(&socket).unwrap();
    slow_reader.write_all(b"dump json\n").unwrap(); // and never reads the reply
    let again = evloop_ps(&[&pid], &dir);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let out = text(&again.stdout);
    assert!(out.contains("napper"));
    assert!(out.lines().count() > IDLE_TASKS, "every task is listed");

    assert!(finish(child), "the child exits cleanly");
    assert!(!socket.exists(), "the socket is removed at exit");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_child_without_debug_mode_is_refused_with_the_way_to_turn_it_on() {
    let dir = scratch_dir("plain");
    let (child, _) = start_child("0", &dir);
    let pid = child.id().to_string();
    let out = evloop_ps(&[&pid], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "process {pid} serves no task dump: not in debug mode (start it with EVLOOP_DEBUG=1)"
        )),
        "{err}"
    );
    // A socket file under its id that no loop listens on is named stale.
    let planted = dir.join(format!("evloop-{pid}-3.sock"));
    drop(UnixListener::bind(&planted).unwrap()); // the file stays, nobody listens
    let out = evloop_ps(&[&pid], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{} is stale: no loop of process {pid} listens on it",
            planted.display()
        )),
        "{err}"
    );
    assert!(finish(child));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_dead_process_and_its_stale_socket_are_named() {
    let dir = scratch_dir("dead");
    let mut gone = Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let pid = gone.id().to_string();
    let out = evloop_ps(&[&pid], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim_end(),
        format!("evloop-ps: there is no process {pid}")
    );
    let stale = dir.join(format!("evloop-{pid}-0.sock"));
    drop(UnixListener::bind(&stale).unwrap());
    let out = evloop_ps(&[&pid], &dir);
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "there is no process {pid}; {} is a stale dump socket",
            stale.display()
        )),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The user root runs evloop-ps as, in [`another_users_process_and_socket_are_refused`].
const NOBODY: u32 = 65534;

#[test]
fn another_users_process_and_socket_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid(2) cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let ps_as_nobody = |pid: u32, dir: &Path| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_evloop-ps"));
        command.arg(pid.to_string()).env("XDG_RUNTIME_DIR", dir);
        if root {
            command.uid(NOBODY).gid(NOBODY);
        }
        command.output().unwrap()
    };
    let dir = scratch_dir("user");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    // Another user's process: root runs evloop-ps as `nobody` against its own child;
    // anyone else runs it against init, root's.
    let (child, pid) = if root {
        let (child, _) = start_child("1", &dir);
        let pid = child.id();
        (Some(child), pid)
    } else {
        (None, 1)
    };
    let out = ps_as_nobody(pid, &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "process {pid} belongs to user 0, not to you (user "
        )),
        "{err}"
    );
    assert!(err.contains("run evloop-ps as that user"), "{err}");
    if let Some(child) = child {
        assert!(finish(child));
    }
    if root {
        // Another user's socket among a process's own: `nobody`'s program, and a socket
        // under its id that root made. Its own loop answers; the other is not asked.
        let (child, _) = start_child_as("1", &dir, Some(NOBODY));
        let pid = child.id();
        let planted = dir.join(format!("evloop-{pid}-7.sock"));
        let _listening = UnixListener::bind(&planted).unwrap();
        let out = ps_as_nobody(pid, &dir);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stdout).contains("napper"),
            "{}",
            text(&out.stdout)
        );
        let err = text(&out.stderr);
        let expected = format!(
            "{} belongs to user 0, not to you (user {NOBODY}): not asking it",
            planted.display()
        );
        assert!(err.contains(&expected), "{err}");
        assert!(finish(child));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
