//! From bytes to text: size limits, binary detection and UTF-8 checks that
//! say where the bad byte is.

use super::ReadOptions;
use crate::error::InputProblem;
use std::io::Read;

/// Reads everything, refusing more than the document size limit.
pub fn read_limited(
    reader: impl Read,
    origin: &str,
    options: &ReadOptions,
) -> Result<Vec<u8>, InputProblem> {
    let mut bytes = Vec::new();
    reader
        .take(options.max_document_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| InputProblem::file(origin, super::read_failed(err)))?;
    if bytes.len() as u64 > options.max_document_bytes {
        return Err(InputProblem::file(
            origin,
            format!(
                "too large for one document (over {} bytes)",
                options.max_document_bytes
            ),
        ));
    }
    Ok(bytes)
}

/// Whether the bytes look like a binary file rather than text: a NUL byte,
/// which no text encoding this tool reads ever produces.
pub fn looks_binary(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// Names UTF-16 text: by its byte-order mark, or, without one, by NUL
/// bytes at every other position of its start (ASCII and Latin text in
/// UTF-16 has a zero byte beside each letter). It is named, not decoded:
/// the tool reads UTF-8, and a file converted once is read everywhere.
fn utf16(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xFE") {
        return Some("UTF-16LE (byte-order mark FF FE)");
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some("UTF-16BE (byte-order mark FE FF)");
    }
    let head = &bytes[..bytes.len().min(1024) & !1];
    // Text without a zero byte is no UTF-16 (one fast scan; most inputs).
    if head.len() < 8 || memchr::memchr(0, head).is_none() {
        return None;
    }
    let zero_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let pairs = head.len() / 2;
    if zero_at(1) * 10 >= pairs * 9 && zero_at(0) == 0 {
        Some("UTF-16LE (no byte-order mark)")
    } else if zero_at(0) * 10 >= pairs * 9 && zero_at(1) == 0 {
        Some("UTF-16BE (no byte-order mark)")
    } else {
        None
    }
}

/// What to say of bytes that start as UTF-16 text, if they do.
pub fn utf16_message(bytes: &[u8]) -> Option<String> {
    utf16(bytes).map(|utf16| {
        format!("{utf16} text, not UTF-8; convert it first (iconv -f UTF-16 -t UTF-8); skipped")
    })
}

/// Checks the bytes are UTF-8 text, dropping a byte-order mark. `first_line`
/// is the line number of the first byte, for messages.
pub fn to_text<'a>(
    bytes: &'a [u8],
    origin: &str,
    first_line: Option<usize>,
) -> Result<&'a str, InputProblem> {
    let at = |line_offset: usize, message: String| match first_line {
        Some(line) => InputProblem::line(origin, line + line_offset, message),
        None => InputProblem::line(origin, line_offset + 1, message),
    };
    if let Some(message) = utf16_message(bytes) {
        return Err(at(0, message));
    }
    if looks_binary(bytes) {
        let offset = bytes.iter().position(|&b| b == 0).unwrap_or(0);
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count();
        return Err(at(line, "binary data (NUL byte), not text; skipped".into()));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|err| {
        let valid = err.valid_up_to();
        let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count();
        let line_start = bytes[..valid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        at(
            line,
            format!(
                "invalid UTF-8 at byte {} (column {}); skipped",
                valid,
                valid - line_start + 1
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_is_named_for_what_it_is() {
        let le: Vec<u8> = "\u{feff}Quake hits the coast\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let err = to_text(&le, "f.txt", None).unwrap_err();
        assert!(
            err.message.contains("UTF-16LE (byte-order mark"),
            "{}",
            err.message
        );
        let be_bare: Vec<u8> = "Quake hits the coast\n"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let err = to_text(&be_bare, "f.txt", None).unwrap_err();
        assert!(
            err.message.contains("UTF-16BE (no byte-order mark)"),
            "{}",
            err.message
        );
        let err = to_text(b"abc\0def\0", "f.bin", None).unwrap_err();
        assert!(err.message.contains("binary data"), "{}", err.message);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let err = to_text(b"ok\nfine\nbad \xff here", "f.txt", None).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("invalid UTF-8"), "{}", err.message);
        assert!(err.message.contains("column 5"), "{}", err.message);
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let err = to_text(b"PK\x03\x04\x00\x00", "f.txt", None).unwrap_err();
        assert!(err.message.contains("binary"));
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(to_text(b"\xEF\xBB\xBFhi", "f", None).unwrap(), "hi");
    }

    #[test]
    fn limit_is_enforced() {
        let options = ReadOptions {
            max_document_bytes: 4,
            ..ReadOptions::default()
        };
        assert!(read_limited(&b"12345"[..], "f", &options).is_err());
        assert_eq!(read_limited(&b"1234"[..], "f", &options).unwrap(), b"1234");
    }
}
