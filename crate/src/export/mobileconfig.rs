//! Apple's configuration profile (`.mobileconfig`) carrying a root, for iOS/iPadOS and
//! macOS. Installing it is only half the job on iOS: the root must then be switched on under
//! Settings → General → About → Certificate Trust Settings (the guide says so).

use crate::error::Error;
use crate::rng;
use base64::Engine as _;

/// A random UUID (version-less: Apple only needs it unique) in upper-case hex.
fn uuid() -> Result<String, Error> {
    let h = hex::encode_upper(rng::bytes::<16>()?);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The profile for the root certificate `root_der` named `cn`, with fresh payload UUIDs.
pub fn mobileconfig(root_der: &[u8], cn: &str) -> Result<String, Error> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(root_der);
    let esc = xml_escape(cn);
    let (u1, u2) = (uuid()?, uuid()?);
    Ok(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadCertificateFileName</key><string>ca.cer</string>
      <key>PayloadContent</key><data>{b64}</data>
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
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_carries_the_root_and_escapes_the_name() {
        let p = mobileconfig(&[1, 2, 3, 4], "Lab <Root> & Co").expect("profile");
        assert!(p.contains("<data>AQIDBA==</data>"));
        assert!(p.contains("<string>Lab &lt;Root&gt; &amp; Co</string>"));
        let uuids: Vec<&str> = p.matches("<key>PayloadUUID</key><string>").collect();
        assert_eq!(uuids.len(), 2);
    }
}
