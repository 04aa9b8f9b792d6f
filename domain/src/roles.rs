//! Roles of accounts and publication levels of records, stored as their SCREAMING_CASE names.

/// A string that names no known variant (from the database: a bug, since CHECK constraints
/// guard the columns).
#[derive(Debug, thiserror::Error)]
#[error("unknown {kind} '{value}'")]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub value: String,
}

/// An enumeration stored as its SCREAMING_CASE name in a TEXT column: `as_str`, `FromStr`,
/// `TryFrom<String>` (for sqlx), `Display`, `Serialize`, `ALL`. The storage crate defines its
/// enumerations with it too.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::UnknownVariant { kind: stringify!($name), value: other.to_owned() }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::UnknownVariant;
            fn try_from(s: String) -> Result<Self, Self::Error> { s.parse() }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

crate::text_enum!(
    /// What an account may do; see [`crate::Reader`].
    Role {
        /// Operates the platform: reads and writes everything.
        Admin = "ADMIN",
        /// The Ministerium für Bildung: reads every district, writes the state's data.
        Ministry = "MINISTRY",
        /// A district's coordinator: reads and writes the own district.
        Coordinator = "COORDINATOR",
        /// Documents workshops that are open beyond one district.
        Facilitator = "FACILITATOR",
    }
);

crate::text_enum!(
    /// Who may read a record.
    Publication {
        Public = "PUBLIC",
        /// Everybody signed in.
        Registered = "REGISTERED",
        /// The record's own district.
        District = "DISTRICT",
    }
);
