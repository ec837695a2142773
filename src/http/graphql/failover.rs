//! Where a request reads, and running a query again on the primary when a read replica
//! failed it (see [`crate::reads`]).

use async_graphql::Request as GraphQLRequest;
use async_graphql::parser::types::OperationType;

use crate::AppState;
use crate::graphql::auth::Credentials;
use crate::graphql::prepare_request;
use crate::graphql::schema::{Executed, RequestHandles, Verdict};
use crate::reads::RequestReads;

/// Where a request reads: an anonymous query from a read replica that may serve (else the
/// primary); a query with any token (editors, previews: drafts, revisions and tokens live on
/// the primary's latest state, an editor reads back what they just saved, and a token revoked
/// a moment ago must not still work on a replica that has not replayed the revocation) from a
/// snapshot on the primary; a mutation from the write pool.
pub fn reads_for(
    state: &AppState,
    operation: Option<OperationType>,
    credentials: &Credentials,
) -> RequestReads {
    match operation {
        Some(OperationType::Query) if credentials.present() => {
            RequestReads::snapshot(state.reads.primary())
        }
        Some(OperationType::Query) => RequestReads::routed(&state.reads),
        _ => RequestReads::direct(&state.db),
    }
}

/// A request's parts execution needs, to run it again.
pub fn copy_of(request: &GraphQLRequest) -> GraphQLRequest {
    let mut copy = GraphQLRequest::new(request.query.clone()).variables(request.variables.clone());
    copy.operation_name = request.operation_name.clone();
    copy.introspection_mode = request.introspection_mode;
    copy
}

/// Runs `request`; when a read replica failed it (the replica stopped, hung, or cancelled a
/// statement) and `rerun` has its copy, runs the copy again on the primary and answers with
/// that, so a replica's failure never reaches the client. Only anonymous queries read from
/// replicas, so the copy runs without credentials.
pub async fn run_with_failover(
    state: &AppState,
    request: GraphQLRequest,
    verdict: Verdict,
    handles: RequestHandles,
    rerun: Option<GraphQLRequest>,
) -> (Executed, RequestHandles) {
    let Some(copy) = rerun else {
        return (state.schema.run(request, verdict).await, handles);
    };
    let executed = state.schema.run(request, verdict.clone()).await;
    if !handles.reads.replica_failed() {
        return (executed, handles);
    }
    let (request, handles) = prepare_request(
        copy,
        RequestReads::snapshot(state.reads.primary()),
        Credentials::default(),
        &state.responses,
        state.loader_delay,
        handles.surrogate_keys.wanted(),
    );
    (state.schema.run(request, verdict).await, handles)
}
