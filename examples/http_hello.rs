//! A minimal HTTP/1.1 keep-alive "Hello, world!" server, for `curl` and `wrk`.
//!
//! ```text
//! cargo run --release --example http_hello -- --port 8080
//! curl -v http://127.0.0.1:8080/
//! wrk -t1 -c100 -d10s http://127.0.0.1:8080/
//! cargo run --example http_hello -- --port 0 --secs 2      # serve for 2 s, then exit
//! ```
//!
//! One task per connection, on one thread. Requests may be pipelined; every complete
//! request in the buffer is answered, and the answers go out in one write. A malformed
//! request gets `400 Bad Request` and a head over 8 KiB gets `431 Request Header Fields
//! Too Large`; either way that connection closes and the server goes on. An accept error
//! never stops the server (`serve/accept.rs`). The parser (`examples/http/parse.rs`) is
//! I/O-free so tests and fuzzers can reuse it.
//!
//! The asyncio counterpart is an `asyncio.start_server` callback that reads the head with
//! `reader.readuntil(b"\r\n\r\n")` and writes the response.

#[path = "serve/accept.rs"]
mod accept;
#[path = "http/parse.rs"]
mod parse;

use std::io;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};

/// The response to every request that keeps the connection open.
const HELLO_KEEP_ALIVE: &[u8] = b"HTTP/1.1 200 OK\r\nServer: evloop\r\n\
    Content-Type: text/plain\r\nContent-Length: 14\r\nConnection: keep-alive\r\n\r\n\
    Hello, world!\n";

/// The response to a request that asked to close the connection after it.
const HELLO_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\nServer: evloop\r\n\
    Content-Type: text/plain\r\nContent-Length: 14\r\nConnection: close\r\n\r\n\
    Hello, world!\n";

/// Command-line settings.
struct Args {
    /// Address to bind.
    addr: String,
    /// Port to bind (0: any free port, printed at start).
    port: u16,
    /// Stop after this many seconds (default: serve until killed).
    secs: Option<u64>,
}

/// Parses the command line; `Err` holds the text to print (help or a usage error).
fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: "127.0.0.1".into(),
        port: 8080,
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
    "http_hello: an HTTP/1.1 keep-alive hello-world server on evloop\n\n\
     usage: http_hello [--addr IP] [--port N] [--secs S]\n\
     \x20 --addr IP   address to bind (default 127.0.0.1)\n\
     \x20 --port N    port to bind, 0 for any (default 8080)\n\
     \x20 --secs S    exit after S seconds (default: run until killed)"
        .into()
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(text) => {
            eprintln!("{text}");
            std::process::exit(if text.starts_with("http_hello:") {
                0
            } else {
                2
            });
        }
    };
    let result = evloop::run(async move {
        let listener = TcpListener::bind((args.addr.as_str(), args.port)).await?;
        println!("listening on http://{}/", listener.local_addr()?);
        match args.secs {
            Some(secs) => {
                let _ = evloop::time::timeout(Duration::from_secs(secs), serve(listener)).await;
                Ok(())
            }
            None => serve(listener).await,
        }
    });
    if let Err(e) = result {
        eprintln!("http_hello: {e}");
        std::process::exit(1);
    }
}

/// Accepts connections forever, one task each. Accept errors are survived
/// (`serve/accept.rs`): out of fds or memory, it backs off briefly; any other error is
/// logged.
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _peer) = accept::accept(&listener).await;
        evloop::spawn(async move {
            let _ = connection(stream).await;
        });
    }
}

/// Serves one connection until the client closes it, asks to, or sends garbage.
async fn connection(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = vec![0u8; 2 * parse::MAX_HEAD];
    let mut filled = 0;
    let mut out = Vec::with_capacity(1024);
    loop {
        let n = stream.read(&mut buf[filled..]).await?;
        if n == 0 {
            return Ok(());
        }
        filled += n;
        let mut start = 0;
        let mut close = false;
        loop {
            match parse::parse(&buf[start..filled]) {
                Ok(Some((request, head_len))) => {
                    let total = head_len + request.content_length;
                    if total > buf.len() - start {
                        out.extend_from_slice(&error_response(
                            "413 Content Too Large",
                            "request bodies over 8 KiB are not accepted",
                        ));
                        close = true;
                        break;
                    }
                    if filled - start < total {
                        break; // the body is not all here yet
                    }
                    let keep_alive = request.keep_alive;
                    hello_response(&mut out, keep_alive);
                    start += total;
                    if !keep_alive {
                        close = true;
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let status = match e {
                        parse::Error::Malformed(_) => "400 Bad Request",
                        parse::Error::HeadTooLarge => "431 Request Header Fields Too Large",
                    };
                    out.extend_from_slice(&error_response(status, &e.to_string()));
                    close = true;
                    break;
                }
            }
        }
        if !out.is_empty() {
            stream.write_all(&out).await?;
            out.clear();
        }
        if close {
            return lingering_close(stream, &mut buf).await;
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
    }
}

/// Sends a FIN, then reads and discards what the client still sends (for up to 2 s)
/// before closing: closing with unread data would send a reset, and the client could
/// lose the error response that is still on its way.
async fn lingering_close(mut stream: TcpStream, buf: &mut [u8]) -> io::Result<()> {
    stream.shutdown(std::net::Shutdown::Write)?;
    let drain = async {
        while stream.read(buf).await? > 0 {}
        Ok::<(), io::Error>(())
    };
    let _ = evloop::time::timeout(Duration::from_secs(2), drain).await;
    Ok(())
}

/// Appends the hello-world response.
fn hello_response(out: &mut Vec<u8>, keep_alive: bool) {
    out.extend_from_slice(if keep_alive {
        HELLO_KEEP_ALIVE
    } else {
        HELLO_CLOSE
    });
}

/// The response for a request that cannot be served; the connection closes after it.
fn error_response(status: &str, why: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nServer: evloop\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{why}\n",
        why.len() + 1
    )
    .into_bytes()
}
