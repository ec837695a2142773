//! A request dropped while its transaction is being begun (its client went away, a timeout)
//! leaves no transaction open on the pooled connection (`db::begin_whole`).

use std::future::Future;
use std::task::Poll;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, TransactionOptions};

use crate::helpers::{Backend, TestDatabase};

/// Polls a `begin_whole` `polls` times (yielding in between), then drops it.
async fn begin_given_up_after(pool: &sea_orm::DatabaseConnection, polls: usize) {
    let mut begin = Box::pin(filmserver::db::begin_whole(
        pool,
        TransactionOptions::default(),
    ));
    for _ in 0..polls {
        let ready =
            std::future::poll_fn(|cx| Poll::Ready(begin.as_mut().poll(cx).is_ready())).await;
        if ready {
            break;
        }
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_begin_given_up_leaves_no_transaction_open_on_the_pool() {
    let Some(database) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let url = database
        .config
        .database_url
        .clone()
        .expect("a PostgreSQL URL");
    let mut options = ConnectOptions::new(url.clone());
    options.max_connections(1).min_connections(1);
    let pool = Database::connect(options).await.expect("connect");
    let other = Database::connect(url.as_str()).await.expect("connect");
    pool.execute_unprepared("CREATE TABLE probe (attempt int)")
        .await
        .expect("create the probe table");

    for polls in 1..=12 {
        // Given up at once (its BEGIN just sent), or a few polls later.
        begin_given_up_after(&pool, polls).await;
        // The pool's only connection, outside any transaction: this commits at once...
        pool.execute_unprepared(&format!("INSERT INTO probe VALUES ({polls})"))
            .await
            .expect("insert");
        // ...so another connection sees it (inside a transaction left open, it would not).
        let seen = other
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT count(*) AS n FROM probe WHERE attempt = {polls}"),
            ))
            .await
            .expect("count")
            .and_then(|row| row.try_get::<i64>("", "n").ok());
        assert_eq!(
            seen,
            Some(1),
            "the insert after a BEGIN given up at poll {polls} was not committed: the pool's \
             connection was left inside that transaction"
        );
    }
}
