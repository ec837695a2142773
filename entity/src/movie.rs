//! `movie`: one film page's own scalar facts.

use sea_orm::entity::prelude::*;

/// A film.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "movie")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// URL key, unique (`m-butterfly`).
    #[sea_orm(unique)]
    pub slug: String,
    /// Display title.
    pub title: String,
    /// Year of first release.
    pub release_year: i32,
    /// First year of the period the story is set in.
    pub period_start_year: Option<i32>,
    /// Last year of the period the story is set in.
    pub period_end_year: Option<i32>,
    /// Prose about the period.
    #[sea_orm(column_type = "Text", nullable)]
    pub period_description: Option<String>,
    /// Prose about where the story takes place.
    #[sea_orm(column_type = "Text", nullable)]
    pub setting_description: Option<String>,
    /// Optimistic-concurrency counter, bumped by every change.
    pub version: i32,
    /// When the row was created.
    pub created_at: DateTimeUtc,
    /// When the row was last changed.
    pub updated_at: DateTimeUtc,
    /// When the film's current public version was published; `None`: not public (never
    /// published, or unpublished).
    pub published_at: Option<DateTimeUtc>,
    /// When the film was first published; kept when it is unpublished.
    pub first_published_at: Option<DateTimeUtc>,
    /// Whether this film has a draft (a row whose `draft_of` is this film).
    pub has_draft: bool,
    /// On a draft: the film it is the draft of (`None` on a film's own row).
    pub draft_of: Option<i32>,
    /// When the film is to be published (by whichever server instance sees it due first).
    pub scheduled_publish_at: Option<DateTimeUtc>,
    /// The editor who scheduled it: its publication is recorded as theirs.
    pub scheduled_by: Option<String>,
}

/// Relations of a film.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Plot paragraphs.
    #[sea_orm(has_many = "super::plot_paragraph::Entity")]
    PlotParagraph,
    /// Sections.
    #[sea_orm(has_many = "super::section::Entity")]
    Section,
    /// Characters.
    #[sea_orm(has_many = "super::character::Entity")]
    Character,
    /// Themes.
    #[sea_orm(has_many = "super::theme::Entity")]
    Theme,
    /// Locations.
    #[sea_orm(has_many = "super::location::Entity")]
    Location,
    /// Credits (director, ...).
    #[sea_orm(has_many = "super::credit::Entity")]
    Credit,
    /// Companies.
    #[sea_orm(has_many = "super::movie_company::Entity")]
    MovieCompany,
}

impl ActiveModelBehavior for ActiveModel {}
