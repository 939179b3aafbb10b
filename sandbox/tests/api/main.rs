//! The sandbox's HTTP tests, one test binary (`cargo test -p superapp-sandbox --test api`):
//! the sandbox started on ephemeral ports (or as its real binary) and driven over real HTTP.
//! `attacks` is the attack suite (`make attack` runs `--test api attacks::`).

mod common;

mod attacks;
mod auth_settings;
mod concurrency;
mod gateway;
mod gateway_buyer;
mod identity;
mod identity_profile;
mod layers;
mod native_app;
mod native_modules;
mod native_packages;
mod native_watch;
mod notifications;
mod open_api;
mod relay;
mod response_time;
mod restart;
mod robustness;
mod server_time;
mod static_pages;
mod whitelist_table;
