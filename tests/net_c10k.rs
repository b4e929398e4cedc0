//! C10K: 10,000 concurrent connections to one echo server on one thread, each echoing
//! several messages, all checked.
//!
//! One process may hold at most 20,000 fds here, so the clients live in a child
//! process: the test re-executes its own binary (`current_exe()`), selecting the client
//! role with an environment variable and `--exact c10k_client_role`. Both sides raise
//! their `RLIMIT_NOFILE` soft limit to the hard limit. The whole test is bounded (60 s).
//!
//! The select backend cannot hold 10,000 connections: an `fd_set` has 1024 bits. Under
//! `EVLOOP_BACKEND=select` the C10K test steps aside for its counterpart,
//! `tests/net_select_fd_limit.rs` (which runs on every setting): a select loop refuses
//! the connection whose fd is past 1023, says why and what to use instead, and keeps
//! serving the others.

use std::cell::Cell;
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;
use evloop::Backend;

/// How many connections are open at once.
const CONNS: usize = 10_000;
/// Messages each connection sends and checks.
const MSGS: usize = 5;
/// Bytes per message.
const SIZE: usize = 64;
/// The environment variable that makes this binary a client, with the server's address.
const CLIENT_ROLE: &str = "EVLOOP_TEST_C10K_SERVER";
/// The bound on the whole test.
const LIMIT: Duration = Duration::from_secs(60);

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns the new soft limit.
fn raise_fd_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit`.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    lim.rlim_cur = lim.rlim_max;
    // SAFETY: `lim` is a valid `rlimit`; raising the soft limit to the hard one is allowed.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) }, 0);
    lim.rlim_cur
}

/// The message connection `conn` sends as its `seq`-th.
fn message(conn: usize, seq: usize) -> [u8; SIZE] {
    let mut msg = [0u8; SIZE];
    for (i, b) in msg.iter_mut().enumerate() {
        *b = (conn.wrapping_mul(31) ^ seq.wrapping_mul(7) ^ i) as u8;
    }
    msg[..8].copy_from_slice(&(conn as u64).to_le_bytes());
    msg
}

/// The client role: run only in the child process the server test starts.
#[test]
fn c10k_client_role() {
    let Ok(addr) = std::env::var(CLIENT_ROLE) else {
        return; // a normal test run: this test only has a job inside the child
    };
    let limit = raise_fd_limit();
    assert!(
        limit as usize > CONNS + 100,
        "the fd hard limit {limit} is too low"
    );
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    evloop::run(async move {
        timeout(LIMIT, async move {
            let start = Instant::now();
            let mut streams = Vec::with_capacity(CONNS);
            // Connect in waves of 1,000 so the server's accept queue never overflows.
            while streams.len() < CONNS {
                let wave = (CONNS - streams.len()).min(1_000);
                for stream in evloop::gather_all((0..wave).map(|_| TcpStream::connect(addr))).await
                {
                    streams.push(stream.expect("connect"));
                }
            }
            let connected = start.elapsed();
            // All 10,000 are open now; each echoes its messages concurrently.
            let tasks: Vec<_> = streams
                .into_iter()
                .enumerate()
                .map(|(conn, mut stream)| {
                    evloop::spawn(async move {
                        let mut echo = [0u8; SIZE];
                        for seq in 0..MSGS {
                            let msg = message(conn, seq);
                            stream.write_all(&msg).await.expect("write");
                            stream.read_exact(&mut echo).await.expect("read");
                            assert_eq!(echo, msg, "connection {conn}, message {seq}");
                        }
                        stream
                    })
                })
                .collect();
            let streams: Vec<TcpStream> = evloop::gather_all(tasks)
                .await
                .into_iter()
                .map(|r| r.expect("a client task failed"))
                .collect();
            println!(
                "client: {CONNS} connections open in {connected:.2?}; \
                 {} messages echoed and checked in {:.2?} more",
                CONNS * MSGS,
                start.elapsed() - connected
            );
            drop(streams);
        })
        .await
        .expect("the clients did not finish in time");
    });
}

#[test]
fn ten_thousand_concurrent_connections_echo_on_one_thread() {
    if std::env::var_os(CLIENT_ROLE).is_some() {
        return; // inside the child: only the client role runs
    }
    let runtime = evloop::Runtime::new().unwrap();
    if runtime.backend() == Backend::Select {
        // Replaced by tests/net_select_fd_limit.rs.
        println!("EVLOOP_BACKEND=select: no C10K, select watches fds below 1024 only");
        return;
    }
    let limit = raise_fd_limit();
    assert!(
        limit as usize > CONNS + 100,
        "the fd hard limit {limit} is too low for C10K"
    );
    let start = Instant::now();

    /// What the server saw.
    #[derive(Default)]
    struct Seen {
        /// Connections open now.
        open: Cell<usize>,
        /// The most connections open at once.
        max_open: Cell<usize>,
        /// Connections accepted in all.
        accepted: Cell<usize>,
        /// Bytes echoed in all.
        echoed: Cell<usize>,
    }
    let seen = Rc::new(Seen::default());

    let output = runtime.block_on({
        let seen = seen.clone();
        async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            evloop::spawn(async move {
                loop {
                    let (mut conn, _) = listener.accept().await.expect("accept");
                    seen.accepted.set(seen.accepted.get() + 1);
                    seen.open.set(seen.open.get() + 1);
                    seen.max_open.set(seen.max_open.get().max(seen.open.get()));
                    let seen = seen.clone();
                    evloop::spawn(async move {
                        let mut buf = [0u8; 1024];
                        while let Ok(n @ 1..) = conn.read(&mut buf).await {
                            seen.echoed.set(seen.echoed.get() + n);
                            if conn.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                        seen.open.set(seen.open.get() - 1);
                    });
                }
            });

            let exe = std::env::current_exe().unwrap();
            let child = Command::new(exe)
                .args([
                    "c10k_client_role",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CLIENT_ROLE, addr.to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let pid = child.id() as libc::pid_t;
            let waited = timeout(
                LIMIT + Duration::from_secs(5),
                evloop::spawn_blocking(move || child.wait_with_output()),
            )
            .await;
            match waited {
                Ok(output) => output.unwrap().unwrap(),
                Err(_) => {
                    // SAFETY: `kill` takes no pointers; `pid` is our own child, not yet
                    // reaped (the blocking wait is still on it).
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    panic!("the client process did not finish within {LIMIT:?}; killed it");
                }
            }
        }
    });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the client process failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains("client: 10000 connections"),
        "the client role did not run:\n{stdout}"
    );
    // With --nocapture the child's line may follow the harness's "test ... " prefix.
    for line in stdout
        .lines()
        .filter_map(|l| l.find("client:").map(|at| &l[at..]))
    {
        println!("{line}");
    }
    println!(
        "server: {} accepted, {} open at once, {} bytes echoed; {:.2?} in all",
        seen.accepted.get(),
        seen.max_open.get(),
        seen.echoed.get(),
        start.elapsed()
    );
    assert_eq!(seen.accepted.get(), CONNS);
    assert_eq!(
        seen.max_open.get(),
        CONNS,
        "not all connections were open at once"
    );
    assert_eq!(seen.echoed.get(), CONNS * MSGS * SIZE);
}
