//! The MQTT snippets: mosquitto's listener blocks (TLS on 8883, WebSockets with TLS on 8884),
//! `mosquitto_sub` / `mosquitto_pub`, paho-mqtt over TLS and over WebSockets, and the probe of
//! the plain TLS listener. Only for kits with a client or device: the broker requires a
//! certificate and takes the device's CN as its user name.

use super::{Client, KEY_PASSWORD_VAR, LISTEN_ADDRESS, Parts, Snippet, key_note, server_key_for};

pub(super) fn all(p: &Parts<'_>) -> Vec<Snippet> {
    let Some(c) = &p.client else {
        return Vec::new();
    };
    vec![
        mosquitto_conf(p),
        mosquitto_client(p, c, "mosquitto_sub"),
        mosquitto_client(p, c, "mosquitto_pub"),
        paho(p, c, false),
        paho(p, c, true),
        probe_tls(p, c),
    ]
}

fn topic(c: &Client<'_>) -> String {
    format!("lab/{}", c.name)
}

fn mosquitto_conf(p: &Parts<'_>) -> Snippet {
    // mosquitto checks the CRL of the device's issuer only (OpenSSL's CRL_CHECK), read at
    // start; a CRL past its nextUpdate makes it refuse every device.
    let crl = p.client_crl.map_or(String::new(), |crl| {
        format!(
            "# revocation: once `certlab revoke` has revoked a device, uncomment (restart\n\
             # mosquitto after each revoke; past the CRL's nextUpdate, 30 days, every device is refused)\n\
             # crlfile {crl}\n"
        )
    });
    // mosquitto has no key password setting: an encrypted key is read from its decrypted copy.
    let (key, key_line_note) = server_key_for(p, "#", "mosquitto");
    let tls = format!(
        "certfile {chain}\n\
         {key_line_note}\
         keyfile {key}\n\
         cafile {ca}\n\
         require_certificate true\n\
         use_identity_as_username true\n{crl}",
        chain = p.server_chain,
        ca = p.client_trust,
    );
    let text = format!(
        "# mosquitto.conf: MQTT over TLS and over WebSockets with TLS. Every client needs a\n\
         # certificate from {ca}; its CN becomes its user name. Paths are relative to the\n\
         # folder mosquitto starts in. {addr} serves this machine only.\n\
         per_listener_settings false\n\
         allow_anonymous false\n\n\
         listener {mqtt} {addr}\n\
         {tls}\n\
         listener {ws} {addr}\n\
         # mosquitto 2.0's websockets listener binds every interface unless told ipv4 only\n\
         socket_domain ipv4\n\
         protocol websockets\n\
         {tls}",
        ca = p.client_trust,
        addr = LISTEN_ADDRESS,
        mqtt = p.at.mqtt_port,
        ws = p.at.mqtt_ws_port,
    );
    Snippet::new(
        "mosquitto-conf",
        "mosquitto",
        "conf",
        "mosquitto.conf",
        "mosquitto: listener blocks for MQTT over TLS and over WebSockets, client certificates required",
        text,
    )
}

/// `mosquitto_sub` (waits for one message) or `mosquitto_pub` as the kit's first device.
fn mosquitto_client(p: &Parts<'_>, c: &Client<'_>, prog: &'static str) -> Snippet {
    let (id, what, title) = if prog == "mosquitto_sub" {
        (
            "mosquitto-sub",
            "-C 1 -v".to_string(),
            "waits for one message",
        )
    } else {
        (
            "mosquitto-pub",
            format!("-m 'hello from {}'", c.name),
            "publishes one",
        )
    };
    // mosquitto's clients take no key password (OpenSSL would ask on the terminal): an
    // encrypted key is decrypted into a file only its owner can read, removed at the end.
    let (prelude, key) = if c.key_encrypted {
        (
            format!(
                "{}# {prog} takes no key password: the key decrypted into a private temporary file\n\
                 key=$(mktemp) && trap 'rm -f \"$key\"' EXIT\n\
                 openssl pkey -in {} -passin env:{KEY_PASSWORD_VAR} -out \"$key\"\n",
                key_note("#", c.key),
                c.key
            ),
            "\"$key\"".to_string(),
        )
    } else {
        (String::new(), c.key.to_string())
    };
    let text = format!(
        "{prelude}{prog} -h {h} -p {port} --cafile {root} --cert {chain} --key {key} -t {topic} {what}\n",
        h = p.at.host,
        port = p.at.mqtt_port,
        root = p.root,
        chain = c.chain,
        topic = topic(c),
    );
    Snippet::new(
        id,
        "mosquitto",
        "sh",
        if prog == "mosquitto_sub" {
            "sub.sh"
        } else {
            "pub.sh"
        },
        format!("{prog} as {}: {title}", c.name),
        text,
    )
}

/// paho-mqtt: connect, subscribe, publish, print the message back, disconnect.
fn paho(p: &Parts<'_>, c: &Client<'_>, websockets: bool) -> Snippet {
    let (id, transport, port, file, title) = if websockets {
        (
            "paho-mqtt-websockets",
            "websockets",
            p.at.mqtt_ws_port,
            "mqtt_ws_client.py",
            "paho-mqtt over WebSockets with TLS (pip install paho-mqtt)",
        )
    } else {
        (
            "paho-mqtt",
            "tcp",
            p.at.mqtt_port,
            "mqtt_client.py",
            "paho-mqtt over TLS (pip install paho-mqtt)",
        )
    };
    let (note, os, pw) = if c.key_encrypted {
        (
            key_note("#", c.key),
            "import os\n",
            format!(", keyfile_password=os.environ[\"{KEY_PASSWORD_VAR}\"]"),
        )
    } else {
        (String::new(), "", String::new())
    };
    let text = format!(
        "{note}{os}import paho.mqtt.client as mqtt\n\n\
         TOPIC = \"{topic}\"\n\n\
         def on_connect(client, userdata, flags, reason, properties):\n\
         \x20   if reason.is_failure:\n\
         \x20       raise SystemExit(f\"refused: {{reason}}\")\n\
         \x20   client.subscribe(TOPIC)\n\n\
         def on_subscribe(client, userdata, mid, reasons, properties):\n\
         \x20   client.publish(TOPIC, \"hello from {name}\")\n\n\
         def on_message(client, userdata, msg):\n\
         \x20   print(msg.topic, msg.payload.decode())\n\
         \x20   client.disconnect()\n\n\
         client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, transport=\"{transport}\")\n\
         client.on_connect, client.on_subscribe, client.on_message = on_connect, on_subscribe, on_message\n\
         client.tls_set(ca_certs=\"{root}\", certfile=\"{chain}\", keyfile=\"{key}\"{pw})\n\
         client.connect(\"{h}\", {port})\n\
         client.loop_forever()\n",
        topic = topic(c),
        name = c.name,
        root = p.root,
        chain = c.chain,
        key = c.key,
        h = p.at.host,
    );
    Snippet::new(id, "paho-mqtt", "python", file, title, text)
}

/// The probe on the broker's plain TLS listener: the handshake only.
fn probe_tls(p: &Parts<'_>, c: &Client<'_>) -> Snippet {
    let text = format!(
        "{note}certlab-echo probe tls://{h}:{port} --ca {root} --cert {chain} --key {key}{pw}\n",
        note = c.password(|| key_note("#", c.key)),
        pw = c.password(|| format!(" --key-password \"${KEY_PASSWORD_VAR}\"")),
        h = p.at.host,
        port = p.at.mqtt_port,
        root = p.root,
        chain = c.chain,
        key = c.key,
    );
    Snippet::new(
        "probe-tls",
        "certlab-echo",
        "sh",
        "probe-tls.sh",
        "certlab-echo probe tls://: the broker's chain and the verdict, the handshake only",
        text,
    )
}
