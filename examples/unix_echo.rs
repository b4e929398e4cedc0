//! An echo server and its clients on a Unix socket: local IPC, no TCP port.
//!
//! ```text
//! cargo run --example unix_echo                          # socket in the temp directory
//! cargo run --example unix_echo -- /tmp/echo.sock 10     # that path, 10 clients
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
//! server = await asyncio.start_unix_server(handle, path)
//! reader, writer = await asyncio.open_unix_connection(path)
//! ```
//!
//! The server checks who each client is (`peer_cred`: its pid and uid, as PostgreSQL's
//! `peer` authentication does), and removes its socket file when done, so the next run
//! can bind the same path.

use std::io;
use std::net::Shutdown;
use std::path::PathBuf;

use evloop::net::{UnixListener, UnixStream};

/// Echoes everything `conn` sends until it shuts down its side.
async fn echo(mut conn: UnixStream) -> io::Result<u64> {
    let mut buf = [0; 4096];
    let mut total = 0;
    loop {
        match conn.read(&mut buf).await? {
            0 => return Ok(total),
            n => {
                conn.write_all(&buf[..n]).await?;
                total += n as u64;
            }
        }
    }
}

/// A client: sends a message, half-closes, reads the echo to the end.
async fn client(path: PathBuf, id: usize) -> io::Result<()> {
    let mut stream = UnixStream::connect(&path).await?;
    let message = format!("hello from client {id}");
    stream.write_all(message.as_bytes()).await?;
    stream.shutdown(Shutdown::Write)?;
    let mut echoed = Vec::new();
    let mut buf = [0; 4096];
    loop {
        match stream.read(&mut buf).await? {
            0 => break,
            n => echoed.extend_from_slice(&buf[..n]),
        }
    }
    println!("client {id}: {:?}", String::from_utf8_lossy(&echoed));
    Ok(())
}

#[evloop::main]
async fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().map(PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("evloop-unix-echo-{}.sock", std::process::id()))
    });
    let clients: usize = match args.next() {
        Some(n) => n.parse().map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("client count {n:?}: {e}"),
            )
        })?,
        None => 3,
    };

    let listener = UnixListener::bind(&path)?;
    println!("listening on {:?}", listener.local_addr()?);
    let server = evloop::spawn(async move {
        let mut handlers = evloop::JoinSet::new();
        for _ in 0..clients {
            let (conn, _peer) = listener.accept().await?;
            let cred = conn.peer_cred()?;
            println!("server: a client, pid {:?} uid {}", cred.pid(), cred.uid());
            handlers.spawn(echo(conn));
        }
        let mut bytes = 0;
        while let Some(done) = handlers.join_next().await {
            bytes += done.expect("an echo task panicked")?;
        }
        Ok::<u64, io::Error>(bytes)
    });

    let tasks = (0..clients).map(|id| client(path.clone(), id));
    let outcome = evloop::try_gather_all(tasks).await;
    let echoed = server.await.expect("the server task panicked");
    std::fs::remove_file(&path)?;
    outcome?;
    println!("server echoed {} bytes to {clients} clients", echoed?);
    Ok(())
}
