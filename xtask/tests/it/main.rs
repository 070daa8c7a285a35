//! The xtask binary's tests, in one binary: `gen` and its safety (`gen`, `output_safety`), `docs add` (`add`),
//! every kind of fact the audit compares (`audit_facts`), the `docs` tasks against pages written for them and a
//! loopback server (`docs`), what `docs fetch` refuses to write (`fetch_safety`), the drafts of Feishu's own
//! pages (`drafts`), every operation of the spec against its page (`spec_pages`), and the maintainers' layout
//! table (`codegen/DESIGN.md`) against the tree (`layout`).
mod add;
mod audit_facts;
mod docs;
mod drafts;
mod events;
mod fetch_safety;
mod gen;
mod layout;
mod output_safety;
mod spec_pages;
