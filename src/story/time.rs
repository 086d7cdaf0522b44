//! Time in the similarity of two reports: a story is one event, bounded in
//! time, so look-alike events days apart should stay apart while one
//! event's reports, which come within days, stay together.
//!
//! When both documents carry a time, their cosine is multiplied by
//! [`TimeDecay::factor`] of the gap between them: 1 for the same moment,
//! falling with the gap to a floor, so that a follow-up weeks later (a
//! trial, an anniversary) can still join when its words are close enough.
//! A document without a time is compared as before.

use crate::corpus::DAY_SECONDS;

/// How similarity falls with the time between two documents.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeDecay {
    /// Gap, in days, at which the factor is halfway between 1 and the floor.
    pub scale_days: f32,
    /// The factor for the longest gaps.
    pub floor: f32,
}

/// Default [`TimeDecay::scale_days`].
pub const DEFAULT_SCALE_DAYS: f32 = 3.0;

/// Default [`TimeDecay::floor`].
pub const DEFAULT_FLOOR: f32 = 0.3;

impl Default for TimeDecay {
    fn default() -> Self {
        TimeDecay {
            scale_days: DEFAULT_SCALE_DAYS,
            floor: DEFAULT_FLOOR,
        }
    }
}

impl TimeDecay {
    /// No decay: time changes nothing.
    pub const OFF: TimeDecay = TimeDecay {
        scale_days: f32::INFINITY,
        floor: 1.0,
    };

    /// The factor for two documents' times: `floor + (1 - floor) / (1 +
    /// gap / scale)`, gap in days; 1 when either is undated.
    #[inline]
    pub fn factor(&self, a: Option<i64>, b: Option<i64>) -> f32 {
        match (a, b) {
            (Some(a), Some(b)) => self.factor_of_gap(a.abs_diff(b)),
            _ => 1.0,
        }
    }

    /// The factor for a gap in seconds.
    #[inline]
    pub fn factor_of_gap(&self, gap_seconds: u64) -> f32 {
        if self.floor >= 1.0 || gap_seconds == 0 {
            return 1.0;
        }
        let days = gap_seconds as f32 / DAY_SECONDS as f32;
        self.floor + (1.0 - self.floor) / (1.0 + days / self.scale_days)
    }

    /// Whether time can change any similarity.
    pub fn is_off(&self) -> bool {
        self.floor >= 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = DAY_SECONDS;

    #[test]
    fn the_same_time_or_no_time_changes_nothing() {
        let decay = TimeDecay::default();
        assert_eq!(decay.factor(Some(5 * DAY), Some(5 * DAY)), 1.0);
        assert_eq!(decay.factor(None, Some(5 * DAY)), 1.0);
        assert_eq!(decay.factor(Some(5 * DAY), None), 1.0);
        assert_eq!(TimeDecay::OFF.factor(Some(0), Some(1000 * DAY)), 1.0);
    }

    #[test]
    fn halfway_at_the_scale_and_never_below_the_floor() {
        let decay = TimeDecay {
            scale_days: 2.0,
            floor: 0.4,
        };
        let halfway = decay.factor(Some(0), Some(2 * DAY));
        assert!((halfway - 0.7).abs() < 1e-6, "{halfway}");
        assert!(decay.factor(Some(0), Some(100_000 * DAY)) >= 0.4);
        assert!(decay.factor(Some(i64::MIN), Some(i64::MAX)) >= 0.4);
    }

    proptest::proptest! {
        /// Symmetric, at most 1, at least the floor, and never higher for a
        /// longer gap.
        #[test]
        fn the_factor_is_symmetric_bounded_and_monotone(
            a in -4_000_000_000i64..4_000_000_000,
            b in -4_000_000_000i64..4_000_000_000,
            longer in 0u64..1_000_000_000,
            scale_days in 0.1f32..60.0,
            floor in 0.0f32..1.0,
        ) {
            let decay = TimeDecay { scale_days, floor };
            let f = decay.factor(Some(a), Some(b));
            proptest::prop_assert_eq!(f, decay.factor(Some(b), Some(a)));
            proptest::prop_assert!(f <= 1.0 && f >= floor - 1e-6);
            let gap = a.abs_diff(b);
            proptest::prop_assert!(decay.factor_of_gap(gap.saturating_add(longer)) <= f);
        }
    }
}
