//! Rate limits: token buckets that hold a minute's allowance and refill continuously. Mutations
//! are limited per token and per client address (one token a mutation); anonymous reads spend
//! their query's cost from a per-address read budget (see [`ReadBudget`]). A request over a
//! limit is refused with 429 and `Retry-After` before it runs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Buckets kept before full (idle) ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// Token buckets by key: `rate` requests a minute, in bursts of up to `rate`.
#[derive(Clone)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests a minute per key; 0 means no limit.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Takes one request for `key`: `Ok` when allowed, else `Err` with how long until one is.
    pub fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        self.spend(key, 1.0, now).map(|_| ())
    }

    /// Spends `amount` from `key`'s bucket: `Ok` with what remains, else `Err` with how long
    /// until `amount` is there (the bucket is left as it was). An amount over the whole
    /// capacity is capped to it, so it can pass once the bucket is full.
    pub fn spend(&self, key: &str, amount: f64, now: Instant) -> Result<f64, Duration> {
        if self.per_minute == 0 {
            return Ok(f64::INFINITY);
        }
        let capacity = f64::from(self.per_minute);
        let amount = amount.min(capacity);
        let per_second = capacity / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, bucket| refilled(*bucket, now, per_second, capacity) < capacity);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let tokens = refilled(*bucket, now, per_second, capacity);
        if tokens >= amount {
            *bucket = Bucket {
                tokens: tokens - amount,
                at: now,
            };
            Ok(tokens - amount)
        } else {
            *bucket = Bucket { tokens, at: now };
            Err(Duration::from_secs_f64((amount - tokens) / per_second))
        }
    }

    /// What `key`'s bucket holds now (the whole capacity for a key not seen).
    pub fn available(&self, key: &str, now: Instant) -> f64 {
        let capacity = f64::from(self.per_minute);
        let buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        buckets.get(key).map_or(capacity, |bucket| {
            refilled(*bucket, now, capacity / 60.0, capacity)
        })
    }

    /// The bucket's capacity: what a minute allows.
    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }
}

fn refilled(bucket: Bucket, now: Instant, per_second: f64, capacity: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
    (bucket.tokens + elapsed * per_second).min(capacity)
}

/// The per-token key: a hash, so no secret is kept in memory as a map key.
pub fn token_key(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    format!("token:{}", hex::encode(&digest[..16]))
}

/// The per-address key.
pub fn address_key(address: IpAddr) -> String {
    format!("ip:{address}")
}

/// The limits mutations are held to.
#[derive(Clone)]
pub struct MutationLimits {
    /// Per token.
    pub per_token: RateLimiter,
    /// Per client address.
    pub per_address: RateLimiter,
}

impl MutationLimits {
    /// Takes one mutation for this client: `Err` with the wait when either limit is reached.
    pub fn take(&self, token: Option<&str>, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        if let Some(address) = address {
            self.per_address.take(&address_key(address), now)?;
        }
        if let Some(token) = token.filter(|t| !t.is_empty()) {
            self.per_token.take(&token_key(token), now)?;
        }
        Ok(())
    }
}

/// What a read spent from its client's budget, for the answer's headers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetSpent {
    /// Points this answer cost.
    pub spent: u64,
    /// Points left now.
    pub remaining: u64,
    /// The budget: points a minute, and the most that can be held.
    pub limit: u32,
    /// Seconds until the budget is full again.
    pub full_in_secs: u64,
}

/// The per-address budget anonymous reads spend their query's cost from (as GitHub's and
/// Shopify's GraphQL APIs do): `READ_BUDGET_PER_MINUTE` points, refilling continuously. A read
/// answered from the response cache costs [`CACHE_HIT_COST`]; one that runs costs its
/// complexity. Requests with a valid token do not spend from it.
#[derive(Clone)]
pub struct ReadBudget(RateLimiter);

/// What an answer from the response cache costs.
pub const CACHE_HIT_COST: u64 = 1;

impl ReadBudget {
    /// A budget of `per_minute` points per address; 0 turns it off.
    pub fn new(per_minute: u32) -> Self {
        Self(RateLimiter::new(per_minute))
    }

    /// Whether reads are budgeted at all.
    pub fn enabled(&self) -> bool {
        self.0.per_minute() != 0
    }

    /// Spends `cost` points of `address`'s budget: what was spent and remains, or `Err` with
    /// how long until the cost is there.
    pub fn spend(&self, address: IpAddr, cost: u64) -> Result<BudgetSpent, Duration> {
        let now = Instant::now();
        let key = address_key(address);
        let remaining = self.0.spend(&key, cost as f64, now)?;
        Ok(self.spent(cost, remaining))
    }

    fn spent(&self, cost: u64, remaining: f64) -> BudgetSpent {
        let limit = self.0.per_minute();
        let missing = (f64::from(limit) - remaining).max(0.0);
        BudgetSpent {
            spent: cost.min(u64::from(limit)),
            remaining: remaining.floor().max(0.0) as u64,
            limit,
            full_in_secs: (missing * 60.0 / f64::from(limit.max(1))).ceil() as u64,
        }
    }

    /// What `address` has left now, without spending.
    pub fn status(&self, address: IpAddr) -> BudgetSpent {
        let remaining = self.0.available(&address_key(address), Instant::now());
        self.spent(0, remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_the_minute_allowance_passes_then_waits() {
        let limiter = RateLimiter::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take("a", start), Ok(()));
        }
        let Err(wait) = limiter.take("a", start) else {
            panic!("the fourth waits");
        };
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20));
        // Another key has its own allowance.
        assert_eq!(limiter.take("b", start), Ok(()));
        // Twenty seconds later one more is allowed.
        assert_eq!(limiter.take("a", start + Duration::from_secs(20)), Ok(()));
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = RateLimiter::new(0);
        let now = Instant::now();
        assert!((0..1_000).all(|_| limiter.take("a", now).is_ok()));
    }

    #[test]
    fn a_budget_spends_costs_and_refuses_what_it_does_not_have() {
        let limiter = RateLimiter::new(600);
        let start = Instant::now();
        assert_eq!(limiter.spend("a", 500.0, start), Ok(100.0));
        let Err(wait) = limiter.spend("a", 200.0, start) else {
            panic!("200 is more than the 100 left");
        };
        // 100 points are missing, at 10 a second.
        assert!(wait > Duration::from_secs(9) && wait <= Duration::from_secs(10));
        assert_eq!(
            limiter.spend("a", 100.0, start),
            Ok(0.0),
            "a refusal spent nothing"
        );
        // A cost over the whole budget passes once the budget is full.
        assert!(limiter.spend("b", 10_000.0, start).is_ok());
    }

    #[test]
    fn a_budget_reports_what_remains_and_when_it_is_full() {
        let budget = ReadBudget::new(600);
        let address = IpAddr::from([10, 0, 0, 9]);
        let spent = budget.spend(address, 300);
        assert_eq!(
            spent,
            Ok(BudgetSpent {
                spent: 300,
                remaining: 300,
                limit: 600,
                full_in_secs: 30
            })
        );
        assert_eq!(budget.status(address).remaining, 300);
        assert!(!ReadBudget::new(0).enabled());
    }

    #[test]
    fn tokens_are_not_kept_as_keys() {
        assert!(!token_key("fcs_secret").contains("secret"));
    }
}
