//! Firmware: the ESP-IDF (esp-mqtt) and Arduino (PubSubClient over the ESP32 core's
//! WiFiClientSecure) lines that hand a device's C header (`devices/NAME.h`) to its MQTT
//! client, for the kit's broker on the MQTT port. Only for kits with device headers. They are
//! compiled against those APIs' declarations by `echo/tests/firmware.rs` (neither SDK is in
//! Debian); the mbedTLS test there runs the same header on a real TLS stack.

use super::{Parts, Snippet};
use crate::export::c_header::c_ident;
use crate::kit::Manifest;
use crate::role::Role;

pub(super) fn all(m: &Manifest, p: &Parts<'_>) -> Vec<Snippet> {
    let Some(d) = m
        .identities
        .iter()
        .find(|i| i.role == Role::Device && i.files.c_header.is_some())
    else {
        return Vec::new();
    };
    let (id, cn, host, port) = (c_ident(&d.name), &d.common_name, &p.at.host, p.at.mqtt_port);
    vec![
        Snippet::new(
            "esp-idf",
            "ESP-IDF",
            "c",
            "main.c",
            format!("ESP-IDF 5 (esp-mqtt): {cn} on the broker, from its header"),
            format!(
                "#include \"{h}\"\n\
                 const esp_mqtt_client_config_t mqtt_cfg = {{\n\
                 \x20   .broker.address.uri = \"mqtts://{host}:{port}\",\n\
                 \x20   .broker.verification.certificate = certlab_{id}_ca_pem,\n\
                 \x20   .credentials.client_id = \"{cn}\",\n\
                 \x20   .credentials.authentication.certificate = certlab_{id}_cert_pem,\n\
                 \x20   .credentials.authentication.key = certlab_{id}_key_pem,\n\
                 }};\n\
                 esp_mqtt_client_handle_t mqtt = esp_mqtt_client_init(&mqtt_cfg);",
                h = d.files.c_header.as_deref().unwrap_or_default()
            ),
        ),
        Snippet::new(
            "arduino",
            "Arduino",
            "cpp",
            "sketch.ino",
            format!("Arduino (PubSubClient over WiFiClientSecure): {cn} on the broker"),
            format!(
                "#include \"{h}\"\n\
                 WiFiClientSecure net;\n\
                 PubSubClient mqtt(net);\n\
                 net.setCACert(certlab_{id}_ca_pem);\n\
                 net.setCertificate(certlab_{id}_cert_pem);\n\
                 net.setPrivateKey(certlab_{id}_key_pem);\n\
                 mqtt.setServer(\"{host}\", {port});\n\
                 mqtt.connect(\"{cn}\");",
                h = d.files.c_header.as_deref().unwrap_or_default()
            ),
        ),
    ]
}
