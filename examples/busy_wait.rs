//! Busy-waiting burns a core; `select`, `poll` and `epoll` sleep in the kernel.
//!
//! ```text
//! cargo run --release --example busy_wait
//! cargo run --release --example busy_wait -- --messages 20 --interval-ms 100
//! ```
//!
//! Five receivers run at once, each on its own thread with its own UDP socket on
//! 127.0.0.1; one sender thread sends each of them a message every 100 ms, 20 times
//! (2 s). The receivers wait for their messages five ways:
//!
//! - **busy**: a non-blocking `recv`, retried at once whenever it says `EAGAIN`;
//! - **select**, **poll**, **epoll**: block in that system call until the socket is
//!   readable, then `recv`;
//! - **evloop**: a task awaiting `UdpSocket::recv` on an evloop loop (its backend as
//!   `EVLOOP_BACKEND` says, epoll by default).
//!
//! Each prints the CPU time its thread used (`getrusage(RUSAGE_THREAD)`, user + system)
//! and its loop iterations: `recv` calls for busy, system-call wake-ups for the three
//! waits, polls of the receiving future for evloop (two per message: one finds nothing
//! and parks, the one after the wake-up receives). Expect busy to use about all of the
//! 2 s on a core (less if other programs compete for it) and to spin millions of times,
//! and the others a fraction of a millisecond for their 20 wake-ups. The asyncio version of the blocking waits is `selectors`:
//!
//! ```python
//! sel = selectors.DefaultSelector()          # EpollSelector on Linux
//! sel.register(sock, selectors.EVENT_READ)
//! while received < 20:
//!     sel.select()                           # sleeps in epoll_wait until readable
//!     sock.recv(64); received += 1
//! ```

use std::future::Future;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// Command-line settings.
struct Args {
    /// Messages each receiver gets.
    messages: usize,
    /// The time between two messages.
    interval: Duration,
}

/// Parses the command line; `Err` holds the text to print (help or a usage error).
fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        messages: 20,
        interval: Duration::from_millis(100),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--messages" => {
                args.messages = value()?.parse().map_err(|e| format!("--messages: {e}"))?
            }
            "--interval-ms" => {
                let ms = value()?
                    .parse()
                    .map_err(|e| format!("--interval-ms: {e}"))?;
                args.interval = Duration::from_millis(ms);
            }
            _ => {
                return Err(
                    "usage: busy_wait [--messages N (20)] [--interval-ms MS (100)]".to_string(),
                )
            }
        }
    }
    if args.messages == 0 {
        return Err("--messages must be at least 1".into());
    }
    Ok(args)
}

/// What one receiver measured.
struct Report {
    /// How it waited.
    strategy: &'static str,
    /// Messages received.
    received: usize,
    /// Loop iterations: `recv` attempts (busy), wake-ups (the waits), polls (evloop).
    iterations: u64,
    /// CPU time of the receiving thread, user + system.
    cpu: Duration,
}

/// A receiver's start: it says where it listens, then waits until all are listening.
struct Ready {
    /// Where the sender learns the receiver's address.
    addr: mpsc::Sender<SocketAddr>,
    /// Passed by every receiver and the sender together.
    start: Arc<Barrier>,
}

impl Ready {
    /// Hands over `addr` and waits for the start (asleep: no CPU time).
    fn go(self, addr: SocketAddr) {
        self.addr.send(addr).expect("the sender is gone");
        self.start.wait();
    }
}

/// A UDP socket on 127.0.0.1, announced to the sender; returns after the start.
fn bind(ready: Ready) -> io::Result<UdpSocket> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    ready.go(socket.local_addr()?);
    Ok(socket)
}

/// The calling thread's CPU time so far, user + system (`getrusage(RUSAGE_THREAD)`).
fn thread_cpu() -> Duration {
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage`; RUSAGE_THREAD reads this thread's.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
    assert_eq!(rc, 0, "getrusage: {}", io::Error::last_os_error());
    let time = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1_000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Turns a libc-style `-1` into the OS error.
fn check(rc: libc::c_int, call: &str) -> io::Result<libc::c_int> {
    if rc < 0 {
        let e = io::Error::last_os_error();
        Err(io::Error::new(e.kind(), format!("{call}: {e}")))
    } else {
        Ok(rc)
    }
}

/// Receives one message from a socket that has one ready (or, non-blocking, `EAGAIN`).
fn recv(socket: &UdpSocket) -> io::Result<usize> {
    socket.recv(&mut [0u8; 64])
}

/// Busy-waiting: `recv` on a non-blocking socket, again and again, until data comes.
fn busy(ready: Ready, messages: usize) -> io::Result<(usize, u64)> {
    let socket = &bind(ready)?;
    socket.set_nonblocking(true)?;
    let (mut received, mut iterations) = (0, 0u64);
    while received < messages {
        iterations += 1;
        match recv(socket) {
            Ok(_) => received += 1,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok((received, iterations))
}

/// Blocks in `select` until the socket is readable, then receives.
fn select(ready: Ready, messages: usize) -> io::Result<(usize, u64)> {
    let socket = &bind(ready)?;
    let fd: RawFd = socket.as_raw_fd();
    if fd as usize >= libc::FD_SETSIZE {
        return Err(io::Error::other(format!("fd {fd} does not fit an fd_set")));
    }
    let (mut received, mut iterations) = (0, 0u64);
    while received < messages {
        // SAFETY: an all-zero fd_set is the empty set.
        let mut readable: libc::fd_set = unsafe { std::mem::zeroed() };
        // SAFETY: `readable` is a live fd_set and fd < FD_SETSIZE (checked above).
        unsafe { libc::FD_SET(fd, &mut readable) };
        // SAFETY: `readable` is a live fd_set, the other sets and the timeout are null
        // (no write or except set, no timeout: block until readable).
        let ready = unsafe {
            libc::select(
                fd + 1,
                &mut readable,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        iterations += 1;
        if check(ready, "select")? > 0 {
            recv(socket)?;
            received += 1;
        }
    }
    Ok((received, iterations))
}

/// Blocks in `poll` until the socket is readable, then receives.
fn poll(ready: Ready, messages: usize) -> io::Result<(usize, u64)> {
    let socket = &bind(ready)?;
    let (mut received, mut iterations) = (0, 0u64);
    while received < messages {
        let mut pfd = libc::pollfd {
            fd: socket.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: `pfd` is one live pollfd, and the count says 1; no timeout.
        let ready = unsafe { libc::poll(&mut pfd, 1, -1) };
        iterations += 1;
        if check(ready, "poll")? > 0 {
            recv(socket)?;
            received += 1;
        }
    }
    Ok((received, iterations))
}

/// Blocks in `epoll_wait` until the socket is readable, then receives.
fn epoll(ready: Ready, messages: usize) -> io::Result<(usize, u64)> {
    let socket = &bind(ready)?;
    // SAFETY: epoll_create1 takes no pointers.
    let ep = check(
        unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) },
        "epoll_create1",
    )?;
    // SAFETY: `ep` was just returned by the kernel and is owned by nothing else.
    let ep = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(ep) };
    let mut event = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: 0,
    };
    // SAFETY: `event` is a live epoll_event the kernel only reads; both fds are open.
    let added = unsafe {
        libc::epoll_ctl(
            ep.as_raw_fd(),
            libc::EPOLL_CTL_ADD,
            socket.as_raw_fd(),
            &mut event,
        )
    };
    check(added, "epoll_ctl")?;
    let (mut received, mut iterations) = (0, 0u64);
    while received < messages {
        // SAFETY: `event` is one live epoll_event for the kernel to fill; no timeout.
        let ready = unsafe { libc::epoll_wait(ep.as_raw_fd(), &mut event, 1, -1) };
        iterations += 1;
        if check(ready, "epoll_wait")? > 0 {
            recv(socket)?;
            received += 1;
        }
    }
    Ok((received, iterations))
}

/// An evloop task awaiting `UdpSocket::recv`; counts the polls of the receiving future.
fn evloop_task(ready: Ready, messages: usize) -> io::Result<(usize, u64)> {
    evloop::run(async move {
        let socket = evloop::net::UdpSocket::bind("127.0.0.1:0").await?;
        ready.go(socket.local_addr()?); // blocks the loop until the start, on purpose
        let (mut received, mut polls) = (0, 0u64);
        let mut buf = [0u8; 64];
        while received < messages {
            let mut recv = std::pin::pin!(socket.recv(&mut buf));
            std::future::poll_fn(|cx| {
                polls += 1;
                recv.as_mut().poll(cx)
            })
            .await?;
            received += 1;
        }
        Ok((received, polls))
    })
}

fn main() -> io::Result<()> {
    let args = match parse_args() {
        Ok(args) => args,
        Err(text) => {
            eprintln!("{text}");
            std::process::exit(2);
        }
    };
    type Strategy = fn(Ready, usize) -> io::Result<(usize, u64)>;
    let strategies: [(&'static str, Strategy); 5] = [
        ("busy recv", busy),
        ("select", select),
        ("poll", poll),
        ("epoll", epoll),
        ("evloop", evloop_task),
    ];
    let backend = evloop::Runtime::new()?.backend();
    println!(
        "{} receivers, each sent {} messages {} ms apart; evloop on {backend}\n",
        strategies.len(),
        args.messages,
        args.interval.as_millis(),
    );

    let start = Arc::new(Barrier::new(strategies.len() + 1));
    let (addr_tx, addr_rx) = mpsc::channel();
    let mut receivers = Vec::new();
    for (strategy, run) in strategies {
        let ready = Ready {
            addr: addr_tx.clone(),
            start: Arc::clone(&start),
        };
        let messages = args.messages;
        receivers.push(thread::spawn(move || -> io::Result<Report> {
            let cpu0 = thread_cpu();
            let (received, iterations) = run(ready, messages)?;
            Ok(Report {
                strategy,
                received,
                iterations,
                cpu: thread_cpu() - cpu0,
            })
        }));
    }
    let addrs: Vec<SocketAddr> = addr_rx.iter().take(receivers.len()).collect();
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    start.wait();
    let t0 = Instant::now();
    for i in 1..=args.messages {
        // Paced from the start, so the sender's own delays do not add up.
        let due = t0 + args.interval * i as u32;
        thread::sleep(due.saturating_duration_since(Instant::now()));
        for addr in &addrs {
            sender.send_to(b"tick", addr)?;
        }
    }
    let run = t0.elapsed();

    println!(
        "| strategy | messages | loop iterations | CPU ms | CPU / {:.1} s |",
        run.as_secs_f64()
    );
    println!("|---|---:|---:|---:|---:|");
    for receiver in receivers {
        let r = receiver.join().expect("a receiver panicked")?;
        println!(
            "| {} | {} | {} | {:.2} | {:.2} % |",
            r.strategy,
            r.received,
            r.iterations,
            r.cpu.as_secs_f64() * 1e3,
            100.0 * r.cpu.as_secs_f64() / run.as_secs_f64()
        );
    }
    Ok(())
}
