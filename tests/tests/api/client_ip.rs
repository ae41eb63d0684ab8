//! Who the client is for per-IP limits: canonical IPv4 behind a dual-stack
//! listener, and one key per IPv6 /64.

use std::net::SocketAddr;

use reqwest::StatusCode;

use crate::support::{TestApp, spawn_app_with};

/// `GET /usernames/alice_1/count/` as forwarded by the proxy for `client`.
async fn count_for(app: &TestApp, client: &str) -> StatusCode {
    app.client
        .get(app.url("/usernames/alice_1/count/"))
        .header("x-forwarded-for", client)
        .send()
        .await
        .expect("request")
        .status()
}

#[tokio::test]
async fn behind_a_dual_stack_listener_an_ipv4_proxy_is_trusted_and_its_clients_told_apart() {
    let mut app = spawn_app_with(|config| {
        config.bind_addr = SocketAddr::from(([0u16; 8], 0));
        config.trusted_proxies = "127.0.0.1".parse().unwrap();
        config.availability_ip_per_minute = 1;
    })
    .await;
    // Over IPv4 to a socket listening on [::], the peer is ::ffff:127.0.0.1.
    let port = app.address.rsplit(':').next().expect("a port").to_owned();
    app.address = format!("http://127.0.0.1:{port}");

    assert_eq!(count_for(&app, "203.0.113.1").await, StatusCode::OK);
    assert_eq!(count_for(&app, "203.0.113.2").await, StatusCode::OK, "two clients, not one proxy");
    assert_eq!(count_for(&app, "203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn two_addresses_in_one_ipv6_64_share_a_limit() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = "127.0.0.1".parse().unwrap();
        config.availability_ip_per_minute = 1;
    })
    .await;

    assert_eq!(count_for(&app, "2001:db8:1:2::1").await, StatusCode::OK);
    assert_eq!(count_for(&app, "2001:db8:1:2:ffff:ffff:ffff:ffff").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(count_for(&app, "2001:db8:1:3::1").await, StatusCode::OK, "another /64 is another client");
    assert_eq!(count_for(&app, "::ffff:203.0.113.9").await, StatusCode::OK);
    assert_eq!(count_for(&app, "203.0.113.9").await, StatusCode::TOO_MANY_REQUESTS, "a mapped address is its IPv4");
}
