//! The gallery's two texts besides gallery.json: the `certlab-echo` config and README.txt.

use super::GalleryIndex;

/// The `certlab-echo serve --config` file: one listener per case.
pub(super) fn echo_toml(index: &GalleryIndex) -> String {
    let mut s = String::from(
        "# certlab-echo serve --config echo.toml (or: certlab-echo gallery .): one listener per case.\n\
         idle-timeout = \"5m\"\n",
    );
    for c in &index.cases {
        s.push_str(&format!(
            "\n[listener.{name}]\naddr = \"{addr}\"\ncert = \"{cert}\"\nkey = \"cases/{name}.key\"\n",
            name = c.name,
            addr = c.connect,
            cert = c.cert,
        ));
        if c.client_auth {
            s.push_str(&format!(
                "client-ca = [\"{}\"]\ncrl = [\"{}\"]\nclient-auth = \"required\"\n",
                index.ca, index.crl
            ));
        }
    }
    s
}

pub(super) fn readme(index: &GalleryIndex) -> String {
    let mut s = String::from(
        "certlab gallery: certificates broken on purpose\n\
         ===============================================\n\n\
         Trust ca.crt (the gallery root) in the browser or tool you test, never stranger-ca.crt.\n\
         Serve every case:   certlab-echo gallery .\n\
         Then open each URL below (or load this folder in the page's Lab panel), predict\n\
         accept or reject, and compare. `certlab lint --ca ca.crt --crl ca.crl --host HOST\n\
         --purpose server cases/NAME.pem` names what is wrong before you connect.\n\n",
    );
    for c in &index.cases {
        s.push_str(&format!(
            "{:<22} {}\n{:<22} {}\n\n",
            c.name, c.title, "", c.url
        ));
    }
    for n in &index.not_made {
        s.push_str(&format!("not made: {}: {}\n", n.name, n.why));
    }
    s
}
