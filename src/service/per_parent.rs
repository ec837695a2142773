//! The first rows of each of many parents, in ONE statement: a window function numbers each
//! parent's rows (`ROW_NUMBER() OVER (PARTITION BY parent ORDER BY ...)`) and the outer query
//! keeps the first `n`. Paging nested lists this way happens in SQL, per parent, and stays one
//! statement however many parents a page has (SQLite 3.25+ and PostgreSQL both have window
//! functions).

use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Order, Query, SelectStatement, WindowStatement,
};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryTrait};

use crate::error::AppError;

/// Up to `per_parent` rows of `E` for each parent in `parents`, the first by `order` within
/// each parent. `filtered` restricts the rows (for example to `parent IN (...)`).
pub async fn first_rows<E, C>(
    db: &C,
    filtered: sea_orm::Select<E>,
    parent: E::Column,
    order: &[(E::Column, Order)],
    per_parent: u64,
) -> Result<Vec<E::Model>, AppError>
where
    E: EntityTrait,
    E::Model: FromQueryResult,
    C: ConnectionTrait,
{
    let mut window = WindowStatement::partition_by(parent);
    for (column, direction) in order {
        window.order_by(*column, direction.clone());
    }
    let mut numbered: SelectStatement = filtered.into_query();
    numbered.expr_window_as(
        Expr::cust("ROW_NUMBER()"),
        window,
        Alias::new("row_in_parent"),
    );
    let mut outer = Query::select();
    outer
        .column(Asterisk)
        .from_subquery(numbered, Alias::new("numbered"))
        .and_where(Expr::col(Alias::new("row_in_parent")).lte(per_parent as i64))
        .order_by(Alias::new("row_in_parent"), Order::Asc);
    let statement = db.get_database_backend().build(&outer);
    Ok(E::Model::find_by_statement(statement).all(db).await?)
}

/// Keeps `select` to rows whose `column` is one of `ids`.
pub fn of_parents<E: EntityTrait>(
    select: sea_orm::Select<E>,
    column: E::Column,
    ids: &[i32],
) -> sea_orm::Select<E> {
    use sea_orm::ColumnTrait;
    select.filter(column.is_in(ids.iter().copied()))
}
