//! One contract suite per port, run against every implementation of it, each
//! test on a fresh database or keyspace.

mod user_repository;
