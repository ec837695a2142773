//! Rate limits on mutations, per token and per client address: token buckets that hold a
//! minute's allowance and refill continuously. A request over either limit is refused with
//! 429 and `Retry-After` before it runs.

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
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, bucket| refilled(*bucket, now, per_second, capacity) < capacity);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let tokens = refilled(*bucket, now, per_second, capacity);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else {
            *bucket = Bucket { tokens, at: now };
            Err(Duration::from_secs_f64((1.0 - tokens) / per_second))
        }
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
    fn tokens_are_not_kept_as_keys() {
        assert!(!token_key("fcs_secret").contains("secret"));
    }
}
