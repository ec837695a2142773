//! Listing people: by name (case-insensitively, then by id), optionally those whose name
//! contains a text, a page at a time with keyset cursors.

use entity::person;
use sea_orm::sea_query::{Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::service::movie_list::contains_pattern;
use crate::service::page_limit::all_limited;

/// Where a page of people ends: the last person's name and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCursor {
    /// The last person's name.
    pub name: String,
    /// The last person's id.
    pub id: i32,
}

fn lower(expr: impl Into<SimpleExpr>) -> SimpleExpr {
    Func::lower(expr.into()).into()
}

fn name_contains(text: Option<&str>) -> Condition {
    let mut all = Condition::all();
    if let Some(text) = text {
        all = all.add(
            lower(Expr::col((person::Entity, person::Column::Name))).like(contains_pattern(text)),
        );
    }
    all
}

/// Up to `limit` people whose name contains `text` (all when `None`), by name, after `after`.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    text: Option<&str>,
    after: Option<&PersonCursor>,
    limit: u64,
) -> Result<Vec<person::Model>, AppError> {
    let key = lower(Expr::col((person::Entity, person::Column::Name)));
    let mut query = person::Entity::find().filter(name_contains(text));
    if let Some(cursor) = after {
        let value = lower(Expr::val(cursor.name.clone()));
        query = query.filter(
            Condition::any().add(key.clone().gt(value.clone())).add(
                Condition::all()
                    .add(key.clone().eq(value))
                    .add(person::Column::Id.gt(cursor.id)),
            ),
        );
    }
    let query = query
        .order_by(key, sea_orm::Order::Asc)
        .order_by_asc(person::Column::Id);
    Ok(all_limited(db, query, limit).await?)
}

/// How many people's names contain `text` (everyone when `None`).
pub async fn count<C: ConnectionTrait>(db: &C, text: Option<&str>) -> Result<u64, AppError> {
    Ok(person::Entity::find()
        .filter(name_contains(text))
        .count(db)
        .await?)
}
