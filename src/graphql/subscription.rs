//! The subscription root: `movieChanged(slug:)` and `catalogChanged`, fed by this instance's
//! [`ChangeFeed`] and, for a backlog (`after:`) or a subscriber that fell behind, by the
//! change log itself.
//!
//! Each event a subscription yields is read afresh: the request's loaders are renewed (a new
//! snapshot, an empty cache) before the film is read and resolved, so the fields a client
//! selects come through the same loaders as a query's, from one version of the film.

use std::time::Duration;

use async_graphql::{Context, ID, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use entity::{TokenRole, movie};
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast::error::RecvError;

use crate::error::AppError;
use crate::graphql::auth::require;
use crate::graphql::context::{RequestData, loaders};
use crate::graphql::loaders;
use crate::graphql::schema::ReadPool;
use crate::graphql::types::status::{PublicationStatus, read_scope};
use crate::graphql::types::{ChangeKind, Movie};
use crate::ids::{NodeKind, encode};
use crate::live::{ChangeFeed, Event};
use crate::reads::RequestReads;
use crate::service::{change_log, changes, movies};

/// Events read from the log at a time, for a backlog or a subscriber catching up.
const BACKLOG_PAGE: u64 = 200;

/// One committed change to content, from the change log.
pub struct ChangeEvent(pub Event);

/// One committed change to content, from the change log.
#[Object]
impl ChangeEvent {
    /// The event's id: events are numbered in the order their changes committed. Pass the
    /// last id you saw as `after` to resume without missing one.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What happened.
    async fn kind(&self) -> ChangeKind {
        self.0.kind.into()
    }

    /// The film's global id (as `Movie.id`), when a film changed.
    async fn movie_id(&self) -> Option<ID> {
        self.0.movie_id.map(|id| encode(NodeKind::Movie, id))
    }

    /// The slug of what changed: the film's, or the person's or company's.
    async fn slug(&self) -> Option<&str> {
        self.0.slug.as_deref()
    }

    /// The film's version after the change, when a film changed.
    async fn version(&self) -> Option<i32> {
        self.0.version
    }

    /// The content keys the change touched, as `Surrogate-Key` names them (`film-42`,
    /// `person-7`, `films`): a CDN purge or a cache can act on them directly.
    async fn keys(&self) -> Vec<&str> {
        self.0.keys.split(' ').filter(|k| !k.is_empty()).collect()
    }

    /// Who made the change (a token's name); null unless the subscriber holds an editor's
    /// token.
    async fn author(&self, ctx: &Context<'_>) -> Option<&str> {
        require(ctx, TokenRole::Editor)
            .await
            .ok()
            .map(|_| self.0.author.as_str())
    }

    /// When the change committed.
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A film's change: what happened, and the film as it is after it.
pub struct MovieChange {
    event: Event,
    movie: Option<movie::Model>,
}

/// A film's change: what happened, and the film as it is after it.
#[Object]
impl MovieChange {
    /// What happened.
    async fn event(&self) -> ChangeEvent {
        ChangeEvent(self.event.clone())
    }

    /// The film as it is now (in the subscription's `status`), with whatever fields are
    /// selected; null once it is gone (deleted, unpublished, or its draft thrown away and
    /// never published).
    async fn movie(&self) -> Option<Movie> {
        self.movie.clone().map(Movie)
    }
}

/// Live updates over WebSocket (`graphql-transport-ws`, or the older `graphql-ws` protocol):
/// each subscription yields every change after it starts (or after `after`), in commit order.
#[derive(Default)]
pub struct SubscriptionRoot;

/// Live updates over WebSocket (`graphql-transport-ws`, or the older `graphql-ws` protocol):
/// each subscription yields every change after it starts (or after `after`), in commit order.
#[Subscription]
impl SubscriptionRoot {
    /// The film with this slug, each time what the subscriber may see of it changes: when it
    /// is published again, when a person or company on it is renamed, and once more (with
    /// `movie: null`) when it is unpublished or deleted. With `status: DRAFT` (an editor's
    /// token in `connection_init`'s payload, or a preview token for this film), each change
    /// to its draft too: a live preview.
    async fn movie_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's URL key.")] slug: String,
        #[graphql(desc = "`DRAFT` (editors only): follow the film as editors work on it.")]
        status: Option<PublicationStatus>,
        #[graphql(desc = "Also yield the changes after this event id (to resume).")] after: Option<
            ID,
        >,
    ) -> Result<impl Stream<Item = Result<MovieChange>> + use<>> {
        let scope = read_scope(ctx, status).await?;
        let film = movies::find_by_slug(loaders(ctx)?.loader().reads().as_ref(), &slug, scope)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no film has the slug `{slug}`")))?;
        let film_id = crate::service::visibility::film_id(&film);
        let film_key = changes::film_key(film_id);
        let events = follow(ctx, after, move |event| {
            scope.sees_change(event)
                && (event.movie_id == Some(film_id)
                    || event.keys.split(' ').any(|key| key == film_key))
        })
        .await?;
        let data = ctx.data::<std::sync::Arc<RequestData>>()?.clone();
        let pool = ctx.data::<ReadPool>()?.0.clone();
        let delay = ctx.data::<LoaderDelay>().map_or(Duration::ZERO, |d| d.0);
        Ok(async_stream::try_stream! {
            for await event in events {
                let event = event?;
                // A fresh snapshot and empty loaders for this event's film and its fields.
                let reads = std::sync::Arc::new(RequestReads::snapshot(&pool));
                data.renew(loaders::for_request(reads.clone(), delay));
                let movie = Box::pin(movies::film_as_seen(reads.as_ref(), film_id, scope)).await?;
                yield MovieChange { event, movie };
                // The event is resolved: let its snapshot go until the next one.
                data.renew(loaders::for_request(
                    std::sync::Arc::new(RequestReads::direct(&pool)),
                    delay,
                ));
            }
        })
    }

    /// Every change the subscriber may see, as it commits: films published, unpublished and
    /// deleted, people and companies changed (what list pages need to refresh). With `status:
    /// DRAFT` (editors), drafts' changes too.
    async fn catalog_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "`DRAFT` (editors only): drafts' changes too.")] status: Option<
            PublicationStatus,
        >,
        #[graphql(desc = "Also yield the changes after this event id (to resume).")] after: Option<
            ID,
        >,
    ) -> Result<impl Stream<Item = Result<ChangeEvent>> + use<>> {
        let scope = read_scope(ctx, status).await?;
        let events = follow(ctx, after, move |event| scope.sees_change(event)).await?;
        Ok(async_stream::try_stream! {
            for await event in events {
                yield ChangeEvent(event?);
            }
        })
    }
}

/// How long a request's loaders wait to batch keys (the schema's setting).
#[derive(Debug, Clone, Copy)]
pub struct LoaderDelay(pub Duration);

/// The events `keep` accepts, from after `after` (or from now), in order and each once:
/// the log's backlog first, then the feed; a subscriber that falls behind the feed reads
/// what it missed from the log. `EVENTS_EXPIRED` when `after` is older than the log keeps.
async fn follow<K>(
    ctx: &Context<'_>,
    after: Option<ID>,
    keep: K,
) -> Result<impl Stream<Item = Result<Event, AppError>> + use<K>, AppError>
where
    K: Fn(&entity::change_event::Model) -> bool + Send + Sync + 'static,
{
    let feed = ctx
        .data::<ChangeFeed>()
        .map_err(|_| AppError::Internal("no change feed".into()))?
        .clone();
    let pool = ctx
        .data::<DatabaseConnection>()
        .map_err(|_| AppError::Internal("no database".into()))?
        .clone();
    // Subscribed first, so no event falls between the backlog and the feed.
    let mut receiver = feed.subscribe();
    let start = match after {
        Some(id) => {
            let after: i64 = id
                .parse()
                .ok()
                .filter(|n: &i64| *n >= 0)
                .ok_or_else(|| AppError::bad_input("after", "`after` is an event id"))?;
            if !change_log::can_resume_after(&pool, after).await? {
                return Err(AppError::Gone(format!(
                    "the events after {after} are no longer kept; subscribe without `after`"
                )));
            }
            after
        }
        // From now: the log's newest event, which this instance's feed may not have read yet
        // (a change that committed elsewhere a moment ago is not "after" the subscription).
        None => change_log::last_id(&pool)
            .await?
            .max(feed.last_seen().unwrap_or_default()),
    };
    // Counted as running (`filmserver_live_subscriptions`) only now that its start is fixed:
    // every change that commits from here on reaches it. Counted before, a client that waited
    // for the count and then published could commit before the start was read, and its
    // change was then "before" the subscription (the live-client test saw this under load).
    let following = feed.follow();
    Ok(async_stream::try_stream! {
        let _following = following;
        let mut last = start;
        let mut behind = true;
        loop {
            if behind {
                // Read from the log until it has nothing after `last`.
                loop {
                    // Boxed: the stream's state is as large as its largest await, and an
                    // idle subscription should not carry a database read's.
                    let page = Box::pin(change_log::events_after(&pool, last, BACKLOG_PAGE)).await?;
                    let full = page.len() as u64 == BACKLOG_PAGE;
                    for event in page {
                        last = event.id;
                        if keep(&event) {
                            yield std::sync::Arc::new(event);
                        }
                    }
                    if !full {
                        break;
                    }
                }
                behind = false;
            }
            match receiver.recv().await {
                Ok(event) if event.id > last => {
                    last = event.id;
                    if keep(&event) {
                        yield event;
                    }
                }
                // Already yielded from the log.
                Ok(_) => {}
                // Fell behind the feed: what was missed is in the log.
                Err(RecvError::Lagged(_)) => behind = true,
                Err(RecvError::Closed) => break,
            }
        }
    })
}
