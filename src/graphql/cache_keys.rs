//! The films a response contains, for its `Surrogate-Key` header: a CDN purges the key of a
//! film an editor changed (`film-42`), or of every list (`films`) when one is added.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_graphql::Context;

/// Keys collected while a request runs (shared with the transport).
#[derive(Debug, Clone, Default)]
pub struct SurrogateKeys(Arc<Mutex<BTreeSet<String>>>);

impl SurrogateKeys {
    fn add(&self, key: String) {
        if let Ok(mut keys) = self.0.lock() {
            keys.insert(key);
        }
    }

    /// The header value: keys separated by spaces, `None` when there are none.
    pub fn header_value(&self) -> Option<String> {
        let keys = self.0.lock().ok()?;
        (!keys.is_empty()).then(|| keys.iter().cloned().collect::<Vec<_>>().join(" "))
    }
}

/// The key of one film.
pub fn film_key(movie_id: i32) -> String {
    format!("film-{movie_id}")
}

/// The key every list of films carries.
pub const FILM_LISTS: &str = "films";

/// Notes that the response contains content of these films.
pub fn films(ctx: &Context<'_>, movie_ids: impl IntoIterator<Item = i32>) {
    if let Some(keys) = ctx.data_opt::<SurrogateKeys>() {
        for id in movie_ids {
            keys.add(film_key(id));
        }
    }
}

/// Notes that the response contains a list of films (which a new film changes).
pub fn film_list(ctx: &Context<'_>) {
    if let Some(keys) = ctx.data_opt::<SurrogateKeys>() {
        keys.add(FILM_LISTS.to_owned());
    }
}
