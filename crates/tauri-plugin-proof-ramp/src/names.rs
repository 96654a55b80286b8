// The plugin's commands, read by its build script (their permissions and the default set) and
// by the crate (`COMMANDS`). The handler in `lib.rs` lists the same functions.

/// Every command the plugin has, as the UI names them (`plugin:proof-ramp|<name>`).
pub const COMMANDS: &[&str] = &[
    "app_info",
    "boot",
    "personas",
    "sign_in",
    "sign_out",
    "sign_out_everywhere",
    "ramp_config",
    "kyc_status",
    "transactions",
    "transactions_page",
    "open_support",
    "deposit",
    "open_in_wallet",
    "transaction",
    "navigate",
    "start_ramp",
    "close_widget",
    "widget_back",
    "parse_address",
    "read_qr_image",
    "event_log",
    "export_log",
    "log_error",
    "resume_ramp",
    "reopen_widget",
    "restore",
    "set_language",
];
