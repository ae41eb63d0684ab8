//! Black-box tests: each starts the real server and drives it over HTTP.

mod conventions;
mod journey;
mod registration;
mod sessions;
mod support;
mod verification;
