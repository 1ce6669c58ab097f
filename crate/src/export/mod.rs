//! Writing a kit's files: PEM, encrypted PKCS#8, PKCS#12, zip and README.txt. The manifest
//! lives with the [`crate::kit::Kit`] it describes.

pub mod pem;
pub mod pkcs12;
pub mod pkcs8;
pub mod readme;
pub mod zip;
