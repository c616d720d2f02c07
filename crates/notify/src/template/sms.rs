//! SMS length accounting: which encoding a text needs and how many segments it costs.
//!
//! GSM 03.38 (GSM-7) covers the basic character set plus an extension table whose characters
//! (`^ { } \ [ ~ ] | €` and form feed) take two septets each (escape + character). Anything
//! else forces UCS-2, counted in UTF-16 code units (an emoji is a surrogate pair: two units).
//! One segment holds 160 septets or 70 units; a concatenated message loses room to the UDH,
//! leaving 153 septets or 67 units per segment. A two-unit character is never split across
//! segments, so segments are counted by filling them, not by dividing.

use serde::Serialize;

/// The encoding an SMS body needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

/// What an SMS body costs: the editor shows this live, the sender logs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SmsInfo {
    pub encoding: SmsEncoding,
    /// Septets for GSM-7, UTF-16 code units for UCS-2.
    pub units: u32,
    /// Messages the operator will bill; 0 for an empty text.
    pub segments: u32,
    /// Units still free in the last segment before another one is needed.
    pub remaining: u32,
}

const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Septets a character takes in GSM-7, or `None` if GSM-7 cannot carry it.
fn gsm_septets(c: char) -> Option<u32> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Encoding, length and segment count of an SMS body.
pub fn sms_info(text: &str) -> SmsInfo {
    let gsm: Option<Vec<u32>> = text.chars().map(gsm_septets).collect();
    let (encoding, sizes, single, multi) = match gsm {
        Some(sizes) => (SmsEncoding::Gsm7, sizes, 160, 153),
        None => {
            let sizes = text.chars().map(|c| c.len_utf16() as u32).collect();
            (SmsEncoding::Ucs2, sizes, 70, 67)
        }
    };
    let units: u32 = sizes.iter().sum();
    let (segments, remaining) = if units == 0 {
        (0, single)
    } else if units <= single {
        (1, single - units)
    } else {
        let (mut segments, mut used) = (1, 0);
        for size in sizes {
            if used + size > multi {
                segments += 1;
                used = 0;
            }
            used += size;
        }
        (segments, multi - used)
    };
    SmsInfo {
        encoding,
        units,
        segments,
        remaining,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_table_is_complete() {
        // 128 positions, one of which (0x1B) is the escape to the extension table.
        assert_eq!(GSM_BASIC.chars().count(), 127);
        assert_eq!(GSM_EXTENSION.chars().count(), 10);
    }

    #[test]
    fn gsm_single_and_multi_segment_boundaries() {
        let info = sms_info(&"a".repeat(160));
        assert_eq!(
            (info.encoding, info.units, info.segments, info.remaining),
            (SmsEncoding::Gsm7, 160, 1, 0)
        );
        let info = sms_info(&"a".repeat(161));
        assert_eq!((info.units, info.segments, info.remaining), (161, 2, 145));
        assert_eq!(sms_info(&"a".repeat(306)).segments, 2);
        assert_eq!(sms_info(&"a".repeat(307)).segments, 3);
    }

    #[test]
    fn extension_characters_count_two() {
        let info = sms_info("€");
        assert_eq!((info.encoding, info.units), (SmsEncoding::Gsm7, 2));
        assert_eq!(sms_info("{[~]}^|\\").units, 16);
        assert_eq!(sms_info(&format!("{}€", "a".repeat(158))).segments, 1);
        assert_eq!(sms_info(&format!("{}€", "a".repeat(159))).segments, 2);
    }

    #[test]
    fn extension_character_is_not_split_across_segments() {
        // 152 septets, then '€' (2) would straddle the 153 boundary: it moves to segment 2.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        let info = sms_info(&text);
        assert_eq!(info.units, 306);
        assert_eq!(info.segments, 3, "naive ceil(306/153) would say 2");
    }

    #[test]
    fn one_emoji_switches_to_ucs2_and_counts_two_units() {
        let info = sms_info("Your Harrier has arrived 🚗");
        assert_eq!(info.encoding, SmsEncoding::Ucs2);
        assert_eq!(info.units, 27);
        assert_eq!(sms_info(&"é".repeat(70)).encoding, SmsEncoding::Gsm7);
        let info = sms_info(&"ж".repeat(70));
        assert_eq!((info.encoding, info.segments), (SmsEncoding::Ucs2, 1));
        assert_eq!(sms_info(&"ж".repeat(71)).segments, 2);
        assert_eq!(sms_info(&"ж".repeat(134)).segments, 2);
        assert_eq!(sms_info(&"ж".repeat(135)).segments, 3);
        // A surrogate pair straddling the 67-unit boundary moves whole.
        let info = sms_info(&format!("{}🚗{}", "ж".repeat(66), "ж".repeat(10)));
        assert_eq!((info.units, info.segments), (78, 2));
        assert_eq!(info.remaining, 67 - 12);
    }

    #[test]
    fn curly_quotes_and_dashes_are_not_gsm() {
        assert_eq!(sms_info("It’s here").encoding, SmsEncoding::Ucs2);
        assert_eq!(sms_info("KES 1,800,000 – paid").encoding, SmsEncoding::Ucs2);
        assert_eq!(sms_info("It's here - paid").encoding, SmsEncoding::Gsm7);
    }

    #[test]
    fn empty_text_costs_nothing() {
        assert_eq!(sms_info("").segments, 0);
    }
}
