//! Webhooks: registering endpoints, queueing a delivery per endpoint in the transaction of
//! every change readers can see, and the outbox's bookkeeping (claiming due deliveries, so that
//! with several instances each is attempted by one at a time; recording each attempt).

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use entity::{ChangeKind, DeliveryStatus, change_event, webhook, webhook_delivery};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DbBackend, EntityTrait, Iterable, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::error::AppError;
use crate::ids::{NodeKind, encode};
use crate::service::validate::Problems;

/// How a kind is named in a webhook's stored list and in the payload's `type`: its value in
/// the change log (`published`, `person_changed`, ...).
pub fn kind_name(kind: ChangeKind) -> String {
    kind.to_value()
}

/// Longest secret and shortest.
const SECRET_LENGTH: std::ops::RangeInclusive<usize> = 16..=200;
/// Longest URL.
const MAX_URL: usize = 2048;

/// Which addresses an endpoint may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Whether loopback and private-network addresses are allowed (tests, or endpoints inside
    /// the operator's own network).
    pub allow_private: bool,
}

impl AddressPolicy {
    /// Whether a delivery may go to `address`. Never: unspecified, link-local (cloud metadata
    /// services live there), multicast, broadcast; loopback and private ranges only when
    /// allowed.
    pub fn allows(self, address: IpAddr) -> bool {
        let private = match address {
            IpAddr::V4(v4) => {
                if v4.is_unspecified()
                    || v4.is_link_local()
                    || v4.is_multicast()
                    || v4.is_broadcast()
                {
                    return false;
                }
                let [a, b, ..] = v4.octets();
                // 100.64.0.0/10: carrier-grade NAT, inside someone's network.
                v4.is_loopback() || v4.is_private() || (a == 100 && (64..128).contains(&b))
            }
            IpAddr::V6(v6) => {
                if let Some(v4) = v6.to_ipv4_mapped() {
                    return self.allows(IpAddr::V4(v4));
                }
                if v6.is_unspecified() || v6.is_multicast() || (v6.segments()[0] & 0xffc0) == 0xfe80
                {
                    return false;
                }
                v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00
            }
        };
        !private || self.allow_private
    }
}

/// Checks an endpoint's URL: `http` or `https`, a host, no user or password, not too long;
/// an IP address as host must be one `policy` allows (a name is checked when resolved, at
/// registration and before every delivery).
pub fn check_url(problems: &mut Problems, field: &str, url: &str, policy: AddressPolicy) {
    if url.len() > MAX_URL {
        problems.bad(field, format!("at most {MAX_URL} characters"));
        return;
    }
    let Ok(parsed) = reqwest::Url::parse(url) else {
        problems.bad(field, "not a URL");
        return;
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        problems.bad(field, "must be an http:// or https:// URL");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        problems.bad(field, "must not carry a user name or password");
    }
    match parsed.host_str() {
        None | Some("") => problems.bad(field, "must name a host"),
        Some(host) => {
            let literal = host.trim_start_matches('[').trim_end_matches(']');
            if let Ok(address) = literal.parse::<IpAddr>()
                && !policy.allows(address)
            {
                problems.bad(field, "this address is not allowed for webhooks");
            }
        }
    }
}

/// Checks a secret's length.
pub fn check_secret(problems: &mut Problems, field: &str, secret: &str) {
    if !SECRET_LENGTH.contains(&secret.len()) {
        problems.bad(
            field,
            format!(
                "must be {} to {} characters",
                SECRET_LENGTH.start(),
                SECRET_LENGTH.end()
            ),
        );
    }
}

/// The stored form of a list of kinds (none: all of them).
pub fn events_text(kinds: &[ChangeKind]) -> String {
    let mut names: Vec<String> = kinds.iter().copied().map(kind_name).collect();
    names.sort_unstable();
    names.dedup();
    names.join(" ")
}

/// The kinds a stored list names.
pub fn events_of(stored: &str) -> Vec<ChangeKind> {
    ChangeKind::iter()
        .filter(|kind| stored.split(' ').any(|name| name == kind_name(*kind)))
        .collect()
}

/// Registers an endpoint.
pub async fn create(
    db: &DatabaseConnection,
    url: &str,
    kinds: &[ChangeKind],
    secret: &str,
    author: &str,
    policy: AddressPolicy,
) -> Result<webhook::Model, AppError> {
    let mut problems = Problems::default();
    check_url(&mut problems, "url", url, policy);
    check_secret(&mut problems, "secret", secret);
    if kinds.is_empty() || kinds.contains(&ChangeKind::DraftChanged) {
        problems.bad(
            "events",
            "name at least one kind of public change (not DRAFT_CHANGED)",
        );
    }
    problems.into_result()?;
    let now = Utc::now();
    let tx = crate::service::editing::begin_write(db).await?;
    let row = webhook::ActiveModel {
        url: Set(url.to_owned()),
        events: Set(events_text(kinds)),
        secret: Set(secret.to_owned()),
        active: Set(true),
        created_by: Set(author.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// What an update changes (`None`: leave as is).
#[derive(Debug, Default)]
pub struct WebhookChanges {
    /// A new URL.
    pub url: Option<String>,
    /// New kinds.
    pub kinds: Option<Vec<ChangeKind>>,
    /// A new secret.
    pub secret: Option<String>,
    /// Deliver or not.
    pub active: Option<bool>,
}

/// Changes an endpoint.
pub async fn update(
    db: &DatabaseConnection,
    id: i32,
    changes: WebhookChanges,
    policy: AddressPolicy,
) -> Result<webhook::Model, AppError> {
    let mut problems = Problems::default();
    if let Some(url) = &changes.url {
        check_url(&mut problems, "input.url", url, policy);
    }
    if let Some(secret) = &changes.secret {
        check_secret(&mut problems, "input.secret", secret);
    }
    if let Some(kinds) = &changes.kinds
        && (kinds.is_empty() || kinds.contains(&ChangeKind::DraftChanged))
    {
        problems.bad(
            "input.events",
            "name at least one kind of public change (not DRAFT_CHANGED)",
        );
    }
    problems.into_result()?;
    let tx = crate::service::editing::begin_write(db).await?;
    let current = webhook::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound("no such webhook".into()))?;
    let mut active: webhook::ActiveModel = current.into();
    if let Some(url) = changes.url {
        active.url = Set(url);
    }
    if let Some(kinds) = changes.kinds {
        active.events = Set(events_text(&kinds));
    }
    if let Some(secret) = changes.secret {
        active.secret = Set(secret);
    }
    if let Some(on) = changes.active {
        active.active = Set(on);
    }
    active.updated_at = Set(Utc::now());
    let row = active.update(&tx).await?;
    tx.commit().await?;
    Ok(row)
}

/// Deletes an endpoint and its deliveries; returns it as it was.
pub async fn delete(db: &DatabaseConnection, id: i32) -> Result<webhook::Model, AppError> {
    let tx = crate::service::editing::begin_write(db).await?;
    let found = webhook::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound("no such webhook".into()))?;
    webhook::Entity::delete_by_id(id).exec(&tx).await?;
    tx.commit().await?;
    Ok(found)
}

/// Every endpoint, oldest first.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<webhook::Model>, AppError> {
    Ok(webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?)
}

/// The latest `limit` deliveries of each of these endpoints, newest first.
pub async fn recent_deliveries<C: ConnectionTrait>(
    db: &C,
    webhook_id: i32,
    limit: u64,
) -> Result<Vec<webhook_delivery::Model>, AppError> {
    Ok(webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The JSON body delivered for `event`: what receivers read and deduplicate on (`id`).
pub fn payload(event: &change_event::Model) -> String {
    json!({
        "id": event.id.to_string(),
        "type": kind_name(event.kind),
        "createdAt": event.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": {
            "movieId": event.movie_id.map(|id| encode(NodeKind::Movie, id).0),
            "slug": event.slug,
            "version": event.version,
            "keys": event.keys.split(' ').filter(|k| !k.is_empty()).collect::<Vec<_>>(),
            "author": event.author,
        },
    })
    .to_string()
}

/// Queues a delivery of `event` to every active endpoint that asked for its kind, inside the
/// change's transaction `tx`. Changes readers cannot see (drafts) are never delivered.
pub async fn enqueue<C: ConnectionTrait>(
    tx: &C,
    event: &change_event::Model,
) -> Result<(), AppError> {
    if !event.public {
        return Ok(());
    }
    let wanted = kind_name(event.kind);
    let endpoints = webhook::Entity::find()
        .filter(webhook::Column::Active.eq(true))
        .all(tx)
        .await?;
    let body = payload(event);
    let deliveries: Vec<webhook_delivery::ActiveModel> = endpoints
        .into_iter()
        .filter(|e| e.events.split(' ').any(|name| name == wanted))
        .map(|endpoint| webhook_delivery::ActiveModel {
            webhook_id: Set(endpoint.id),
            event_id: Set(event.id),
            payload: Set(body.clone()),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(event.created_at),
            created_at: Set(event.created_at),
            ..Default::default()
        })
        .collect();
    if !deliveries.is_empty() {
        webhook_delivery::Entity::insert_many(deliveries)
            .exec(tx)
            .await?;
    }
    Ok(())
}

/// A claimed delivery with its endpoint.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The delivery (its `attempts` counts this one).
    pub delivery: webhook_delivery::Model,
    /// Its endpoint.
    pub endpoint: webhook::Model,
}

/// Claims up to `limit` due deliveries for `hold` (no other instance attempts them until
/// then), counting the attempt. On PostgreSQL rows another instance is claiming are skipped
/// (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time.
pub async fn claim_due(
    db: &DatabaseConnection,
    limit: u64,
    hold: Duration,
) -> Result<Vec<Claimed>, AppError> {
    let now = Utc::now();
    let tx = crate::service::editing::begin_write(db).await?;
    let mut due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(webhook_delivery::Column::LockedUntil.is_null())
                .add(webhook_delivery::Column::LockedUntil.lt(now)),
        )
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        due = due.lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        );
    }
    let rows = due.all(&tx).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let locked_until = now + hold;
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::LockedUntil,
            Expr::value(Some(locked_until)),
        )
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::col(webhook_delivery::Column::Attempts).add(1),
        )
        .filter(webhook_delivery::Column::Id.is_in(ids))
        .exec(&tx)
        .await?;
    let endpoints: HashMap<i32, webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(rows.iter().map(|row| row.webhook_id)))
        .all(&tx)
        .await?
        .into_iter()
        .map(|endpoint| (endpoint.id, endpoint))
        .collect();
    let claimed = rows
        .into_iter()
        .filter_map(|row| {
            let endpoint = endpoints.get(&row.webhook_id)?.clone();
            let delivery = webhook_delivery::Model {
                attempts: row.attempts + 1,
                locked_until: Some(locked_until),
                ..row
            };
            Some(Claimed { delivery, endpoint })
        })
        .collect();
    tx.commit().await?;
    Ok(claimed)
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The HTTP status, if the endpoint answered.
    pub status_code: Option<u16>,
    /// How long the attempt took.
    pub duration_ms: i32,
    /// Why it failed (no answer, or not 2xx).
    pub error: Option<String>,
}

impl Outcome {
    /// Whether the endpoint took the delivery (answered 2xx).
    pub fn delivered(&self) -> bool {
        self.status_code
            .is_some_and(|code| (200..300).contains(&code))
    }
}

/// Records an attempt of `delivery`: delivered, or due again at `retry_at` (or failed for good
/// when `retry_at` is `None`).
pub async fn record_attempt(
    db: &DatabaseConnection,
    delivery: &webhook_delivery::Model,
    outcome: &Outcome,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), AppError> {
    let now = Utc::now();
    let status = if outcome.delivered() {
        DeliveryStatus::Delivered
    } else if retry_at.is_some() {
        DeliveryStatus::Pending
    } else {
        DeliveryStatus::Failed
    };
    let error = outcome
        .error
        .as_ref()
        .map(|e| e.chars().take(500).collect::<String>());
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, Expr::value(status))
        .col_expr(
            webhook_delivery::Column::LastStatusCode,
            Expr::value(outcome.status_code.map(i32::from)),
        )
        .col_expr(
            webhook_delivery::Column::LastDurationMs,
            Expr::value(outcome.duration_ms),
        )
        .col_expr(webhook_delivery::Column::LastError, Expr::value(error))
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(retry_at.unwrap_or(now)),
        )
        .col_expr(
            webhook_delivery::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            webhook_delivery::Column::DeliveredAt,
            Expr::value(outcome.delivered().then_some(now)),
        )
        .filter(webhook_delivery::Column::Id.eq(delivery.id))
        .exec(db)
        .await?;
    Ok(())
}

/// When the next deliveries are due (the soonest pending one), if any.
pub async fn next_due(db: &DatabaseConnection) -> Result<Option<DateTime<Utc>>, AppError> {
    let soonest: Option<Option<DateTime<Utc>>> = webhook_delivery::Entity::find()
        .select_only()
        .column_as(webhook_delivery::Column::NextAttemptAt.min(), "at")
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .into_tuple()
        .one(db)
        .await?;
    Ok(soonest.flatten())
}

/// Drops delivered and failed deliveries older than `before` (history is kept for a while).
pub async fn drop_settled_before(
    db: &DatabaseConnection,
    before: DateTime<Utc>,
) -> Result<u64, AppError> {
    let dropped = webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::Status.ne(DeliveryStatus::Pending))
        .filter(webhook_delivery::Column::CreatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(dropped.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_that_reach_inside_are_refused_unless_allowed() {
        let strict = AddressPolicy {
            allow_private: false,
        };
        let open = AddressPolicy {
            allow_private: true,
        };
        for address in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "::1",
            "fd00::1",
            "100.64.0.1",
        ] {
            let address: IpAddr = address.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
            assert!(!strict.allows(address), "{address}");
            assert!(open.allows(address), "{address}");
        }
        for address in [
            "169.254.169.254",
            "0.0.0.0",
            "fe80::1",
            "::ffff:169.254.169.254",
        ] {
            let address: IpAddr = address.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
            assert!(!open.allows(address), "{address}");
        }
        assert!(
            strict.allows(
                "93.184.216.34"
                    .parse()
                    .unwrap_or(IpAddr::from([0, 0, 0, 0]))
            )
        );
    }

    #[test]
    fn urls_are_checked() {
        let policy = AddressPolicy {
            allow_private: false,
        };
        let problems_of = |url: &str| {
            let mut problems = Problems::default();
            check_url(&mut problems, "url", url, policy);
            problems.into_result().is_err()
        };
        assert!(!problems_of("https://hooks.example.com/films"));
        assert!(problems_of("ftp://hooks.example.com/"));
        assert!(problems_of("https://user:pw@hooks.example.com/"));
        assert!(problems_of("http://169.254.169.254/latest/meta-data"));
        assert!(problems_of("http://127.0.0.1:9000/"));
        assert!(problems_of("not a url"));
    }

    #[test]
    fn kinds_round_trip_through_their_stored_form() {
        let kinds = [
            ChangeKind::Unpublished,
            ChangeKind::Published,
            ChangeKind::Published,
        ];
        assert_eq!(events_text(&kinds), "published unpublished");
        assert_eq!(
            events_of("published unpublished"),
            vec![ChangeKind::Published, ChangeKind::Unpublished]
        );
    }
}
