//! One contract suite per port, run against every implementation of it, each
//! test on a fresh database or keyspace.

/// Runs every test of a suite against every backend, as `backend::test`.
/// Each backend is a function `async fn(name) -> Option<Fixture>` (None =
/// skipped), each test an `async fn(Fixture)`.
macro_rules! contract_suite {
    (suite: $suite:literal, backends: [$($backend:ident),+], tests: $tests:tt) => {
        $(contract_suite!(@backend $suite, $backend, $tests);)+
    };
    (@backend $suite:literal, $backend:ident, [$($test:ident),+ $(,)?]) => {
        mod $backend {
            $(
                #[tokio::test]
                async fn $test() {
                    let name = concat!($suite, "::", stringify!($backend), "::", stringify!($test));
                    let Some(fixture) = super::$backend(name).await else { return };
                    super::$test(fixture).await;
                }
            )+
        }
    };
}

mod access_token_revocations;
mod cache;
mod outbox;
mod refresh_token_store;
mod user_repository;
