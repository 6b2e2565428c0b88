//! wangge — 网格化服务管理信息系统: one binary that serves a county's grid-based community service and governance.

pub mod audit;
pub mod auth;
pub mod background;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod domains;
pub mod error;
pub mod excel;
pub mod files;
pub mod geo;
pub mod imports;
pub mod notify;
pub mod startup;
pub mod state;
pub mod web;
pub mod xml;
