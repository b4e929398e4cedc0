//! The soak's echo server: one task per connection, closed after an idle period.

use std::rc::Rc;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::{sleep, timeout};

use crate::stats::{bump, drop_one, Stats};

/// A connection that sends nothing for this long is closed by the server.
pub const IDLE: Duration = Duration::from_millis(500);

/// Accepts forever; on an accept error (such as EMFILE) waits a little and goes on.
pub async fn serve(listener: TcpListener, stats: Rc<Stats>) {
    loop {
        match listener.accept().await {
            Ok((conn, _)) => {
                bump(&stats.accepted);
                bump(&stats.server_open);
                evloop::spawn(echo(conn, stats.clone()));
            }
            Err(err) => {
                bump(&stats.accept_errors);
                eprintln!("soak: accept: {err}; retrying in 10 ms");
                sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Echoes one connection until EOF, an error, or `IDLE` without data.
async fn echo(mut conn: TcpStream, stats: Rc<Stats>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match timeout(IDLE, conn.read(&mut buf)).await {
            Err(_) => {
                bump(&stats.server_idle_closes);
                break;
            }
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => match timeout(IDLE, conn.write_all(&buf[..n])).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => {
                    bump(&stats.server_io_errors);
                    break;
                }
                Err(_) => {
                    bump(&stats.server_idle_closes);
                    break;
                }
            },
            Ok(Err(_)) => {
                bump(&stats.server_io_errors);
                break;
            }
        }
    }
    drop_one(&stats.server_open);
}
