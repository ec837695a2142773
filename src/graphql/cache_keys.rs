//! The content a response contains, named by the keys of [`changes`]: sent as the
//! `Surrogate-Key` header (a CDN purges `film-42` when an editor changes that film, `films`
//! when one is added) and used by the in-process response cache the same way.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_graphql::{Context, ContextBase};

use crate::service::changes;

/// Keys collected while a request runs (shared with the transport).
#[derive(Debug, Clone)]
pub struct SurrogateKeys {
    collected: Arc<Mutex<BTreeSet<String>>>,
    wanted: bool,
}

impl SurrogateKeys {
    /// Keys for a request whose answer the response cache keeps or a client may revalidate
    /// (`wanted`: they are sent or kept), or for one whose keys nothing reads (none are
    /// made: a film list names a hundred actors).
    pub fn new(wanted: bool) -> Self {
        Self {
            collected: Arc::default(),
            wanted,
        }
    }

    /// Whether keys are collected.
    pub fn wanted(&self) -> bool {
        self.wanted
    }

    fn add_all(&self, added: impl IntoIterator<Item = String>) {
        if let Ok(mut keys) = self.collected.lock() {
            keys.extend(added);
        }
    }

    /// The keys collected so far.
    pub fn keys(&self) -> Vec<String> {
        self.collected
            .lock()
            .map(|keys| keys.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The header value: keys separated by spaces, `None` when there are none.
    pub fn header_value(&self) -> Option<String> {
        let keys = self.collected.lock().ok()?;
        (!keys.is_empty()).then(|| keys.iter().cloned().collect::<Vec<_>>().join(" "))
    }
}

/// Notes that the response contains content of these films.
pub fn films(ctx: &Context<'_>, movie_ids: impl IntoIterator<Item = i32>) {
    note(ctx, movie_ids.into_iter().map(changes::film_key));
}

/// Notes that the response contains a list of films (which a new film changes), or a lookup
/// that found no film (which a new film can change too).
pub fn film_list(ctx: &Context<'_>) {
    note(ctx, [changes::FILMS.to_owned()]);
}

/// Notes that the response contains content of this person.
pub fn person(ctx: &Context<'_>, person_id: i32) {
    note(ctx, [changes::person_key(person_id)]);
}

/// Notes that the response contains a list of people, or a lookup that found no one.
pub fn person_list(ctx: &Context<'_>) {
    note(ctx, [changes::PEOPLE.to_owned()]);
}

/// Notes that the response contains content of this company.
pub fn company(ctx: &Context<'_>, company_id: i32) {
    note(ctx, [changes::company_key(company_id)]);
}

/// Notes that the response contains a lookup that found no company.
pub fn company_list(ctx: &Context<'_>) {
    note(ctx, [changes::COMPANIES.to_owned()]);
}

/// Notes content keys (made by [`changes`]' key functions), from any context (a field's, or
/// a list's resolved in one pass by `types::plain`).
pub fn note<T>(ctx: &ContextBase<'_, T>, keys: impl IntoIterator<Item = String>) {
    if let Some(collected) = ctx.data_opt::<SurrogateKeys>()
        && collected.wanted
    {
        collected.add_all(keys);
    }
}

/// Whether the request collects keys (so a caller need not make them for nothing).
pub fn wanted<T>(ctx: &ContextBase<'_, T>) -> bool {
    ctx.data_opt::<SurrogateKeys>()
        .is_some_and(SurrogateKeys::wanted)
}
