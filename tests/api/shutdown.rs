//! Graceful shutdown: a request in flight when shutdown begins still gets its answer.

use std::time::Duration;

use filmserver::server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{Backend, TestDatabase};

#[tokio::test]
async fn an_in_flight_request_completes_during_shutdown() {
    let database = TestDatabase::create(Backend::Sqlite)
        .await
        .expect("a SQLite database");
    let state = server::prepare_state(&database.config)
        .await
        .expect("the app starts");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let address = listener.local_addr().expect("local address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::serve_until(listener, state, async {
        let _ = stopped.await;
    }));

    // Start a request: headers and half the body.
    let body = r#"{"query":"{ movie(slug: \"m-butterfly\") { title } }"}"#;
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .await
        .expect("send headers");
    stream
        .write_all(first_half.as_bytes())
        .await
        .expect("send half the body");
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Shutdown begins while the request is in flight; then the rest of the body arrives.
    stop.send(()).expect("signal shutdown");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !serving.is_finished(),
        "the server must wait for the request in flight"
    );
    stream
        .write_all(second_half.as_bytes())
        .await
        .expect("send the rest");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .await
        .expect("read the answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""title":"M. Butterfly""#), "{answer}");

    let finished = tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("the server stops once the request is answered");
    assert!(matches!(finished, Ok(Ok(()))));
    assert!(
        TcpStream::connect(address).await.is_err(),
        "no new connections after shutdown"
    );
}
