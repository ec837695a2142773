//! The in-browser IDEs: GraphiQL at `/` and GraphQL Playground at `/playground`.

use async_graphql::http::{GraphQLPlaygroundConfig, GraphiQLSource, playground_source};
use axum::response::Html;

/// GraphiQL, pointed at `/graphql`.
pub async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Film content server")
            .finish(),
    )
}

/// GraphQL Playground, pointed at `/graphql`.
pub async fn playground() -> Html<String> {
    Html(playground_source(GraphQLPlaygroundConfig::new("/graphql")))
}
