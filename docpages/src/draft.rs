//! A spec fragment for a page the spec does not cover yet.

use crate::page::Page;

/// The fragment, as YAML text.
pub fn draft(page: &Page) -> String {
    format!("# {}\n", page.title)
}
