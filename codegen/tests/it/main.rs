//! The generator's tests, in one binary: golden output and located errors (`snapshots`), the model `read`
//! gives (`read`), the runtime contract (`contract`), the checks' docs against the checks (`check_docs`), specs
//! mutated and mangled (`fuzz_spec`, `mutations`), and every text a spec can carry compiled (`fuzz_text`).

mod check_docs;
mod contract;
mod fuzz_spec;
mod fuzz_text;
mod mutations;
mod read;
mod snapshots;
