//! A TCP echo server: every byte a client sends comes back. One thread, one task per
//! connection.
//!
//! ```text
//! cargo run --release --example echo_server -- --addr 127.0.0.1 --port 7878
//! cargo run --release --example echo_client -- --addr 127.0.0.1:7878 --conns 1000 --secs 5
//! cargo run --example echo_server -- --port 0 --secs 1      # serve for 1 s, then exit
//! ```
//!
//! The asyncio counterpart:
//!
//! ```python
//! async def handle(reader, writer):
//!     while data := await reader.read(4096):
//!         writer.write(data)
//!         await writer.drain()
//!     writer.close()
//!
//! asyncio.run(asyncio.start_server(handle, "127.0.0.1", 7878)) ...
//! ```
//!
//! Ctrl-C (`SIGINT`) shuts it down gracefully: it prints a line, stops accepting,
//! closes the open connections and exits with status 0 (asyncio: catching
//! `KeyboardInterrupt`, or `loop.add_signal_handler(signal.SIGINT, server.close)`).
//!
//! A server survives its clients (`serve/accept.rs`): a connection that died before it
//! was accepted is skipped by `accept` itself; out of file descriptors (`EMFILE`) or
//! memory, the server prints the error, sleeps 10 ms and goes on (existing connections
//! keep being served); any other accept error is printed and the server goes on. It
//! raises its own `RLIMIT_NOFILE` soft limit to the hard limit at start.

#[path = "serve/accept.rs"]
mod accept;
#[path = "serve/fd_limit.rs"]
mod fd_limit;

use std::io;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};

/// Command-line settings.
struct Args {
    /// Address to bind.
    addr: String,
    /// Port to bind (0: any free port, printed at start).
    port: u16,
    /// Stop after this many seconds (default: serve until Ctrl-C).
    secs: Option<u64>,
}

/// Parses the command line; `Err` holds the text to print (help or a usage error).
fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: "127.0.0.1".into(),
        port: 7878,
        secs: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => args.addr = value()?,
            "--port" => args.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--secs" => args.secs = Some(value()?.parse().map_err(|e| format!("--secs: {e}"))?),
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown flag {other}\n\n{}", usage())),
        }
    }
    Ok(args)
}

/// The `--help` text.
fn usage() -> String {
    "echo_server: a TCP echo server on evloop (one thread)\n\n\
     usage: echo_server [--addr IP] [--port N] [--secs S]\n\
     \x20 --addr IP   address to bind (default 127.0.0.1)\n\
     \x20 --port N    port to bind, 0 for any (default 7878)\n\
     \x20 --secs S    exit after S seconds (default: run until Ctrl-C)"
        .into()
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(text) => {
            eprintln!("{text}");
            std::process::exit(if text.starts_with("echo_server:") {
                0
            } else {
                2
            });
        }
    };
    fd_limit::raise_fd_limit();
    let result = evloop::run(async move {
        let listener = TcpListener::bind((args.addr.as_str(), args.port)).await?;
        // Listening for Ctrl-C starts here, before the first connection is served.
        let ctrl_c = evloop::signal::ctrl_c();
        println!("echo server listening on {}", listener.local_addr()?);
        let serving = async move {
            match args.secs {
                Some(secs) => {
                    let _ = evloop::time::timeout(Duration::from_secs(secs), serve(listener)).await;
                    Ok(())
                }
                None => serve(listener).await,
            }
        };
        let shutdown = async {
            ctrl_c.await?;
            println!("ctrl-c: no longer accepting connections; exiting");
            Ok(())
        };
        // Whichever ends first wins; the other is dropped: after Ctrl-C the listener
        // closes, and `run` returning drops the open connections' tasks.
        evloop::race(serving, shutdown).await
    });
    if let Err(e) = result {
        eprintln!("echo_server: {e}");
        std::process::exit(1);
    }
}

/// Accepts forever, one task per connection; accept errors are survived
/// (`serve/accept.rs`).
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _peer) = accept::accept(&listener).await;
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
