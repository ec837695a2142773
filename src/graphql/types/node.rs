//! The Relay `Node` interface: every type with a global id.

use async_graphql::{ID, Interface};

use super::{Character, Company, Location, Movie, Person, Section, Theme};

/// An object with a global id, which `node(id:)` fetches again.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Globally unique, opaque id; `node(id:)` fetches the object again."
))]
pub enum Node {
    /// A film.
    Movie(Movie),
    /// A person.
    Person(Person),
    /// A company.
    Company(Company),
    /// A character of a film.
    Character(Character),
    /// A section of a film page.
    Section(Section),
    /// A theme of a film.
    Theme(Theme),
    /// A location of a film.
    Location(Location),
}
