//! Writing a kit's files: PEM, encrypted PKCS#8, PKCS#12, zip, README.txt, the import guide,
//! Apple's `.mobileconfig`, devices' firmware C headers and the client and server snippets. The data they encode is [`crate::kit`]'s.

pub(crate) mod c_header;
pub(crate) mod guide;
pub(crate) mod mobileconfig;
pub(crate) mod pem;
pub(crate) mod pkcs12;
pub(crate) mod pkcs8;
pub(crate) mod readme;
pub(crate) mod snippets;
pub(crate) mod zip;
