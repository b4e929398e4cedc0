//! An echo load generator: N connections, each sending a message, waiting for its echo,
//! and sending the next, for S seconds; then messages per second and latency
//! percentiles.
//!
//! ```text
//! cargo run --release --example echo_server -- --port 7878 &
//! cargo run --release --example echo_client -- --addr 127.0.0.1:7878 --conns 1000 --size 64 --secs 10
//! cargo run --example echo_client -- --with-server --conns 10 --secs 1   # self-contained, short
//! ```
//!
//! All connections are opened first (in batches, so the server's accept queue never
//! overflows), then the clock starts. It raises its own `RLIMIT_NOFILE` soft limit to the
//! hard limit, so 10,000 connections fit.

#[path = "serve/fd_limit.rs"]
mod fd_limit;

use std::io;
use std::time::{Duration, Instant};

use evloop::net::{TcpListener, TcpStream};

/// Command-line settings.
struct Args {
    /// The echo server, `host:port`.
    addr: String,
    /// How many connections.
    conns: usize,
    /// Message size in bytes.
    size: usize,
    /// How long to send, in seconds.
    secs: f64,
    /// Start an echo server on 127.0.0.1:0 in this process (same loop) and load that.
    with_server: bool,
}

/// Parses the command line; `Err` holds the text to print (help or a usage error).
fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: "127.0.0.1:7878".into(),
        conns: 100,
        size: 64,
        secs: 5.0,
        with_server: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => args.addr = value()?,
            "--conns" => args.conns = value()?.parse().map_err(|e| format!("--conns: {e}"))?,
            "--size" => args.size = value()?.parse().map_err(|e| format!("--size: {e}"))?,
            "--secs" => args.secs = value()?.parse().map_err(|e| format!("--secs: {e}"))?,
            "--with-server" => args.with_server = true,
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown flag {other}\n\n{}", usage())),
        }
    }
    if args.conns == 0 || args.size == 0 || !args.secs.is_finite() || args.secs <= 0.0 {
        return Err(format!(
            "--conns, --size and --secs must be positive\n\n{}",
            usage()
        ));
    }
    Ok(args)
}

/// The `--help` text.
fn usage() -> String {
    "echo_client: an echo load generator on evloop (one thread)\n\n\
     usage: echo_client [--addr HOST:PORT] [--conns N] [--size BYTES] [--secs S] [--with-server]\n\
     \x20 --addr HOST:PORT  the echo server (default 127.0.0.1:7878)\n\
     \x20 --conns N         concurrent connections (default 100)\n\
     \x20 --size BYTES      message size (default 64)\n\
     \x20 --secs S          how long to send, may be fractional (default 5)\n\
     \x20 --with-server     run an echo server in this process and load it"
        .into()
}

/// What one connection measured.
struct ConnStats {
    /// Round-trip latency of each message, in microseconds.
    latencies_us: Vec<u32>,
    /// The error that ended the connection early, if any.
    error: Option<io::Error>,
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(text) => {
            eprintln!("{text}");
            std::process::exit(if text.starts_with("echo_client:") {
                0
            } else {
                2
            });
        }
    };
    fd_limit::raise_fd_limit();
    if let Err(e) = evloop::run(load(args)) {
        eprintln!("echo_client: {e}");
        std::process::exit(1);
    }
}

/// Opens the connections, runs the load, prints the report.
async fn load(args: Args) -> io::Result<()> {
    let addr = if args.with_server {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?.to_string();
        evloop::spawn(echo_server(listener));
        addr
    } else {
        args.addr.clone()
    };
    let target = evloop::net::lookup_host(addr.as_str()).await?[0];

    let started = Instant::now();
    let mut streams = Vec::with_capacity(args.conns);
    while streams.len() < args.conns {
        let batch = (args.conns - streams.len()).min(512);
        let opened = evloop::gather_all((0..batch).map(|_| TcpStream::connect(target))).await;
        for stream in opened {
            let stream = stream?;
            stream.set_nodelay(true)?;
            streams.push(stream);
        }
    }
    println!(
        "{} connections to {target} open in {:.2?}; sending {}-byte messages for {} s",
        args.conns,
        started.elapsed(),
        args.size,
        args.secs
    );

    let deadline = Instant::now() + Duration::from_secs_f64(args.secs);
    let started = Instant::now();
    let tasks: Vec<_> = streams
        .into_iter()
        .enumerate()
        .map(|(i, stream)| evloop::spawn(ping_pong(stream, i, args.size, deadline)))
        .collect();
    let results = evloop::gather_all(tasks).await;
    let elapsed = started.elapsed();

    let mut latencies = Vec::new();
    let mut errors = 0;
    for stats in results.into_iter().flatten() {
        latencies.extend_from_slice(&stats.latencies_us);
        if let Some(e) = stats.error {
            if errors == 0 {
                eprintln!("first connection error: {e}");
            }
            errors += 1;
        }
    }
    latencies.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(i).copied().unwrap_or(0)
    };
    println!(
        "{} messages in {:.2?}: {:.0} messages/s; latency p50 {} µs, p99 {} µs, p99.9 {} µs, max {} µs; {} connection errors",
        latencies.len(),
        elapsed,
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(0.999),
        latencies.last().copied().unwrap_or(0),
        errors
    );
    Ok(())
}

/// Sends a message, waits for its echo, checks it, repeats until `deadline`.
async fn ping_pong(mut stream: TcpStream, id: usize, size: usize, deadline: Instant) -> ConnStats {
    let mut msg = vec![0u8; size];
    let mut echo = vec![0u8; size];
    let mut stats = ConnStats {
        latencies_us: Vec::new(),
        error: None,
    };
    let mut seq = 0u64;
    while Instant::now() < deadline {
        let stamp = (id as u64) << 32 | seq;
        for (i, b) in msg.iter_mut().enumerate() {
            *b = (stamp >> ((i % 8) * 8)) as u8;
        }
        let sent = Instant::now();
        let round = async {
            stream.write_all(&msg).await?;
            stream.read_exact(&mut echo).await
        };
        if let Err(e) = round.await {
            stats.error = Some(e);
            break;
        }
        if echo != msg {
            stats.error = Some(io::Error::other("the echo differs from the message sent"));
            break;
        }
        let us = sent.elapsed().as_micros();
        stats
            .latencies_us
            .push(u32::try_from(us).unwrap_or(u32::MAX));
        seq += 1;
    }
    stats
}

/// The in-process echo server of `--with-server`.
async fn echo_server(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((mut stream, _)) => {
                evloop::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    let mut buf = vec![0u8; 4096];
                    while let Ok(n @ 1..) = stream.read(&mut buf).await {
                        if stream.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
            Err(_) => evloop::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
