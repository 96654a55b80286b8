//! Desktop entry point; mobile builds enter through `run` in the library.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    proof_ramp_app_lib::run();
}
