//! `person(slug:)` and `company(slug:)`.

use crate::graphql::cache_keys;
use async_graphql::{Context, Object, Result};

use crate::error::AppError;
use crate::graphql::context::reads;
use crate::graphql::query::page_size;
use crate::graphql::types::listing::{decode_person_cursor, encode_person_cursor};
use crate::graphql::types::{Company, PageInfo, Person, PersonConnection, PersonEdge};
use crate::service::person_list::{self, PersonCursor};
use crate::service::validate::MAX_NAME;
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
        let found = people::find_by_slug(&*reads(ctx)?, &slug).await?;
        match &found {
            Some(person) => cache_keys::person(ctx, person.id),
            None => cache_keys::person_list(ctx),
        }
        Ok(found.map(Person))
    }

    /// People (directors, actors, ...), by name, a page at a time (Relay connection).
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, crate::graphql::query::DEFAULT_PAGE_SIZE, crate::graphql::query::MAX_PAGE_SIZE, child_complexity)"
    )]
    async fn people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 20 when omitted, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return people after this cursor (an edge's `cursor`).")] after: Option<
            String,
        >,
        #[graphql(desc = "Only people whose name contains this (case-insensitive).")]
        name_contains: Option<String>,
    ) -> Result<PersonConnection> {
        let limit = page_size(first)?;
        cache_keys::person_list(ctx);
        let after = after.as_deref().map(decode_person_cursor).transpose()?;
        if name_contains
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_NAME)
        {
            return Err(AppError::bad_input(
                "nameContains",
                format!("must be at most {MAX_NAME} characters"),
            )
            .into());
        }
        let mut rows = person_list::page(
            &*reads(ctx)?,
            name_contains.as_deref(),
            after.as_ref(),
            limit + 1,
        )
        .await?;
        let has_next_page = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let edges: Vec<PersonEdge> = rows
            .into_iter()
            .map(|row| PersonEdge {
                cursor: encode_person_cursor(&PersonCursor {
                    name: row.name.clone(),
                    id: row.id,
                }),
                node: Person(row),
            })
            .collect();
        let cursors = edges.iter().map(|edge| &edge.cursor);
        let page_info = PageInfo::of(cursors, has_next_page, after.is_some());
        Ok(PersonConnection {
            edges,
            page_info,
            name_contains,
        })
    }

    /// The company with this slug (`geffen-pictures`), or null when there is none.
    async fn company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company's URL key.")] slug: String,
    ) -> Result<Option<Company>> {
        let found = companies::find_by_slug(&*reads(ctx)?, &slug).await?;
        match &found {
            Some(company) => cache_keys::company(ctx, company.id),
            None => cache_keys::company_list(ctx),
        }
        Ok(found.map(Company))
    }
}
