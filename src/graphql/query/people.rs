//! `person(slug:)` and `company(slug:)`.

use async_graphql::{Context, Object, Result};

use crate::graphql::context::db;
use crate::graphql::types::{Company, Person};
use crate::service::{companies, people};

/// People and company queries.
#[derive(Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// The person with this slug (`jeremy-irons`), or null when there is none.
    async fn person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's URL key.")] slug: String,
    ) -> Result<Option<Person>> {
        Ok(people::find_by_slug(db(ctx)?, &slug).await?.map(Person))
    }

    /// The company with this slug (`geffen-pictures`), or null when there is none.
    async fn company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company's URL key.")] slug: String,
    ) -> Result<Option<Company>> {
        Ok(companies::find_by_slug(db(ctx)?, &slug).await?.map(Company))
    }
}
