//! The app's screens as a state machine: signed out → home → form → widget → transaction.
//!
//! The UI renders [`Screen`]; every user action and every event from the widget or the status
//! stream is an [`Action`]; [`Screen::next`] is the only place screens change, so the rules are
//! tested here rather than in the webview.

use ramp_api::{TxType, WidgetEvent};
use serde::Serialize;

/// What the app shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "screen", rename_all = "snake_case")]
pub enum Screen {
    /// Sign-in.
    #[default]
    SignedOut,
    /// KYC badge, Buy/Sell, recent transactions.
    Home,
    /// Amount, currency, network.
    Form {
        /// Buy or sell.
        #[serde(rename = "type")]
        tx_type: TxType,
    },
    /// The widget is open for this transaction.
    Widget {
        /// Transaction id.
        tx: String,
    },
    /// Live status of a transaction.
    Transaction {
        /// Transaction id.
        tx: String,
    },
    /// Settings and diagnostics.
    Settings,
    /// Every transaction of the user, newest first, page by page.
    History,
}

/// Something that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Signed in (or a saved sign-in was found).
    SignedIn,
    /// The backend refused the sign-in.
    SignedOut,
    /// Buy or Sell tapped.
    Start(TxType),
    /// The backend created a session and the widget opens.
    WidgetOpened(String),
    /// The widget reported something.
    Widget(WidgetEvent),
    /// The user confirmed leaving the widget.
    WidgetClosed,
    /// A transaction in the list was tapped.
    Open(String),
    /// Settings tapped.
    OpenSettings,
    /// All transactions tapped.
    OpenHistory,
    /// Back/Done.
    Back,
}

impl Screen {
    /// The screen after `action`. Actions that make no sense on a screen leave it unchanged.
    pub fn next(&self, action: Action) -> Screen {
        match (self, action) {
            (_, Action::SignedOut) => Screen::SignedOut,
            (Screen::SignedOut, Action::SignedIn) => Screen::Home,
            (Screen::SignedOut, _) => Screen::SignedOut,
            (Screen::Home, Action::Start(t)) => Screen::Form { tx_type: t },
            (Screen::Home | Screen::Transaction { .. } | Screen::History, Action::Open(tx)) => {
                Screen::Transaction { tx }
            }
            (Screen::Home, Action::OpenSettings) => Screen::Settings,
            (Screen::Home, Action::OpenHistory) => Screen::History,
            // A new purchase, or an unfinished one continued (from home, its screen, or Reopen).
            (
                Screen::Form { .. } | Screen::Home | Screen::Transaction { .. } | Screen::Widget { .. },
                Action::WidgetOpened(tx),
            ) => Screen::Widget { tx },
            // Payment done (whatever the outcome) or the user left: show the live status.
            (Screen::Widget { tx }, Action::Widget(WidgetEvent::PaymentFinished { .. }))
            | (Screen::Widget { tx }, Action::Widget(WidgetEvent::Close { .. }))
            | (Screen::Widget { tx }, Action::WidgetClosed) => Screen::Transaction { tx: tx.clone() },
            (Screen::Widget { .. }, Action::Widget(_)) => self.clone(),
            (Screen::Form { .. } | Screen::Transaction { .. } | Screen::Settings | Screen::History, Action::Back) => {
                Screen::Home
            }
            (s, _) => s.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purchase_walks_every_screen() {
        let s = Screen::SignedOut.next(Action::SignedIn);
        assert_eq!(s, Screen::Home);
        let s = s.next(Action::Start(TxType::Buy));
        assert_eq!(s, Screen::Form { tx_type: TxType::Buy });
        let s = s.next(Action::WidgetOpened("t1".into()));
        assert_eq!(s, Screen::Widget { tx: "t1".into() });
        let s = s.next(Action::Widget(WidgetEvent::Status { status: "paid".into(), payment_method: None }));
        assert_eq!(s, Screen::Widget { tx: "t1".into() }, "status hints keep the widget open");
        let s = s.next(Action::Widget(WidgetEvent::PaymentFinished { payment_method: Some("card".into()) }));
        assert_eq!(s, Screen::Transaction { tx: "t1".into() });
        assert_eq!(s.next(Action::Back), Screen::Home);
    }

    #[test]
    fn the_history_opens_from_home_and_leads_to_a_transaction() {
        let h = Screen::Home.next(Action::OpenHistory);
        assert_eq!(h, Screen::History);
        assert_eq!(h.next(Action::Open("t9".into())), Screen::Transaction { tx: "t9".into() });
        assert_eq!(h.next(Action::Back), Screen::Home);
        assert_eq!(Screen::Settings.next(Action::OpenHistory), Screen::Settings, "from home only");
        assert_eq!(Screen::SignedOut.next(Action::OpenHistory), Screen::SignedOut);
    }

    #[test]
    fn closing_the_widget_shows_the_transaction() {
        let w = Screen::Widget { tx: "t2".into() };
        assert_eq!(w.next(Action::WidgetClosed), Screen::Transaction { tx: "t2".into() });
        assert_eq!(
            w.next(Action::Widget(WidgetEvent::Close { reason: "expired".into() })),
            Screen::Transaction { tx: "t2".into() }
        );
    }

    #[test]
    fn an_unfinished_purchase_reopens_from_home_its_screen_and_a_stuck_window() {
        for s in [Screen::Home, Screen::Transaction { tx: "t3".into() }, Screen::Widget { tx: "t3".into() }] {
            assert_eq!(s.next(Action::WidgetOpened("t3".into())), Screen::Widget { tx: "t3".into() });
        }
        assert_eq!(Screen::Settings.next(Action::WidgetOpened("t3".into())), Screen::Settings);
    }

    #[test]
    fn signing_out_wins_everywhere_and_nothing_else_leaves_sign_in() {
        for s in [Screen::Home, Screen::Settings, Screen::Widget { tx: "t".into() }] {
            assert_eq!(s.next(Action::SignedOut), Screen::SignedOut);
        }
        assert_eq!(Screen::SignedOut.next(Action::Start(TxType::Buy)), Screen::SignedOut);
        assert_eq!(Screen::SignedOut.next(Action::Open("t".into())), Screen::SignedOut);
    }
}
