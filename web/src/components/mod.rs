//! The page's components.

pub mod app;
pub mod chain;
pub mod device_list;
pub mod editor;
pub mod fields;
pub mod guide;
pub mod lab;
pub mod results;
pub mod revoke;
pub mod tester;
pub mod tester_help;
pub mod tools;
