//! Integration tests: the real app on a random port, driven by real clients (the `oauth2`
//! crate, reqwest with a cookie jar). The backend comes from the environment: embedded by
//! default; Redis + PostgreSQL when `UNILOGIN_TEST_REDIS_URL` and
//! `UNILOGIN_TEST_DATABASE_URL` are set (each test on its own database and key prefix).

mod abuse;
mod admin_api;
mod attacks;
mod authorize;
mod backchannel;
mod bench;
mod browser;
mod cli;
mod config;
mod console;
mod console_browser;
mod demo;
mod discovery;
mod helpers;
mod keystore;
mod kit;
mod lifecycle;
mod login;
mod logout;
mod malformed;
mod market_browser;
mod marketplace;
mod oidc;
mod openapi_validity;
mod quickstart;
mod refresh;
mod restart;
mod services;
mod shutdown;
mod token;
mod userinfo;
