//! The phone projects (camera, return link, the payment window's activity) and Tauri's build.

fn main() {
    ramp_mobile::build::phone_projects().unwrap_or_else(|e| panic!("Proof Ramp: {e}"));
    tauri_build::build();
}
