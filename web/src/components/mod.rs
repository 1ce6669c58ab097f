//! The page's components.

pub mod app;
pub mod chain;
pub mod editor;
pub mod fields;
pub mod guide;
pub mod results;
pub mod tools;
