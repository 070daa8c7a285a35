//! The doc-page tests, in one binary: the reader on a page of each dialect written for these tests (`read`), the
//! audit and the draft round trip (`audit`), and pages cut or mangled anywhere (`robustness`).

mod audit;
mod read;
mod robustness;
