//! QR codes in pictures (desktop: a screenshot or photo of a wallet's receive screen). Phones use
//! the camera scanner instead; both hand the text to [`ramp_api::address::parse`].

use image::ImageReader;

/// Largest picture accepted, in bytes.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Largest side, in pixels; bigger pictures are scaled down before decoding.
const MAX_SIDE: u32 = 2_000;

/// Why no QR code text came out of a picture. Messages are for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// Empty or not a picture format we read.
    #[error("This file is not a picture the app can read; use a PNG or JPEG screenshot or photo.")]
    NotAnImage,
    /// Over [`MAX_BYTES`].
    #[error("This picture is too large ({0} MB); crop it to the QR code or use a smaller screenshot.")]
    TooLarge(usize),
    /// No QR code found.
    #[error("No QR code found in this picture. Crop it to the code, or paste the address instead.")]
    NoCode,
    /// A code was found but could not be read.
    #[error("The QR code in this picture could not be read; try a sharper picture, or paste the address.")]
    Unreadable,
}

impl QrError {
    /// The sentence in `lang` (the `Display` text is the English one).
    pub fn message(&self, lang: ramp_api::i18n::Lang) -> String {
        let m = ramp_api::i18n::messages();
        match self {
            Self::NotAnImage => m.text(lang, "qr.not_a_picture", &[]),
            Self::TooLarge(mb) => m.text(lang, "qr.too_large", &[("size", &mb.to_string())]),
            Self::NoCode => m.text(lang, "qr.none", &[]),
            Self::Unreadable => m.text(lang, "qr.unreadable", &[]),
        }
    }
}

/// The text of the first readable QR code in a PNG or JPEG picture.
///
/// # Errors
/// A [`QrError`] saying what to try instead.
pub fn decode(bytes: &[u8]) -> Result<String, QrError> {
    if bytes.len() > MAX_BYTES {
        return Err(QrError::TooLarge(bytes.len().div_ceil(1024 * 1024)));
    }
    let reader =
        ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().map_err(|_| QrError::NotAnImage)?;
    if reader.format().is_none() {
        return Err(QrError::NotAnImage);
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(256 * 1024 * 1024);
    let mut reader = reader;
    reader.limits(limits);
    let img = reader.decode().map_err(|_| QrError::NotAnImage)?;
    let img = if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let luma = img.to_luma8();
    let (w, h) = luma.dimensions();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
        luma.get_pixel(x as u32, y as u32).0[0]
    });
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(QrError::NoCode);
    }
    grids.iter().find_map(|g| g.decode().ok().map(|(_, text)| text)).ok_or(QrError::Unreadable)
}
