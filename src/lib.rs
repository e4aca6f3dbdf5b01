//! unilogin: an OAuth 2.0 / OpenID Connect identity provider for joint-operation SaaS login.

pub mod admin;
pub mod admin_api;
pub mod cache;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod demo;
pub mod domain;
pub mod idp;
pub mod keystore;
pub mod lifecycle;
pub mod market_console;
pub mod marketplace;
pub mod outbound;
pub mod secret;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod tokens;
pub mod web;
