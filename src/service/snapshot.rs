//! A film as a [`MovieDocument`]: what a revision stores (people and companies by global id,
//! with slug and name as fallback) and, made [`portable`], what `export` prints (by slug and
//! name only, so it imports anywhere).

use entity::{CreditRole, movie};
use sea_orm::ConnectionTrait;

use crate::error::AppError;
use crate::ids::{NodeKind, encode};
use crate::service::document::{
    CharacterDocument, CompanyCreditDocument, CreditDocument, LocationDocument, MovieDocument,
    PeriodDocument, Reference, SectionDocument, SettingDocument, ThemeDocument,
};
use crate::service::film_parts;

/// A reference by global id (which survives renames), with slug and name as the fallback
/// for a row that no longer exists, or for another database (see [`portable`]).
fn reference(kind: NodeKind, id: i32, slug: String, name: String) -> Reference {
    Reference {
        id: Some(encode(kind, id).0),
        slug: Some(slug),
        name: Some(name),
    }
}

/// The document without row ids, for export: it names people and companies by slug and name
/// only, so it imports into any database.
pub fn portable(mut document: MovieDocument) -> MovieDocument {
    let strip = |r: &mut Reference| r.id = None;
    document.directors.iter_mut().for_each(strip);
    document
        .credits
        .iter_mut()
        .for_each(|c| strip(&mut c.person));
    document
        .companies
        .iter_mut()
        .for_each(|c| strip(&mut c.company));
    document
        .characters
        .iter_mut()
        .filter_map(|c| c.actor.as_mut())
        .for_each(strip);
    document
}

/// The whole film `movie` as a document.
pub async fn document_of<C: ConnectionTrait>(
    db: &C,
    movie: &movie::Model,
) -> Result<MovieDocument, AppError> {
    let ids = [movie.id];
    let plot = film_parts::plot_of_movies(db, &ids).await?;
    let sections = film_parts::sections_of_movies(db, &ids).await?;
    let characters = film_parts::characters_of_movies(db, &ids).await?;
    let themes = film_parts::themes_of_movies(db, &ids).await?;
    let locations = film_parts::locations_of_movies(db, &ids).await?;
    let credits = film_parts::credits_of_movies(db, &ids).await?;
    let companies = film_parts::companies_of_movies(db, &ids).await?;

    let has_period = movie.period_start_year.is_some()
        || movie.period_end_year.is_some()
        || movie.period_description.is_some();
    let has_setting = movie.setting_description.is_some() || !locations.is_empty();
    let (directors, others): (Vec<_>, Vec<_>) = credits
        .into_iter()
        .partition(|(credit, _)| credit.role == CreditRole::Director);
    Ok(MovieDocument {
        title: movie.title.clone(),
        slug: Some(crate::service::visibility::shown_slug(&movie.slug).to_owned()),
        release_year: movie.release_year,
        plot: plot.into_iter().map(|p| p.body).collect(),
        period: has_period.then(|| PeriodDocument {
            start_year: movie.period_start_year,
            end_year: movie.period_end_year,
            description: movie.period_description.clone(),
        }),
        setting: has_setting.then(|| SettingDocument {
            description: movie.setting_description.clone(),
            locations: locations
                .into_iter()
                .map(|l| LocationDocument { name: l.name })
                .collect(),
        }),
        directors: directors
            .into_iter()
            .map(|(_, person)| reference(NodeKind::Person, person.id, person.slug, person.name))
            .collect(),
        credits: others
            .into_iter()
            .map(|(credit, person)| CreditDocument {
                person: reference(NodeKind::Person, person.id, person.slug, person.name),
                role: credit.role,
            })
            .collect(),
        companies: companies
            .into_iter()
            .map(|(part, company)| CompanyCreditDocument {
                company: reference(NodeKind::Company, company.id, company.slug, company.name),
                role: part.role,
            })
            .collect(),
        themes: themes
            .into_iter()
            .map(|t| ThemeDocument {
                emoji: t.emoji,
                name: t.name,
                description: t.description,
            })
            .collect(),
        sections: sections
            .into_iter()
            .map(|s| SectionDocument {
                title: s.title,
                body: s.body,
            })
            .collect(),
        characters: characters
            .into_iter()
            .map(|(c, actor)| CharacterDocument {
                name: c.name,
                description: c.description,
                actor: actor.map(|p| reference(NodeKind::Person, p.id, p.slug, p.name)),
            })
            .collect(),
    })
}
