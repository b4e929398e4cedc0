//! Task dumps (`evloop::task::dump()`): every task, and in debug mode what each waits for,
//! at which line of the user's code, and who awaits whom.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::task::{
    dump, Builder, DumpedTask, Endpoint, TaskDump, TaskState, WaitDetail, WaitKind,
};

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

/// The task `id` of `dump`.
fn task(dump: &TaskDump, id: u64) -> &DumpedTask {
    dump.task(id)
        .unwrap_or_else(|| panic!("no task {id} in\n{dump}"))
}

#[test]
fn a_sleeping_task_is_shown_asleep_at_its_line_with_its_time_left() {
    debug_runtime().block_on(async {
        // A paused clock: the time left is exact, however slow the machine.
        evloop::time::pause();
        let (nap, line) = (evloop::time::sleep(Duration::from_secs(60)), line!());
        let sleeper = Builder::new().name("napper").spawn(nap);
        settle().await;
        evloop::time::advance(Duration::from_millis(12_500)).await;
        let dump = dump();
        let napper = task(&dump, sleeper.id());
        assert_eq!(napper.name.as_deref(), Some("napper"));
        assert_eq!(napper.state, TaskState::Idle);
        assert_eq!(napper.spawned_by, Some(0), "spawned by the main future");
        let site = &napper.waits[0];
        assert_eq!(site.kind, WaitKind::Sleep);
        let at = site.location.expect("a sleep knows its call site");
        assert_eq!((at.file(), at.line()), (file!(), line));
        assert_eq!(
            site.time_left(dump.taken_at),
            Some(Duration::from_millis(47_500))
        );
        let text = dump.to_string();
        let expected = format!("└── sleep at {}:{line}:", file!());
        assert!(text.contains(&expected), "{text}");
        assert!(text.contains(", 47.500 s left"), "{text}");
        sleeper.abort();
    });
}

#[test]
fn a_reader_shows_the_peer_it_waits_on_and_a_listener_its_address() {
    debug_runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let listening = listener.local_addr().unwrap();
        let client = TcpStream::connect(listening).await.unwrap();
        let (mut server, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        let reader = Builder::new().name("reader").spawn(async move {
            let mut buf = [0; 16];
            server.read(&mut buf).await
        });
        let acceptor = evloop::spawn(async move { listener.accept().await.map(|_| ()) });
        settle().await;
        let dump = dump();
        let read = &task(&dump, reader.id()).waits[0];
        assert_eq!(read.kind, WaitKind::Read);
        assert!(
            matches!(&read.detail, WaitDetail::Socket { addr: Some(Endpoint::Inet(a)), .. } if *a == peer),
            "{read:?}"
        );
        let accept = &task(&dump, acceptor.id()).waits[0];
        assert_eq!(accept.kind, WaitKind::Accept);
        assert!(
            matches!(&accept.detail, WaitDetail::Socket { addr: Some(Endpoint::Inet(a)), .. } if *a == listening),
            "{accept:?}"
        );
        let text = dump.to_string();
        assert!(text.contains(&format!("read from {peer}")), "{text}");
        assert!(text.contains(&format!("accept on {listening}")), "{text}");
        reader.abort();
        acceptor.abort();
        drop(client);
    });
}

#[test]
fn an_awaited_task_stands_under_the_task_that_awaits_its_handle() {
    debug_runtime().block_on(async {
        let parent = Builder::new().name("parent").spawn(async {
            let child = Builder::new()
                .name("child")
                .spawn(evloop::time::sleep(Duration::from_secs(60)));
            child.await.unwrap();
        });
        settle().await;
        let dump = dump();
        let parent_id = parent.id();
        let child = dump
            .tasks
            .iter()
            .find(|t| t.name.as_deref() == Some("child"))
            .expect("the child is listed");
        assert_eq!(child.spawned_by, Some(parent_id));
        let join = &task(&dump, parent_id).waits[0];
        assert_eq!(join.kind, WaitKind::Join);
        assert_eq!(
            join.detail,
            WaitDetail::Task {
                id: child.id,
                loop_index: dump.loop_index
            }
        );
        // The tree: the parent at the root (the main future is running, it awaits
        // nothing), the child under it, the child's sleep under that.
        let text = dump.to_string();
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("task {parent_id} 'parent' (")))
            .unwrap_or_else(|| panic!("the parent is a root:\n{text}"));
        assert!(
            lines[at + 1].starts_with(&format!("└── awaits task {} 'child' (", child.id)),
            "{text}"
        );
        assert!(lines[at + 2].starts_with("    └── sleep at "), "{text}");
        // The child is drawn once, under its awaiter, not as a root of its own.
        assert_eq!(text.matches("'child' (").count(), 1, "{text}");
        parent.abort();
    });
}

#[test]
fn the_main_future_awaiting_a_task_is_the_root_of_the_tree() {
    let text = Rc::new(RefCell::new(String::new()));
    let out = text.clone();
    debug_runtime().block_on(async move {
        let worker = Builder::new()
            .name("worker")
            .spawn(evloop::time::sleep(Duration::from_secs(60)));
        // A task that dumps once the main future waits for the worker.
        let watcher = evloop::spawn(async move {
            settle().await;
            *out.borrow_mut() = dump().to_string();
        });
        let _ = evloop::race(worker, watcher).await;
    });
    let text = text.borrow();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].starts_with("main future ("), "{text}");
    assert!(
        lines[2].starts_with("├── awaits task 1 'worker' ("),
        "{text}"
    );
}

#[test]
fn tasks_awaiting_each_other_are_printed_as_a_cycle() {
    debug_runtime().block_on(async {
        let (tx, rx) = evloop::sync::oneshot::channel::<evloop::JoinHandle<()>>();
        let a = Builder::new().name("a").spawn(async move {
            let b = rx.await.unwrap();
            b.await.unwrap();
        });
        let (a_id, b) = (
            a.id(),
            Builder::new()
                .name("b")
                .spawn(async move { a.await.unwrap() }),
        );
        let b_id = b.id();
        tx.send(b).unwrap();
        settle().await;
        let dump = dump();
        let awaits = |id| {
            task(&dump, id)
                .waits
                .iter()
                .map(|w| w.detail.clone())
                .collect::<Vec<_>>()
        };
        let loop_index = dump.loop_index;
        assert_eq!(
            awaits(a_id),
            [WaitDetail::Task {
                id: b_id,
                loop_index
            }]
        );
        assert_eq!(
            awaits(b_id),
            [WaitDetail::Task {
                id: a_id,
                loop_index
            }]
        );
        let text = dump.to_string();
        // Drawn from the lower id, once each, and the way back marked as a cycle.
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("task {a_id} 'a' (")))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            lines[at + 1].starts_with(&format!("└── awaits task {b_id} 'b' (")),
            "{text}"
        );
        assert!(
            lines[at + 2].starts_with(&format!("    └── awaits task {a_id} 'a': a cycle")),
            "{text}"
        );
        assert_eq!(text.matches("'a' (").count(), 1, "{text}");
        // The two stay deadlocked: the runtime's drop ends them.
    });
}

#[test]
fn without_debug_mode_every_task_is_listed_without_wait_sites() {
    evloop::Runtime::builder()
        .debug(false)
        .build()
        .unwrap()
        .block_on(async {
            let idle = Builder::new()
                .name("idle")
                .spawn(evloop::time::sleep(Duration::from_secs(60)));
            evloop::yield_now().await;
            let dump = dump();
            assert!(!dump.debug);
            let listed = task(&dump, idle.id());
            assert_eq!(listed.name.as_deref(), Some("idle"));
            assert_eq!(listed.location.file(), file!());
            assert_eq!(listed.state, TaskState::Idle);
            assert!(listed.waits.is_empty());
            assert_eq!((listed.poll_time, listed.spawned_by), (None, None));
            let text = dump.to_string();
            assert!(
                text.contains("start the program with EVLOOP_DEBUG=1"),
                "{text}"
            );
            idle.abort();
        });
}

#[test]
fn a_future_evloop_does_not_own_shows_as_unknown_with_the_spawn_site() {
    debug_runtime().block_on(async {
        let (opaque, line) = (evloop::spawn(std::future::pending::<()>()), line!());
        settle().await;
        let dump = dump();
        assert!(task(&dump, opaque.id()).waits.is_empty());
        let text = dump.to_string();
        let expected = format!(
            "└── unknown future (not evloop's): see the task's code, spawned at {}:{line}:",
            file!()
        );
        assert!(text.contains(&expected), "{text}");
        opaque.abort();
    });
}

#[test]
fn a_slow_poll_report_names_the_wait_before_it() {
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = reports.clone();
    let rt = evloop::Runtime::builder()
        .debug(true)
        .slow_poll_threshold(Duration::from_millis(20))
        .on_slow_poll(move |slow| sink.borrow_mut().push(slow.clone()))
        .build()
        .unwrap();
    let line = rt.block_on(async {
        let go = Rc::new(evloop::sync::Event::new());
        let g = go.clone();
        let (wait, line) = (async move { g.wait().await }, line!());
        let hog = Builder::new().name("hog").spawn(async move {
            wait.await;
            std::thread::sleep(Duration::from_millis(30)); // blocks the loop
        });
        evloop::yield_now().await; // the hog waits for the event
        go.set();
        hog.await.unwrap();
        line
    });
    let reports = reports.borrow();
    // The hog's last poll is the one that blocked (under valgrind its first may be slow
    // too, and is rightly reported).
    let hog = reports
        .iter()
        .rfind(|r| r.name.as_deref() == Some("hog"))
        .unwrap_or_else(|| panic!("{reports:?}"));
    assert!(hog.duration >= Duration::from_millis(30));
    assert_eq!(hog.waited_on.len(), 1, "{hog:?}");
    assert_eq!(hog.waited_on[0].kind, WaitKind::EventWait);
    assert_eq!(hog.waited_on[0].location.unwrap().line(), line);
    let text = hog.to_string();
    let expected = format!(", after waiting on event wait at {}:{line}:", file!());
    assert!(text.contains(&expected), "{text}");
}

/// Drops a wait's output (in a one-line async block, so that `line!()` beside it is the
/// wait's line).
fn ignore<T>(_: T) {}

/// Spawns `future`, which waits once made at `line`; returns the task's id and `line`.
fn spawn_at<F: Future<Output = ()> + 'static>((future, line): (F, u32)) -> (u64, u32) {
    (evloop::spawn(future).id(), line)
}

#[test]
fn each_sync_wait_names_its_kind_and_line() {
    use evloop::sync::{broadcast, mpsc, oneshot, watch, Event, Mutex, Semaphore};
    debug_runtime().block_on(async {
        let mutex = Rc::new(Mutex::new(()));
        let held = mutex.try_lock().unwrap();
        let (sem, event) = (Rc::new(Semaphore::new(0)), Rc::new(Event::new()));
        let (_tx, mut rx) = mpsc::channel::<u8>(1);
        let (full, _full_rx) = mpsc::channel::<u8>(1);
        full.try_send(1).unwrap();
        let ((_once_tx, once_rx), once_line) = (oneshot::channel::<u8>(), line!());
        let (_b_tx, mut b_rx) = broadcast::channel::<u8>(4);
        let (_w_tx, mut w_rx) = watch::channel(0u8);
        let (m, s, e) = (mutex.clone(), sem.clone(), event.clone());
        let lock = (async move { ignore(m.lock().await) }, line!());
        let acquire = (async move { ignore(s.acquire_many(2).await) }, line!());
        let wait = (async move { e.wait().await }, line!());
        let recv = (async move { ignore(rx.recv().await) }, line!());
        let send = (async move { ignore(full.send(2).await) }, line!());
        let once = (async move { ignore(once_rx.await) }, once_line);
        let b_recv = (async move { ignore(b_rx.recv().await) }, line!());
        let changed = (async move { ignore(w_rx.changed().await) }, line!());
        let cases = [
            (spawn_at(lock), WaitKind::Lock),
            (spawn_at(acquire), WaitKind::Acquire),
            (spawn_at(wait), WaitKind::EventWait),
            (spawn_at(recv), WaitKind::ChannelReceive),
            (spawn_at(send), WaitKind::ChannelSend),
            (spawn_at(once), WaitKind::OneshotReceive),
            (spawn_at(b_recv), WaitKind::BroadcastReceive),
            (spawn_at(changed), WaitKind::WatchChanged),
        ];
        settle().await;
        let dump = dump();
        for ((id, line), kind) in cases {
            let waits = &task(&dump, id).waits;
            assert_eq!(waits.len(), 1, "{kind}: {waits:?}");
            assert_eq!(waits[0].kind, kind);
            let at = waits[0]
                .location
                .unwrap_or_else(|| panic!("{kind} has no site"));
            assert_eq!((at.file(), at.line()), (file!(), line), "{kind}");
        }
        let (acquirer, _) = cases[1].0;
        assert_eq!(
            task(&dump, acquirer).waits[0].detail,
            WaitDetail::Permits(2)
        );
        drop(held);
    });
}

#[test]
fn the_json_dump_carries_the_same_facts() {
    debug_runtime().block_on(async {
        evloop::time::pause();
        let sleeper = Builder::new()
            .name("napper")
            .spawn(evloop::time::sleep(Duration::from_secs(2)));
        settle().await;
        let json = dump().to_json();
        let id = sleeper.id();
        assert!(
            json.starts_with(&format!("{{\"pid\":{},\"loop\":", std::process::id())),
            "{json}"
        );
        assert!(json.contains("\"debug\":true"), "{json}");
        assert!(
            json.contains(&format!(
                "{{\"id\":{id},\"name\":\"napper\",\"spawned_at\":\"{}:",
                file!()
            )),
            "{json}"
        );
        assert!(
            json.contains("\"spawned_by\":0,\"state\":\"idle\",\"polls\":1,"),
            "{json}"
        );
        assert!(
            json.contains("\"waits\":[{\"kind\":\"sleep\",\"at\":\"tests/suite/task_dump.rs:"),
            "{json}"
        );
        assert!(json.contains("\"time_left_us\":2000000}"), "{json}");
        sleeper.abort();
    });
}
