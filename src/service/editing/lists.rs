//! Writing a film's lists (plot, credits, companies, sections, themes, locations,
//! characters) as a change gives them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    CreditRole, character, credit, location, movie_company, plot_paragraph, section, theme,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, DatabaseTransaction,
    EntityTrait, QueryFilter,
};

use crate::error::AppError;

use super::references::{Named, Resolved, Target, kept_id};
use crate::service::document::MoviePatch;

/// Creates the new people and companies of a change (each once) and gives every target's id.
struct Creator {
    now: DateTime<Utc>,
    made: HashMap<(bool, String), i32>,
}

impl Creator {
    async fn id(
        &mut self,
        tx: &DatabaseTransaction,
        named: Named,
        target: &Target,
    ) -> Result<i32, AppError> {
        match target {
            Target::Existing(id) => Ok(*id),
            Target::New { slug, name } => {
                let key = (named == Named::Person, slug.clone());
                if let Some(id) = self.made.get(&key) {
                    return Ok(*id);
                }
                let id = named.insert(tx, slug, name, self.now).await?;
                self.made.insert(key, id);
                Ok(id)
            }
        }
    }
}

/// Makes a film's keyed list (sections, themes, ...) match the change: removed items deleted,
/// kept ones moved out of the way of the unique (movie, position) index, then written in order.
macro_rules! write_keyed_list {
    ($tx:expr, $movie_id:expr, $items:expr, $entity:ident, |$item:ident, $position:ident, $extra:ident| $active:expr) => {{
        use $entity::{ActiveModel, Column, Entity};
        let kept: Vec<i32> = $items.iter().filter_map(kept_id).collect();
        Entity::delete_many()
            .filter(Column::MovieId.eq($movie_id))
            .filter(Column::Id.is_not_in(kept.clone()))
            .exec($tx)
            .await?;
        Entity::update_many()
            .col_expr(Column::Position, Expr::col(Column::Position).mul(-1))
            .filter(Column::MovieId.eq($movie_id))
            .exec($tx)
            .await?;
        for (index, keyed) in $items.iter().enumerate() {
            let $item = &keyed.item;
            let $position = index as i32 + 1;
            let $extra = index;
            let mut active: ActiveModel = $active;
            active.movie_id = Set($movie_id);
            active.position = Set($position);
            match kept_id(keyed) {
                Some(id) => {
                    active.id = Set(id);
                    active.update($tx).await?;
                }
                None => {
                    active.id = NotSet;
                    active.insert($tx).await?;
                }
            }
        }
    }};
}

/// Writes every list the change gives.
pub(super) async fn write_lists(
    tx: &DatabaseTransaction,
    movie_id: i32,
    patch: &MoviePatch,
    resolved: &Resolved,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut creator = Creator {
        now,
        made: HashMap::new(),
    };
    if let Some(plot) = &patch.plot {
        plot_paragraph::Entity::delete_many()
            .filter(plot_paragraph::Column::MovieId.eq(movie_id))
            .exec(tx)
            .await?;
        for (i, body) in plot.iter().enumerate() {
            plot_paragraph::ActiveModel {
                movie_id: Set(movie_id),
                position: Set(i as i32 + 1),
                body: Set(body.clone()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    if resolved.directors.is_some() || resolved.credits.is_some() {
        let current = credit::Entity::find()
            .filter(credit::Column::MovieId.eq(movie_id))
            .all(tx)
            .await?;
        let mut rows: Vec<(CreditRole, i32)> = Vec::new();
        match &resolved.directors {
            Some(directors) => {
                for target in directors {
                    rows.push((
                        CreditRole::Director,
                        creator.id(tx, Named::Person, target).await?,
                    ));
                }
            }
            None => rows.extend(
                current
                    .iter()
                    .filter(|c| c.role == CreditRole::Director)
                    .map(|c| (c.role, c.person_id)),
            ),
        }
        match &resolved.credits {
            Some(credits) => {
                for (role, target) in credits {
                    rows.push((*role, creator.id(tx, Named::Person, target).await?));
                }
            }
            None => rows.extend(
                current
                    .iter()
                    .filter(|c| c.role != CreditRole::Director)
                    .map(|c| (c.role, c.person_id)),
            ),
        }
        credit::Entity::delete_many()
            .filter(credit::Column::MovieId.eq(movie_id))
            .exec(tx)
            .await?;
        for (i, (role, person_id)) in rows.into_iter().enumerate() {
            credit::ActiveModel {
                movie_id: Set(movie_id),
                person_id: Set(person_id),
                role: Set(role),
                position: Set(i as i32 + 1),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    if let Some(companies) = &resolved.companies {
        movie_company::Entity::delete_many()
            .filter(movie_company::Column::MovieId.eq(movie_id))
            .exec(tx)
            .await?;
        for (i, (role, target)) in companies.iter().enumerate() {
            let company_id = creator.id(tx, Named::Company, target).await?;
            movie_company::ActiveModel {
                movie_id: Set(movie_id),
                company_id: Set(company_id),
                role: Set(*role),
                position: Set(i as i32 + 1),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    if let Some(sections) = &patch.sections {
        write_keyed_list!(
            tx,
            movie_id,
            sections,
            section,
            |item, _position, _index| {
                section::ActiveModel {
                    title: Set(item.title.clone()),
                    body: Set(item.body.clone()),
                    ..Default::default()
                }
            }
        );
    }
    if let Some(themes) = &patch.themes {
        write_keyed_list!(tx, movie_id, themes, theme, |item, _position, _index| {
            theme::ActiveModel {
                emoji: Set(item.emoji.clone()),
                name: Set(item.name.clone()),
                description: Set(item.description.clone()),
                ..Default::default()
            }
        });
    }
    if let Some(locations) = &patch.locations {
        write_keyed_list!(
            tx,
            movie_id,
            locations,
            location,
            |item, _position, _index| {
                location::ActiveModel {
                    name: Set(item.name.clone()),
                    ..Default::default()
                }
            }
        );
    }
    if let (Some(characters), Some(actors)) = (&patch.characters, &resolved.actors) {
        let mut actor_ids = Vec::with_capacity(actors.len());
        for actor in actors {
            actor_ids.push(match actor {
                Some(target) => Some(creator.id(tx, Named::Person, target).await?),
                None => None,
            });
        }
        write_keyed_list!(
            tx,
            movie_id,
            characters,
            character,
            |item, _position, index| {
                character::ActiveModel {
                    name: Set(item.name.clone()),
                    description: Set(item.description.clone()),
                    actor_id: Set(actor_ids.get(index).copied().flatten()),
                    ..Default::default()
                }
            }
        );
    }
    Ok(())
}
