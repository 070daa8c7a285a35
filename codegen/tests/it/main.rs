//! The generator's tests, in one binary: golden output and located errors (`snapshots`), the model `read`
//! gives (`read`), the runtime contract (`contract`), specs mutated and mangled (`fuzz_spec`, `mutations`), and every text a spec can carry compiled (`fuzz_text`).

mod contract;
mod fuzz_spec;
mod fuzz_text;
mod mutations;
mod read;
mod snapshots;
