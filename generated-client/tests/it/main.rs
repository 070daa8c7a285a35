//! The client's integration tests, in one binary (each file of its own links tokio, reqwest and wiremock
//! again): against a loopback server, one module per concern, with the helpers in `common`.
// `get_job` and some fields are deprecated by their doc pages, and still served: they are exercised on purpose.
#![allow(deprecated)]

mod auth;
mod call_options;
mod common;
mod decode;
mod errors;
mod events;
mod events_fuzz;
#[cfg(feature = "tower")]
mod events_service;
mod examples;
mod fuzz;
mod hardening;
mod operations;
mod pagination;
mod platform;
mod rate_limit;
mod refusals;
mod retries;
mod store_app;
mod stress;
mod upload;
mod validation;
