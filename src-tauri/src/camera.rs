//! Who gets the camera: the widget webview, and no other.
//!
//! wry grants media capture to any page or frame unless the app decides; this policy is wired to
//! every webview (app-wide) and again on the widget webview itself. It knows only the webview's
//! label, which is why the widget has a webview of its own.

use tauri::webview::{PermissionKind, PermissionResponse};

/// Label of the widget's webview window.
pub(crate) const WIDGET: &str = "widget";

/// Camera and microphone for the widget webview only; everything else denied everywhere.
pub(crate) fn decide(label: &str, kind: &PermissionKind) -> PermissionResponse {
    match kind {
        PermissionKind::Camera | PermissionKind::Microphone if label == WIDGET => PermissionResponse::Allow,
        _ => PermissionResponse::Deny,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_widget_gets_the_camera() {
        assert!(matches!(decide(WIDGET, &PermissionKind::Camera), PermissionResponse::Allow));
        assert!(matches!(decide(WIDGET, &PermissionKind::Microphone), PermissionResponse::Allow));
        assert!(matches!(decide(WIDGET, &PermissionKind::Geolocation), PermissionResponse::Deny));
        for label in ["main", "widget2", ""] {
            assert!(matches!(decide(label, &PermissionKind::Camera), PermissionResponse::Deny), "{label}");
            assert!(matches!(decide(label, &PermissionKind::Microphone), PermissionResponse::Deny), "{label}");
        }
    }
}
