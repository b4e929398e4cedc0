//! Connecting tokio-postgres to a server over evloop's `TcpStream`: the one step that
//! differs from tokio. tokio-postgres' own `connect` opens the socket with tokio's
//! reactor; `connect_raw` takes a stream that is already open, and evloop's implements
//! tokio's I/O traits with the `tokio-io` feature.

use std::error::Error;

use evloop::net::TcpStream;
use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls};

/// Connects to the first host and port of `config` (a host name resolves on evloop's
/// blocking pool), runs the startup and authentication on that stream, and spawns the
/// connection as a task of the loop; it ends when `Client` is dropped.
pub async fn connect(config: &Config) -> Result<Client, Box<dyn Error + Send + Sync>> {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(path)) => {
            return Err(format!(
            "{}: a Unix socket; evloop::net has TCP streams only, so give a host name or address",
            path.display()
        )
            .into())
        }
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let stream = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connecting to PostgreSQL at {host}:{port}: {e}"))?;
    stream.set_nodelay(true)?;
    let (client, connection) = config.connect_raw(stream, NoTls).await?;
    // The connection moves the bytes; `client` queues requests to it.
    evloop::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("PostgreSQL connection ended with an error: {e}");
        }
    });
    Ok(client)
}
