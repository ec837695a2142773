//! How anonymous `GET /graphql` answers may be cached by browsers and CDNs.

/// `Cache-Control` of a cacheable answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Seconds it stays fresh.
    pub max_age: u64,
    /// Seconds a stale copy may be served while a fresh one is fetched.
    pub stale_while_revalidate: u64,
}

impl CachePolicy {
    /// The header value.
    pub fn header_value(&self) -> String {
        format!(
            "public, max-age={}, stale-while-revalidate={}",
            self.max_age, self.stale_while_revalidate
        )
    }
}
