//! The webhook worker: every instance runs one. It claims due deliveries from the outbox
//! (each claimed by one instance at a time), POSTs each, signed, and records the outcome;
//! a delivery that is not answered 2xx is retried with exponential backoff and jitter until
//! a day (`WEBHOOK_GIVE_UP_HOURS`) has passed since its change. It wakes on every change event
//! the feed passes on, and on a tick, so deliveries queued before a restart (or by an instance
//! that died) are picked up.
//!
//! Each request: `POST` to the endpoint's URL with the event's JSON, headers
//! `X-Filmserver-Event` (the event id, to deduplicate on), `X-Filmserver-Delivery`, and
//! `X-Filmserver-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
//! endpoint's secret>` (Stripe's scheme). The endpoint's host is resolved and every address
//! checked against the address policy before each attempt, and the request goes to the
//! checked address; it follows no redirect, has a timeout, and reads at most
//! [`MAX_RESPONSE_BYTES`] of the answer. With read replicas a batch is sent only once they
//! have replayed its changes (or left rotation), so a receiver that fetches the page it is
//! told about gets the new one.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::Utc;
use hmac::{Hmac, Mac};
use sea_orm::DatabaseConnection;
use sha2::Sha256;
use tokio::task::JoinHandle;

use crate::db::ReadRouter;
use crate::live::ChangeFeed;
use crate::service::webhooks::{self, AddressPolicy, Claimed, Outcome};

/// Most bytes of an endpoint's answer read (the rest is not waited for).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Deliveries claimed at a time.
const BATCH: u64 = 16;
/// Longest wait between two attempts of a delivery.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// How deliveries are made.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Which addresses endpoints may have.
    pub policy: AddressPolicy,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// The wait after a first failed attempt (doubling after each).
    pub retry_base: Duration,
    /// How long after its change a delivery is given up.
    pub give_up_after: Duration,
    /// How often the worker looks for due deliveries without being woken.
    pub tick: Duration,
}

/// The signature header's value for `body` at `timestamp` with `secret`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes a key of any length; this cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// The wait before attempt `attempts + 1`: `base` doubled per attempt made, at most an hour,
/// then a random part of it taken off (between none and half), so endpoints that fail
/// together are not retried together.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let full = base.saturating_mul(1 << doublings).min(MAX_BACKOFF);
    let mut bytes = [0u8; 2];
    let jitter = match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u16::from_le_bytes(bytes)) / f64::from(u16::MAX),
        Err(_) => 0.5,
    };
    full.mul_f64(1.0 - jitter / 2.0)
}

/// Starts the worker over `db` (the background pool), woken by `feed`.
pub fn spawn(
    db: DatabaseConnection,
    feed: &ChangeFeed,
    settings: WebhookSettings,
    replicas: ReadRouter,
) -> JoinHandle<()> {
    let mut events = feed.subscribe();
    tokio::spawn(async move {
        loop {
            // Look (a read) before claiming (a write), so an idle outbox costs no write.
            let next = webhooks::next_due(&db).await;
            if matches!(next, Ok(Some(at)) if at <= Utc::now()) {
                let hold = chrono_duration(settings.timeout * 3);
                match webhooks::claim_due(&db, BATCH, hold).await {
                    Ok(claimed) if !claimed.is_empty() => {
                        // A receiver often fetches the page it is told about at once: it
                        // must not get the old one from a replica that has not replayed the
                        // change yet.
                        replicas.caught_up_with_primary().await;
                        let attempts = claimed.into_iter().map(|c| deliver(&db, &settings, c));
                        futures_util::future::join_all(attempts).await;
                        continue;
                    }
                    Ok(_) => {}
                    Err(err) => {
                        tracing::debug!(error = ?err, "could not claim webhook deliveries");
                    }
                }
            }
            // Nothing due now: wait for a change, the tick, or the next retry, whichever is
            // first (a delivery another instance holds is looked at again on the tick).
            let until_next = match next {
                Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or(settings.tick),
                _ => settings.tick,
            };
            let wait = until_next.min(settings.tick).max(Duration::from_millis(10));
            tokio::select! {
                _ = events.recv() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    })
}

fn chrono_duration(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// Makes one attempt of a claimed delivery and records it.
async fn deliver(db: &DatabaseConnection, settings: &WebhookSettings, claimed: Claimed) {
    let outcome = attempt(settings, &claimed).await;
    let delivery = &claimed.delivery;
    let retry_at = if outcome.delivered() {
        None
    } else {
        let next = Utc::now() + chrono_duration(backoff(settings.retry_base, delivery.attempts));
        (next < delivery.created_at + chrono_duration(settings.give_up_after)).then_some(next)
    };
    tracing::info!(
        webhook = claimed.endpoint.id,
        delivery = delivery.id,
        event = delivery.event_id,
        attempt = delivery.attempts,
        status = outcome.status_code,
        duration_ms = outcome.duration_ms,
        error = outcome.error.as_deref(),
        "webhook delivery attempted"
    );
    if let Err(err) = webhooks::record_attempt(db, delivery, &outcome, retry_at).await {
        // The claim expires and the delivery is attempted again: at least once.
        tracing::warn!(error = ?err, delivery = delivery.id, "could not record a webhook attempt");
    }
}

/// POSTs the delivery once.
async fn attempt(settings: &WebhookSettings, claimed: &Claimed) -> Outcome {
    let started = Instant::now();
    let failed = |error: String, status_code: Option<u16>| Outcome {
        status_code,
        duration_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
        error: Some(error),
    };
    let url = match reqwest::Url::parse(&claimed.endpoint.url) {
        Ok(url) => url,
        Err(_) => return failed("the URL does not parse".into(), None),
    };
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return failed("the URL names no host".into(), None);
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addresses: Vec<SocketAddr> = match tokio::net::lookup_host((host.as_str(), port)).await {
        Ok(found) => found.collect(),
        Err(err) => return failed(format!("could not resolve the host: {err}"), None),
    };
    let Some(address) = addresses.first().copied() else {
        return failed("the host has no address".into(), None);
    };
    if let Some(refused) = addresses.iter().find(|a| !settings.policy.allows(a.ip())) {
        return failed(format!("the address {} is not allowed", refused.ip()), None);
    }
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .resolve(&host, address)
        .user_agent("filmserver-webhooks")
        .build()
    {
        Ok(client) => client,
        Err(err) => return failed(format!("no HTTP client: {err}"), None),
    };
    let body = claimed.delivery.payload.clone();
    let sent = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Filmserver-Event", claimed.delivery.event_id.to_string())
        .header("X-Filmserver-Delivery", claimed.delivery.id.to_string())
        .header(
            "X-Filmserver-Signature",
            signature(&claimed.endpoint.secret, Utc::now().timestamp(), &body),
        )
        .body(body)
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(err) => return failed(format!("no answer: {err}"), None),
    };
    let status = response.status().as_u16();
    // Read a bounded part of the answer (the connection is dropped after).
    let mut read = Vec::new();
    while read.len() < MAX_RESPONSE_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => read.extend_from_slice(&chunk),
            _ => break,
        }
    }
    read.truncate(MAX_RESPONSE_BYTES);
    let outcome = Outcome {
        status_code: Some(status),
        duration_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
        error: None,
    };
    if outcome.delivered() {
        outcome
    } else {
        let text = String::from_utf8_lossy(&read);
        failed(
            format!(
                "answered {status}: {}",
                text.chars().take(200).collect::<String>()
            ),
            Some(status),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_stripes_scheme() {
        // `echo -n '1700000000.{}' | openssl dgst -sha256 -hmac secret`
        assert_eq!(
            signature("secret", 1_700_000_000, "{}"),
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_secs(10);
        for (attempts, full) in [(1, 10), (2, 20), (3, 40), (30, 3600)] {
            let wait = backoff(base, attempts);
            let full = Duration::from_secs(full);
            assert!(wait <= full && wait >= full / 2, "{attempts}: {wait:?}");
        }
    }
}
