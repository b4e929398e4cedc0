//! [`Instant`]: a point on the loop's clock, the time every timer of evloop is measured in.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

use crate::clock;

/// A point in time on the loop's monotonic clock, like asyncio's `loop.time()`.
///
/// It is `std::time::Instant` with one difference: [`Instant::now`] reads the clock of the
/// loop running on this thread, which is the system's monotonic clock unless the loop's
/// time was [paused](crate::pause). While paused, `now()` stands still but for what
/// [`advance`](crate::advance) adds (and the jumps the loop makes to its next timer when
/// every task waits), so tests of timeouts and intervals run in no time and never depend
/// on the machine's load. Every evloop timer ([`sleep_until`](crate::sleep_until),
/// [`interval_at`](crate::interval_at), [`timeout_at`](crate::timeout_at),
/// [`Sleep::deadline`](crate::Sleep::deadline) ...) takes and returns this type.
///
/// Arithmetic works as on `std::time::Instant`: `Instant ± Duration` (panicking on
/// overflow; `checked_add`/`checked_sub` do not), and `Instant - Instant`, which saturates
/// at zero when the right side is later.
///
/// ```
/// use std::time::Duration;
/// use evloop::time::Instant;
///
/// evloop::run(async {
///     let start = Instant::now();
///     evloop::time::sleep(Duration::from_millis(2)).await;
///     assert!(start.elapsed() >= Duration::from_millis(2)); // never early
///     assert!(Instant::now() - start >= Duration::from_millis(2));
/// });
/// ```
///
/// # Traps
///
/// - Instants of a paused loop are on that loop's own timeline: comparing them with
///   instants read on another thread (or with `std::time::Instant::now()` after
///   [`into_std`](Instant::into_std)) mixes two clocks. Outside a loop, and in loops whose
///   time was never paused, the two clocks are the same.
/// - Measuring real elapsed time under paused time (how long did this test take?) needs
///   `std::time::Instant`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    /// The same point as a standard instant.
    std: std::time::Instant,
}

impl Instant {
    /// The current time on the clock of this thread's loop: the system's monotonic clock,
    /// or, while the loop's time is paused, where [`advance`](crate::advance) left it.
    ///
    /// ```
    /// use evloop::time::Instant;
    /// let earlier = Instant::now();
    /// assert!(Instant::now() >= earlier); // monotonic
    /// ```
    pub fn now() -> Instant {
        clock::now()
    }

    /// The evloop instant at the same point as `std`.
    ///
    /// ```
    /// use evloop::time::Instant;
    /// let std = std::time::Instant::now();
    /// assert_eq!(Instant::from_std(std).into_std(), std);
    /// ```
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// This instant as a `std::time::Instant` (for an API that wants one, such as hyper's
    /// timer).
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::Instant;
    /// let later = Instant::now() + Duration::from_secs(1);
    /// assert!(later.into_std() > std::time::Instant::now());
    /// ```
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// How much time passed from `earlier` to this instant; zero if `earlier` is later.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::Instant;
    /// let a = Instant::now();
    /// let b = a + Duration::from_millis(5);
    /// assert_eq!(b.duration_since(a), Duration::from_millis(5));
    /// assert_eq!(a.duration_since(b), Duration::ZERO);
    /// ```
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// How much time passed from `earlier` to this instant, or `None` if `earlier` is later.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::Instant;
    /// let a = Instant::now();
    /// let b = a + Duration::from_millis(5);
    /// assert_eq!(b.checked_duration_since(a), Some(Duration::from_millis(5)));
    /// assert_eq!(a.checked_duration_since(b), None);
    /// ```
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// How much time passed from `earlier` to this instant; zero if `earlier` is later.
    /// The same as [`duration_since`](Instant::duration_since), named as in std.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::Instant;
    /// let a = Instant::now();
    /// assert_eq!(a.saturating_duration_since(a + Duration::from_secs(1)), Duration::ZERO);
    /// ```
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// How much time passed since this instant on the loop's clock: `Instant::now() - self`,
    /// zero if this instant is in the future.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::Instant;
    ///
    /// evloop::run(async {
    ///     evloop::time::pause();
    ///     let start = Instant::now();
    ///     evloop::time::sleep(Duration::from_secs(3600)).await; // paused: no real hour
    ///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
    /// });
    /// ```
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// `self + duration`, or `None` if that cannot be represented.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::Instant;
    /// let now = Instant::now();
    /// assert_eq!(now.checked_add(Duration::from_secs(1)), Some(now + Duration::from_secs(1)));
    /// assert_eq!(now.checked_add(Duration::MAX), None);
    /// ```
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, or `None` if that cannot be represented.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::time::Instant;
    /// let now = Instant::now();
    /// assert_eq!(now.checked_sub(Duration::from_secs(1)), Some(now - Duration::from_secs(1)));
    /// assert_eq!(now.checked_sub(Duration::MAX), None);
    /// ```
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(instant: Instant) -> std::time::Instant {
        instant.into_std()
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    /// If the result cannot be represented; see [`Instant::checked_add`].
    fn add(self, duration: Duration) -> Instant {
        Instant::from_std(self.std + duration)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, duration: Duration) {
        *self = *self + duration;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    /// If the result cannot be represented; see [`Instant::checked_sub`].
    fn sub(self, duration: Duration) -> Instant {
        Instant::from_std(self.std - duration)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, duration: Duration) {
        *self = *self - duration;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// The time from `earlier` to `self`; zero if `earlier` is later (as std's).
    fn sub(self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    use super::*;

    #[test]
    fn arithmetic_matches_std() {
        let std = std::time::Instant::now();
        let ours = Instant::from_std(std);
        let d = Duration::from_millis(1500);
        assert_eq!((ours + d).into_std(), std + d);
        assert_eq!((ours - d).into_std(), std - d);
        let mut moved = ours;
        moved += d;
        assert_eq!(moved - ours, d);
        moved -= d;
        assert_eq!(moved, ours);
        assert_eq!(ours - (ours + d), Duration::ZERO, "saturates");
        assert_eq!((ours + d).checked_duration_since(ours), Some(d));
        assert_eq!(ours.checked_duration_since(ours + d), None);
        assert_eq!(ours.checked_add(Duration::MAX), None);
        assert_eq!(ours.checked_sub(Duration::MAX), None);
        assert!(ours < ours + d);
        assert_eq!((ours + d).cmp(&ours), std::cmp::Ordering::Greater);
        assert_eq!(std::time::Instant::from(ours), std);
        assert_eq!(Instant::from(std), ours);
    }

    /// `value`'s hash by the standard hasher.
    fn hash_of<T: Hash>(value: &T) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn hash_and_debug_follow_the_std_instant() {
        let std = std::time::Instant::now();
        assert_eq!(hash_of(&Instant::from_std(std)), hash_of(&std));
        assert_eq!(format!("{:?}", Instant::from_std(std)), format!("{std:?}"));
    }

    #[test]
    #[should_panic]
    fn adding_past_the_end_of_time_panics() {
        let _ = Instant::now() + Duration::MAX;
    }

    #[test]
    fn outside_a_loop_now_is_the_system_clock() {
        let before = std::time::Instant::now();
        let now = Instant::now().into_std();
        assert!(now >= before && now <= std::time::Instant::now());
    }
}
