//! API types: what clients see, kept apart from the entities so that the database and the API
//! can evolve separately. Each wraps an entity row and chooses which facts to expose.

pub mod change_kind;
pub mod character;
pub mod company;
pub mod connection;
pub mod credit;
pub mod editing;
pub mod inputs;
pub mod listing;
pub mod movie;
pub mod nested;
pub mod node;
pub mod parts;
pub mod person;
pub mod plain;
pub mod status;
pub mod webhook;

pub use change_kind::ChangeKind;
pub use character::Character;
pub use company::{Company, CompanyCredit, CompanyRole};
pub use connection::{MovieConnection, MovieEdge, PageInfo, PersonConnection, PersonEdge};
pub use credit::{Credit, CreditRole};
pub use editing::{ApiToken, CreatedToken, DeletedMovie, Revision, TokenRole};
pub use movie::Movie;
pub use node::Node;
pub use parts::{Location, Period, Section, Setting, Theme};
pub use person::Person;
