//! The seed films: their JSON shape (the same shape as the editors' `createMovie` input) and
//! the SQL that writes one film, frozen with the migration that uses it.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbErr, Value};
use sea_orm_migration::sea_query::{Expr, ExprTrait, Iden, IntoIden, Query, SimpleExpr};
use serde::Deserialize;

/// M. Butterfly (1993), written by hand from the film page text in `seeds/source/`.
pub const M_BUTTERFLY_JSON: &str = include_str!("../../seeds/m-butterfly.json");

/// A film as the seed files hold it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedFilm {
    /// Display title.
    pub title: String,
    /// URL key.
    pub slug: String,
    /// Year of first release.
    pub release_year: i32,
    /// Plot synopsis paragraphs, in order.
    pub plot: Vec<String>,
    /// The period the story is set in.
    pub period: Option<SeedPeriod>,
    /// Where the story is set.
    pub setting: Option<SeedSetting>,
    /// Directors, in order.
    pub directors: Vec<SeedName>,
    /// Companies with their role, in order.
    pub companies: Vec<SeedCompanyCredit>,
    /// Themes, in order.
    pub themes: Vec<SeedTheme>,
    /// Page sections, in order.
    pub sections: Vec<SeedSection>,
    /// Characters, in order.
    pub characters: Vec<SeedCharacter>,
}

/// The period a story is set in.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedPeriod {
    /// First year.
    pub start_year: Option<i32>,
    /// Last year.
    pub end_year: Option<i32>,
    /// Prose.
    pub description: Option<String>,
}

/// Where a story is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedSetting {
    /// Prose.
    pub description: Option<String>,
    /// Places, in order.
    pub locations: Vec<SeedName>,
}

/// Something known by its name alone (a person, a company, a place).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedName {
    /// The name, exactly as written.
    pub name: String,
}

/// A company and its role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCompanyCredit {
    /// The company.
    pub company: SeedName,
    /// `PRODUCTION` or `DISTRIBUTION`.
    pub role: String,
}

/// A theme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTheme {
    /// One emoji.
    pub emoji: String,
    /// Name.
    pub name: String,
    /// Prose.
    pub description: String,
}

/// A page section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSection {
    /// Heading.
    pub title: String,
    /// Text.
    pub body: String,
}

/// A character.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCharacter {
    /// Name.
    pub name: String,
    /// Prose.
    pub description: String,
    /// The actor, when the source names one.
    pub actor: Option<SeedName>,
}

/// Parses a seed file.
pub fn parse(json: &str) -> Result<SeedFilm, DbErr> {
    serde_json::from_str(json).map_err(|e| DbErr::Custom(format!("seed file is not valid: {e}")))
}

/// The URL key of a name: lower-case ASCII letters and digits joined by single dashes.
pub fn slug_of(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// A table or column name as the SQL of this migration spells it.
struct Name(&'static str);

impl Iden for Name {
    fn unquoted(&self) -> &str {
        self.0
    }
}

fn name(n: &'static str) -> sea_orm_migration::sea_query::DynIden {
    Name(n).into_iden()
}

/// Inserts one row and returns its new `id`.
async fn insert_returning_id<C: ConnectionTrait>(
    db: &C,
    table: &'static str,
    row: Vec<(&'static str, SimpleExpr)>,
) -> Result<i32, DbErr> {
    let (columns, values): (Vec<_>, Vec<_>) = row.into_iter().map(|(c, v)| (name(c), v)).unzip();
    let stmt = Query::insert()
        .into_table(name(table))
        .columns(columns)
        .values(values)
        .map_err(|e| DbErr::Custom(format!("seed insert into {table}: {e}")))?
        .returning_col(name("id"))
        .to_owned();
    let row = db
        .query_one(&stmt)
        .await?
        .ok_or_else(|| DbErr::Custom(format!("insert into {table} returned no id")))?;
    row.try_get::<i32>("", "id")
}

/// The id of the row of `table` (person or company) whose slug is `slug`, if any.
async fn id_by_slug<C: ConnectionTrait>(
    db: &C,
    table: &'static str,
    slug: &str,
) -> Result<Option<i32>, DbErr> {
    let stmt = Query::select()
        .column(name("id"))
        .from(name(table))
        .and_where(Expr::col(name("slug")).eq(slug))
        .to_owned();
    match db.query_one(&stmt).await? {
        Some(row) => Ok(Some(row.try_get::<i32>("", "id")?)),
        None => Ok(None),
    }
}

/// The id of the person or company with this name's slug, created when absent.
async fn find_or_create_named<C: ConnectionTrait>(
    db: &C,
    table: &'static str,
    display_name: &str,
    now: &Value,
) -> Result<i32, DbErr> {
    let slug = slug_of(display_name);
    if let Some(id) = id_by_slug(db, table, &slug).await? {
        return Ok(id);
    }
    insert_returning_id(
        db,
        table,
        vec![
            ("slug", slug.into()),
            ("name", display_name.into()),
            ("created_at", now.clone().into()),
            ("updated_at", now.clone().into()),
        ],
    )
    .await
}

/// Whether a film with this slug exists.
pub async fn film_exists<C: ConnectionTrait>(db: &C, slug: &str) -> Result<bool, DbErr> {
    Ok(id_by_slug(db, "movie", slug).await?.is_some())
}

/// Writes `film` and everything it names. People and companies are matched by slug, so
/// seeding never duplicates a person another film already has.
pub async fn insert_film<C: ConnectionTrait>(db: &C, film: &SeedFilm) -> Result<i32, DbErr> {
    let now: Value = chrono::Utc::now().into();
    let period = film.period.clone();
    let setting = film.setting.clone();
    let movie_id = insert_returning_id(
        db,
        "movie",
        vec![
            ("slug", film.slug.as_str().into()),
            ("title", film.title.as_str().into()),
            ("release_year", film.release_year.into()),
            (
                "period_start_year",
                period.as_ref().and_then(|p| p.start_year).into(),
            ),
            (
                "period_end_year",
                period.as_ref().and_then(|p| p.end_year).into(),
            ),
            (
                "period_description",
                period.and_then(|p| p.description).into(),
            ),
            (
                "setting_description",
                setting.as_ref().and_then(|s| s.description.clone()).into(),
            ),
            ("version", 1.into()),
            ("created_at", now.clone().into()),
            ("updated_at", now.clone().into()),
        ],
    )
    .await?;
    let part = |position: usize| -> Vec<(&'static str, SimpleExpr)> {
        vec![
            ("movie_id", movie_id.into()),
            ("position", (position as i32 + 1).into()),
        ]
    };
    for (i, body) in film.plot.iter().enumerate() {
        let mut row = part(i);
        row.push(("body", body.as_str().into()));
        insert_returning_id(db, "plot_paragraph", row).await?;
    }
    for (i, section) in film.sections.iter().enumerate() {
        let mut row = part(i);
        row.push(("title", section.title.as_str().into()));
        row.push(("body", section.body.as_str().into()));
        insert_returning_id(db, "section", row).await?;
    }
    for (i, theme) in film.themes.iter().enumerate() {
        let mut row = part(i);
        row.push(("emoji", theme.emoji.as_str().into()));
        row.push(("name", theme.name.as_str().into()));
        row.push(("description", theme.description.as_str().into()));
        insert_returning_id(db, "theme", row).await?;
    }
    for (i, location) in setting.iter().flat_map(|s| &s.locations).enumerate() {
        let mut row = part(i);
        row.push(("name", location.name.as_str().into()));
        insert_returning_id(db, "location", row).await?;
    }
    for (i, director) in film.directors.iter().enumerate() {
        let person_id = find_or_create_named(db, "person", &director.name, &now).await?;
        let mut row = part(i);
        row.push(("person_id", person_id.into()));
        row.push(("role", "director".into()));
        insert_returning_id(db, "credit", row).await?;
    }
    for (i, credit) in film.companies.iter().enumerate() {
        let company_id = find_or_create_named(db, "company", &credit.company.name, &now).await?;
        let mut row = part(i);
        row.push(("company_id", company_id.into()));
        row.push(("role", credit.role.to_lowercase().into()));
        insert_returning_id(db, "movie_company", row).await?;
    }
    for (i, character) in film.characters.iter().enumerate() {
        let actor_id = match &character.actor {
            Some(actor) => Some(find_or_create_named(db, "person", &actor.name, &now).await?),
            None => None,
        };
        let mut row = part(i);
        row.push(("name", character.name.as_str().into()));
        row.push(("description", character.description.as_str().into()));
        row.push(("actor_id", actor_id.into()));
        insert_returning_id(db, "character", row).await?;
    }
    Ok(movie_id)
}

/// Removes the film with this slug (its parts and links go with it by cascade), then the
/// people and companies it named that no other film uses.
pub async fn delete_film<C: ConnectionTrait>(db: &C, film: &SeedFilm) -> Result<(), DbErr> {
    db.execute(
        &Query::delete()
            .from_table(name("movie"))
            .and_where(Expr::col(name("slug")).eq(film.slug.as_str()))
            .to_owned(),
    )
    .await?;
    let people = film
        .directors
        .iter()
        .chain(film.characters.iter().filter_map(|c| c.actor.as_ref()))
        .map(|p| slug_of(&p.name));
    for slug in people {
        let unused = Expr::col(name("id"))
            .not_in_subquery(
                Query::select()
                    .column(name("person_id"))
                    .from(name("credit"))
                    .to_owned(),
            )
            .and(
                Expr::col(name("id")).not_in_subquery(
                    Query::select()
                        .column(name("actor_id"))
                        .from(name("character"))
                        .and_where(Expr::col(name("actor_id")).is_not_null())
                        .to_owned(),
                ),
            );
        db.execute(
            &Query::delete()
                .from_table(name("person"))
                .and_where(Expr::col(name("slug")).eq(slug))
                .and_where(unused)
                .to_owned(),
        )
        .await?;
    }
    for credit in &film.companies {
        db.execute(
            &Query::delete()
                .from_table(name("company"))
                .and_where(Expr::col(name("slug")).eq(slug_of(&credit.company.name)))
                .and_where(
                    Expr::col(name("id")).not_in_subquery(
                        Query::select()
                            .column(name("company_id"))
                            .from(name("movie_company"))
                            .to_owned(),
                    ),
                )
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_of_folds_case_and_punctuation() {
        assert_eq!(slug_of("David Cronenberg"), "david-cronenberg");
        assert_eq!(slug_of("  M. Butterfly! "), "m-butterfly");
        assert_eq!(slug_of("Love & Betrayal"), "love-betrayal");
    }

    #[test]
    fn m_butterfly_seed_parses() -> Result<(), DbErr> {
        let film = parse(M_BUTTERFLY_JSON)?;
        assert_eq!(film.slug, "m-butterfly");
        assert_eq!(film.plot.len(), 10);
        assert_eq!(film.sections.len(), 15);
        assert_eq!(film.characters.len(), 3);
        assert!(film.characters[2].actor.is_none());
        Ok(())
    }
}
