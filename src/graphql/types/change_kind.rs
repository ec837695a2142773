//! `ChangeKind`: what a change in the change log was (subscriptions' events, webhooks' kinds).

use async_graphql::Enum;

/// What a change was.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::ChangeKind")]
pub enum ChangeKind {
    /// A film was published (first, or again with its draft's changes).
    Published,
    /// A film was taken off the public API (it is not deleted).
    Unpublished,
    /// A film was deleted.
    Deleted,
    /// A film's draft was created, changed or thrown away (seen by editors only).
    DraftChanged,
    /// A person was created or changed; the films naming them show the change.
    PersonChanged,
    /// A company was created or changed; the films naming it show the change.
    CompanyChanged,
}
