//! How many sign-ins may be tried, and from where.
//!
//! A guess is counted when it *starts*, before its password is checked, so
//! guesses sent in parallel are counted like guesses sent one by one. The
//! count is kept per source address and user name: a guesser gets
//! [`PER_NAME`] tries at one name, and the clerk whose name it is still
//! signs in from their own PC. Each address also has [`PER_ADDRESS`] tries
//! over all names, so one machine cannot walk the staff list. The memory it
//! takes is bounded whatever comes in: user names reach it only once they
//! have a user name's shape (at most 32 bytes), and it holds at most
//! [`MAX_ENTRIES`] entries, dropping the stalest when full.

use crate::error::{Error, Result};
use chrono::{DateTime, TimeDelta, Utc};
use layso_protocol::OfficeId;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Tries an address has at one user name in [`WINDOW`]…
pub const PER_NAME: usize = 5;

/// …and at all user names together.
pub const PER_ADDRESS: usize = 30;

/// How long a try counts.
pub const WINDOW: TimeDelta = TimeDelta::minutes(5);

/// The most entries kept: about 100 bytes each, so well under a few MB.
pub const MAX_ENTRIES: usize = 10_000;

/// What a count is kept for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// One address trying one user name of one office.
    Name(IpAddr, OfficeId, String),
    /// One address, all names.
    Address(IpAddr),
}

/// The sign-in counts of the server.
#[derive(Debug, Default)]
pub struct SignIns {
    /// When each key's recent tries started, oldest first.
    tries: Mutex<HashMap<Key, Vec<DateTime<Utc>>>>,
}

/// A try that was let through: it counts as failed unless
/// [`Attempt::succeeded`] says otherwise.
#[derive(Debug)]
#[must_use = "a try that is not marked as succeeded counts as failed"]
pub struct Attempt<'a> {
    sign_ins: &'a SignIns,
    name: Key,
    address: Key,
    at: DateTime<Utc>,
}

impl SignIns {
    /// Lets a try at `username` of `office` from `from` begin, counting it,
    /// or refuses it with the seconds until one may be tried again.
    /// `username` must already have a user name's shape.
    pub fn begin(
        &self,
        from: IpAddr,
        office: OfficeId,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Attempt<'_>> {
        let from = source(from);
        let name = Key::Name(from, office, username.to_owned());
        let address = Key::Address(from);
        let mut tries = lock(&self.tries);
        let mut wait = None;
        for (key, limit) in [(&name, PER_NAME), (&address, PER_ADDRESS)] {
            if let Some(times) = tries.get_mut(key) {
                times.retain(|t| now - *t < WINDOW);
                if times.len() >= limit {
                    let oldest = times.first().copied().unwrap_or(now);
                    let secs = (oldest + WINDOW - now).num_seconds().max(1);
                    wait = wait.max(Some(secs));
                }
            }
        }
        if let Some(secs) = wait {
            return Err(Error::TooManyAttempts {
                retry_after: u64::try_from(secs).unwrap_or(1),
            });
        }
        make_room(&mut tries, now);
        tries.entry(name.clone()).or_default().push(now);
        tries.entry(address.clone()).or_default().push(now);
        Ok(Attempt {
            sign_ins: self,
            name,
            address,
            at: now,
        })
    }

    /// How many entries are kept (for tests of the bound).
    pub fn len(&self) -> usize {
        lock(&self.tries).len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Attempt<'_> {
    /// The password was right: the name's count starts again, and this try
    /// does not count against the address (ten clerks signing in at one PC
    /// in the morning are not a guesser).
    pub fn succeeded(self) {
        let mut tries = lock(&self.sign_ins.tries);
        tries.remove(&self.name);
        if let Some(times) = tries.get_mut(&self.address)
            && let Some(i) = times.iter().position(|t| *t == self.at)
        {
            times.remove(i);
        }
    }
}

/// Drops what no longer counts when the map is full, and then, if it is
/// still more than nine tenths full, the entries whose last try is oldest
/// down to that (so that the sort is paid once per thousand new entries).
fn make_room(tries: &mut HashMap<Key, Vec<DateTime<Utc>>>, now: DateTime<Utc>) {
    if tries.len() + 2 <= MAX_ENTRIES {
        return;
    }
    tries.retain(|_, times| times.last().is_some_and(|t| now - *t < WINDOW));
    let keep = MAX_ENTRIES * 9 / 10;
    if tries.len() <= keep {
        return;
    }
    let mut by_age: Vec<(Option<DateTime<Utc>>, Key)> = tries
        .iter()
        .map(|(key, times)| (times.last().copied(), key.clone()))
        .collect();
    by_age.sort_unstable_by_key(|(last, _)| *last);
    for (_, key) in by_age.into_iter().take(tries.len() - keep) {
        tries.remove(&key);
    }
}

/// The address a count is kept for: an IPv6 host owns its whole /64, so
/// it is counted as one.
fn source(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("a valid instant")
    }

    const OFFICE: OfficeId = OfficeId(1);

    // Tries are counted when they begin: the sixth at one name from one
    // address is refused while five are still in flight.
    #[test]
    fn tries_in_flight_count() {
        let sign_ins = SignIns::default();
        let from = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5));
        let open: Vec<_> = (0..PER_NAME)
            .map(|_| sign_ins.begin(from, OFFICE, "lan", at(0)).expect("allowed"))
            .collect();
        let refused = sign_ins.begin(from, OFFICE, "lan", at(1));
        assert!(matches!(
            refused,
            Err(Error::TooManyAttempts { retry_after: 299 })
        ));
        drop(open);
        assert!(
            sign_ins.begin(from, OFFICE, "lan", at(300)).is_ok(),
            "the window passed"
        );
    }

    // Another address, and the same address at another name, are not held.
    #[test]
    fn counts_are_per_address_and_name() {
        let sign_ins = SignIns::default();
        let guesser = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 66));
        let clerk = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7));
        for _ in 0..PER_NAME {
            drop(sign_ins.begin(guesser, OFFICE, "lan", at(0)));
        }
        assert!(sign_ins.begin(guesser, OFFICE, "lan", at(0)).is_err());
        sign_ins
            .begin(clerk, OFFICE, "lan", at(0))
            .expect("the clerk's own PC")
            .succeeded();
        assert!(sign_ins.begin(guesser, OFFICE, "minh", at(0)).is_ok());
    }

    // One address gets PER_ADDRESS tries over all names; successes do not
    // count against it.
    #[test]
    fn an_address_cannot_walk_the_staff_list() {
        let sign_ins = SignIns::default();
        let pc = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));
        for n in 0..50 {
            sign_ins
                .begin(pc, OFFICE, &format!("clerk{n}"), at(0))
                .expect("right passwords")
                .succeeded();
        }
        for n in 0..PER_ADDRESS {
            drop(
                sign_ins
                    .begin(pc, OFFICE, &format!("guess{n}"), at(0))
                    .expect("allowed"),
            );
        }
        assert!(sign_ins.begin(pc, OFFICE, "another", at(0)).is_err());
    }

    // However many addresses try, the entries stay bounded.
    #[test]
    fn memory_is_bounded() {
        let sign_ins = SignIns::default();
        for n in 0u32..30_000 {
            let from = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n));
            drop(sign_ins.begin(from, OFFICE, "admin", at(i64::from(n % 60))));
        }
        assert!(sign_ins.len() <= MAX_ENTRIES, "{}", sign_ins.len());
    }

    // An IPv6 host cannot dodge the count by changing its interface id.
    #[test]
    fn an_ipv6_slash_64_is_one_source() {
        let sign_ins = SignIns::default();
        for n in 0..PER_NAME as u16 {
            let from = IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0, 0, 0, n + 1));
            drop(sign_ins.begin(from, OFFICE, "lan", at(0)));
        }
        let other = IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 9, 9, 9, 9));
        assert!(sign_ins.begin(other, OFFICE, "lan", at(0)).is_err());
    }
}
