//! Lists of plain objects, resolved in one pass.
//!
//! async-graphql resolves a list of objects item by item and each item field by field: per
//! field a boxed future, a context, a look-up of the field by name among the type's fields, and
//! an insert into the item's map. A film list's sections and characters are some 400 objects
//! whose fields are only reads of a loaded row, and that machinery was about a quarter of the
//! server's work on such a list. A [`PlainList`] looks at the selection once per list instead:
//! when every selected field of its item type is *plain* (a value read from the row, with no
//! arguments, no directives and no fragments, each response key once), it turns the selection
//! into a [`Plan`] (one reader per field) and builds every item's map with it. Anything else
//! (a fragment, `@include`, a field that takes arguments or reads the database, a response key
//! selected twice) is resolved by async-graphql as before. Either way the answer is the same,
//! field for field and in selection order; `tests/api/plain_lists.rs` holds the two paths to
//! that.
//!
//! When the answer goes out over HTTP, a plan writes the list's JSON text at once instead of
//! building a value per item (a map, a copy of every text, and then the same again to write
//! and free them): see [`WrittenAsJson`].
//!
//! The types keep their `#[Object]` resolvers (the schema, its docs, and every selection the
//! plan does not take come from them); a type opts in by naming its plain fields
//! ([`PlainObject`]).

use std::borrow::Cow;
use std::sync::Arc;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};

use crate::graphql::cache_keys;
use crate::graphql::document_names::DocumentFacts;
use crate::ids::{NodeKind, encode};
use crate::json_text::write_str;

/// Marks a request whose answer the HTTP layer writes itself (`http::json`): its plain lists
/// come back as their JSON text, carried in a [`Value::Binary`], which that writer copies as it
/// is. async-graphql's values have no variant for JSON text, no type of the schema answers with
/// binary data, and only the HTTP transport (`graphql::prepare_request`) sets the mark: every
/// other transport (the WebSocket's subscriptions) gets values.
///
/// A list whose response key the operation may select twice in one place is still a value:
/// async-graphql merges such selections item by item, which it cannot do with text. The
/// document's [`DocumentFacts`] (request data) say which keys those are; without them every
/// list is a value.
pub struct WrittenAsJson;

impl WrittenAsJson {
    /// Whether the list at `field` may be written as JSON text.
    fn may_write(ctx: &ContextSelectionSet<'_>, field: &Field) -> bool {
        ctx.data_opt::<WrittenAsJson>().is_some()
            && ctx
                .data_opt::<Arc<DocumentFacts>>()
                .is_some_and(|facts| !facts.repeats(field.response_key().node.as_str()))
    }
}

/// A plain field's value, borrowed from its item where it can be.
pub enum Plain<'a> {
    /// A text (or a fixed name, such as `__typename`).
    Text(&'a str),
    /// An `Int`.
    Int(i32),
    /// A global id (`id` fields).
    Id(NodeKind, i32),
}

impl Plain<'_> {
    fn value(self) -> Value {
        match self {
            Self::Text(text) => Value::String(text.to_owned()),
            Self::Int(value) => Value::Number(value.into()),
            Self::Id(kind, id) => Value::String(encode(kind, id).0),
        }
    }

    fn write(self, out: &mut Vec<u8>) {
        match self {
            Self::Text(text) => write_str(out, text),
            Self::Int(value) => out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes()),
            Self::Id(kind, id) => write_str(out, &encode(kind, id).0),
        }
    }
}

/// The content keys a list's items name (see `cache_keys`), collected only when the
/// transport sends them: an answer that is neither kept nor revalidated makes none.
pub struct Keys {
    named: Vec<String>,
    wanted: bool,
}

impl Keys {
    /// Notes the key `key` makes (called only when keys are wanted).
    pub fn name(&mut self, key: impl FnOnce() -> String) {
        if self.wanted {
            self.named.push(key());
        }
    }
}

/// Reads one field of an item, as a value or as JSON text; either may name content the
/// answer holds (surrogate keys, in `keys`).
pub trait Read<T>: Send + Sync {
    /// The field's value.
    fn value(&self, item: &T, keys: &mut Keys) -> Value;

    /// Appends the field's value as JSON.
    fn write(&self, item: &T, keys: &mut Keys, out: &mut Vec<u8>);
}

/// The reader of one field.
pub type Reader<T> = Box<dyn Read<T>>;

/// An object type whose plain fields can be read without a resolver.
pub trait PlainObject: Send + Sync {
    /// The type's name in the schema (the value of `__typename`).
    const TYPE_NAME: &'static str;

    /// The reader of `field` (its name and sub-selection; it has no arguments or directives),
    /// or `None` when the field is not plain.
    fn reader(field: &Field) -> Option<Reader<Self>>;
}

/// How to build an item's map for one selection: a reader per response key, in order.
pub struct Plan<T> {
    fields: Vec<PlannedField<T>>,
}

/// One response key of a [`Plan`] and its reader.
struct PlannedField<T> {
    key: Name,
    /// The key as JSON, with its colon, and the comma before it but for the first field
    /// (`,"title":`): written once per list, not once per item.
    prefix: Box<[u8]>,
    reader: Reader<T>,
}

impl<T: PlainObject + 'static> Plan<T> {
    /// The plan for `selection`, or `None` when any of it is not plain.
    pub fn of(selection: &SelectionSet) -> Option<Self> {
        let mut fields: Vec<PlannedField<T>> = Vec::with_capacity(selection.items.len());
        for item in &selection.items {
            let Selection::Field(field) = &item.node else {
                return None;
            };
            let field = &field.node;
            if !field.directives.is_empty() || !field.arguments.is_empty() {
                return None;
            }
            let key = &field.response_key().node;
            // async-graphql merges a key selected twice; the plan leaves that to it.
            if fields.iter().any(|seen| seen.key == *key) {
                return None;
            }
            let reader: Reader<T> = if field.name.node == "__typename" {
                Box::new(TypeName)
            } else {
                T::reader(field)?
            };
            let mut prefix = Vec::with_capacity(key.len() + 4);
            if !fields.is_empty() {
                prefix.push(b',');
            }
            write_str(&mut prefix, key);
            prefix.push(b':');
            fields.push(PlannedField {
                key: key.clone(),
                prefix: prefix.into(),
                reader,
            });
        }
        Some(Self { fields })
    }
}

impl<T> Plan<T> {
    /// The map of `item`.
    pub fn object(&self, item: &T, keys: &mut Keys) -> Value {
        let mut map = IndexMap::with_capacity(self.fields.len());
        for field in &self.fields {
            map.insert(field.key.clone(), field.reader.value(item, keys));
        }
        Value::Object(map)
    }

    /// Appends `item`'s object as JSON (the same text as [`object`](Self::object)'s value).
    pub fn write(&self, item: &T, keys: &mut Keys, out: &mut Vec<u8>) {
        out.push(b'{');
        for field in &self.fields {
            out.extend_from_slice(&field.prefix);
            field.reader.write(item, keys, out);
        }
        out.push(b'}');
    }
}

/// `__typename`.
struct TypeName;

impl<T: PlainObject> Read<T> for TypeName {
    fn value(&self, _: &T, _: &mut Keys) -> Value {
        Plain::Text(T::TYPE_NAME).value()
    }

    fn write(&self, _: &T, _: &mut Keys, out: &mut Vec<u8>) {
        Plain::Text(T::TYPE_NAME).write(out);
    }
}

/// A field read from the item alone.
struct Scalar<T>(for<'a> fn(&'a T) -> Plain<'a>);

impl<T> Read<T> for Scalar<T> {
    fn value(&self, item: &T, _: &mut Keys) -> Value {
        (self.0)(item).value()
    }

    fn write(&self, item: &T, _: &mut Keys, out: &mut Vec<u8>) {
        (self.0)(item).write(out);
    }
}

/// A field whose value names content of the answer (a person's name: `person-N`).
struct Keyed<T>(for<'a> fn(&'a T, &mut Keys) -> Plain<'a>);

impl<T> Read<T> for Keyed<T> {
    fn value(&self, item: &T, keys: &mut Keys) -> Value {
        (self.0)(item, keys).value()
    }

    fn write(&self, item: &T, keys: &mut Keys, out: &mut Vec<u8>) {
        (self.0)(item, keys).write(out);
    }
}

/// An object field with a plain selection of its own (`null` when there is no object).
struct Nested<T, N> {
    pick: for<'a> fn(&'a T) -> Option<&'a N>,
    plan: Plan<N>,
}

impl<T, N: Send + Sync> Read<T> for Nested<T, N> {
    fn value(&self, item: &T, keys: &mut Keys) -> Value {
        match (self.pick)(item) {
            Some(object) => self.plan.object(object, keys),
            None => Value::Null,
        }
    }

    fn write(&self, item: &T, keys: &mut Keys, out: &mut Vec<u8>) {
        match (self.pick)(item) {
            Some(object) => self.plan.write(object, keys, out),
            None => out.extend_from_slice(b"null"),
        }
    }
}

/// A reader of a plain scalar field (it has no sub-selection).
pub fn scalar<T: 'static>(read: for<'a> fn(&'a T) -> Plain<'a>) -> Reader<T> {
    Box::new(Scalar(read))
}

/// A reader of a plain scalar field that names content the answer holds in `keys`.
pub fn keyed<T: 'static>(read: for<'a> fn(&'a T, &mut Keys) -> Plain<'a>) -> Reader<T> {
    Box::new(Keyed(read))
}

/// A reader of an object field whose own selection is plain: `pick` picks the object (or
/// `None`, read as `null`).
pub fn nested<T, N>(field: &Field, pick: for<'a> fn(&'a T) -> Option<&'a N>) -> Option<Reader<T>>
where
    T: 'static,
    N: PlainObject + 'static,
{
    let plan = Plan::<N>::of(&field.selection_set.node)?;
    Some(Box::new(Nested { pick, plan }))
}

/// A global id (`id` fields).
pub fn node_id(kind: NodeKind, id: i32) -> Plain<'static> {
    Plain::Id(kind, id)
}

/// A text.
pub fn text(text: &str) -> Plain<'_> {
    Plain::Text(text)
}

/// An `Int`.
pub fn int(value: i32) -> Plain<'static> {
    Plain::Int(value)
}

/// A list of `T` (in the schema `[T!]!`, exactly as `Arc<[T]>`), resolved in one pass when
/// its selection is plain.
pub struct PlainList<T>(pub Arc<[T]>);

impl<T: PlainObject + OutputType + 'static> OutputType for PlainList<T> {
    fn type_name() -> Cow<'static, str> {
        <Arc<[T]> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Arc<[T]> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Arc<[T]> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let Some(plan) = Plan::<T>::of(&ctx.item.node) else {
            return <Arc<[T]> as OutputType>::resolve(&self.0, ctx, field).await;
        };
        let mut keys = Keys {
            named: Vec::new(),
            wanted: cache_keys::wanted(ctx),
        };
        let list = if WrittenAsJson::may_write(ctx, &field.node) {
            let mut out = Vec::with_capacity(256);
            out.push(b'[');
            for (at, item) in self.0.iter().enumerate() {
                if at > 0 {
                    out.push(b',');
                }
                plan.write(item, &mut keys, &mut out);
                if at == 0 {
                    // Room for the rest at half as long again as the first, so that a long
                    // list is seldom copied again when it outgrows its buffer.
                    out.reserve((out.len() + 1) * self.0.len() * 3 / 2);
                }
            }
            out.push(b']');
            Value::Binary(out.into())
        } else {
            Value::List(
                self.0
                    .iter()
                    .map(|item| plan.object(item, &mut keys))
                    .collect(),
            )
        };
        if !keys.named.is_empty() {
            cache_keys::note(ctx, keys.named);
        }
        Ok(list)
    }
}
