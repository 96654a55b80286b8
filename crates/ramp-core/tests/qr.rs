//! QR pictures made here with a QR encoder, decoded back, and read as addresses.

use image::{ImageFormat, Luma};
use qrcode::QrCode;
use ramp_api::address;
use ramp_core::qr::{self, QrError};

fn png(text: &str, module_px: u32) -> Vec<u8> {
    let code = QrCode::new(text.as_bytes()).expect("encodes");
    let img = code.render::<Luma<u8>>().module_dimensions(module_px, module_px).build();
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).expect("png");
    out.into_inner()
}

#[test]
fn addresses_and_links_round_trip_through_a_picture() {
    for (text, network, want) in [
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TRC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        (
            "bitcoin:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4?amount=0.5",
            "BITCOIN",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        ),
        (
            "ethereum:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed@1?value=1e18",
            "ERC20",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        ),
    ] {
        let decoded = qr::decode(&png(text, 6)).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(decoded, text);
        assert_eq!(address::parse(&decoded, network).expect("address").address, want);
    }
}

#[test]
fn a_photo_sized_picture_with_margins_and_jpeg_compression_still_reads() {
    let code = QrCode::new(b"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").expect("encodes");
    let small = code.render::<Luma<u8>>().module_dimensions(20, 20).build();
    // Put it off-centre on a large grey canvas, as in a phone screenshot, then save as JPEG.
    let mut canvas = image::GrayImage::from_pixel(3_000, 2_400, Luma([200]));
    image::imageops::overlay(&mut canvas, &small, 900, 700);
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(canvas).write_to(&mut out, ImageFormat::Jpeg).expect("jpeg");
    assert_eq!(qr::decode(out.get_ref()).expect("decodes"), "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
}

#[test]
fn pictures_without_a_code_and_files_that_are_not_pictures() {
    let blank = image::GrayImage::from_pixel(200, 200, Luma([255]));
    let mut out = std::io::Cursor::new(Vec::new());
    blank.write_to(&mut out, ImageFormat::Png).expect("png");
    assert_eq!(qr::decode(out.get_ref()), Err(QrError::NoCode));
    assert_eq!(qr::decode(b""), Err(QrError::NotAnImage));
    assert_eq!(qr::decode(b"%PDF-1.7 not a picture"), Err(QrError::NotAnImage));
    let truncated = png("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", 6);
    assert_eq!(qr::decode(&truncated[..truncated.len() / 2]), Err(QrError::NotAnImage));
    assert!(matches!(qr::decode(&vec![0u8; qr::MAX_BYTES + 1]), Err(QrError::TooLarge(11))));
}

#[test]
fn a_scanned_wrong_network_address_is_caught_before_the_widget() {
    let text = qr::decode(&png("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 5)).expect("decodes");
    let e = address::parse(&text, "TRC20").expect_err("EVM address for TRC20");
    assert!(e.to_string().contains("but TRC20 is selected"), "{e}");
}
