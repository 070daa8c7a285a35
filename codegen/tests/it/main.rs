//! The generator's tests, in one binary: golden output and located errors (`snapshots`), the model `read`
//! gives (`read`), the runtime contract (`contract`), specs mutated and mangled (`fuzz_spec`, `mutations`).

mod contract;
mod fuzz_spec;
mod mutations;
mod read;
mod snapshots;
