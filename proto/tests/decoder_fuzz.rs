//! Property tests of the protocol decoder: any input yields a message or an error, never a
//! panic, and every valid message survives a round trip.

use atelier_proto::command::ClientMessage;
use atelier_proto::model::{CommuneRef, SecretFields};
use atelier_proto::text::{clean, Lines};
use proptest::prelude::*;

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        ".{0,40}".prop_map(serde_json::Value::from),
        prop_oneof![Just("hello"), Just("cmd"), Just("ping"), Just("submit_secret"), Just("cast_vote"), Just("type"), Just("op")]
            .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop_oneof![Just("type".to_owned()), Just("command".to_owned()), Just("op".to_owned()), Just("fields".to_owned()), ".{0,8}".prop_map(|s| s)],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn decoder_never_panics_on_text(input in ".{0,300}") {
        let _ = serde_json::from_str::<ClientMessage>(&input);
    }

    #[test]
    fn decoder_never_panics_on_json(value in json_value()) {
        let text = value.to_string();
        if let Ok(message) = serde_json::from_str::<ClientMessage>(&text) {
            let again = serde_json::to_string(&message).expect("re-encodes");
            let round_trip: ClientMessage = serde_json::from_str(&again).expect("decodes its own encoding");
            prop_assert_eq!(round_trip, message);
        }
    }

    #[test]
    fn validation_never_panics_and_respects_limits(title in ".{0,200}", text in ".{0,300}") {
        let fields = SecretFields {
            title,
            text,
            place: String::new(),
            commune: CommuneRef { insee: None, name: "Honfleur".into() },
            best_moment: String::new(),
            coordinates: None,
        };
        if let Ok(valid) = fields.validated() {
            prop_assert!(valid.title.chars().count() <= 120);
            prop_assert!(!valid.title.chars().any(|c| c.is_control()));
            prop_assert!(!valid.text.chars().any(|c| c.is_control() && c != '\n'));
            prop_assert_eq!(clean(&valid.title, Lines::Fold), valid.title.clone());
        }
    }
}
