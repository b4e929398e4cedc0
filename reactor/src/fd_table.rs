//! [`FdTable`]: which registration owns each fd number, for the backends that know fds
//! only by number (`poll`, `select`).
//!
//! epoll refuses a second registration of an fd itself (`EEXIST`); `poll` and `select`
//! would silently watch the fd twice, so their backends ask this table first and refuse
//! the same way. Pure data, tested on its own.

use std::io;
use std::os::fd::RawFd;

use crate::slab::Token;

/// The owner (a registration's token) of each registered fd, indexed by fd number.
#[derive(Debug, Default)]
pub(crate) struct FdTable {
    /// `owners[fd]` is the token registered for `fd`, if any; grows to the highest fd.
    owners: Vec<Option<Token>>,
}

impl FdTable {
    /// Records that `token` owns `fd` (which must be non-negative).
    ///
    /// # Errors
    /// `EEXIST` if another registration owns `fd`.
    pub(crate) fn insert(&mut self, fd: RawFd, token: Token) -> io::Result<()> {
        let index = usize::try_from(fd).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
        if index >= self.owners.len() {
            self.owners.resize(index + 1, None);
        }
        match &mut self.owners[index] {
            Some(_) => Err(io::Error::from_raw_os_error(libc::EEXIST)),
            vacant => {
                *vacant = Some(token);
                Ok(())
            }
        }
    }

    /// Forgets `fd` if `token` owns it (a stale token changes nothing).
    pub(crate) fn remove(&mut self, fd: RawFd, token: Token) {
        let Ok(index) = usize::try_from(fd) else {
            return;
        };
        if let Some(owner) = self.owners.get_mut(index) {
            if *owner == Some(token) {
                *owner = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_fd_has_one_owner_at_a_time() {
        let mut table = FdTable::default();
        table.insert(5, 1).unwrap();
        let err = table.insert(5, 2).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EEXIST));
        table.insert(3, 2).unwrap();
        table.remove(5, 1);
        table.insert(5, 3).unwrap();
    }

    #[test]
    fn a_stale_owner_cannot_remove_the_new_one() {
        let mut table = FdTable::default();
        table.insert(7, 1).unwrap();
        table.remove(7, 9);
        assert!(table.insert(7, 2).is_err(), "the owner is still 1");
        table.remove(100, 1); // beyond the table: nothing to do
        table.remove(-1, 1);
    }

    #[test]
    fn negative_fds_are_refused() {
        let mut table = FdTable::default();
        let err = table.insert(-1, 1).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));
    }
}
