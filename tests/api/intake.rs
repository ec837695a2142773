//! Public-internet hardening, round two: slow bodies hold no request slot, one address cannot
//! take more than its share of connections or requests, and others are served meanwhile.
//!
//! The attacker connects from 127.0.0.2 (all of 127/8 is loopback on Linux); legitimate
//! clients from 127.0.0.1, so per-address limits can tell them apart.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::{Backend, TestApp, spawn_app_with};

const PAGE: &str = r#"{ movie(slug: "m-butterfly") { title } }"#;

/// A TCP connection to the app from 127.0.0.2.
async fn connect_as_attacker(app: &TestApp) -> TcpStream {
    let address: std::net::SocketAddr = app
        .address
        .trim_start_matches("http://")
        .parse()
        .expect("the app's address");
    let socket = TcpSocket::new_v4().expect("a socket");
    socket
        .bind("127.0.0.2:0".parse().expect("an address"))
        .expect("bind 127.0.0.2");
    socket.connect(address).await.expect("connect")
}

/// A connection that sent a POST's headers (`Content-Length: 1000`) and one byte of body.
async fn slow_body(app: &TestApp) -> TcpStream {
    let mut stream = connect_as_attacker(app).await;
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
              Accept: application/graphql-response+json\r\nContent-Length: 1000\r\n\r\n{",
        )
        .await
        .expect("send the headers and one byte");
    stream
}

/// Everything the server sends until it closes the connection (at most `within`).
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(within, stream.read_to_end(&mut answer))
        .await
        .expect("the server closed the connection in time")
        .expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn slow_bodies_hold_no_request_slot_and_are_cut_off() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.max_concurrent_requests = 4;
    })
    .await
    .expect("a SQLite app");
    let started = Instant::now();
    let mut attackers = Vec::new();
    for _ in 0..20 {
        attackers.push(slow_body(&app).await);
    }
    // Five times the request slots are held by slow bodies; others are served as usual.
    for _ in 0..10 {
        let data = app.query_data(PAGE, json!({})).await;
        assert_eq!(data["movie"]["title"], "M. Butterfly");
    }
    // Each slow body is answered 408 and closed once it falls under the minimum rate (after
    // the first second of grace), long before the 10 s body timeout.
    for attacker in &mut attackers {
        let answer = read_until_closed(attacker, Duration::from_secs(8)).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
    }
    assert!(started.elapsed() < Duration::from_secs(8));
}

#[tokio::test]
async fn a_body_past_the_read_timeout_is_refused_even_at_a_good_rate() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.body_read_timeout_secs = 1;
        config.min_body_bytes_per_sec = 0;
    })
    .await
    .expect("a SQLite app");
    let mut stream = slow_body(&app).await;
    // Keep sending a byte every 200 ms: no rate limit, but the whole body has 1 s.
    let mut answer = String::new();
    for _ in 0..40 {
        if stream.write_all(b" ").await.is_err() {
            break;
        }
        let mut buffer = [0u8; 4096];
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.push_str(&String::from_utf8_lossy(&buffer[..n])),
            Err(_) => {}
        }
        if answer.contains("\r\n\r\n") {
            break;
        }
    }
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn an_address_over_its_in_flight_cap_gets_429_and_others_do_not() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.max_requests_per_address = 3;
        // The slow bodies below stay in flight for the whole test.
        config.min_body_bytes_per_sec = 0;
        config.body_read_timeout_secs = 30;
    })
    .await
    .expect("a SQLite app");
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(slow_body(&app).await);
    }
    let mut fourth = slow_body(&app).await;
    let answer = read_until_closed(&mut fourth, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");
    assert!(answer.contains("RATE_LIMITED"), "{answer}");
    // Another address is served.
    let data = app.query_data(PAGE, json!({})).await;
    assert_eq!(data["movie"]["title"], "M. Butterfly");
    // Once the held requests end, the address may send again.
    drop(held);
    let mut served = false;
    for _ in 0..50 {
        let mut stream = connect_as_attacker(&app).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await
            .expect("send");
        let answer = read_until_closed(&mut stream, Duration::from_secs(5)).await;
        if answer.starts_with("HTTP/1.1 200") {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served, "the address is served again once its requests end");
}

#[tokio::test]
async fn an_address_over_its_connection_cap_is_refused_and_others_are_not() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.max_connections_per_address = 2;
    })
    .await
    .expect("a SQLite app");
    let first = connect_as_attacker(&app).await;
    let second = connect_as_attacker(&app).await;
    // The server counts a connection once it accepts it: poll until the third is refused.
    let mut refused = String::new();
    for _ in 0..50 {
        let mut third = connect_as_attacker(&app).await;
        third
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .ok();
        let mut buffer = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(2), third.read(&mut buffer))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or(0);
        refused = String::from_utf8_lossy(&buffer[..n]).into_owned();
        if refused.starts_with("HTTP/1.1 429") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused.starts_with("HTTP/1.1 429"), "{refused}");
    assert!(refused.contains("RATE_LIMITED"), "{refused}");
    let data = app.query_data(PAGE, json!({})).await;
    assert_eq!(
        data["movie"]["title"], "M. Butterfly",
        "127.0.0.1 is served"
    );
    drop(first);
    // A closed connection gives its place back.
    let mut accepted = false;
    for _ in 0..50 {
        let mut again = connect_as_attacker(&app).await;
        again
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await
            .ok();
        let answer = read_until_closed(&mut again, Duration::from_secs(5)).await;
        if answer.starts_with("HTTP/1.1 200") {
            accepted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(accepted);
    drop(second);
}

#[tokio::test]
async fn a_declared_body_over_the_limit_is_refused_before_it_is_read() {
    let app = spawn_app_with(Backend::Sqlite, |config| config.max_body_bytes = 1_000)
        .await
        .expect("a SQLite app");
    let mut stream = connect_as_attacker(&app).await;
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
              Accept: application/graphql-response+json\r\nContent-Length: 5000\r\n\r\n{",
        )
        .await
        .expect("send");
    let answer = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("PAYLOAD_TOO_LARGE"), "{answer}");
}
