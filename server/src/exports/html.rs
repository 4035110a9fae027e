//! Small HTML helpers for the printables: escaping and QR codes as images.

use base64::Engine;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders a QR code of `text` as an `<img>` data URI (SVG in base64), which the strict CSP
/// allows. Returns `None` when the text is too long for a QR code.
pub fn qr_data_uri(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build();
    Some(format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg)))
}

/// Percent-encodes a URL path segment or query value (RFC 3986 unreserved characters kept).
pub fn url_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralizes_markup() {
        assert_eq!(escape("<script>alert(\"x\")</script>"), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
        assert_eq!(escape("Tom & Jerry's"), "Tom &amp; Jerry&#39;s");
        assert_eq!(escape("Crêpes à l'ancienne"), "Crêpes à l&#39;ancienne");
    }

    #[test]
    fn qr_is_an_svg_data_uri() {
        let uri = qr_data_uri("http://127.0.0.1:8080/join/ABC234").unwrap();
        assert!(uri.starts_with("data:image/svg+xml;base64,"));
    }

    #[test]
    fn url_component_encodes_reserved() {
        assert_eq!(url_component("T2"), "T2");
        assert_eq!(url_component("a b&c"), "a%20b%26c");
    }
}
