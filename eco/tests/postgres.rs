//! tokio-postgres on evloop against a real PostgreSQL server, with no tokio runtime:
//! `connect_raw` over evloop's `TcpStream` (the `tokio-io` feature), the connection an
//! evloop task. Each test starts its own throwaway server (`initdb` in a temporary
//! directory, `postgres` on a free 127.0.0.1 port, as the `postgres` user when run as
//! root) and stops and removes it at the end, passing or failing.

mod common;
#[path = "../examples/shared/pg_connect.rs"]
mod pg_connect;
#[path = "../examples/shared/pg_server.rs"]
mod pg_server;

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use common::{assert_no_tokio_runtime, run_bounded};
use pg_server::PgServer;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::Type;
use tokio_postgres::Client;

/// A fresh server, or `None` (the test is skipped) where PostgreSQL is not installed
/// outside CI. In CI (`CI` set), a missing PostgreSQL fails the test: `.ci/run` installs
/// it.
fn server() -> Option<PgServer> {
    if pg_server::bin_dir().is_none() && std::env::var_os("CI").is_none() {
        println!("skipped: PostgreSQL is not installed (apt-get install postgresql)");
        return None;
    }
    Some(PgServer::start().unwrap_or_else(|e| panic!("starting PostgreSQL: {e}")))
}

/// Connects to `server`, checking that no tokio runtime is around.
async fn connect(server: &PgServer) -> Client {
    assert_no_tokio_runtime();
    pg_connect::connect(&server.config())
        .await
        .unwrap_or_else(|e| panic!("connecting: {e}\nserver log:\n{}", server.log()))
}

/// The number of rows of `table`.
async fn count(client: &Client, table: &str) -> i64 {
    let sql = format!("SELECT count(*) FROM {table}");
    client.query_one(&sql, &[]).await.unwrap().get(0)
}

#[test]
fn a_transaction_commits_and_rolls_back() {
    let Some(server) = server() else { return };
    run_bounded(async {
        let mut client = connect(&server).await;
        client
            .batch_execute("CREATE TABLE accounts (name TEXT PRIMARY KEY, balance INT8 NOT NULL)")
            .await
            .unwrap();

        let rolled_back = client.transaction().await.unwrap();
        rolled_back
            .execute("INSERT INTO accounts VALUES ('ada', 100)", &[])
            .await
            .unwrap();
        assert_eq!(
            count(rolled_back.client(), "accounts").await,
            1,
            "seen inside"
        );
        rolled_back.rollback().await.unwrap();
        assert_eq!(count(&client, "accounts").await, 0, "gone after ROLLBACK");

        // A transaction dropped without `commit` rolls back too.
        let dropped = client.transaction().await.unwrap();
        dropped
            .execute("INSERT INTO accounts VALUES ('bob', 5)", &[])
            .await
            .unwrap();
        drop(dropped);
        assert_eq!(count(&client, "accounts").await, 0, "gone after the drop");

        let committed = client.transaction().await.unwrap();
        committed
            .execute("INSERT INTO accounts VALUES ('ada', 100), ('bob', 5)", &[])
            .await
            .unwrap();
        committed
            .execute(
                "UPDATE accounts SET balance = balance + CASE name WHEN 'ada' THEN -30 ELSE 30 END",
                &[],
            )
            .await
            .unwrap();
        committed.commit().await.unwrap();
        let rows = client
            .query("SELECT name, balance FROM accounts ORDER BY name", &[])
            .await
            .unwrap();
        let balances: Vec<(String, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(balances, [("ada".into(), 70), ("bob".into(), 35)]);

        // Seen from a second connection: the commit reached the server.
        let other = connect(&server).await;
        assert_eq!(count(&other, "accounts").await, 2);
    });
}

#[test]
fn a_prepared_statement_runs_many_times_with_typed_parameters() {
    let Some(server) = server() else { return };
    run_bounded(async {
        let client = connect(&server).await;
        client
            .batch_execute("CREATE TABLE events (id INT4 PRIMARY KEY, name TEXT, at FLOAT8)")
            .await
            .unwrap();
        let insert = client
            .prepare("INSERT INTO events VALUES ($1, $2, $3)")
            .await
            .unwrap();
        assert_eq!(insert.params(), [Type::INT4, Type::TEXT, Type::FLOAT8]);
        for id in 0..100i32 {
            let name = format!("event {id}");
            let inserted = client
                .execute(&insert, &[&id, &name, &(f64::from(id) / 4.0)])
                .await
                .unwrap();
            assert_eq!(inserted, 1);
        }
        let select = client
            .prepare("SELECT id, name, at FROM events WHERE id >= $1 ORDER BY id")
            .await
            .unwrap();
        assert_eq!(select.columns()[1].type_(), &Type::TEXT);
        let rows = client.query(&select, &[&97i32]).await.unwrap();
        let got: Vec<(i32, String, f64)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        assert_eq!(
            got,
            [
                (97, "event 97".into(), 24.25),
                (98, "event 98".into(), 24.5),
                (99, "event 99".into(), 24.75),
            ]
        );
        // A wrong parameter type is refused before anything is sent.
        let err = client.query(&select, &[&"97"]).await.unwrap_err();
        assert!(
            err.to_string().contains("error serializing parameter 0"),
            "{err}"
        );
    });
}

#[test]
fn a_server_side_error_arrives_with_its_sqlstate_and_the_connection_goes_on() {
    let Some(server) = server() else { return };
    run_bounded(async {
        let mut client = connect(&server).await;
        client
            .batch_execute("CREATE TABLE names (name TEXT PRIMARY KEY)")
            .await
            .unwrap();
        client
            .execute("INSERT INTO names VALUES ('evloop')", &[])
            .await
            .unwrap();

        let cases = [
            (
                "SELECT 1 / 0",
                SqlState::DIVISION_BY_ZERO,
                "division by zero",
            ),
            (
                "INSERT INTO names VALUES ('evloop')",
                SqlState::UNIQUE_VIOLATION,
                "duplicate key",
            ),
            ("SELEKT 1", SqlState::SYNTAX_ERROR, "syntax error"),
            (
                "SELECT * FROM missing",
                SqlState::UNDEFINED_TABLE,
                "\"missing\" does not exist",
            ),
        ];
        for (sql, state, message) in cases {
            let err = client.execute(sql, &[]).await.unwrap_err();
            assert_eq!(err.code(), Some(&state), "{sql}: {err:?}");
            let db = err.as_db_error().expect("an error from the server");
            assert!(db.message().contains(message), "{sql}: {}", db.message());
            // The connection survives every one of them.
            let one: i32 = client.query_one("SELECT 1", &[]).await.unwrap().get(0);
            assert_eq!(one, 1);
        }

        // Inside a transaction an error aborts it: later statements fail until ROLLBACK.
        let transaction = client.transaction().await.unwrap();
        let err = transaction.execute("SELECT 1 / 0", &[]).await.unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::DIVISION_BY_ZERO));
        let err = transaction.execute("SELECT 1", &[]).await.unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::IN_FAILED_SQL_TRANSACTION));
        transaction.rollback().await.unwrap();
        assert_eq!(count(&client, "names").await, 1);
    });
}

#[test]
fn queries_from_several_tasks_share_one_connection_while_the_loop_runs_on() {
    let Some(server) = server() else { return };
    let (sums, ticks, waited) = run_bounded(async {
        let client = Rc::new(connect(&server).await);
        // Ten tasks, one connection: tokio-postgres pipelines their queries.
        let tasks: Vec<_> = (0..10i32)
            .map(|i| {
                let client = client.clone();
                evloop::spawn(async move {
                    let row = client
                        .query_one("SELECT $1::INT4 * 2", &[&i])
                        .await
                        .unwrap();
                    row.get::<_, i32>(0)
                })
            })
            .collect();
        let sums: Vec<i32> = evloop::gather_all(tasks)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();

        // While the server sleeps 300 ms in a query, the loop's timers keep firing.
        let ticks = Rc::new(Cell::new(0));
        let ticker = evloop::spawn({
            let ticks = ticks.clone();
            async move {
                loop {
                    evloop::time::sleep(Duration::from_millis(20)).await;
                    ticks.set(ticks.get() + 1);
                }
            }
        });
        let start = Instant::now();
        client.execute("SELECT pg_sleep(0.3)", &[]).await.unwrap();
        let waited = start.elapsed();
        ticker.abort();
        (sums, ticks.get(), waited)
    });
    assert_eq!(sums, (0..10).map(|i| i * 2).collect::<Vec<_>>());
    assert!(
        waited >= Duration::from_millis(300),
        "pg_sleep took {waited:?}"
    );
    assert!(
        ticks >= 3,
        "{ticks} ticks of 20 ms while a 300 ms query ran"
    );
}
