//! What the soak test watches: the process's open fds and resident memory.

use std::fmt;

/// One reading of the process's resources.
#[derive(Clone, Copy, Debug)]
pub struct Reading {
    /// Entries in `/proc/self/fd`.
    pub fds: usize,
    /// Resident set size in KiB (`/proc/self/statm`'s second field times the page size).
    pub rss_kib: u64,
    /// Bytes the program has allocated and not freed (glibc's `mallinfo2`: in-use arena
    /// chunks plus mmapped blocks). Unlike RSS, it does not count memory the allocator
    /// keeps cached for reuse, so it tells a leak from fragmentation.
    pub heap_kib: u64,
}

impl Reading {
    /// Reads the current figures.
    pub fn now() -> Reading {
        let fds = std::fs::read_dir("/proc/self/fd")
            .expect("/proc/self/fd")
            .count();
        let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
        let pages: u64 = statm
            .split_whitespace()
            .nth(1)
            .and_then(|f| f.parse().ok())
            .expect("statm's resident field");
        // SAFETY: sysconf only reads a configuration value.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
        // SAFETY: mallinfo2 takes no arguments and returns a plain struct.
        let info = unsafe { libc::mallinfo2() };
        Reading {
            fds,
            rss_kib: pages * page / 1024,
            heap_kib: ((info.uordblks + info.hblkhd) / 1024) as u64,
        }
    }

    /// Reads the figures after handing the allocator's free memory back to the kernel
    /// (`malloc_trim`), so that RSS counts what the program holds, not the allocator's
    /// caches.
    pub fn trimmed() -> Reading {
        // SAFETY: malloc_trim only releases free memory the allocator owns.
        unsafe { libc::malloc_trim(0) };
        Reading::now()
    }

    /// Whether the fds and RSS of `later` are within `pct` percent of this one's.
    pub fn within(&self, later: &Reading, pct: f64) -> bool {
        close(self.fds as f64, later.fds as f64, pct)
            && close(self.rss_kib as f64, later.rss_kib as f64, pct)
    }
}

/// Whether `b` is within `pct` percent of `a`.
fn close(a: f64, b: f64, pct: f64) -> bool {
    (b - a).abs() <= a * pct / 100.0
}

impl fmt::Display for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} fds, RSS {} KiB, heap in use {} KiB",
            self.fds, self.rss_kib, self.heap_kib
        )
    }
}
