//! Settings chosen by name (output formats, which copy to keep, when to
//! draw progress), so that a caller of the library, a command line or a
//! configuration file can name them without the library knowing which.

/// A closed set of named values.
pub trait Choice: Copy + Sized + 'static {
    /// Every value, with its name and a line saying what it does.
    const ALL: &'static [(Self, &'static str, &'static str)];

    /// The value's name, as parsed.
    fn name(self) -> &'static str;

    /// The value of a name, if it is one.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|c| c.1 == name).map(|c| c.0)
    }
}

/// Implements [`Choice`] for a fieldless enum: `choices!(Type { Variant =>
/// "name", "what it does"; ... })`.
macro_rules! choices {
    ($type:ty { $($variant:ident => $name:literal, $about:literal;)+ }) => {
        impl $crate::choice::Choice for $type {
            const ALL: &'static [(Self, &'static str, &'static str)] =
                &[$((<$type>::$variant, $name, $about)),+];

            fn name(self) -> &'static str {
                match self {
                    $(<$type>::$variant => $name),+
                }
            }
        }
    };
}
pub(crate) use choices;

#[cfg(test)]
mod tests {
    use super::Choice;
    use crate::report::Format;

    #[test]
    fn names_round_trip() {
        for &(value, name, about) in Format::ALL {
            assert_eq!(value.name(), name);
            assert_eq!(Format::from_name(name), Some(value));
            assert!(!about.is_empty());
        }
        assert_eq!(Format::from_name("xml"), None);
    }
}
