//! The change feed behind subscriptions does not depend on notifications arriving: when an
//! instance's listening connection is cut, or goes silent, a change committed through another
//! instance in the meantime still reaches it, from the change log.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use entity::{ChangeKind, TokenRole};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{Backend, spawn_app_with, unpublish_the_seed};

#[tokio::test]
async fn a_change_made_while_an_instance_could_not_hear_it_still_reaches_its_subscribers() {
    let Some(writer) = spawn_app_with(Backend::Postgres, |_| {}).await else {
        return;
    };
    let reader = writer
        .another_instance_with(|config| config.live_poll_interval_ms = 200)
        .await;
    let editor = writer.token("alice", TokenRole::Editor).await;
    let mut events = reader.state.change_feed.subscribe();

    // Cut every listening connection: the reader hears nothing until it reconnects.
    writer
        .db()
        .execute_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'filmserver-listener' AND datname = current_database()",
        ))
        .await
        .expect("the listeners are cut");

    assert_eq!(unpublish_the_seed(&writer, &editor).await, 2);

    let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("the event arrives within 10 s")
        .expect("the feed is open");
    assert_eq!(event.kind, ChangeKind::Unpublished);
    assert_eq!(event.slug.as_deref(), Some("m-butterfly"));
    assert_eq!(event.version, Some(2));
}

/// A TCP proxy in front of PostgreSQL that can make the connections it already carries for
/// the listener go silent: no more bytes either way, no FIN, no RST, which is what a network
/// path that died looks like. Connections made afterwards pass.
struct SilencingProxy {
    port: u16,
    opened: Arc<AtomicUsize>,
    silenced_up_to: Arc<AtomicUsize>,
}

impl SilencingProxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("address").port();
        let opened = Arc::new(AtomicUsize::new(0));
        let silenced_up_to = Arc::new(AtomicUsize::new(0));
        let (count, silenced) = (opened.clone(), silenced_up_to.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let number = count.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::spawn(carry(client, upstream.clone(), number, silenced.clone()));
            }
        });
        Self {
            port,
            opened,
            silenced_up_to,
        }
    }

    /// Silences the listener's connections open now.
    fn silence_the_listener(&self) {
        self.silenced_up_to
            .store(self.opened.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

/// Carries one connection; once silenced (when it is the listener's), stops forever.
async fn carry(client: TcpStream, upstream: String, number: usize, silenced: Arc<AtomicUsize>) {
    let Ok(server) = TcpStream::connect(&upstream).await else {
        return;
    };
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    // The startup message names the application: the listener's is `filmserver-listener`.
    let mut first = vec![0u8; 8192];
    let Ok(n) = from_client.read(&mut first).await else {
        return;
    };
    let listener = first[..n]
        .windows(b"filmserver-listener".len())
        .any(|w| w == b"filmserver-listener");
    if to_server.write_all(&first[..n]).await.is_err() {
        return;
    }
    let cut = move || listener && number <= silenced.load(Ordering::SeqCst);
    let up = pump(&mut from_client, &mut to_server, cut.clone());
    let down = pump(&mut from_server, &mut to_client, cut);
    tokio::join!(up, down);
}

async fn pump(
    from: &mut tokio::net::tcp::OwnedReadHalf,
    to: &mut tokio::net::tcp::OwnedWriteHalf,
    cut: impl Fn() -> bool,
) {
    let mut buffer = vec![0u8; 16384];
    loop {
        let n = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if cut() {
            // Silent: hold both sockets open and never pass anything again.
            std::future::pending::<()>().await;
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

/// The listening connection goes silent (its path died without a word); the instance notices
/// by its periodic check, connects again and catches up from the log: a change committed
/// meanwhile through another instance still reaches its subscribers. The reader's own poll of
/// the log is set to an hour, so only that path can bring the event.
#[tokio::test]
async fn a_silently_dropped_listener_is_noticed_and_the_missed_change_caught_up() {
    let Some(writer) = spawn_app_with(Backend::Postgres, |_| {}).await else {
        return;
    };
    let url = writer.database_url();
    let (authority, name) = url
        .trim_start_matches("postgres://")
        .split_once('/')
        .expect("a database URL");
    let (user, host) = authority.split_once('@').unwrap_or(("postgres", authority));
    let proxy = SilencingProxy::start(host.to_owned()).await;
    let through_proxy = format!(
        "postgres://{user}@127.0.0.1:{}/{}?sslmode=disable",
        proxy.port,
        name.split('?').next().unwrap_or(name)
    );
    let reader = writer
        .another_instance_with(|config| {
            config.database_url = Some(through_proxy);
            config.live_poll_interval_ms = 3_600_000;
            config.listener_check_interval_ms = 500;
        })
        .await;
    assert!(
        reader
            .state
            .responses
            .listening_within(Duration::from_secs(10))
            .await,
        "the reader listens"
    );
    let mut events = reader.state.change_feed.subscribe();
    let editor = writer.token("alice", TokenRole::Editor).await;

    proxy.silence_the_listener();
    assert_eq!(unpublish_the_seed(&writer, &editor).await, 2);

    let event = tokio::time::timeout(Duration::from_secs(20), events.recv())
        .await
        .expect("the event arrives once the silent connection is found and replaced")
        .expect("the feed is open");
    assert_eq!(event.kind, ChangeKind::Unpublished);
    assert_eq!(event.version, Some(2));
}
