//! Ten 1-second API calls on one thread take about 1 second, not 10.
//!
//! ```text
//! cargo run --example ten_calls
//! cargo run --example ten_calls -- --calls 100 --delay-ms 200
//! ```
//!
//! It starts a small HTTP/1.1 server on 127.0.0.1 whose handler waits (an evloop
//! `sleep`, like a slow upstream API) before answering, then makes the GET requests
//! concurrently over `TcpStream` and prints each status and the total time. Each call
//! spends its second suspended at an `.await`, so the waits overlap. The asyncio
//! original:
//!
//! ```python
//! async def call(i):
//!     reader, writer = await asyncio.open_connection("127.0.0.1", port)
//!     writer.write(f"GET /call/{i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
//!     return (await reader.read()).split(b" ")[1]
//!
//! statuses = await asyncio.gather(*(call(i) for i in range(10)))
//! ```

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use evloop::net::{TcpListener, TcpStream};

/// Command-line settings.
struct Args {
    /// How many concurrent calls.
    calls: usize,
    /// How long the server's handler waits before answering.
    delay: Duration,
}

/// Parses the command line; `Err` holds the text to print (help or a usage error).
fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        calls: 10,
        delay: Duration::from_secs(1),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--calls" => args.calls = value()?.parse().map_err(|e| format!("--calls: {e}"))?,
            "--delay-ms" => {
                let ms = value()?.parse().map_err(|e| format!("--delay-ms: {e}"))?;
                args.delay = Duration::from_millis(ms);
            }
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown flag {other}\n\n{}", usage())),
        }
    }
    Ok(args)
}

/// The `--help` text.
fn usage() -> String {
    "ten_calls: N concurrent HTTP calls to a slow local server, on one thread\n\n\
     usage: ten_calls [--calls N] [--delay-ms MS]\n\
     \x20 --calls N       concurrent GET requests (default 10)\n\
     \x20 --delay-ms MS   the server's wait before each answer (default 1000)"
        .into()
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(text) => {
            eprintln!("{text}");
            std::process::exit(if text.starts_with("ten_calls:") { 0 } else { 2 });
        }
    };
    match evloop::run(ten_calls(args.calls, args.delay)) {
        Ok(report) => {
            for call in &report.calls {
                println!(
                    "call {:>2}: HTTP {} after {:.2?}",
                    call.index, call.status, call.elapsed
                );
            }
            println!(
                "{} calls of {:?} each took {:.2?} in total, on one thread",
                report.calls.len(),
                args.delay,
                report.total
            );
        }
        Err(e) => {
            eprintln!("ten_calls: {e}");
            std::process::exit(1);
        }
    }
}

/// One finished call.
pub struct Call {
    /// Which call (0-based).
    pub index: usize,
    /// The response's status code.
    pub status: u16,
    /// From the start of all calls to the end of this one.
    pub elapsed: Duration,
}

/// What [`ten_calls`] measured.
pub struct Report {
    /// Every call, in order.
    pub calls: Vec<Call>,
    /// From the first request to the last response.
    pub total: Duration,
}

/// Starts the slow server, makes `calls` concurrent GETs, and reports. Must run inside
/// an evloop loop.
pub async fn ten_calls(calls: usize, delay: Duration) -> io::Result<Report> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = evloop::spawn(slow_server(listener, delay));

    let start = Instant::now();
    let results = evloop::gather_all((0..calls).map(|i| async move {
        let status = get(addr, &format!("/call/{i}")).await?;
        Ok::<Call, io::Error>(Call {
            index: i,
            status,
            elapsed: start.elapsed(),
        })
    }))
    .await;
    let total = start.elapsed();
    server.abort();
    Ok(Report {
        calls: results.into_iter().collect::<io::Result<_>>()?,
        total,
    })
}

/// Makes one `GET path` request to `addr` and returns the response's status code.
async fn get(addr: SocketAddr, path: &str) -> io::Result<u16> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf).await? {
            0 => break,
            n => response.extend_from_slice(&buf[..n]),
        }
    }
    // "HTTP/1.1 200 OK\r\n..."
    let status = response
        .split(|&b| b == b' ')
        .nth(1)
        .and_then(|code| std::str::from_utf8(code).ok()?.parse().ok());
    status
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no status line in the response"))
}

/// Serves each connection in its own task: reads the request head, waits `delay`, and
/// answers `200 OK`.
async fn slow_server(listener: TcpListener, delay: Duration) {
    while let Ok((mut stream, _)) = listener.accept().await {
        evloop::spawn(async move {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(n @ 1..) => head.extend_from_slice(&buf[..n]),
                    _ => return,
                }
            }
            evloop::time::sleep(delay).await; // the "slow API"
            let body = "{\"ok\":true}\n";
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        });
    }
}
