//! The phone projects (Android manifest and activities, iOS permission sentences: ramp-mobile),
//! then Tauri's build (the plugin's permissions reach the app's ACL through it).

fn main() {
    ramp_mobile::build::phone_projects().unwrap_or_else(|e| panic!("Proof Ramp: {e}"));
    tauri_build::build();
}
