//! Newtype ids. Each wraps a string so that a secret id can never be passed as a table id.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

string_id!(
    /// Server-generated id of a workshop (a UUID).
    WorkshopId
);
string_id!(
    /// Server-generated id of a participant within a workshop (`p1`, `p2`…).
    ParticipantId
);
string_id!(
    /// Server-generated id of a secret within a workshop (`s1`, `s2`…).
    SecretId
);
string_id!(
    /// Id of a table within a workshop (`T1`, `T2`…), also its printed label.
    TableId
);
string_id!(
    /// Client-generated id of one command; a retry with the same id applies once.
    OpId
);
