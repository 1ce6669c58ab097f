//! Apple's configuration profile (`.mobileconfig`) carrying a root, for iOS/iPadOS and
//! macOS. Installing it is only half the job on iOS: the root must then be switched on under
//! Settings → General → About → Certificate Trust Settings (the guide says so).
//!
//! The keys follow Apple's Configuration Profile Reference (TopLevel and CertificateRoot,
//! <https://developer.apple.com/documentation/devicemanagement/certificateroot>): the profile's
//! PayloadIdentifier, PayloadType `Configuration`, PayloadUUID and PayloadVersion 1, and one
//! `com.apple.security.root` payload with the DER certificate as PayloadContent. Both UUIDs and
//! identifiers come from the root's SHA-256, so a second download of the same root's profile
//! replaces the first (iOS matches profiles by PayloadIdentifier) instead of adding another.

use sha2::{Digest, Sha256};

/// A UUID (RFC 9562 version 8: custom data) made from the first 16 bytes of `h`, in
/// upper-case hex.
fn uuid(h: &[u8]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8
    b[8] = (b[8] & 0x3f) | 0x80; // the RFC variant
    let h = hex::encode_upper(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The two UUIDs of the profile of `root_der`: (the root payload's, the profile's). Different
/// from each other, and the same for every profile of the same root.
pub(crate) fn uuids(root_der: &[u8]) -> (String, String) {
    let h = Sha256::digest(root_der);
    let mut p = Sha256::new();
    p.update(b"certlab .mobileconfig profile of the root with SHA-256 ");
    p.update(h);
    (uuid(&h), uuid(&p.finalize()))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The profile for the root certificate `root_der` named `cn`. The same root always gives the
/// same profile (its UUIDs come from the root's SHA-256).
pub fn mobileconfig(root_der: &[u8], cn: &str) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(root_der);
    let esc = xml_escape(cn);
    let (u1, u2) = uuids(root_der);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadCertificateFileName</key><string>ca.cer</string>
      <key>PayloadContent</key><data>{b64}</data>
      <key>PayloadDescription</key><string>Adds the root certificate {esc}.</string>
      <key>PayloadDisplayName</key><string>{esc}</string>
      <key>PayloadIdentifier</key><string>lab.certlab.root.{u1}</string>
      <key>PayloadType</key><string>com.apple.security.root</string>
      <key>PayloadUUID</key><string>{u1}</string>
      <key>PayloadVersion</key><integer>1</integer>
    </dict>
  </array>
  <key>PayloadDisplayName</key><string>{esc} (certlab)</string>
  <key>PayloadIdentifier</key><string>lab.certlab.profile.{u2}</string>
  <key>PayloadType</key><string>Configuration</string>
  <key>PayloadUUID</key><string>{u2}</string>
  <key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_carries_the_root_and_escapes_the_name() {
        let p = mobileconfig(&[1, 2, 3, 4], "Lab <Root> & Co");
        assert!(p.contains("<data>AQIDBA==</data>"));
        assert!(p.contains("<string>Lab &lt;Root&gt; &amp; Co</string>"));
        let uuids: Vec<&str> = p.matches("<key>PayloadUUID</key><string>").collect();
        assert_eq!(uuids.len(), 2);
    }

    #[test]
    fn uuids_come_from_the_root_alone() {
        let (a, b) = uuids(&[1, 2, 3]);
        assert_ne!(a, b);
        assert_eq!(uuids(&[1, 2, 3]), (a.clone(), b));
        assert_ne!(uuids(&[1, 2, 4]).0, a);
        assert_eq!(mobileconfig(&[9; 40], "x"), mobileconfig(&[9; 40], "x"));
        // 8-4-4-4-12 upper-case hex, version 8, RFC variant.
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('8'));
        assert!("89AB".contains(&parts[3][..1]));
        assert_eq!(a, a.to_uppercase());
    }
}
