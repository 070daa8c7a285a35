//! The xtask binary's tests, in one binary: `gen` and its safety (`gen`, `output_safety`), the `docs` tasks against
//! pages written for them and a loopback server (`docs`), and the drafts of Feishu's own pages (`drafts`).

mod docs;
mod drafts;
mod gen;
mod output_safety;
