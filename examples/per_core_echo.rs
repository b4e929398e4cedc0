//! An echo server on every core: one loop per CPU (`evloop::run_per_core`), each with its
//! own listener on the same port (`SO_REUSEPORT`), so the kernel spreads the connections
//! and the loops share nothing.
//!
//! ```text
//! cargo run --release --example per_core_echo -- --port 7878            # one loop per CPU
//! cargo run --release --example per_core_echo -- --loops 2 --port 7878
//! cargo run --release --example echo_client -- --addr 127.0.0.1:7878 --conns 1000 --secs 5
//! cargo run --example per_core_echo -- --port 0 --secs 1                 # serve 1 s, exit
//! ```
//!
//! The Python counterpart runs one asyncio loop per process, each with
//! `asyncio.start_server(handle, host, port, reuse_port=True)`.
//!
//! Ctrl-C (`SIGINT`) stops every loop gracefully: loop 0 listens for it and tells the
//! others through a `sync::shared::oneshot` each; every loop stops accepting, drops its
//! connections and returns how many it served, which `main` prints per loop.

#[path = "serve/accept.rs"]
mod accept;
#[path = "serve/fd_limit.rs"]
mod fd_limit;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use evloop::net::{TcpListener, TcpSocket, TcpStream};
use evloop::sync::shared::oneshot;

/// Command-line settings.
struct Args {
    /// Address to bind.
    addr: String,
    /// Port to bind (0: a free port, printed at start).
    port: u16,
    /// How many loops (0: one per CPU).
    loops: usize,
    /// Stop after this many seconds (default: serve until Ctrl-C).
    secs: Option<u64>,
}

/// Parses the command line; `Err` holds the text to print (help or a usage error).
fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: "127.0.0.1".into(),
        port: 7878,
        loops: 0,
        secs: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => args.addr = value()?,
            "--port" => args.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--loops" => args.loops = value()?.parse().map_err(|e| format!("--loops: {e}"))?,
            "--secs" => args.secs = Some(value()?.parse().map_err(|e| format!("--secs: {e}"))?),
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown flag {other}\n\n{}", usage())),
        }
    }
    Ok(args)
}

/// The `--help` text.
fn usage() -> String {
    "per_core_echo: a TCP echo server with one evloop loop per core (SO_REUSEPORT)\n\n\
     usage: per_core_echo [--addr IP] [--port N] [--loops N] [--secs S]\n\
     \x20 --addr IP   address to bind (default 127.0.0.1)\n\
     \x20 --port N    port to bind, 0 for any (default 7878)\n\
     \x20 --loops N   loops to run, 0 for one per CPU (default 0)\n\
     \x20 --secs S    exit after S seconds (default: run until Ctrl-C)"
        .into()
}

/// What the loops share: the port (known once loop 0 has bound it) and the senders that
/// stop each loop.
struct Shared {
    /// Loop 0's bound port; 0 until then.
    port: AtomicU16,
    /// One stop sender per loop but 0, taken by loop 0 when it stops them.
    stops: Mutex<Vec<oneshot::Sender<()>>>,
    /// The matching receivers, each taken by its loop.
    receivers: Mutex<Vec<Option<oneshot::Receiver<()>>>>,
    /// Set once loop 0 has bound its listener (and `port` is the real one).
    bound: AtomicBool,
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(text) => {
            eprintln!("{text}");
            std::process::exit(if text.starts_with("per_core_echo:") {
                0
            } else {
                2
            });
        }
    };
    fd_limit::raise_fd_limit();
    let loops = if args.loops == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        args.loops
    };
    let (stops, receivers): (Vec<_>, Vec<_>) = (0..loops).map(|_| oneshot::channel()).unzip();
    let shared = Arc::new(Shared {
        port: AtomicU16::new(args.port),
        stops: Mutex::new(stops),
        receivers: Mutex::new(receivers.into_iter().map(Some).collect()),
        bound: AtomicBool::new(false),
    });
    let (addr, secs) = (args.addr.clone(), args.secs);
    let served = evloop::run_per_core(loops, move |index| {
        let (shared, addr) = (shared.clone(), addr.clone());
        async move {
            match serve_loop(index, &shared, &addr, secs).await {
                Ok(served) => served,
                Err(e) => panic!("loop {index}: {e}"),
            }
        }
    });
    for (index, n) in served.iter().enumerate() {
        println!("loop {index} served {n} connections");
    }
    println!("{} connections in all", served.iter().sum::<u64>());
}

/// One loop: bind its own listener on the shared port, serve until told to stop (loop 0:
/// until Ctrl-C or `--secs`, then stop the others too), return how many connections it
/// served.
async fn serve_loop(
    index: usize,
    shared: &Shared,
    addr: &str,
    secs: Option<u64>,
) -> std::io::Result<u64> {
    let listener = bind(index, shared, addr).await?;
    let stop = shared.receivers.lock().unwrap()[index]
        .take()
        .expect("one receiver per loop");
    let served = Rc::new(Cell::new(0));
    let serving = serve(listener, served.clone());
    if index == 0 {
        println!(
            "echo server on {addr}:{} with {} loops",
            shared.port.load(Ordering::SeqCst),
            shared.stops.lock().unwrap().len()
        );
        let until = async {
            match secs {
                Some(secs) => evloop::time::sleep(Duration::from_secs(secs)).await,
                None => {
                    let _ = evloop::signal::ctrl_c().await;
                    println!("ctrl-c: stopping every loop");
                }
            }
        };
        evloop::race(serving, until).await;
        for stop in shared.stops.lock().unwrap().drain(..) {
            let _ = stop.send(());
        }
    } else {
        evloop::race(serving, async {
            let _ = stop.await;
        })
        .await;
    }
    Ok(served.get())
}

/// Binds this loop's listener: loop 0 first (learning the port if it asked for 0), the
/// others on the same port once it is known.
async fn bind(index: usize, shared: &Shared, addr: &str) -> std::io::Result<TcpListener> {
    let ip: std::net::IpAddr = addr.parse().map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("--addr {addr}: {e}"),
        )
    })?;
    if index != 0 {
        // Loop 0 publishes the real port once it has bound (it may have asked for 0).
        while !shared.bound.load(Ordering::SeqCst) {
            evloop::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let socket = if ip.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind((ip, shared.port.load(Ordering::SeqCst)).into())?;
    if index == 0 {
        shared
            .port
            .store(socket.local_addr()?.port(), Ordering::SeqCst);
        shared.bound.store(true, Ordering::SeqCst);
    }
    socket.listen(4096)
}

/// Accepts forever, one task per connection, counting them.
async fn serve(listener: TcpListener, served: Rc<Cell<u64>>) {
    loop {
        let (stream, _peer) = accept::accept(&listener).await;
        served.set(served.get() + 1);
        evloop::spawn(echo(stream));
    }
}

/// Echoes one connection until the client closes it (or it fails).
async fn echo(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; 4096];
    while let Ok(n @ 1..) = stream.read(&mut buf).await {
        if stream.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
}
