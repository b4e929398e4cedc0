//! The `select` backend (`pselect`): level-triggered, three fixed-size bitmaps handed to
//! the kernel on every wait.
//!
//! An `fd_set` is 1024 bits (`FD_SETSIZE`), one per fd number: `select` cannot watch an
//! fd numbered 1024 or above at all, and setting its bit would write past the set. This
//! backend refuses such an fd when it is registered (an [`io::ErrorKind::InvalidInput`]
//! that names the fd, the limit and the fix, [`Backend::Epoll`](crate::Backend::Epoll)),
//! so no wait ever meets one; the sets are plain Rust arrays, indexed with bounds checks.
//!
//! Each wait rebuilds the sets from the reactor's [`Watch`]es (only the directions a task
//! waits on, as for `poll`: see `poll.rs`), copies them for the kernel, which scans every
//! bit up to the highest fd, overwrites the copies with what is ready, and copies them
//! back. Urgent data is asked through the third set (`exceptfds`).

#![allow(unsafe_code)]

use std::cell::{RefCell, RefMut};
use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

use super::{check_open, cvt, reentrant_wait, resume_after_signals, timespec, Event, Watch};
use crate::fd_table::FdTable;
use crate::slab::{Token, NOTIFIER_TOKEN};

/// The most fds an `fd_set` holds: valid fds are `0..FD_SETSIZE`.
pub(crate) const FD_SETSIZE: usize = libc::FD_SETSIZE;

/// Bits per word of an [`FdSet`].
const WORD_BITS: usize = libc::c_ulong::BITS as usize;

/// An `fd_set`: `FD_SETSIZE` bits in `c_ulong` words, the layout the kernel and libc use,
/// changed only through bounds-checked indexing.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct FdSet {
    /// Bit `fd % WORD_BITS` of word `fd / WORD_BITS` is set when `fd` is in the set.
    words: [libc::c_ulong; FD_SETSIZE / WORD_BITS],
}

// The kernel reads and writes `size_of::<libc::fd_set>()` bytes through a pointer to an
// `FdSet`: the two must have the same size and alignment.
const _: () = assert!(std::mem::size_of::<FdSet>() == std::mem::size_of::<libc::fd_set>());
const _: () = assert!(std::mem::align_of::<FdSet>() >= std::mem::align_of::<libc::fd_set>());

impl FdSet {
    /// No fd.
    const EMPTY: FdSet = FdSet {
        words: [0; FD_SETSIZE / WORD_BITS],
    };

    /// `(word, mask)` of `fd`.
    ///
    /// # Panics
    /// If `fd` is outside `0..FD_SETSIZE` (registration refuses those fds first).
    fn position(fd: RawFd) -> (usize, libc::c_ulong) {
        let fd = usize::try_from(fd).expect("a negative fd in an fd_set");
        assert!(fd < FD_SETSIZE, "fd {fd} does not fit an fd_set");
        (fd / WORD_BITS, 1 << (fd % WORD_BITS))
    }

    /// Adds `fd`.
    fn insert(&mut self, fd: RawFd) {
        let (word, mask) = Self::position(fd);
        self.words[word] |= mask;
    }

    /// Whether `fd` is in the set.
    fn contains(&self, fd: RawFd) -> bool {
        let (word, mask) = Self::position(fd);
        self.words[word] & mask != 0
    }

    /// The set as the kernel takes it.
    fn as_mut_ptr(&mut self) -> *mut libc::fd_set {
        (self as *mut FdSet).cast()
    }
}

/// The error for an fd `select` cannot watch; `subject` says whose fd it is.
fn too_high(fd: RawFd, subject: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{subject} fd {fd}, which the select backend cannot watch: an fd_set holds fds \
             below FD_SETSIZE (1024) only. Use Backend::Epoll (the default) or \
             Backend::Poll instead (Builder::backend, or EVLOOP_BACKEND=epoll)"
        ),
    )
}

/// The registered fds (by number, for `EEXIST`) and the fd sets of the wait.
#[derive(Debug)]
pub(crate) struct Select {
    /// The notifier's eventfd, watched for reading on every wait.
    notifier: RawFd,
    /// Which registration owns each fd.
    owners: RefCell<FdTable>,
    /// The sets handed to the kernel, rebuilt for each wait; borrowed while the reactor
    /// delivers a wait's events (so a re-entrant wait is an error).
    set: RefCell<SelectSet>,
}

impl Select {
    /// A backend whose waits always include the notifier's eventfd `notifier`.
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidInput`] if `notifier` is 1024 or above.
    pub(crate) fn new(notifier: RawFd) -> io::Result<Select> {
        if usize::try_from(notifier).map_or(true, |fd| fd >= FD_SETSIZE) {
            return Err(too_high(notifier, "the reactor's notifier eventfd is"));
        }
        Ok(Select {
            notifier,
            owners: RefCell::new(FdTable::default()),
            set: RefCell::new(SelectSet::default()),
        })
    }

    /// Registers `fd` under `token`.
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidInput`] if `fd` is 1024 or above; else `EBADF` if it is
    /// not open, `EEXIST` if it is registered already.
    pub(crate) fn add(&self, fd: RawFd, token: Token) -> io::Result<()> {
        if usize::try_from(fd).is_ok_and(|fd| fd >= FD_SETSIZE) {
            return Err(too_high(fd, "refusing to register"));
        }
        check_open(fd)?;
        self.owners.borrow_mut().insert(fd, token)
    }

    /// Forgets `fd`'s registration `token`.
    pub(crate) fn delete(&self, fd: RawFd, token: Token) {
        self.owners.borrow_mut().remove(fd, token);
    }

    /// Starts a wait: empty sets but for the notifier, for the reactor to
    /// [`push`](SelectSet::push) its watches onto.
    ///
    /// # Errors
    /// [`reentrant_wait`] while a previous wait's events are being delivered.
    pub(crate) fn begin(&self) -> io::Result<RefMut<'_, SelectSet>> {
        let mut set = self.set.try_borrow_mut().map_err(|_| reentrant_wait())?;
        *set.asked = [FdSet::EMPTY; 3];
        set.nfds = 0;
        set.watches.clear();
        set.ready.clear();
        set.push(Watch {
            fd: self.notifier,
            token: NOTIFIER_TOKEN,
            read: true,
            write: false,
        });
        Ok(set)
    }
}

/// Index of the read set in [`SelectSet::asked`] and [`SelectSet::got`].
const READ: usize = 0;
/// Index of the write set.
const WRITE: usize = 1;
/// Index of the exceptional-conditions set (urgent data).
const EXCEPT: usize = 2;

/// One wait's fd sets, what they stand for, and what came back; allocated once, reused.
#[derive(Debug)]
pub(crate) struct SelectSet {
    /// The read, write and except sets asked for (kept: the kernel overwrites what it
    /// gets, and a wait resumed after a signal asks again).
    asked: Box<[FdSet; 3]>,
    /// The copies handed to the kernel, holding what was ready after the wait.
    got: Box<[FdSet; 3]>,
    /// One more than the highest fd in the sets (`select`'s first argument).
    nfds: libc::c_int,
    /// The watches behind the sets, to turn bits back into tokens.
    watches: Vec<Watch>,
    /// The events of the last wait.
    ready: Vec<Event>,
}

impl Default for SelectSet {
    fn default() -> SelectSet {
        SelectSet {
            asked: Box::new([FdSet::EMPTY; 3]),
            got: Box::new([FdSet::EMPTY; 3]),
            nfds: 0,
            watches: Vec::new(),
            ready: Vec::new(),
        }
    }
}

impl SelectSet {
    /// Watches `watch.fd` for the directions it asks (nothing if none); a read also
    /// watches for urgent data.
    ///
    /// # Panics
    /// If `watch.fd` is outside `0..FD_SETSIZE`, which [`Select::add`] refused.
    pub(crate) fn push(&mut self, watch: Watch) {
        if !watch.read && !watch.write {
            return;
        }
        if watch.read {
            self.asked[READ].insert(watch.fd);
            self.asked[EXCEPT].insert(watch.fd);
        }
        if watch.write {
            self.asked[WRITE].insert(watch.fd);
        }
        self.nfds = self.nfds.max(watch.fd + 1);
        self.watches.push(watch);
    }

    /// Blocks in `pselect` until a watched fd is ready or the timeout passes (`None`:
    /// forever), to the nanosecond and never early; a signal does not end the wait.
    ///
    /// A watched fd that was closed (its registration outlived it) fails the whole call
    /// with `EBADF`; then every watch whose fd is not open is reported ready both ways
    /// (its next syscall reports the error), and the others wait for the next call.
    ///
    /// # Errors
    /// The OS error of `pselect` other than `EINTR`.
    pub(crate) fn wait(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.ready.clear();
        let result = resume_after_signals(timeout, |left| {
            *self.got = *self.asked;
            let ts = left.map(timespec);
            let ts_ptr = ts
                .as_ref()
                .map_or(std::ptr::null(), |ts| ts as *const libc::timespec);
            let [read, write, except] = &mut *self.got;
            // SAFETY: each set pointer points to an `FdSet` (the size and alignment of an
            // `fd_set`, checked at compile time) alive for the call, and `nfds` is at most
            // FD_SETSIZE, so the kernel reads and writes only within the sets; the
            // timeout is null or points to a live timespec; the signal mask is null.
            let n = unsafe {
                libc::pselect(
                    self.nfds,
                    read.as_mut_ptr(),
                    write.as_mut_ptr(),
                    except.as_mut_ptr(),
                    ts_ptr,
                    std::ptr::null(),
                )
            };
            cvt(n)
        });
        match result {
            Ok(0) => Ok(()),
            Ok(_) => {
                for watch in &self.watches {
                    let got = |set: usize| self.got[set].contains(watch.fd);
                    let (read, write, urgent) = (got(READ), got(WRITE), got(EXCEPT));
                    if read || write || urgent {
                        self.ready.push(Event {
                            token: watch.token,
                            readable: read || urgent,
                            writable: write,
                            read_sticky: urgent,
                            write_sticky: false,
                        });
                    }
                }
                Ok(())
            }
            Err(e) if e.raw_os_error() == Some(libc::EBADF) => {
                let closed = self.watches.iter().filter(|w| check_open(w.fd).is_err());
                self.ready.extend(closed.map(|watch| Event {
                    token: watch.token,
                    readable: true,
                    writable: true,
                    read_sticky: true,
                    write_sticky: true,
                }));
                if self.ready.is_empty() {
                    Err(e)
                } else {
                    Ok(())
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The events of the last wait.
    pub(crate) fn ready(&self) -> impl Iterator<Item = Event> + '_ {
        self.ready.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::closed_fd;
    use crate::sys::eventfd::{eventfd, eventfd_write};
    use std::os::fd::AsRawFd;
    use std::time::Instant;

    #[test]
    fn fd_set_bits_match_libc() {
        let mut ours = FdSet::EMPTY;
        for fd in [0, 1, 63, 64, 65, 511, 1023] {
            ours.insert(fd);
        }
        for fd in 0..FD_SETSIZE as RawFd {
            // SAFETY: `ours` is a live FdSet, the layout of an fd_set; fd < FD_SETSIZE.
            let theirs = unsafe { libc::FD_ISSET(fd, ours.as_mut_ptr()) };
            assert_eq!(ours.contains(fd), theirs, "fd {fd}");
        }
        assert!(ours.contains(1023) && !ours.contains(1022));
    }

    #[test]
    #[should_panic(expected = "fd 1024 does not fit an fd_set")]
    fn an_fd_beyond_the_set_is_never_written() {
        let mut set = FdSet::EMPTY;
        set.insert(1024);
    }

    #[test]
    fn registration_refuses_fds_select_cannot_watch() {
        let notifier = eventfd().unwrap();
        let select = Select::new(notifier.as_raw_fd()).unwrap();
        let err = select.add(-1, 1).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF), "{err}");
        let err = select.add(1024, 1).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains("fd 1024"), "{err}");
        let err = Select::new(4096).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let text = err.to_string();
        assert!(text.contains("fd 4096") && text.contains("1024"), "{text}");
        assert!(text.contains("Backend::Epoll"), "{text}");
    }

    #[test]
    fn only_the_directions_asked_are_watched() {
        let mut set = SelectSet::default();
        let watch = |fd, read, write| Watch {
            fd,
            token: fd as Token,
            read,
            write,
        };
        set.push(watch(9, false, false));
        assert_eq!(set.nfds, 0, "nobody waits: not handed to the kernel");
        set.push(watch(4, true, false));
        set.push(watch(7, false, true));
        assert_eq!(set.nfds, 8);
        assert!(set.asked[READ].contains(4) && set.asked[EXCEPT].contains(4));
        assert!(!set.asked[WRITE].contains(4));
        assert!(set.asked[WRITE].contains(7) && !set.asked[READ].contains(7));
        assert!(!set.asked[READ].contains(9) && !set.asked[WRITE].contains(9));
    }

    #[test]
    fn a_notified_eventfd_is_reported_and_timeouts_never_end_early() {
        let notifier = eventfd().unwrap();
        let select = Select::new(notifier.as_raw_fd()).unwrap();
        let mut set = select.begin().unwrap();
        for micros in [1, 150, 1_500] {
            let timeout = Duration::from_micros(micros);
            let start = Instant::now();
            set.wait(Some(timeout)).unwrap();
            assert!(start.elapsed() >= timeout);
            assert_eq!(set.ready().count(), 0);
        }
        eventfd_write(&notifier).unwrap();
        set.wait(Some(Duration::from_secs(5))).unwrap();
        let events: Vec<_> = set.ready().collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].token, NOTIFIER_TOKEN);
        assert!(events[0].readable && !events[0].writable);
    }

    #[test]
    fn a_closed_fd_is_reported_ready_both_ways_not_as_a_failed_wait() {
        let notifier = eventfd().unwrap();
        let select = Select::new(notifier.as_raw_fd()).unwrap();
        let mut set = select.begin().unwrap();
        set.push(Watch {
            fd: closed_fd(950),
            token: 1,
            read: true,
            write: false,
        });
        set.wait(Some(Duration::from_secs(5))).unwrap();
        let events: Vec<_> = set.ready().collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].token, 1);
        assert!(events[0].readable && events[0].writable && events[0].read_sticky);
    }
}
