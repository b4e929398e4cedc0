//! A slow reader: the writer is held back by the full socket buffers, so it never runs
//! ahead of the reader by more than the kernel buffers, and its memory (RSS) does not grow
//! with the amount it sends.
//!
//! The only test in its binary, so no other test's allocations blur the RSS figures.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use evloop::net::{TcpListener, TcpStream};
use evloop::time::{sleep, timeout};

/// The resident set size of this process, in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    // SAFETY: sysconf only reads a configuration value.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64
}

const MIB: u64 = 1024 * 1024;

#[test]
fn a_slow_reader_holds_the_writer_back_and_its_memory_flat() {
    evloop::run(async {
        timeout(Duration::from_secs(20), async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut writer_end = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (mut reader_end, _) = listener.accept().await.unwrap();

            // The writer would send 4 GiB, one reused 64 KiB chunk at a time.
            let written = Rc::new(Cell::new(0u64));
            let progress = written.clone();
            let writer = evloop::spawn(async move {
                let chunk = vec![0x5au8; 64 * 1024];
                while progress.get() < 4096 * MIB {
                    writer_end.write_all(&chunk).await.unwrap();
                    progress.set(progress.get() + chunk.len() as u64);
                }
            });

            // Nobody reads yet: the writer must stall once the buffers are full.
            sleep(Duration::from_millis(300)).await;
            let stalled = written.get();
            sleep(Duration::from_millis(100)).await;
            assert_eq!(
                written.get(),
                stalled,
                "the writer went on with nobody reading"
            );
            let rss_before = rss();

            // Now read slowly, in small bites with pauses, until 64 MiB went through
            // (a fraction of a second) or 5 s passed (a very busy machine).
            let mut read = 0u64;
            let mut max_ahead = 0u64;
            let mut buf = vec![0u8; 64 * 1024];
            let start = Instant::now();
            while read < 64 * MIB && start.elapsed() < Duration::from_secs(5) {
                for _ in 0..4 {
                    read += reader_end.read(&mut buf).await.unwrap() as u64;
                }
                max_ahead = max_ahead.max(written.get() - read);
                sleep(Duration::from_millis(1)).await;
            }
            let rss_after = rss();
            writer.abort();
            println!(
                "stalled after {:.1} MiB; {:.1} MiB read slowly; the writer was at most \
                 {:.1} MiB ahead; RSS {:.1} -> {:.1} MiB",
                stalled as f64 / MIB as f64,
                read as f64 / MIB as f64,
                max_ahead as f64 / MIB as f64,
                rss_before as f64 / MIB as f64,
                rss_after as f64 / MIB as f64
            );
            assert!(
                read >= 16 * MIB,
                "too little went through to judge: {read} B"
            );
            // The kernel's socket buffers (autotuned: a few MiB each way) are all that
            // may sit between the two ends.
            assert!(
                max_ahead <= 24 * MIB,
                "the writer ran {max_ahead} B ahead of the reader"
            );
            assert!(
                rss_after <= rss_before + 4 * MIB,
                "RSS grew from {rss_before} to {rss_after} B while {read} B went through"
            );
        })
        .await
        .expect("the test did not finish within 20 s");
    });
}
