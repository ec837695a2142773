//! Checks of editors' input that need no database: lengths, formats, ranges, list sizes.
//! Every problem is collected with the path of its input field, so a client learns all of them
//! at once. Paths follow the GraphQL input (`input.characters[2].name`).

use chrono::{Datelike, Utc};

use crate::error::AppError;
use crate::ids::{NodeKind, decode};
use crate::service::document::{
    CharacterDocument, Keyed, MoviePatch, PeriodDocument, Reference, SectionDocument, ThemeDocument,
};
use crate::service::slug;

/// Longest title or name of a person, company or character.
pub const MAX_NAME: usize = 300;
/// Longest short label (theme name, location name).
pub const MAX_LABEL: usize = 200;
/// Longest emoji (a ZWJ family sequence is about 11 code points).
pub const MAX_EMOJI: usize = 16;
/// Longest prose (a plot paragraph, a section body, a description).
pub const MAX_TEXT: usize = 20_000;
/// Most plot paragraphs.
pub const MAX_PLOT: usize = 100;
/// Most sections.
pub const MAX_SECTIONS: usize = 200;
/// Most characters.
pub const MAX_CHARACTERS: usize = 300;
/// Most themes.
pub const MAX_THEMES: usize = 50;
/// Most locations.
pub const MAX_LOCATIONS: usize = 100;
/// Most directors.
pub const MAX_DIRECTORS: usize = 20;
/// Most other credits.
pub const MAX_CREDITS: usize = 200;
/// Most companies.
pub const MAX_COMPANIES: usize = 50;
/// The first film was made in 1888.
pub const FIRST_FILM_YEAR: i32 = 1888;

/// Problems found so far.
#[derive(Debug, Default)]
pub struct Problems(Vec<AppError>);

impl Problems {
    /// Starts from problems found elsewhere.
    pub fn from_vec(problems: Vec<AppError>) -> Self {
        Self(problems)
    }

    /// Notes bad input at `field`.
    pub fn bad(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(AppError::bad_input(field, message));
    }

    /// Notes a conflict at `field`.
    pub fn conflict(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(AppError::conflict_at(field, message));
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was found, else every problem.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

/// The latest release year accepted: next year plus five (films are announced early).
pub fn latest_release_year() -> i32 {
    Utc::now().year() + 6
}

/// `value` as quoted in an error message: at most 64 characters, so a huge input is not
/// echoed back whole.
pub fn quote(value: &str) -> String {
    const MAX: usize = 64;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// A required text: not blank, at most `max` characters.
pub fn text(problems: &mut Problems, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        problems.bad(field, "must not be empty");
    } else if value.chars().count() > max {
        problems.bad(field, format!("must be at most {max} characters"));
    }
}

fn optional_text(problems: &mut Problems, field: &str, value: Option<&str>, max: usize) {
    if let Some(value) = value {
        text(problems, field, value, max);
    }
}

fn list_len<T>(problems: &mut Problems, field: &str, items: &[T], max: usize) {
    if items.len() > max {
        problems.bad(
            field,
            format!("must have at most {max} items, has {}", items.len()),
        );
    }
}

/// A slug given in input.
pub fn slug_field(problems: &mut Problems, field: &str, value: &str) {
    if !slug::is_valid(value) {
        problems.bad(
            field,
            format!(
                "`{}` is not a slug: 1 to {} of a-z, 0-9 and single inner dashes",
                quote(value),
                slug::MAX_SLUG_LEN
            ),
        );
    }
}

/// One emoji, as a whole (variation selectors, skin tones and ZWJ sequences included).
pub fn emoji(problems: &mut Problems, field: &str, value: &str) {
    if value.chars().count() > MAX_EMOJI || emojis::get(value).is_none() {
        problems.bad(field, format!("`{}` is not a single emoji", quote(value)));
    }
}

/// A reference to an existing or new person or company.
pub fn reference(problems: &mut Problems, field: &str, value: &Reference, kind: NodeKind) {
    if value.id.is_none() && value.slug.is_none() && value.name.is_none() {
        problems.bad(
            field,
            "give an `id` or a `slug` of an existing one, or a `name` for a new one",
        );
    }
    if let Some(id) = &value.id {
        let id_field = format!("{field}.id");
        match decode(id, &id_field) {
            Ok((found, _)) if found == kind => {}
            Ok(_) => problems.bad(
                id_field,
                format!("`{id}` is not the id of a {}", kind.name()),
            ),
            Err(err) => problems.0.push(err),
        }
    }
    if let Some(slug) = &value.slug {
        slug_field(problems, &format!("{field}.slug"), slug);
    }
    optional_text(
        problems,
        &format!("{field}.name"),
        value.name.as_deref(),
        MAX_NAME,
    );
}

fn period(problems: &mut Problems, period: &PeriodDocument) {
    let range = -5000..=9999;
    for (name, year) in [
        ("startYear", period.start_year),
        ("endYear", period.end_year),
    ] {
        if let Some(year) = year
            && !range.contains(&year)
        {
            problems.bad(
                format!("input.period.{name}"),
                "must be a year between -5000 and 9999",
            );
        }
    }
    if let (Some(start), Some(end)) = (period.start_year, period.end_year)
        && start > end
    {
        problems.bad(
            "input.period.startYear",
            format!("the period starts ({start}) after it ends ({end})"),
        );
    }
    optional_text(
        problems,
        "input.period.description",
        period.description.as_deref(),
        MAX_TEXT,
    );
}

/// Checks the ids of a keyed list: each of the right kind, none twice.
fn keyed_ids<T>(problems: &mut Problems, field: &str, items: &[Keyed<T>], kind: NodeKind) {
    let mut seen = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(id) = &item.id else { continue };
        let id_field = format!("{field}[{i}].id");
        match decode(id, &id_field) {
            Ok((found, row)) if found == kind => {
                if seen.contains(&row) {
                    problems.bad(id_field, "the same item is listed twice");
                }
                seen.push(row);
            }
            Ok(_) => problems.bad(
                id_field,
                format!("`{id}` is not the id of a {}", kind.name()),
            ),
            Err(err) => problems.0.push(err),
        }
    }
}

fn section(problems: &mut Problems, field: &str, section: &SectionDocument) {
    text(
        problems,
        &format!("{field}.title"),
        &section.title,
        MAX_NAME,
    );
    text(problems, &format!("{field}.body"), &section.body, MAX_TEXT);
}

fn theme(problems: &mut Problems, field: &str, theme: &ThemeDocument) {
    emoji(problems, &format!("{field}.emoji"), &theme.emoji);
    text(problems, &format!("{field}.name"), &theme.name, MAX_LABEL);
    text(
        problems,
        &format!("{field}.description"),
        &theme.description,
        MAX_TEXT,
    );
}

fn character(problems: &mut Problems, field: &str, character: &CharacterDocument) {
    text(
        problems,
        &format!("{field}.name"),
        &character.name,
        MAX_NAME,
    );
    text(
        problems,
        &format!("{field}.description"),
        &character.description,
        MAX_TEXT,
    );
    if let Some(actor) = &character.actor {
        reference(problems, &format!("{field}.actor"), actor, NodeKind::Person);
    }
}

/// Every check of a film change that needs no database.
pub fn patch(problems: &mut Problems, patch: &MoviePatch) {
    if let Some(title) = &patch.title {
        text(problems, "input.title", title, MAX_NAME);
    }
    if let Some(slug) = &patch.slug {
        slug_field(problems, "input.slug", slug);
    }
    if let Some(year) = patch.release_year {
        let latest = latest_release_year();
        if !(FIRST_FILM_YEAR..=latest).contains(&year) {
            problems.bad(
                "input.releaseYear",
                format!("must be between {FIRST_FILM_YEAR} and {latest}, got {year}"),
            );
        }
    }
    if let Some(plot) = &patch.plot {
        list_len(problems, "input.plot", plot, MAX_PLOT);
        for (i, paragraph) in plot.iter().enumerate() {
            text(problems, &format!("input.plot[{i}]"), paragraph, MAX_TEXT);
        }
    }
    if let Some(Some(value)) = &patch.period {
        period(problems, value);
    }
    if let Some(Some(description)) = &patch.setting_description {
        text(problems, "input.setting.description", description, MAX_TEXT);
    }
    if let Some(locations) = &patch.locations {
        let field = "input.setting.locations";
        list_len(problems, field, locations, MAX_LOCATIONS);
        keyed_ids(problems, field, locations, NodeKind::Location);
        for (i, location) in locations.iter().enumerate() {
            text(
                problems,
                &format!("{field}[{i}].name"),
                &location.item.name,
                MAX_LABEL,
            );
        }
    }
    if let Some(directors) = &patch.directors {
        list_len(problems, "input.directors", directors, MAX_DIRECTORS);
        for (i, director) in directors.iter().enumerate() {
            reference(
                problems,
                &format!("input.directors[{i}]"),
                director,
                NodeKind::Person,
            );
        }
    }
    if let Some(credits) = &patch.credits {
        list_len(problems, "input.credits", credits, MAX_CREDITS);
        for (i, credit) in credits.iter().enumerate() {
            let field = format!("input.credits[{i}].person");
            reference(problems, &field, &credit.person, NodeKind::Person);
        }
    }
    if let Some(companies) = &patch.companies {
        list_len(problems, "input.companies", companies, MAX_COMPANIES);
        for (i, company) in companies.iter().enumerate() {
            let field = format!("input.companies[{i}].company");
            reference(problems, &field, &company.company, NodeKind::Company);
        }
    }
    if let Some(themes) = &patch.themes {
        list_len(problems, "input.themes", themes, MAX_THEMES);
        keyed_ids(problems, "input.themes", themes, NodeKind::Theme);
        for (i, item) in themes.iter().enumerate() {
            theme(problems, &format!("input.themes[{i}]"), &item.item);
        }
    }
    if let Some(sections) = &patch.sections {
        list_len(problems, "input.sections", sections, MAX_SECTIONS);
        keyed_ids(problems, "input.sections", sections, NodeKind::Section);
        for (i, item) in sections.iter().enumerate() {
            section(problems, &format!("input.sections[{i}]"), &item.item);
        }
    }
    if let Some(characters) = &patch.characters {
        list_len(problems, "input.characters", characters, MAX_CHARACTERS);
        keyed_ids(
            problems,
            "input.characters",
            characters,
            NodeKind::Character,
        );
        for (i, item) in characters.iter().enumerate() {
            character(problems, &format!("input.characters[{i}]"), &item.item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(patch_value: &MoviePatch) -> Vec<String> {
        let mut problems = Problems::default();
        patch(&mut problems, patch_value);
        problems
            .0
            .iter()
            .filter_map(|p| p.field().map(str::to_owned))
            .collect()
    }

    #[test]
    fn emoji_must_be_one_emoji() {
        for good in ["💔", "🎭", "\u{2696}\u{FE0F}", "👩‍👩‍👧‍👦", "👍🏽"] {
            let mut problems = Problems::default();
            emoji(&mut problems, "e", good);
            assert!(problems.is_empty(), "{good}");
        }
        for bad in ["", "x", "💔💔", "💔 ", ":)"] {
            let mut problems = Problems::default();
            emoji(&mut problems, "e", bad);
            assert!(!problems.is_empty(), "{bad}");
        }
    }

    #[test]
    fn reports_every_problem_with_its_path() {
        let patch_value = MoviePatch {
            title: Some("  ".into()),
            slug: Some("Not A Slug".into()),
            release_year: Some(1800),
            period: Some(Some(PeriodDocument {
                start_year: Some(1970),
                end_year: Some(1960),
                description: None,
            })),
            characters: Some(vec![Keyed {
                id: None,
                item: CharacterDocument {
                    name: String::new(),
                    description: "d".into(),
                    actor: Some(Reference::default()),
                },
            }]),
            ..MoviePatch::default()
        };
        assert_eq!(
            fields(&patch_value),
            [
                "input.title",
                "input.slug",
                "input.releaseYear",
                "input.period.startYear",
                "input.characters[0].name",
                "input.characters[0].actor",
            ]
        );
    }
}
