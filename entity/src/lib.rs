//! SeaORM entities of the film content server: one module per table, no business logic.
//!
//! A film (`movie`) owns its plot paragraphs, sections, characters, themes and locations
//! (deleted with it). People (`person`) and companies (`company`) are shared between films and
//! linked to them through `credit` (director, writer, ...) and `movie_company` (production, ...);
//! a character's actor is a person. Editors hold `api_token`s; every change to a film writes a
//! `movie_revision`, and every change to content a `change_event` (the change log).

pub mod api_token;
pub mod change_event;
pub mod character;
pub mod company;
pub mod credit;
pub mod idempotency_key;
pub mod location;
pub mod movie;
pub mod movie_company;
pub mod movie_revision;
pub mod person;
pub mod plot_paragraph;
pub mod roles;
pub mod section;
pub mod theme;
pub mod webhook;
pub mod webhook_delivery;

pub use api_token::TokenRole;
pub use change_event::ChangeKind;
pub use movie_revision::RevisionAction;
pub use roles::{CompanyRole, CreditRole};
pub use webhook_delivery::DeliveryStatus;
