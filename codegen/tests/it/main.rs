//! The generator's tests, in one binary: golden output and located errors (`snapshots`), specs mutated and
//! mangled (`fuzz_spec`, `mutations`).

mod contract;
mod fuzz_spec;
mod mutations;
mod snapshots;
