//! The image JSAPIs' rules (DESIGN.md, "Images"): `my.chooseImage`'s options, what
//! `my.getImageInfo` reads from an image's bytes (its format and EXIF orientation),
//! `my.compressImage`'s quality and size, and `my.previewImage`'s list. Plain Rust; the glue
//! (`glue::media`) decodes and re-encodes with the browser's canvas.

use crate::error::ApiError;

/// Most images one `my.chooseImage` returns (Alipay's limit).
pub const MAX_CHOOSE: u8 = 9;

/// Where `my.chooseImage` may take images from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sources {
    /// `camera`.
    pub camera: bool,
    /// `album`.
    pub album: bool,
}

/// `my.chooseImage` options, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChooseImage {
    /// 1–9 (default 1).
    pub count: u8,
    /// Default both.
    pub sources: Sources,
}

impl ChooseImage {
    /// `count` (`(value, given)`), `sourceType` (list or one), `sizeType` (checked, and
    /// otherwise unused: the simulator returns the original).
    pub fn new(
        count: (Option<f64>, bool),
        source_type: Option<Vec<String>>,
        size_type: Option<Vec<String>>,
    ) -> Result<Self, ApiError> {
        let count = match count {
            (None, false) => 1,
            (Some(n), _) if n.fract() == 0.0 && (1.0..=f64::from(MAX_CHOOSE)).contains(&n) => {
                n as u8
            }
            _ => {
                return Err(ApiError::invalid(
                    "count",
                    format!("must be a whole number from 1 to {MAX_CHOOSE}"),
                ))
            }
        };
        let sources = match source_type {
            None => Sources {
                camera: true,
                album: true,
            },
            Some(list) => {
                let mut s = Sources {
                    camera: false,
                    album: false,
                };
                for (i, t) in list.iter().enumerate() {
                    match t.as_str() {
                        "camera" => s.camera = true,
                        "album" => s.album = true,
                        other => {
                            return Err(ApiError::invalid(
                                format!("sourceType[{i}]"),
                                format!("must be camera or album (got {other:?})"),
                            ))
                        }
                    }
                }
                if !s.camera && !s.album {
                    return Err(ApiError::invalid("sourceType", "must name camera or album"));
                }
                s
            }
        };
        for (i, t) in size_type.iter().flatten().enumerate() {
            if t != "original" && t != "compressed" {
                return Err(ApiError::invalid(
                    format!("sizeType[{i}]"),
                    format!("must be original or compressed (got {t:?})"),
                ));
            }
        }
        Ok(ChooseImage { count, sources })
    }
}

/// The image format of `head` (the first bytes), as `my.getImageInfo`'s `type` says it.
pub fn image_type(head: &[u8]) -> Option<&'static str> {
    const TYPES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"\xff\xd8\xff", "jpeg"),
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (b"BM", "bmp"),
    ];
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some("webp");
    }
    TYPES
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, name)| *name)
}

/// The stored width and height of a PNG, JPEG, GIF or BMP image from its first bytes (a JPEG
/// needs the bytes up to its frame header); `None` for another format or when they are not
/// there. Read from the bytes, not from the browser's decoder, so the answer is the same in
/// every browser whatever it does with EXIF orientation.
pub fn image_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes([
            *bytes.get(i)?,
            *bytes.get(i + 1)?,
        ])))
    };
    let le16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_le_bytes([
            *bytes.get(i)?,
            *bytes.get(i + 1)?,
        ])))
    };
    let size = match image_type(bytes)? {
        "png" => {
            let be32 = |i: usize| -> Option<u32> {
                Some(u32::from_be_bytes(bytes.get(i..i + 4)?.try_into().ok()?))
            };
            (be32(16)?, be32(20)?)
        }
        "gif" => (le16(6)?, le16(8)?),
        "bmp" => {
            let le32 = |i: usize| -> Option<i32> {
                Some(i32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?))
            };
            (le32(18)?.unsigned_abs(), le32(22)?.unsigned_abs())
        }
        "jpeg" => {
            let mut at = 2usize;
            loop {
                if *bytes.get(at)? != 0xff {
                    return None;
                }
                let marker = *bytes.get(at + 1)?;
                let len = usize::try_from(be16(at + 2)?).ok()?;
                // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
                if (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker) {
                    break (be16(at + 7)?, be16(at + 5)?);
                }
                if marker == 0xda || marker == 0xd9 {
                    return None;
                }
                at = at.checked_add(2 + len)?;
            }
        }
        _ => return None,
    };
    (size.0 > 0 && size.1 > 0).then_some(size)
}

/// The EXIF orientation (1–8) of a JPEG, 1 when it has none or it cannot be read.
pub fn jpeg_orientation(bytes: &[u8]) -> u8 {
    exif_orientation(bytes).unwrap_or(1)
}

fn exif_orientation(bytes: &[u8]) -> Option<u8> {
    if !bytes.starts_with(b"\xff\xd8") {
        return None;
    }
    let mut at = 2usize;
    // Walk the segments before the image data.
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xff {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xda || marker == 0xd9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let body = bytes.get(at + 4..at + 2 + len)?;
        if marker == 0xe1 && body.starts_with(b"Exif\0\0") {
            return tiff_orientation(&body[6..]);
        }
        at = at.checked_add(2 + len)?;
    }
    None
}

fn tiff_orientation(tiff: &[u8]) -> Option<u8> {
    let big = match tiff.get(..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |i: usize| -> Option<u16> {
        let b = [*tiff.get(i)?, *tiff.get(i + 1)?];
        Some(if big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |i: usize| -> Option<u32> {
        let b = [
            *tiff.get(i)?,
            *tiff.get(i + 1)?,
            *tiff.get(i + 2)?,
            *tiff.get(i + 3)?,
        ];
        Some(if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = usize::from(u16_at(ifd)?);
    for n in 0..entries {
        let entry = ifd.checked_add(2 + 12 * n)?;
        if u16_at(entry)? == 0x0112 {
            let value = u16_at(entry + 8)?;
            return (1..=8).contains(&value).then_some(value as u8);
        }
    }
    None
}

/// `my.getImageInfo`'s `orientation` for an EXIF orientation.
pub fn orientation_name(exif: u8) -> &'static str {
    match exif {
        2 => "up-mirrored",
        3 => "down",
        4 => "down-mirrored",
        5 => "left-mirrored",
        6 => "right",
        7 => "right-mirrored",
        8 => "left",
        _ => "up",
    }
}

/// `my.compressImage` options, checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Compress {
    /// 0 low, 1 medium, 2 high, 3 none (the original bytes), 4 by network (as medium here).
    pub level: u8,
    /// `compressedWidth` / `compressedHeight`: the exact size (one given keeps the ratio).
    pub exact: (Option<u32>, Option<u32>),
    /// `maxWidth` / `maxHeight`: scaled down to fit.
    pub max: (Option<u32>, Option<u32>),
}

/// Largest side an image may be given (keeps a canvas allocation sane).
pub const MAX_SIDE: u32 = 8192;

fn side(name: &str, value: (Option<f64>, bool)) -> Result<Option<u32>, ApiError> {
    match value {
        (None, false) => Ok(None),
        (Some(n), _) if n.fract() == 0.0 && n >= 1.0 && n <= f64::from(MAX_SIDE) => {
            Ok(Some(n as u32))
        }
        _ => Err(ApiError::invalid(
            name,
            format!("must be a whole number of pixels from 1 to {MAX_SIDE}"),
        )),
    }
}

impl Compress {
    /// `compressLevel` (0–4, default 4) and the four sizes, each `(value, given)`.
    pub fn new(
        level: (Option<f64>, bool),
        width: (Option<f64>, bool),
        height: (Option<f64>, bool),
        max_width: (Option<f64>, bool),
        max_height: (Option<f64>, bool),
    ) -> Result<Self, ApiError> {
        let level = match level {
            (None, false) => 4,
            (Some(n), _) if n.fract() == 0.0 && (0.0..=4.0).contains(&n) => n as u8,
            _ => {
                return Err(ApiError::invalid(
                    "compressLevel",
                    "must be 0, 1, 2, 3 or 4",
                ))
            }
        };
        Ok(Compress {
            level,
            exact: (
                side("compressedWidth", width)?,
                side("compressedHeight", height)?,
            ),
            max: (side("maxWidth", max_width)?, side("maxHeight", max_height)?),
        })
    }

    /// The JPEG quality (0–1) to encode at; `None` for level 3 without a size change (the
    /// original is kept as it is).
    pub fn quality(&self) -> Option<f64> {
        match self.level {
            0 => Some(0.3),
            2 => Some(0.8),
            3 if self.exact == (None, None) && self.max == (None, None) => None,
            3 => Some(0.92),
            _ => Some(0.6),
        }
    }

    /// The size to draw a `w`×`h` image at.
    pub fn target(&self, w: u32, h: u32) -> (u32, u32) {
        let (w, h) = (w.max(1), h.max(1));
        let scale = |n: u32, num: u32, den: u32| {
            ((u64::from(n) * u64::from(num) + u64::from(den) / 2) / u64::from(den)).max(1) as u32
        };
        let (mut tw, mut th) = match self.exact {
            (Some(ew), Some(eh)) => (ew, eh),
            (Some(ew), None) => (ew, scale(h, ew, w)),
            (None, Some(eh)) => (scale(w, eh, h), eh),
            (None, None) => (w, h),
        };
        // Scaled down once, by the tighter of the two limits (no rounding twice).
        let (mw, mh) = (
            self.max.0.unwrap_or(u32::MAX),
            self.max.1.unwrap_or(u32::MAX),
        );
        if tw > mw || th > mh {
            if u64::from(mw) * u64::from(th) <= u64::from(mh) * u64::from(tw) {
                (tw, th) = (mw, scale(th, mw, tw));
            } else {
                (tw, th) = (scale(tw, mh, th), mh);
            }
        }
        (tw.min(MAX_SIDE), th.min(MAX_SIDE))
    }
}

/// `my.previewImage`'s `current`: an index (number) or one of `urls` (as WeChat-style code
/// passes it); default 0; error 2 naming `current` when it is neither.
pub fn preview_index(
    urls: &[String],
    current_number: (Option<f64>, bool),
    current_text: Option<&str>,
) -> Result<usize, ApiError> {
    if urls.is_empty() {
        return Err(ApiError::invalid(
            "urls",
            "is required: a non-empty array of image paths or URLs",
        ));
    }
    let bad = || {
        ApiError::invalid(
            "current",
            format!(
                "must be an index from 0 to {} or one of urls",
                urls.len() - 1
            ),
        )
    };
    if let Some(text) = current_text {
        if let Some(i) = urls.iter().position(|u| u == text) {
            return Ok(i);
        }
    }
    match current_number {
        (None, false) => Ok(0),
        (Some(n), _) if n.fract() == 0.0 && n >= 0.0 && (n as usize) < urls.len() => Ok(n as usize),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choose_image_checks_count_and_sources() {
        let d = ChooseImage::new((None, false), None, None).unwrap();
        assert_eq!(d.count, 1);
        assert!(d.sources.camera && d.sources.album);
        let c = ChooseImage::new((Some(3.0), true), Some(vec!["camera".into()]), None).unwrap();
        assert_eq!(
            (c.count, c.sources.camera, c.sources.album),
            (3, true, false)
        );
        let cases = [
            ((Some(0.0), true), None, None, "`count`"),
            ((Some(10.0), true), None, None, "`count`"),
            ((Some(1.5), true), None, None, "`count`"),
            ((None, true), None, None, "`count`"),
            (
                (None, false),
                Some(vec!["roll".into()]),
                None,
                "`sourceType[0]`",
            ),
            ((None, false), Some(vec![]), None, "`sourceType`"),
            (
                (None, false),
                None,
                Some(vec!["original".into(), "tiny".into()]),
                "`sizeType[1]`",
            ),
        ];
        for (count, source, size, named) in cases {
            let err = ChooseImage::new(count, source, size).unwrap_err();
            assert_eq!(err.code(), 2);
            assert!(err.to_string().contains(named), "{err}");
        }
    }

    #[test]
    fn image_types_are_sniffed_from_the_bytes() {
        assert_eq!(
            image_type(include_bytes!("../../www/simulator/fixtures/receipt.png")),
            Some("png")
        );
        assert_eq!(
            image_type(include_bytes!("../../www/simulator/fixtures/shop.jpg")),
            Some("jpeg")
        );
        assert_eq!(image_type(b"GIF89a...."), Some("gif"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(image_type(b"%PDF-1.4"), None);
        assert_eq!(image_type(b""), None);
    }

    #[test]
    fn sizes_are_read_from_the_headers() {
        assert_eq!(
            image_size(include_bytes!("../../www/simulator/fixtures/receipt.png")),
            Some((40, 60))
        );
        assert_eq!(
            image_size(include_bytes!("../../www/simulator/fixtures/shop.jpg")),
            Some((80, 60))
        );
        // The rotated photo is stored 80×60; its orientation says to show it turned.
        assert_eq!(
            image_size(include_bytes!("../../www/simulator/fixtures/rotated.jpg")),
            Some((80, 60))
        );
        assert_eq!(image_size(b"GIF89a\x0a\0\x05\0"), Some((10, 5)));
        let shop = include_bytes!("../../www/simulator/fixtures/shop.jpg");
        assert_eq!(image_size(&shop[..40]), None);
        assert_eq!(
            image_size(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\0\0\0\0\x01"),
            None
        );
        assert_eq!(image_size(b"%PDF-"), None);
    }

    #[test]
    fn orientation_comes_from_exif() {
        let rotated = include_bytes!("../../www/simulator/fixtures/rotated.jpg");
        assert_eq!(jpeg_orientation(rotated), 6);
        assert_eq!(orientation_name(jpeg_orientation(rotated)), "right");
        let plain = include_bytes!("../../www/simulator/fixtures/shop.jpg");
        assert_eq!(orientation_name(jpeg_orientation(plain)), "up");
        // Little-endian TIFF, orientation 8; and truncated or hostile segments read as 1.
        let le = [
            0xff, 0xd8, 0xff, 0xe1, 0, 34, b'E', b'x', b'i', b'f', 0, 0, b'I', b'I', 0x2a, 0, 8, 0,
            0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xd9,
        ];
        assert_eq!(jpeg_orientation(&le), 8);
        for bad in [
            &le[..20],
            &[0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff][..],
            &[0xff, 0xd8, 0xff, 0xe1, 0, 0][..],
            b"not a jpeg",
        ] {
            assert_eq!(jpeg_orientation(bad), 1);
        }
        let names: Vec<_> = (1..=8).map(orientation_name).collect();
        assert_eq!(
            names,
            [
                "up",
                "up-mirrored",
                "down",
                "down-mirrored",
                "left-mirrored",
                "right",
                "right-mirrored",
                "left"
            ]
        );
    }

    fn compress(level: Option<f64>, sizes: [Option<f64>; 4]) -> Result<Compress, ApiError> {
        let g = |v: Option<f64>| (v, v.is_some());
        Compress::new(g(level), g(sizes[0]), g(sizes[1]), g(sizes[2]), g(sizes[3]))
    }

    #[test]
    fn compress_levels_and_sizes() {
        let d = compress(None, [None; 4]).unwrap();
        assert_eq!(
            (d.level, d.quality(), d.target(80, 60)),
            (4, Some(0.6), (80, 60))
        );
        assert_eq!(compress(Some(0.0), [None; 4]).unwrap().quality(), Some(0.3));
        assert_eq!(compress(Some(3.0), [None; 4]).unwrap().quality(), None);
        let w = compress(Some(3.0), [Some(40.0), None, None, None]).unwrap();
        assert_eq!((w.quality(), w.target(80, 60)), (Some(0.92), (40, 30)));
        let h = compress(None, [None, Some(30.0), None, None]).unwrap();
        assert_eq!(h.target(80, 60), (40, 30));
        let both = compress(None, [Some(10.0), Some(10.0), None, None]).unwrap();
        assert_eq!(both.target(80, 60), (10, 10));
        let fit = compress(None, [None, None, Some(50.0), Some(20.0)]).unwrap();
        assert_eq!(fit.target(80, 60), (27, 20));
        assert_eq!(fit.target(10, 10), (10, 10));
        for (level, sizes, named) in [
            (Some(5.0), [None; 4], "`compressLevel`"),
            (None, [Some(0.0), None, None, None], "`compressedWidth`"),
            (None, [None, Some(1.5), None, None], "`compressedHeight`"),
            (None, [None, None, Some(9000.0), None], "`maxWidth`"),
            (None, [None, None, None, Some(-1.0)], "`maxHeight`"),
        ] {
            let err = compress(level, sizes).unwrap_err();
            assert!(err.to_string().contains(named), "{err}");
        }
    }

    #[test]
    fn preview_current_is_an_index_or_a_url() {
        let urls = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(preview_index(&urls, (None, false), None).unwrap(), 0);
        assert_eq!(preview_index(&urls, (Some(1.0), true), None).unwrap(), 1);
        assert_eq!(preview_index(&urls, (None, true), Some("b")).unwrap(), 1);
        for (n, t) in [((Some(2.0), true), None), ((None, true), Some("c"))] {
            let err = preview_index(&urls, n, t).unwrap_err();
            assert!(err.to_string().contains("`current`"), "{err}");
        }
        let err = preview_index(&[], (None, false), None).unwrap_err();
        assert!(err.to_string().contains("`urls`"), "{err}");
    }
}
