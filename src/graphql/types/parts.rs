//! The parts of a film page: sections, themes, locations, the period and the setting.

use async_graphql::parser::types::Field;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{location, section, theme};

use super::plain::{PlainList, PlainObject, Reader, int, node_id, scalar, text};

use crate::graphql::context::loaders;
use crate::graphql::loaders::LocationsOf;
use crate::ids::{NodeKind, encode};

/// A titled section of a film page (`Jeanne's Disapproval`).
#[derive(Clone)]
pub struct Section(pub section::Model);

/// A titled section of a film page (`Jeanne's Disapproval`).
#[Object(serial)]
impl Section {
    /// Globally unique, opaque id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Section, self.0.id)
    }

    /// Place in the page, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// Heading.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Text; `*emphasis*` marks are kept as written.
    async fn body(&self) -> &str {
        &self.0.body
    }
}

impl PlainObject for Section {
    const TYPE_NAME: &'static str = "Section";

    fn reader(field: &Field) -> Option<Reader<Self>> {
        Some(match field.name.node.as_str() {
            "id" => scalar(|s: &Self| node_id(NodeKind::Section, s.0.id)),
            "position" => scalar(|s: &Self| int(s.0.position)),
            "title" => scalar(|s: &Self| text(&s.0.title)),
            "body" => scalar(|s: &Self| text(&s.0.body)),
            _ => return None,
        })
    }
}

/// A theme of a film (`💔 Love & Betrayal`).
#[derive(Clone)]
pub struct Theme(pub theme::Model);

/// A theme of a film (`💔 Love & Betrayal`).
#[Object(serial)]
impl Theme {
    /// Globally unique, opaque id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Theme, self.0.id)
    }

    /// Place among the film's themes, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// One emoji, exactly as written (variation selectors included).
    async fn emoji(&self) -> &str {
        &self.0.emoji
    }

    /// Short name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the film does with the theme.
    async fn description(&self) -> &str {
        &self.0.description
    }
}

impl PlainObject for Theme {
    const TYPE_NAME: &'static str = "Theme";

    fn reader(field: &Field) -> Option<Reader<Self>> {
        Some(match field.name.node.as_str() {
            "id" => scalar(|t: &Self| node_id(NodeKind::Theme, t.0.id)),
            "position" => scalar(|t: &Self| int(t.0.position)),
            "emoji" => scalar(|t: &Self| text(&t.0.emoji)),
            "name" => scalar(|t: &Self| text(&t.0.name)),
            "description" => scalar(|t: &Self| text(&t.0.description)),
            _ => return None,
        })
    }
}

/// A place where a film is set (`Beijing`).
#[derive(Clone)]
pub struct Location(pub location::Model);

/// A place where a film is set (`Beijing`).
#[Object(serial)]
impl Location {
    /// Globally unique, opaque id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Location, self.0.id)
    }

    /// Place among the film's locations, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// Place name.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

impl PlainObject for Location {
    const TYPE_NAME: &'static str = "Location";

    fn reader(field: &Field) -> Option<Reader<Self>> {
        Some(match field.name.node.as_str() {
            "id" => scalar(|l: &Self| node_id(NodeKind::Location, l.0.id)),
            "position" => scalar(|l: &Self| int(l.0.position)),
            "name" => scalar(|l: &Self| text(&l.0.name)),
            _ => return None,
        })
    }
}

/// The years a story spans (`1964`–`1968`).
#[derive(Clone, SimpleObject)]
#[graphql(serial)]
pub struct Period {
    /// First year.
    pub start_year: Option<i32>,
    /// Last year.
    pub end_year: Option<i32>,
    /// What the period meant for the story.
    pub description: Option<String>,
}

/// Where a story takes place.
#[derive(Clone)]
pub struct Setting {
    /// The film, for loading its locations.
    pub movie_id: i32,
    /// Prose about the places.
    pub description: Option<String>,
}

/// Where a story takes place.
#[Object(serial)]
impl Setting {
    /// Prose about the places.
    async fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The places, in page order.
    #[graphql(complexity = "crate::graphql::limits::list_cost(child_complexity)")]
    async fn locations(&self, ctx: &Context<'_>) -> Result<PlainList<Location>> {
        Ok(PlainList(
            loaders(ctx)?
                .load_one(LocationsOf(self.movie_id))
                .await?
                .unwrap_or_default(),
        ))
    }
}
