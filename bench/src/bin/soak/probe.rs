//! What the soak test watches: the process's open fds and resident memory.

use std::fmt;

/// One reading of the process's resources.
#[derive(Clone, Copy, Debug)]
pub struct Reading {
    /// Entries in `/proc/self/fd`.
    pub fds: usize,
    /// Resident set size in KiB (`/proc/self/statm`'s second field times the page size).
    pub rss_kib: u64,
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
        Reading {
            fds,
            rss_kib: pages * page / 1024,
        }
    }

    /// Whether both figures of `later` are within `pct` percent of this one's.
    pub fn within(&self, later: &Reading, pct: f64) -> bool {
        let close = |a: f64, b: f64| (b - a).abs() <= a * pct / 100.0;
        close(self.fds as f64, later.fds as f64) && close(self.rss_kib as f64, later.rss_kib as f64)
    }
}

impl fmt::Display for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} fds, RSS {} KiB", self.fds, self.rss_kib)
    }
}
