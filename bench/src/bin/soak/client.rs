//! The soak's clients: each runs sessions of a randomly chosen kind, well-behaved or not,
//! until told to stop, and checks every echo it reads.

use std::cell::Cell;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use evloop::net::TcpStream;
use evloop::time::{sleep, timeout};

use crate::server::IDLE;
use crate::stats::{bump, drop_one, Stats};

/// The bound on any one well-behaved exchange; slower is a failure.
const EXCHANGE_LIMIT: Duration = Duration::from_secs(5);

/// Whether clients should start new sessions, pause between them, or stop.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Run sessions.
    Run,
    /// Finish the current session and wait (so the process can be measured at rest).
    Pause,
    /// Finish the current session and return.
    Stop,
}

/// A small xorshift generator: the soak needs variety, not quality.
pub struct Rng(Cell<u64>);

impl Rng {
    /// A generator seeded from `seed` (any value).
    pub fn new(seed: u64) -> Rng {
        Rng(Cell::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1))
    }

    /// A number in `0..n`.
    pub fn below(&self, n: u64) -> u64 {
        let mut x = self.0.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.set(x);
        x % n
    }

    /// `len` pseudo-random bytes.
    fn bytes(&self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.below(256) as u8).collect()
    }
}

/// Counts an open client connection for as long as it lives.
struct Open<'a>(&'a Stats);

impl<'a> Open<'a> {
    fn new(stats: &'a Stats) -> Open<'a> {
        bump(&stats.client_open);
        Open(stats)
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        drop_one(&self.0.client_open);
    }
}

/// Runs sessions until `phase` says stop.
pub async fn client(id: u64, addr: SocketAddr, phase: Rc<Cell<Phase>>, stats: Rc<Stats>) {
    let rng = Rng::new(id + 1);
    loop {
        match phase.get() {
            Phase::Stop => return,
            Phase::Pause => sleep(Duration::from_millis(10)).await,
            Phase::Run => {
                session(addr, &rng, &stats).await;
                bump(&stats.sessions);
                sleep(Duration::from_millis(rng.below(5))).await;
            }
        }
    }
}

/// Records a failure: something a correct loop never does.
fn fail(stats: &Stats, what: &str) {
    bump(&stats.failures);
    eprintln!("soak: FAILURE: {what}");
}

/// One connection, of a random kind.
async fn session(addr: SocketAddr, rng: &Rng, stats: &Stats) {
    let stream = match timeout(EXCHANGE_LIMIT, TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(err)) => return fail(stats, &format!("connect: {err}")),
        Err(_) => return fail(stats, "connect took over 5 s"),
    };
    let _open = Open::new(stats);
    match rng.below(100) {
        0..=54 => clean(stream, rng, stats).await,
        55..=64 => reset_midway(stream, rng, stats).await,
        65..=74 => drop_mid_read(stream, rng, stats).await,
        75..=84 => cancel_by_timeout(stream, rng, stats).await,
        85..=89 => idle_out(stream, stats).await,
        _ => half_close(stream, rng, stats).await,
    }
}

/// Writes `msg` and reads back as many bytes, checking them.
async fn exchange(stream: &mut TcpStream, msg: &[u8], stats: &Stats) -> io::Result<bool> {
    stream.write_all(msg).await?;
    let mut back = vec![0u8; msg.len()];
    stream.read_exact(&mut back).await?;
    if back != msg {
        fail(stats, "an echo differs from what was sent");
        return Ok(false);
    }
    stats
        .verified_bytes
        .set(stats.verified_bytes.get() + msg.len() as u64);
    Ok(true)
}

/// A few messages of 1 B to 16 KiB, each echoed and checked, then a normal close.
async fn clean(mut stream: TcpStream, rng: &Rng, stats: &Stats) {
    let messages = 1 + rng.below(8);
    let work = async {
        for _ in 0..messages {
            let msg = rng.bytes(1 + rng.below(16 * 1024) as usize);
            if !exchange(&mut stream, &msg, stats).await? {
                return Ok(false);
            }
        }
        Ok::<bool, io::Error>(true)
    };
    match timeout(EXCHANGE_LIMIT, work).await {
        Ok(Ok(true)) => bump(&stats.clean),
        Ok(Ok(false)) => {}
        Ok(Err(err)) => fail(stats, &format!("a clean session failed: {err}")),
        Err(_) => fail(stats, "a clean session took over 5 s"),
    }
}

/// Sends part of a message, then resets the connection (SO_LINGER 0).
async fn reset_midway(mut stream: TcpStream, rng: &Rng, stats: &Stats) {
    let part = rng.bytes(1 + rng.below(4096) as usize);
    if let Err(err) = stream.write_all(&part).await {
        return fail(stats, &format!("a write before the reset failed: {err}"));
    }
    sleep(Duration::from_millis(rng.below(3))).await;
    if let Err(err) = stream.set_linger(Some(Duration::ZERO)) {
        return fail(stats, &format!("SO_LINGER: {err}"));
    }
    drop(stream);
    bump(&stats.resets);
}

/// Sends a message, reads half of its echo, and drops the connection.
async fn drop_mid_read(mut stream: TcpStream, rng: &Rng, stats: &Stats) {
    let msg = rng.bytes(2 + rng.below(16 * 1024) as usize);
    let mut half = vec![0u8; msg.len() / 2];
    let work = async {
        stream.write_all(&msg).await?;
        stream.read_exact(&mut half).await
    };
    match timeout(EXCHANGE_LIMIT, work).await {
        Ok(Ok(())) if half[..] == msg[..half.len()] => bump(&stats.drops),
        Ok(Ok(())) => fail(stats, "half an echo differs from what was sent"),
        Ok(Err(err)) => fail(stats, &format!("a session to drop mid-read failed: {err}")),
        Err(_) => fail(stats, "half an echo took over 5 s"),
    }
}

/// Starts a 256 KiB exchange under a 0-500 µs timeout, which usually cancels it midway,
/// then drops the connection.
async fn cancel_by_timeout(mut stream: TcpStream, rng: &Rng, stats: &Stats) {
    let msg = rng.bytes(256 * 1024);
    let limit = Duration::from_micros(rng.below(500));
    match timeout(limit, exchange(&mut stream, &msg, stats)).await {
        Err(_) => bump(&stats.cancelled),
        Ok(Ok(true)) => bump(&stats.clean),
        Ok(Ok(false)) => {}
        Ok(Err(err)) => fail(stats, &format!("an exchange to cancel failed: {err}")),
    }
}

/// Sends nothing; the server must close the connection after its idle period.
async fn idle_out(mut stream: TcpStream, stats: &Stats) {
    let mut buf = [0u8; 1];
    match timeout(IDLE * 4, stream.read(&mut buf)).await {
        Ok(Ok(0)) => bump(&stats.idled_out),
        Ok(Ok(_)) => fail(stats, "the server sent data nobody asked for"),
        Ok(Err(err)) => fail(stats, &format!("waiting for the idle close: {err}")),
        Err(_) => fail(stats, "the server never closed an idle connection"),
    }
}

/// Sends a message, shuts down its writing half, and reads the echo up to EOF.
async fn half_close(mut stream: TcpStream, rng: &Rng, stats: &Stats) {
    let msg = rng.bytes(1 + rng.below(16 * 1024) as usize);
    let work = async {
        stream.write_all(&msg).await?;
        stream.shutdown(Shutdown::Write)?;
        let mut back = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await? {
                0 => return Ok::<Vec<u8>, io::Error>(back),
                n => back.extend_from_slice(&buf[..n]),
            }
        }
    };
    match timeout(EXCHANGE_LIMIT, work).await {
        Ok(Ok(back)) if back == msg => {
            stats
                .verified_bytes
                .set(stats.verified_bytes.get() + msg.len() as u64);
            bump(&stats.half_closed);
        }
        Ok(Ok(_)) => fail(stats, "the echo before EOF differs from what was sent"),
        Ok(Err(err)) => fail(stats, &format!("a half-closed session failed: {err}")),
        Err(_) => fail(stats, "a half-closed session took over 5 s"),
    }
}
