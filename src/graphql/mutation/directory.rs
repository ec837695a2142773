//! `createPerson`, `updatePerson`, `createCompany`, `updateCompany`.

use async_graphql::{Context, ID, Object, Result};
use entity::TokenRole;

use crate::error::AppError;
use crate::graphql::auth::require;
use crate::graphql::context::{applied, db};
use crate::graphql::errors::report;
use crate::graphql::types::inputs::{EntryChangesInput, EntryInput};
use crate::graphql::types::{Company, Person};
use crate::ids::{NodeKind, decode};
use crate::service::directory;
use crate::service::editing::Author;

/// People and company mutations.
#[derive(Default)]
pub struct DirectoryMutation;

fn row_of(id: &ID, kind: NodeKind) -> Result<i32, AppError> {
    match decode(id, "id")? {
        (found, row) if found == kind => Ok(row),
        _ => Err(AppError::bad_input(
            "id",
            format!("`{}` is not the id of a {}", id.0, kind.name()),
        )),
    }
}

#[Object]
impl DirectoryMutation {
    /// Adds a person. Needs `editor`.
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new entry.")] input: EntryInput,
    ) -> Result<Person> {
        let author = Author::from(&require(ctx, TokenRole::Editor).await?);
        let saved = directory::create_person(db(ctx)?, input.into(), &author)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Person(applied(ctx, saved).await))
    }

    /// Changes a person's name or slug, for every film at once. Needs `editor`.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's global id.")] id: ID,
        #[graphql(desc = "What to change; fields left out stay as they are.")]
        input: EntryChangesInput,
    ) -> Result<Person> {
        let author = Author::from(&require(ctx, TokenRole::Editor).await?);
        let row = row_of(&id, NodeKind::Person)?;
        let saved = directory::update_person(db(ctx)?, row, input.into(), &author)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Person(applied(ctx, saved).await))
    }

    /// Adds a company. Needs `editor`.
    async fn create_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new entry.")] input: EntryInput,
    ) -> Result<Company> {
        let author = Author::from(&require(ctx, TokenRole::Editor).await?);
        let saved = directory::create_company(db(ctx)?, input.into(), &author)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Company(applied(ctx, saved).await))
    }

    /// Changes a company's name or slug, for every film at once. Needs `editor`.
    async fn update_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company's global id.")] id: ID,
        #[graphql(desc = "What to change; fields left out stay as they are.")]
        input: EntryChangesInput,
    ) -> Result<Company> {
        let author = Author::from(&require(ctx, TokenRole::Editor).await?);
        let row = row_of(&id, NodeKind::Company)?;
        let saved = directory::update_company(db(ctx)?, row, input.into(), &author)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Company(applied(ctx, saved).await))
    }
}
