//! Feishu's doc pages as a checked input of the spec.
//!
//! - [`add`] writes a page's draft into the spec's text in place (`docs add`);
//! - [`page`] reads a page, in any of its three dialects, into facts;
//! - [`audit`] compares a page with its operation in the spec, as `codegen::read` reads it, and lists every
//!   difference;
//! - [`draft`] writes a spec fragment for a page the spec does not cover yet;
//! - [`record`] keeps which page version each operation was audited against.

pub mod add;
pub mod audit;
pub mod draft;
pub mod page;
pub mod record;
