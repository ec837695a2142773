//! Caps per client address: how many of something (open connections, requests in flight) one
//! address may hold at once, so that one client cannot take every connection or request slot.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Counts what each address holds, up to a cap per address.
#[derive(Debug, Clone)]
pub struct PerAddressCap {
    /// Most held at once per address; 0: no cap.
    cap: usize,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One unit held by an address; given back when dropped.
#[derive(Debug)]
pub struct Held {
    address: IpAddr,
    /// The counts it is in (none when there is no cap: nothing is counted).
    held: Option<Arc<Mutex<HashMap<IpAddr, usize>>>>,
}

impl PerAddressCap {
    /// A cap of `cap` per address (0: no cap).
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            held: Arc::default(),
        }
    }

    /// Takes one unit for `address`; `None` when it already holds its cap.
    pub fn try_take(&self, address: IpAddr) -> Option<Held> {
        let address = normalized(address);
        if self.cap == 0 {
            return Some(Held {
                address,
                held: None,
            });
        }
        // A counter map stays consistent whatever panicked while it was held.
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = held.entry(address).or_insert(0);
        if *count >= self.cap {
            return None;
        }
        *count += 1;
        Some(Held {
            address,
            held: Some(self.held.clone()),
        })
    }

    /// What `address` holds now.
    pub fn held_by(&self, address: IpAddr) -> usize {
        self.held
            .lock()
            .map(|held| held.get(&normalized(address)).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// How many addresses hold something now (0 without a cap: nothing is counted).
    pub fn addresses(&self) -> usize {
        self.held.lock().map(|held| held.len()).unwrap_or(0)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(held) = &self.held else {
            return;
        };
        let mut held = held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = held.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&self.address);
            }
        }
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`) counts as the IPv4 address.
fn normalized(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_cap_and_gets_units_back() {
        let cap = PerAddressCap::new(2);
        let a: IpAddr = "10.0.0.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let b: IpAddr = "10.0.0.2".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let first = cap.try_take(a);
        let second = cap.try_take(a);
        assert!(first.is_some() && second.is_some());
        assert!(cap.try_take(a).is_none(), "a third is over the cap");
        assert!(cap.try_take(b).is_some(), "another address has its own");
        drop(first);
        assert_eq!(cap.held_by(a), 1);
        assert!(cap.try_take(a).is_some(), "a unit given back can be taken");
        drop(second);
    }

    #[test]
    fn addresses_that_hold_nothing_are_forgotten() {
        let cap = PerAddressCap::new(1);
        let held = cap.try_take(IpAddr::from([10, 0, 0, 3]));
        assert_eq!(cap.addresses(), 1);
        drop(held);
        assert_eq!(cap.addresses(), 0);
    }

    #[test]
    fn zero_is_no_cap() {
        let cap = PerAddressCap::new(0);
        let address = IpAddr::from([10, 0, 0, 4]);
        let held: Vec<_> = (0..1_000).filter_map(|_| cap.try_take(address)).collect();
        assert_eq!(held.len(), 1_000);
    }
}
