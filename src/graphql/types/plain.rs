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
use crate::ids::{NodeKind, encode};

/// Reads one field of an item; may name content the answer holds (surrogate keys).
pub type Reader<T> = Box<dyn Fn(&T, &mut Vec<String>) -> Value + Send + Sync>;

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
    fields: Vec<(Name, Reader<T>)>,
}

impl<T: PlainObject> Plan<T> {
    /// The plan for `selection`, or `None` when any of it is not plain.
    pub fn of(selection: &SelectionSet) -> Option<Self> {
        let mut fields: Vec<(Name, Reader<T>)> = Vec::with_capacity(selection.items.len());
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
            if fields.iter().any(|(seen, _)| seen == key) {
                return None;
            }
            let reader: Reader<T> = if field.name.node == "__typename" {
                Box::new(|_, _| Value::String(T::TYPE_NAME.to_owned()))
            } else {
                T::reader(field)?
            };
            fields.push((key.clone(), reader));
        }
        Some(Self { fields })
    }

    /// The map of `item`.
    pub fn object(&self, item: &T, keys: &mut Vec<String>) -> Value {
        let mut map = IndexMap::with_capacity(self.fields.len());
        for (key, read) in &self.fields {
            map.insert(key.clone(), read(item, keys));
        }
        Value::Object(map)
    }
}

/// A reader of a plain scalar field (it has no sub-selection).
pub fn scalar<T: 'static>(read: fn(&T) -> Value) -> Reader<T> {
    Box::new(move |item, _| read(item))
}

/// A reader of an object field whose own selection is plain: `nested` picks the object (or
/// `None`, read as `null`).
pub fn nested<T, N>(field: &Field, nested: fn(&T) -> Option<&N>) -> Option<Reader<T>>
where
    T: 'static,
    N: PlainObject + 'static,
{
    let plan = Plan::<N>::of(&field.selection_set.node)?;
    Some(Box::new(move |item, keys| match nested(item) {
        Some(object) => plan.object(object, keys),
        None => Value::Null,
    }))
}

/// A global id value (`id` fields).
pub fn node_id(kind: NodeKind, id: i32) -> Value {
    Value::String(encode(kind, id).0)
}

/// A text value.
pub fn text(text: &str) -> Value {
    Value::String(text.to_owned())
}

/// An `Int` value.
pub fn int(value: i32) -> Value {
    Value::Number(value.into())
}

/// A list of `T` (in the schema `[T!]!`, exactly as `Arc<[T]>`), resolved in one pass when
/// its selection is plain.
pub struct PlainList<T>(pub Arc<[T]>);

impl<T: PlainObject + OutputType> OutputType for PlainList<T> {
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
        let mut keys = Vec::new();
        let items = self
            .0
            .iter()
            .map(|item| plan.object(item, &mut keys))
            .collect();
        if !keys.is_empty() {
            cache_keys::note(ctx, keys);
        }
        Ok(Value::List(items))
    }
}
