//! `Movie`: a film page.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::movie;

use super::{
    Character, CompanyCredit, Credit, CreditRole, Period, Person, Revision, Section, Setting, Theme,
};
use crate::error::AppError;
use crate::graphql::auth::require;
use crate::graphql::context::loaders;
use crate::graphql::context::reads;
use crate::graphql::loaders::{
    CharactersOf, CompaniesOfMovie, CreditsOfMovie, MovieById, PlotOf, RevisionsOf, SectionsOf,
    ThemesOf,
};
use crate::graphql::query::page_size;
use crate::graphql::types::ApiToken;
use crate::graphql::types::plain::PlainList;
use crate::graphql::types::status::{PublicationStatus, read_scope};
use crate::ids::{NodeKind, encode};
use crate::service::movies;
use crate::service::visibility::{film_id, shown_slug};

/// A film page: the film's facts, its plot, ordered sections, characters and who plays them,
/// credits, companies, period, setting and themes.
#[derive(Clone)]
pub struct Movie(pub movie::Model);

/// A film page: the film's facts, its plot, ordered sections, characters and who plays them,
/// credits, companies, period, setting and themes.
#[Object(serial)]
impl Movie {
    /// Globally unique, opaque id; `node(id:)` fetches the film again.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Movie, film_id(&self.0))
    }

    /// URL key, unique among films (`m-butterfly`); `movie(slug:)` finds the film by it.
    async fn slug(&self) -> &str {
        shown_slug(&self.0.slug)
    }

    /// Display title (`M. Butterfly`).
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Year of first release.
    async fn release_year(&self) -> i32 {
        self.0.release_year
    }

    /// The plot synopsis, as paragraphs in reading order.
    #[graphql(complexity = "crate::graphql::limits::list_cost(child_complexity)")]
    async fn plot(&self, ctx: &Context<'_>) -> Result<Arc<[String]>> {
        Ok(loaders(ctx)?
            .load_one(PlotOf(self.0.id))
            .await?
            .unwrap_or_default())
    }

    /// The page's titled sections, in reading order.
    #[graphql(complexity = "crate::graphql::limits::list_cost(child_complexity)")]
    async fn sections(&self, ctx: &Context<'_>) -> Result<PlainList<Section>> {
        Ok(PlainList(
            loaders(ctx)?
                .load_one(SectionsOf(self.0.id))
                .await?
                .unwrap_or_default(),
        ))
    }

    /// The characters, in page order, each with the person who plays them.
    #[graphql(complexity = "crate::graphql::limits::list_cost(child_complexity)")]
    async fn characters(&self, ctx: &Context<'_>) -> Result<PlainList<Character>> {
        Ok(PlainList(
            loaders(ctx)?
                .load_one(CharactersOf(self.0.id))
                .await?
                .unwrap_or_default(),
        ))
    }

    /// The film's directors, in credit order.
    #[graphql(complexity = "crate::graphql::limits::list_cost(child_complexity)")]
    async fn directors(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        let credits = loaders(ctx)?.load_one(CreditsOfMovie(self.0.id)).await?;
        Ok(credits
            .unwrap_or_default()
            .iter()
            .filter(|Credit(credit, _)| credit.role == entity::CreditRole::Director)
            .map(|Credit(_, person)| Person(person.clone()))
            .collect())
    }

    /// People credited on the film (director, writer, ...), in credit order; `role` keeps
    /// only one kind. Actors are found through `characters`.
    #[graphql(complexity = "crate::graphql::limits::list_cost(child_complexity)")]
    async fn credits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only credits of this kind.")] role: Option<CreditRole>,
    ) -> Result<Vec<Credit>> {
        let rows = loaders(ctx)?.load_one(CreditsOfMovie(self.0.id)).await?;
        let role = role.map(entity::CreditRole::from);
        Ok(rows
            .unwrap_or_default()
            .iter()
            .filter(|Credit(credit, _)| role.is_none_or(|r| credit.role == r))
            .cloned()
            .collect())
    }

    /// Companies that made or distributed the film, with their part, in credit order.
    #[graphql(complexity = "crate::graphql::limits::list_cost(child_complexity)")]
    async fn companies(&self, ctx: &Context<'_>) -> Result<Arc<[CompanyCredit]>> {
        Ok(loaders(ctx)?
            .load_one(CompaniesOfMovie(self.0.id))
            .await?
            .unwrap_or_default())
    }

    /// The years the story spans, with a description; null when the page gives none.
    async fn period(&self) -> Option<Period> {
        let m = &self.0;
        if m.period_start_year.is_none()
            && m.period_end_year.is_none()
            && m.period_description.is_none()
        {
            return None;
        }
        Some(Period {
            start_year: m.period_start_year,
            end_year: m.period_end_year,
            description: m.period_description.clone(),
        })
    }

    /// Where the story takes place: a description and the places, in page order.
    async fn setting(&self) -> Setting {
        Setting {
            movie_id: self.0.id,
            description: self.0.setting_description.clone(),
        }
    }

    /// The film's themes, in page order, each with its emoji.
    #[graphql(complexity = "crate::graphql::limits::list_cost(child_complexity)")]
    async fn themes(&self, ctx: &Context<'_>) -> Result<PlainList<Theme>> {
        Ok(PlainList(
            loaders(ctx)?
                .load_one(ThemesOf(self.0.id))
                .await?
                .unwrap_or_default(),
        ))
    }

    /// The film's revisions, newest first: who changed it, when, and what it was after.
    /// Needs an `editor` token.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, 20, 100, child_complexity)")]
    async fn revisions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, newest first: 20 when omitted, at most 100.")] first: Option<
            i32,
        >,
    ) -> Result<Vec<Revision>> {
        require(ctx, entity::TokenRole::Editor).await?;
        let limit = page_size(first)?;
        let rows = loaders(ctx)?
            .load_one(RevisionsOf(film_id(&self.0), limit))
            .await?;
        Ok(rows.unwrap_or_default().into_iter().map(Revision).collect())
    }

    /// Revision counter, raised by every change; editors send it back to change the film.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the film was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the film was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When the version readers see was published; null while the film is not on the public
    /// API (only editors, with `status: DRAFT`, see such a film).
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    /// When the film was first published; kept when it is unpublished.
    async fn first_published_at(&self) -> Option<DateTime<Utc>> {
        self.0.first_published_at
    }

    /// When the film is to be published on schedule, if it is (`schedulePublish`). Needs an
    /// `editor` token.
    async fn scheduled_publish_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        require(ctx, entity::TokenRole::Editor).await?;
        Ok(self.0.scheduled_publish_at)
    }

    /// The film's preview tokens, newest first (revoked and expired ones included), with who
    /// made each. Needs an `editor` token.
    async fn preview_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        require(ctx, entity::TokenRole::Editor).await?;
        let tokens = crate::service::tokens::previews_of(&*reads(ctx)?, film_id(&self.0)).await?;
        Ok(tokens.into_iter().map(ApiToken).collect())
    }

    /// Whether what this shows is not what readers see: a draft of a published film, or a
    /// film not published at all (only editors read such a film, with `status: DRAFT`).
    async fn unpublished_changes(&self) -> bool {
        self.0.draft_of.is_some() || self.0.published_at.is_none()
    }
}

/// The film with this id (a list item's way back to its film), through the request's loader
/// of published films; an item of a draft is found in the drafts the request's token may read
/// (an editor's, or a preview token's film). A film that vanished mid-request, or that the
/// reader may not see, is `NOT_FOUND`.
pub async fn load_movie(ctx: &Context<'_>, id: i32) -> Result<Movie> {
    crate::graphql::cache_keys::films(ctx, [id]);
    if let Some(model) = loaders(ctx)?.load_one(MovieById(id)).await? {
        return Ok(Movie(model));
    }
    if let Ok(scope) = read_scope(ctx, Some(PublicationStatus::Draft)).await
        && let Some(model) = movies::find_by_ids(&*reads(ctx)?, &[id], scope)
            .await?
            .into_iter()
            .next()
    {
        return Ok(Movie(model));
    }
    Err(AppError::NotFound("the film no longer exists".into()).into())
}
