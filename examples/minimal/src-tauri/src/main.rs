//! Desktop entry point; phones enter through `run` in the library.

fn main() {
    proof_ramp_minimal_lib::run();
}
