//! A throwaway PostgreSQL server for the `postgres` example and test: `initdb` in a
//! directory of its own under the system's temporary directory, `postgres` listening on
//! a free 127.0.0.1 port (its Unix socket in that directory too), and on drop a fast
//! shutdown and the directory removed, whether the caller succeeded or panicked.
//!
//! PostgreSQL refuses to run as root: as root, both programs run as the `postgres` user
//! that Debian's `postgresql` package creates, which is given the directory.

use std::fs;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The superuser `initdb` creates; connections need no password (`trust`).
pub const USER: &str = "evloop";

/// A running server, stopped and removed when dropped.
pub struct PgServer {
    /// The `postgres` process, once started.
    child: Option<Child>,
    /// PostgreSQL's programs (`initdb`, `postgres`, `pg_ctl`, `pg_isready`).
    bin: PathBuf,
    /// The directory holding the data directory, the socket and the log.
    dir: PathBuf,
    /// The user and group to run PostgreSQL's programs as, when we are root.
    run_as: Option<(u32, u32)>,
    /// The 127.0.0.1 port it listens on.
    pub port: u16,
}

/// Where PostgreSQL's programs are: the directory `initdb` on `PATH` links to (some
/// images link only a few of them into `/usr/local/bin`), else the newest
/// `/usr/lib/postgresql/N/bin` (Debian's layout). `None` if it is not installed.
pub fn bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        let initdb = std::env::split_paths(&path)
            .map(|dir| dir.join("initdb"))
            .find(|initdb| initdb.is_file())?;
        Some(fs::canonicalize(initdb).ok()?.parent()?.to_owned())
    });
    on_path.or_else(|| {
        let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let version = entry.file_name().to_str()?.parse().ok()?;
                let bin = entry.path().join("bin");
                bin.join("initdb").is_file().then_some((version, bin))
            })
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    })
}

/// `e`, saying which program could not be run.
fn running(program: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("running {program}: {e}"))
}

impl PgServer {
    /// Initialises a cluster and starts `postgres`, waiting (up to 60 s) until it accepts
    /// connections. Blocks for a few seconds: call it off the loop.
    pub fn start() -> io::Result<PgServer> {
        let bin = bin_dir().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): \
                 apt-get install postgresql",
            )
        })?;
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("evloop-pg-{}-{n}", std::process::id()));
        fs::create_dir(&dir)?;
        let run_as = postgres_user_if_root()?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))?;
        }
        let port = free_port()?;
        // From here on, dropping `server` cleans up whatever was made.
        let mut server = PgServer {
            child: None,
            bin,
            dir,
            run_as,
            port,
        };
        let data = server.dir.join("data");
        let initdb = server
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                USER,
                "--auth=trust",
                "--no-locale",
                "-E",
                "UTF8",
                "--no-sync",
            ])
            .output()?;
        if !initdb.status.success() {
            return Err(io::Error::other(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&initdb.stderr)
            )));
        }
        let log = fs::File::create(server.log_path())?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(server.log_path(), Some(uid), Some(gid))?;
        }
        let postgres = server
            .command("postgres")
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&server.dir)
            .args(["-p", &port.to_string(), "-F"])
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=20",
            ])
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|e| running("postgres", e))?;
        server.child = Some(postgres);
        server.wait_ready()?;
        Ok(server)
    }

    /// A connection configuration for this server (host, port, user and database), for
    /// tokio-postgres' `connect_raw`.
    pub fn config(&self) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host("127.0.0.1")
            .port(self.port)
            .user(USER)
            .dbname("postgres")
            .application_name("evloop");
        config
    }

    /// The server's log so far (for a failure's message).
    pub fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// The log file's path.
    fn log_path(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    /// A command running PostgreSQL's program `name`, as the `postgres` user when we
    /// are root, in the server's directory.
    fn command(&self, name: &str) -> Command {
        let mut command = Command::new(self.bin.join(name));
        command.current_dir(&self.dir).stdin(Stdio::null());
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        command
    }

    /// Polls `pg_isready` until the server accepts connections.
    fn wait_ready(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let child = self.child.as_mut().expect("started");
            if let Some(status) = child.try_wait()? {
                return Err(io::Error::other(format!(
                    "postgres exited ({status}) before accepting connections:\n{}",
                    self.log()
                )));
            }
            let ready = self
                .command("pg_isready")
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .map_err(|e| running("pg_isready", e))?;
            if ready.success() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("postgres not ready after 60 s:\n{}", self.log()),
        ))
    }

    /// The data directory.
    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }
}

impl Drop for PgServer {
    /// A fast shutdown (`pg_ctl stop -m fast`: open sessions are ended), a kill if that
    /// fails, then the directory is removed.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let running = child.try_wait().ok().flatten().is_none();
            let stopped = running
                && self
                    .command("pg_ctl")
                    .arg("stop")
                    .arg("-D")
                    .arg(self.data())
                    .args(["-m", "fast", "-w", "-t", "20"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success());
            if running && !stopped {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A 127.0.0.1 port that was free a moment ago.
fn free_port() -> io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The `postgres` user's uid and gid if we are root (PostgreSQL refuses to run as root);
/// `None` otherwise.
fn postgres_user_if_root() -> io::Result<Option<(u32, u32)>> {
    if id(&["-u"])? != 0 {
        return Ok(None);
    }
    Ok(Some((id(&["-u", "postgres"])?, id(&["-g", "postgres"])?)))
}

/// A number printed by `id ARGS`.
fn id(args: &[&str]) -> io::Result<u32> {
    let output = Command::new("id")
        .args(args)
        .output()
        .map_err(|e| running("id", e))?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().parse().map_err(|_| {
        io::Error::other(format!(
            "`id {}` said {:?} {:?}: is the `postgres` user missing (apt-get install postgresql)?",
            args.join(" "),
            text.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    })
}
