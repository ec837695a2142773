//! Connections for the lists that grow without bound (a person's roles and credits, a
//! company's films): paged per parent in SQL, each edge with an opaque cursor (its film and
//! place in the film).

use async_graphql::{Context, Object, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Character, CompanyCredit, Credit, PageInfo};
use crate::error::AppError;
use crate::graphql::context::loaders;
use crate::graphql::loaders::CountOf;
use crate::service::nested_pages::Position;
use crate::service::validate::quote;

/// The opaque cursor of an item of a nested list.
pub fn encode_cursor((movie_id, position): Position) -> String {
    URL_SAFE_NO_PAD.encode(format!("n:{movie_id}:{position}"))
}

/// The position a nested cursor names; `BAD_USER_INPUT` at `after` when it is not one of ours.
pub fn decode_cursor(text: &str) -> Result<Position, AppError> {
    let bad = || AppError::bad_input("after", format!("`{}` is not a valid cursor", quote(text)));
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.strip_prefix("n:").ok_or_else(bad)?.split(':');
    let movie = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let position = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok((movie, position))
}

/// Builds a page from `rows` (a page plus possibly one more, to tell whether more follow).
pub fn page_of<T, N>(
    mut rows: Vec<T>,
    limit: u64,
    after: bool,
    position: impl Fn(&T) -> Position,
    node: impl Fn(T) -> N,
) -> (Vec<(String, N)>, PageInfo) {
    let has_next_page = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let edges: Vec<(String, N)> = rows
        .into_iter()
        .map(|row| (encode_cursor(position(&row)), node(row)))
        .collect();
    let page_info = PageInfo::of(edges.iter().map(|(cursor, _)| cursor), has_next_page, after);
    (edges, page_info)
}

/// Declares a connection type and its edge type for `$node`.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $doc:literal, $edge_doc:literal) => {
        #[doc = $edge_doc]
        #[derive(SimpleObject, Clone)]
        #[graphql(serial)]
        pub struct $edge {
            /// Opaque cursor: pass it as `after` to get the items after this one.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        #[doc = $doc]
        pub struct $connection {
            edges: Vec<$edge>,
            page_info: PageInfo,
            count: CountOf,
        }

        impl $connection {
            /// The connection of these edges, counted by `count` when asked.
            pub fn new(edges: Vec<(String, $node)>, page_info: PageInfo, count: CountOf) -> Self {
                let edges = edges
                    .into_iter()
                    .map(|(cursor, node)| $edge { cursor, node })
                    .collect();
                Self {
                    edges,
                    page_info,
                    count,
                }
            }
        }

        #[doc = $doc]
        #[Object(serial)]
        impl $connection {
            /// The items of this page with their cursors, in order.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }

            /// The items of this page, in order (the edges' nodes).
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|edge| &edge.node).collect()
            }

            /// Where this page sits in the list.
            async fn page_info(&self) -> &PageInfo {
                &self.page_info
            }

            /// How many items the whole list has (one statement for all parents of a request,
            /// run only when asked for).
            async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
                Ok(loaders(ctx)?
                    .load_one(self.count)
                    .await?
                    .unwrap_or_default())
            }
        }
    };
}

connection!(
    CharacterConnection,
    CharacterEdge,
    Character,
    "A page of characters (a person's roles), by film.",
    "A character in a page, with its cursor."
);
connection!(
    CreditConnection,
    CreditEdge,
    Credit,
    "A page of a person's credits, by film.",
    "A credit in a page, with its cursor."
);
connection!(
    CompanyCreditConnection,
    CompanyCreditEdge,
    CompanyCredit,
    "A page of a company's films, by film.",
    "A company's film credit in a page, with its cursor."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor((12, 3))).ok(), Some((12, 3)));
        for bad in ["", "x", "bjoxOjI6Mw", "bjox"] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }
}
