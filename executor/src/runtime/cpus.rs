//! Which CPUs this process may run on, and pinning the calling thread to one of them
//! (`sched_getaffinity` / `sched_setaffinity`), for [`run_per_core`](super::run_per_core)
//! and [`Builder::pin_to_cpu`](super::Builder::pin_to_cpu).

use std::io;

/// The CPUs the calling thread may run on (its affinity mask), in increasing order. This is
/// what a container or `taskset` allows, which may be fewer than the machine has.
pub(crate) fn available() -> io::Result<Vec<usize>> {
    // SAFETY: `cpu_set_t` is a plain bit array; all zeroes is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid, writable `cpu_set_t` of the size passed.
    let rc = unsafe { libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    let max = 8 * std::mem::size_of_val(&set);
    // SAFETY: `cpu < max`, the number of bits in `set`.
    Ok((0..max)
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect())
}

/// Pins the calling thread to `cpu`.
///
/// # Errors
/// `InvalidInput` naming the CPU if it is out of range or not allowed to this process.
pub(crate) fn pin_current_thread(cpu: usize) -> io::Result<()> {
    // SAFETY: as in `available`.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    if cpu >= 8 * std::mem::size_of_val(&set) {
        return Err(not_allowed(cpu));
    }
    // SAFETY: `cpu` is below the number of bits in `set` (checked above).
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: `set` is a valid `cpu_set_t` of the size passed.
    let rc = unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) };
    if rc != 0 {
        let err = io::Error::last_os_error();
        return Err(if err.raw_os_error() == Some(libc::EINVAL) {
            not_allowed(cpu)
        } else {
            err
        });
    }
    Ok(())
}

/// The error for a CPU the thread cannot be pinned to.
fn not_allowed(cpu: usize) -> io::Error {
    let allowed = available()
        .map(|cpus| format!("{cpus:?}"))
        .unwrap_or_default();
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("evloop: cannot pin a loop to CPU {cpu}: this process may run on CPUs {allowed}"),
    )
}

#[cfg(all(test, not(loom)))]
mod tests {
    #[test]
    fn this_thread_may_run_somewhere_and_can_be_pinned_there() {
        let cpus = super::available().unwrap();
        assert!(!cpus.is_empty());
        std::thread::spawn(move || {
            super::pin_current_thread(cpus[0]).unwrap();
            assert_eq!(super::available().unwrap(), [cpus[0]]);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn an_impossible_cpu_is_a_clear_error() {
        let err = super::pin_current_thread(100_000).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("CPU 100000"), "{err}");
    }
}
