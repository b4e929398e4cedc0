//! An accept loop at the fd limit, in a child process whose `RLIMIT_NOFILE` is 64, while
//! 200 clients connect: `accept` fails with `EMFILE`, the loop backs off by sleeping
//! instead of spinning (few accept calls and little CPU over a whole second at the
//! limit), and once fds free up every client gets its echo.
//!
//! `net_emfile.rs` checks the single `EMFILE` and the next accept; this checks a server
//! loop written the way `TcpListener::accept`'s docs advise, under sustained pressure.
//! The server lives in a child process (this binary re-executed with an environment
//! variable, as `net_c10k.rs` does) so its low fd limit cannot touch other tests.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::{sleep, sleep_until, timeout, Instant};

/// Clients that connect at once.
const CLIENTS: usize = 200;
/// The child's soft fd limit.
const FD_LIMIT: libc::rlim_t = 64;
/// The environment variable that makes this binary the server.
const SERVER_ROLE: &str = "EVLOOP_TEST_EMFILE_SERVER";
/// How long the server sleeps after an accept error.
const BACKOFF: Duration = Duration::from_millis(20);
/// Clients hold their connection open until this long after they started, so the server
/// stays at its fd limit for well over the one second it is watched.
const HOLD: Duration = Duration::from_millis(3500);
/// The bound on the whole test.
const LIMIT: Duration = Duration::from_secs(30);

/// CPU time this process has used so far.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable `timespec`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// What the server saw during the first second after its first `EMFILE`.
#[derive(Debug, Default, Clone, Copy)]
struct Window {
    /// Calls to `accept` in that second.
    accept_calls: u64,
    /// Connections accepted in that second (0 if it really stayed at the limit).
    accepted: u64,
    /// CPU time the whole process used in that second.
    cpu: Duration,
}

/// The server's counters.
#[derive(Default)]
struct Counters {
    /// Calls to `accept`.
    accept_calls: std::cell::Cell<u64>,
    /// Connections accepted.
    accepted: std::cell::Cell<u64>,
    /// `accept` calls that failed with `EMFILE`.
    emfile: std::cell::Cell<u64>,
    /// Connections echoed.
    served: std::cell::Cell<u64>,
    /// The watched second, once it is over.
    window: std::cell::Cell<Option<Window>>,
}

/// Sets the soft `RLIMIT_NOFILE`, keeping the hard limit.
fn set_soft_fd_limit(soft: libc::rlim_t) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit`.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    lim.rlim_cur = soft;
    // SAFETY: `lim` is a valid `rlimit` whose hard limit is unchanged.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) }, 0);
}

/// Echoes the client's 8-byte id, then keeps the connection (and its fd) until EOF.
async fn handle(mut conn: TcpStream, counters: Rc<Counters>) {
    let mut id = [0u8; 8];
    if conn.read_exact(&mut id).await.is_err() || conn.write_all(&id).await.is_err() {
        return;
    }
    counters.served.set(counters.served.get() + 1);
    let mut rest = [0u8; 8];
    while let Ok(1..) = conn.read(&mut rest).await {}
}

/// Watches the first second after the first `EMFILE`.
async fn watch_window(counters: Rc<Counters>) {
    let (calls, accepted, cpu) = (
        counters.accept_calls.get(),
        counters.accepted.get(),
        cpu_time(),
    );
    sleep(Duration::from_secs(1)).await;
    counters.window.set(Some(Window {
        accept_calls: counters.accept_calls.get() - calls,
        accepted: counters.accepted.get() - accepted,
        cpu: cpu_time() - cpu,
    }));
}

/// The server role: runs only in the child process the test starts.
#[test]
fn emfile_server_role() {
    if std::env::var_os(SERVER_ROLE).is_none() {
        return; // a normal test run: this test only has a job inside the child
    }
    set_soft_fd_limit(FD_LIMIT);
    let counters = Rc::new(Counters::default());
    evloop::run({
        let counters = counters.clone();
        async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            println!(
                "emfile-server listening on {}",
                listener.local_addr().unwrap()
            );
            let server = evloop::spawn({
                let counters = counters.clone();
                async move {
                    loop {
                        counters.accept_calls.set(counters.accept_calls.get() + 1);
                        match listener.accept().await {
                            Ok((conn, _)) => {
                                counters.accepted.set(counters.accepted.get() + 1);
                                evloop::spawn(handle(conn, counters.clone()));
                            }
                            Err(err) if err.raw_os_error() == Some(libc::EMFILE) => {
                                counters.emfile.set(counters.emfile.get() + 1);
                                if counters.emfile.get() == 1 {
                                    evloop::spawn(watch_window(counters.clone()));
                                }
                                sleep(BACKOFF).await;
                            }
                            Err(err) => panic!("accept: {err}"),
                        }
                    }
                }
            });
            timeout(LIMIT, async {
                while counters.served.get() < CLIENTS as u64 || counters.window.get().is_none() {
                    sleep(Duration::from_millis(10)).await;
                }
            })
            .await
            .expect("the server did not serve every client in time");
            server.abort();
        }
    });
    let w = counters.window.get().unwrap();
    println!(
        "emfile-server: served {} accepted {} emfile {} window_calls {} window_accepted {} \
         window_cpu_us {}",
        counters.served.get(),
        counters.accepted.get(),
        counters.emfile.get(),
        w.accept_calls,
        w.accepted,
        w.cpu.as_micros()
    );
}

/// The value after `key` in the server's report line.
fn field(report: &str, key: &str) -> u64 {
    let mut words = report.split_whitespace();
    words.find(|w| *w == key);
    words
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in {report:?}"))
}

#[test]
fn an_accept_loop_at_the_fd_limit_backs_off_and_serves_every_client() {
    if std::env::var_os(SERVER_ROLE).is_some() {
        return; // inside the child: only the server role runs
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "emfile_server_role",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SERVER_ROLE, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let addr: SocketAddr = loop {
        let mut line = String::new();
        assert_ne!(
            stdout.read_line(&mut line).unwrap(),
            0,
            "the server exited early"
        );
        if let Some(at) = line.find("emfile-server listening on ") {
            break line[at..]
                .split_whitespace()
                .last()
                .unwrap()
                .parse()
                .unwrap();
        }
    };

    let start = Instant::now();
    let release = start + HOLD;
    let echoed = evloop::run(async move {
        let clients = (0..CLIENTS as u64).map(|id| async move {
            let mut conn = TcpStream::connect(addr).await.expect("connect");
            conn.write_all(&id.to_le_bytes()).await.expect("write");
            let mut back = [0u8; 8];
            conn.read_exact(&mut back).await.expect("read the echo");
            assert_eq!(u64::from_le_bytes(back), id);
            // Keep the server's fd busy for a while, then let it go.
            sleep_until(release).await;
            drop(conn);
        });
        let all = evloop::gather_all(clients.map(evloop::spawn));
        let results = timeout(LIMIT, all).await;
        if results.is_err() {
            // SAFETY: `kill` takes no pointers; `pid` is our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the clients did not all get their echo within {LIMIT:?}");
        }
        results.unwrap().into_iter().filter(|r| r.is_ok()).count()
    });
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "the server failed ({status}):\n{rest}");
    assert_eq!(echoed, CLIENTS, "clients that got their echo");

    let report = rest
        .lines()
        .find_map(|l| l.find("emfile-server: ").map(|at| &l[at..]))
        .unwrap_or_else(|| panic!("no report from the server:\n{rest}"));
    println!("{report}; {:.2?} in all", start.elapsed());
    assert_eq!(field(report, "served"), CLIENTS as u64);
    assert!(field(report, "emfile") > 0, "the server never hit EMFILE");
    assert_eq!(
        field(report, "window_accepted"),
        0,
        "the watched second was not all at the fd limit"
    );
    // A 20 ms back-off makes about 50 calls a second; a spinning loop makes millions.
    let calls = field(report, "window_calls");
    assert!(
        (1..=200).contains(&calls),
        "{calls} accept calls in one second at the fd limit"
    );
    let cpu_us = field(report, "window_cpu_us");
    assert!(
        cpu_us < 300_000,
        "{cpu_us} µs of CPU in one idle second at the fd limit: spinning?"
    );
}
