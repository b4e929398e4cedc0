//! PostgreSQL from evloop through tokio-postgres, with no tokio runtime: its
//! `connect_raw` runs over evloop's `TcpStream` (the `tokio-io` feature gives it tokio's
//! I/O traits) and its connection is an evloop task.
//!
//!     cargo run -p evloop-eco-tests --example postgres [-- "host=127.0.0.1 port=5432 user=me dbname=db"]
//!
//! Without an argument it starts a throwaway server in a temporary directory
//! (PostgreSQL must be installed: `apt-get install postgresql`), and removes it at the
//! end. The asyncio counterpart is asyncpg: `conn = await asyncpg.connect(...)`.

#[path = "shared/pg_connect.rs"]
mod pg_connect;
#[path = "shared/pg_server.rs"]
mod pg_server;

use std::error::Error;

use tokio_postgres::error::SqlState;
use tokio_postgres::Config;

fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    let (config, _server) = match std::env::args().nth(1) {
        Some(text) => (text.parse::<Config>()?, None),
        None => {
            println!("starting a throwaway PostgreSQL server...");
            let server = pg_server::PgServer::start()?;
            println!("listening on 127.0.0.1:{}", server.port);
            (server.config(), Some(server))
        }
    };
    evloop::run(queries(config))
}

/// A short tour: a table, a prepared insert, a transaction rolled back and one
/// committed, a query, and an error from the server.
async fn queries(config: Config) -> Result<(), Box<dyn Error + Send + Sync>> {
    let mut client = pg_connect::connect(&config).await?;
    let version: String = client.query_one("SELECT version()", &[]).await?.get(0);
    println!("connected: {version}");

    client
        .batch_execute("CREATE TEMPORARY TABLE tasks (id SERIAL PRIMARY KEY, name TEXT NOT NULL)")
        .await?;
    let insert = client
        .prepare("INSERT INTO tasks (name) VALUES ($1) RETURNING id")
        .await?;
    for name in ["spawn", "gather", "sleep"] {
        let id: i32 = client.query_one(&insert, &[&name]).await?.get(0);
        println!("inserted {name:?} as id {id}");
    }

    let transaction = client.transaction().await?;
    transaction.execute("DELETE FROM tasks", &[]).await?;
    transaction.rollback().await?;
    let transaction = client.transaction().await?;
    transaction
        .execute("INSERT INTO tasks (name) VALUES ('timeout')", &[])
        .await?;
    transaction.commit().await?;

    for row in client
        .query("SELECT id, name FROM tasks ORDER BY id", &[])
        .await?
    {
        let (id, name): (i32, &str) = (row.get(0), row.get(1));
        println!("row: {id} {name}");
    }

    match client
        .execute("INSERT INTO tasks (id, name) VALUES (1, 'again')", &[])
        .await
    {
        Ok(_) => return Err("a duplicate key was accepted".into()),
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            let db = e.as_db_error().expect("an error from the server");
            println!("the server refused a duplicate key: {}", db.message());
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
