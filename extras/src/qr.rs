//! Reading a QR code from an image for `my.scan` (the devtools' QR image, or one chosen from
//! the "album"), in plain Rust with the `quircs` crate (a Rust port of the quirc
//! decoder; `rqrr` carries a 64 KiB multiplication table into the wasm, DESIGN.md): the glue hands over the image's pixels
//! (decoded and scaled by the browser's canvas) and gets the code's text and bytes, or a reason
//! to fail with. Tested natively with codes the `qrcode` crate draws, and with the committed
//! fixtures of `www/simulator/fixtures/` (`qr_fixtures_decode_to_their_text`).

/// The longest side, in pixels, an image is decoded at (the glue scales a larger one down
/// first: a phone's camera frame is about this size, and it bounds the work and memory).
pub const MAX_SIDE: u32 = 1600;

/// Why no code was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrError {
    /// The pixels do not match the size given (a glue fault).
    BadPixels,
    /// No QR code was found in the image.
    NotFound,
    /// A QR code was found but could not be read (damaged, or cut off); says why.
    Unreadable(String),
}

impl std::fmt::Display for QrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QrError::BadPixels => f.write_str("the image's pixels do not match its size"),
            QrError::NotFound => f.write_str("no QR code was found in the image"),
            QrError::Unreadable(why) => {
                write!(f, "a QR code was found but could not be read ({why})")
            }
        }
    }
}

/// A code read from an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Its bytes as text (UTF-8; a byte that is not is shown as U+FFFD).
    pub text: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The grey level of an RGBA pixel (ITU-R BT.601 luma, integer), transparent as white (a
/// PNG code on a transparent background is dark modules on "paper").
pub fn luma(rgba: [u8; 4]) -> u8 {
    let [r, g, b, a] = rgba.map(u32::from);
    let y = (299 * r + 587 * g + 114 * b) / 1000;
    // Composite over white.
    ((y * a + 255 * (255 - a)) / 255) as u8
}

/// Greys of an RGBA buffer (`width * height * 4` bytes).
pub fn greys_of_rgba(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| luma([p[0], p[1], p[2], p[3]]))
        .collect()
}

/// The first QR code found in a `width` × `height` grey image (`greys`, row by row).
pub fn decode(width: usize, height: usize, greys: &[u8]) -> Result<Decoded, QrError> {
    if width == 0
        || height == 0
        || width > MAX_SIDE as usize
        || height > MAX_SIDE as usize
        || greys.len() != width * height
    {
        return Err(QrError::BadPixels);
    }
    let mut quirc = quircs::Quirc::new();
    let mut last = None;
    for code in quirc.identify(width, height, greys) {
        let decoded = code
            .map_err(|e| e.to_string())
            .and_then(|code| code.decode().map_err(|e| e.to_string()));
        match decoded {
            Ok(data) => {
                return Ok(Decoded {
                    text: String::from_utf8_lossy(&data.payload).into_owned(),
                    bytes: data.payload,
                })
            }
            Err(why) => last = Some(why),
        }
    }
    Err(match last {
        Some(why) => QrError::Unreadable(why),
        None => QrError::NotFound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::{Color, EcLevel, QrCode};

    /// `text` as a QR code drawn `scale` pixels a module with a 4-module quiet zone.
    fn draw(text: &str, scale: usize) -> (usize, Vec<u8>) {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).unwrap();
        let modules = code.width();
        let side = (modules + 8) * scale;
        let colors = code.to_colors();
        let mut greys = vec![255u8; side * side];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
                if mx < modules && my < modules && colors[my * modules + mx] == Color::Dark {
                    greys[y * side + x] = 0;
                }
            }
        }
        (side, greys)
    }

    /// The grey pixels of a PNG file (any colour type the `png` crate expands to 8 bits).
    fn png_greys(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        let px = &buf[..info.buffer_size()];
        let greys = match info.color_type {
            png::ColorType::Grayscale => px.to_vec(),
            png::ColorType::GrayscaleAlpha => px
                .chunks_exact(2)
                .map(|p| luma([p[0], p[0], p[0], p[1]]))
                .collect(),
            png::ColorType::Rgb => px
                .chunks_exact(3)
                .map(|p| luma([p[0], p[1], p[2], 255]))
                .collect(),
            png::ColorType::Rgba => greys_of_rgba(px),
            png::ColorType::Indexed => unreachable!("EXPAND turns palettes into RGB"),
        };
        (w, h, greys)
    }

    /// Writes a grey image as an 8-bit greyscale PNG.
    fn png_of(side: usize, greys: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::High);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(greys).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn codes_drawn_by_the_qrcode_crate_read_back() {
        for (text, scale) in [
            ("https://example.com/table/12", 4),
            ("6901234567892", 3),
            ("扫码点餐 · 桌号 12", 5),
            (&"x".repeat(300) as &str, 2),
        ] {
            let (side, greys) = draw(text, scale);
            let got = decode(side, side, &greys).unwrap();
            assert_eq!(got.text, text);
            assert_eq!(got.bytes, text.as_bytes());
        }
    }

    #[test]
    fn images_without_a_readable_code_fail_with_a_reason() {
        let blank = vec![255u8; 120 * 120];
        assert_eq!(decode(120, 120, &blank), Err(QrError::NotFound));
        assert_eq!(decode(120, 120, &[0u8; 10]), Err(QrError::BadPixels));
        assert_eq!(decode(0, 0, &[]), Err(QrError::BadPixels));
        let big = MAX_SIDE as usize + 1;
        assert_eq!(decode(big, 1, &vec![0; big]), Err(QrError::BadPixels));
        // Noise, stripes, all dark: no panic, an error.
        let mut seed = 0x2545_f491_u32;
        let noise: Vec<u8> = (0..200 * 200)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (seed & 0xff) as u8
            })
            .collect();
        let stripes: Vec<u8> = (0..200 * 200)
            .map(|i| if i % 7 < 3 { 0 } else { 255 })
            .collect();
        for greys in [noise, stripes, vec![0u8; 200 * 200]] {
            assert!(decode(200, 200, &greys).is_err());
        }
        // A code with a third of it painted over is found but unreadable, or not found.
        let (side, mut greys) = draw("https://example.com/table/12", 4);
        for y in side / 3..side {
            for x in side / 3..side * 2 / 3 {
                greys[y * side + x] = 0;
            }
        }
        assert!(decode(side, side, &greys).is_err());
        assert!(QrError::Unreadable("ecc".into())
            .to_string()
            .contains("could not be read"));
    }

    #[test]
    fn luma_composites_over_white() {
        assert_eq!(luma([0, 0, 0, 255]), 0);
        assert_eq!(luma([255, 255, 255, 255]), 255);
        assert_eq!(luma([0, 0, 0, 0]), 255);
        assert_eq!(luma([255, 0, 0, 255]), 76);
        assert_eq!(greys_of_rgba(&[0, 0, 0, 255, 255, 255, 255, 255]), [0, 255]);
    }

    /// The QR fixtures of the devtools (their file, their text). A fixture that is not
    /// readable has `None`: the scan's failure shape is tested with it.
    pub const FIXTURES: &[(&str, Option<&str>)] = &[
        ("qr-table-12.png", Some("https://example.com/table/12")),
        (
            "qr-pay.png",
            Some("alipays://platformapi/startapp?appId=2102020000000002&page=pages/pay/pay"),
        ),
        ("qr-damaged.png", None),
    ];

    fn fixture_png(name: &str) -> Vec<u8> {
        let (text, damaged) = match FIXTURES.iter().find(|f| f.0 == name) {
            Some((_, Some(text))) => (*text, false),
            _ => ("https://example.com/table/12", true),
        };
        let (side, mut greys) = draw(text, 6);
        if damaged {
            // Its finder patterns stay; most of its data is painted over.
            let m = side / 5;
            for y in m * 2..side - m {
                for x in m * 2..side - m {
                    greys[y * side + x] = if (x / 6 + y / 6) % 2 == 0 { 0 } else { 255 };
                }
            }
        }
        png_of(side, &greys)
    }

    /// The committed fixtures are what this test draws (regenerate them with
    /// `QR_FIXTURES_WRITE=1 cargo test -p miniprogram-shim-extras qr_fixtures`), and ours reads
    /// each back from its PNG bytes.
    #[test]
    fn qr_fixtures_decode_to_their_text() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/simulator/fixtures");
        for (name, text) in FIXTURES {
            let drawn = fixture_png(name);
            let path = dir.join(name);
            if std::env::var_os("QR_FIXTURES_WRITE").is_some() {
                std::fs::write(&path, &drawn).unwrap();
            }
            let committed = std::fs::read(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (write it with QR_FIXTURES_WRITE=1)",
                    path.display()
                )
            });
            assert_eq!(committed, drawn, "{name} is not what this test draws");
            let (w, h, greys) = png_greys(&committed);
            match text {
                Some(text) => assert_eq!(decode(w, h, &greys).unwrap().text, *text, "{name}"),
                None => assert!(decode(w, h, &greys).is_err(), "{name} must not read"),
            }
        }
    }
}
