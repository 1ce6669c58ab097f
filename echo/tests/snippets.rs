//! Every snippet the engine prints for a kit (the page's tab and README.txt, from
//! [`certlab::snippets`]) saved verbatim and run by the real program it names: certlab-echo
//! serves the kit as its own `certlab-echo` snippet says, then curl, openssl s_client, the
//! probe, Python (`ssl`, `requests`, `websockets`) and Node (`https`, `tls`) reach it; nginx
//! (Debian's, in the foreground with a temporary prefix) serves the `server {}` block and curl
//! reaches it with the client identity; the Cute `[Listener]` section's files serve mutual TLS.
//! The MQTT snippets run in `mqtt.rs`, the Qt one in `qt.rs`; `every_snippet_is_run` keeps
//! that list whole.

mod common;

use certlab::{KeyAlgorithm, Preset};
use common::peers::{
    KEY_PASSWORD, Served, encrypted, endpoint, need, nginx_serving, run_snippet, snippet, wait_port,
};
use common::{KitDir, free_port, write_kit};

/// The snippets each test file runs; a snippet missing here fails `every_snippet_is_run`.
const RUN_HERE: &[&str] = &[
    "certlab-echo",
    "nginx",
    "cute-listener",
    "probe",
    "curl",
    "openssl",
    "curl-mtls",
    "openssl-mtls",
    "python-ssl",
    "python-requests",
    "python-websockets",
    "node-https",
    "node-tls",
];
const RUN_IN_QT_RS: &[&str] = &["qt"];
/// Compiled against their SDKs' declarations in `firmware.rs` (the SDKs are not in Debian).
const RUN_IN_FIRMWARE_RS: &[&str] = &["esp-idf", "arduino"];
const RUN_IN_MQTT_RS: &[&str] = &[
    "plain-server-key",
    "mosquitto-conf",
    "mosquitto-sub",
    "mosquitto-pub",
    "paho-mqtt",
    "paho-mqtt-websockets",
    "probe-tls",
];

/// A kit of `preset`; `split` adds an intermediate and a separate client CA (the server's
/// root and the clients' root then differ: the snippets must name each in its place).
fn kit(preset: Preset, alg: KeyAlgorithm, split: bool) -> KitDir {
    let mut spec = preset.spec(alg);
    if split {
        spec.intermediate = Some(certlab::CaSpec::intermediate(alg));
        spec.client_ca = Some(certlab::CaSpec::client_ca(alg));
    }
    write_kit(certlab::generate(&spec).expect("generate kit"))
}

/// Starts the kit's `certlab-echo` snippet (bash, verbatim) and waits for its listener.
fn serve(k: &KitDir, at: &certlab::Endpoint) -> Served {
    let s = snippet(&k.kit.manifest, at, "certlab-echo");
    let p = Served::start(k.dir.path(), &s);
    wait_port(at.port, "certlab-echo (its snippet)");
    p
}

/// Runs the client snippets `ids` against the server at `at`; each must succeed and print
/// every one of `expect`.
fn clients_pass(k: &KitDir, at: &certlab::Endpoint, ids: &[&str], expect: &[&str]) {
    for id in ids {
        let s = snippet(&k.kit.manifest, at, id);
        let ran = run_snippet(k.dir.path(), &s);
        assert!(ran.ok, "snippet {id} failed:\n{}\n---\n{}", s.text, ran.out);
        for e in expect {
            assert!(
                ran.out.contains(e),
                "snippet {id} printed no {e:?}:\n{}",
                ran.out
            );
        }
    }
}

/// Every mutual-TLS client snippet, as alice, against the kit's server at `at`: the greeting
/// names alice and the verdict; openssl's verifies the server.
fn every_client_as_alice(k: &KitDir, at: &certlab::Endpoint) {
    clients_pass(
        k,
        at,
        &[
            "curl-mtls",
            "python-ssl",
            "python-requests",
            "python-websockets",
            "node-https",
            "node-tls",
        ],
        &["\"common_name\": \"alice\"", "\"verdict\": \"verified\""],
    );
    clients_pass(
        k,
        at,
        &["probe"],
        &["verification: verified", "alice", "OK"],
    );
    clients_pass(k, at, &["openssl-mtls"], &["Verify return code: 0 (ok)"]);
}

#[test]
fn every_snippet_is_run() {
    for preset in [Preset::Iot, Preset::Mtls, Preset::Dev] {
        let spec = preset.spec(KeyAlgorithm::EcdsaP256);
        for spec in [spec.clone(), encrypted(spec)] {
            let kit = certlab::generate(&spec).expect("kit");
            for s in certlab::snippets(&kit.manifest, &certlab::Endpoint::of(&kit.manifest)) {
                assert!(
                    [RUN_HERE, RUN_IN_QT_RS, RUN_IN_MQTT_RS, RUN_IN_FIRMWARE_RS]
                        .concat()
                        .contains(&s.id),
                    "snippet {} has no test that runs it: a snippet no test runs does not ship",
                    s.id
                );
            }
        }
    }
}

/// A kit made with a key password (every .key encrypted) and an intermediate and a separate
/// client CA: the server snippets (certlab-echo; nginx with its password file; the Cute
/// listener on the decrypted copy the plain-key snippet makes) and every client snippet read
/// the keys with the password from the environment variable the snippets name.
#[test]
fn encrypted_keys_work_in_every_snippet() {
    need("curl", "ensure_base_tools");
    need("openssl", "ensure_base_tools");
    need("nginx", "ensure_nginx");
    let k = write_kit(
        certlab::generate(&{
            let mut spec = encrypted(Preset::Mtls.spec(KeyAlgorithm::EcdsaP256));
            spec.intermediate = Some(certlab::CaSpec::intermediate(KeyAlgorithm::EcdsaP256));
            spec.client_ca = Some(certlab::CaSpec::client_ca(KeyAlgorithm::EcdsaP256));
            spec
        })
        .expect("generate kit"),
    );
    let m = &k.kit.manifest;
    assert!(
        std::fs::read_to_string(k.path("alice.key"))
            .unwrap()
            .contains("ENCRYPTED PRIVATE KEY")
    );
    let at = endpoint(free_port(), 0, 0);
    {
        let _server = serve(&k, &at);
        every_client_as_alice(&k, &at);
        // Without the password the same snippet fails: the key really is encrypted.
        let s = snippet(m, &at, "curl-mtls");
        let mut cmd = common::peers::snippet_command(k.dir.path(), &s);
        cmd.env(certlab::KEY_PASSWORD_VAR, "wrong");
        let wrong = common::peers::run_bounded(&mut cmd, std::time::Duration::from_secs(120));
        assert!(
            !wrong.ok,
            "curl-mtls ran with a wrong key password:\n{}",
            wrong.out
        );
    }

    // nginx: the block verbatim, its password file beside it. Each server of this test gets
    // a port of its own: a killed server's port may not be free yet.
    let at = endpoint(free_port(), 0, 0);
    let block = snippet(m, &at, "nginx");
    assert!(
        block.text.contains(&format!(
            "ssl_password_file   {};",
            certlab::NGINX_PASSWORD_FILE
        )),
        "{}",
        block.text
    );
    std::fs::write(
        k.path(certlab::NGINX_PASSWORD_FILE),
        format!("{KEY_PASSWORD}\n"),
    )
    .unwrap();
    {
        let nginx = nginx_serving(k.dir.path(), &block.text, at.port);
        let ran = run_snippet(k.dir.path(), &snippet(m, &at, "curl-mtls"));
        assert!(ran.ok, "{}\nnginx:\n{}", ran.out, nginx.log());
        assert!(ran.out.contains("hello CN=alice (SUCCESS)"), "{}", ran.out);
    }

    // The Cute listener names the decrypted copy; the plain-key snippet makes it, private.
    let at = endpoint(free_port(), 0, 0);
    let plain = run_snippet(k.dir.path(), &snippet(m, &at, "plain-server-key"));
    assert!(plain.ok, "{}", plain.out);
    let copy = k.path("server.plain.key");
    let text = std::fs::read_to_string(&copy).unwrap();
    assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "{text}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "server.plain.key is readable by others");
    let ini = snippet(m, &at, "cute-listener").text;
    assert!(ini.contains("privateKey = server.plain.key"), "{ini}");
    let _cute = common::Server::start(&[
        "--cert",
        &k.p("server.fullchain.pem"),
        "--key",
        &k.p("server.plain.key"),
        "--client-ca",
        &k.p("client-ca.crt"),
        "--client-auth",
        "required",
        "--listen",
        &format!("127.0.0.1:{}", at.port),
    ]);
    clients_pass(&k, &at, &["curl-mtls"], &["\"common_name\": \"alice\""]);
}

/// A mutual-TLS kit with an intermediate and a separate client CA: every client snippet, as
/// alice, through the kit's own certlab-echo line (which trusts the client CA); the greeting names alice and the verdict.
#[test]
fn mutual_tls_clients_reach_certlab_echo() {
    need("curl", "ensure_base_tools");
    need("openssl", "ensure_base_tools");
    let k = kit(Preset::Mtls, KeyAlgorithm::EcdsaP256, true);
    let at = endpoint(free_port(), 0, 0);
    let _server = serve(&k, &at);
    every_client_as_alice(&k, &at);
    clients_pass(&k, &at, &["openssl"], &["Verify return code: 0 (ok)"]);
    // One-way curl: served too (the echo's client certificates are optional), no client seen.
    clients_pass(&k, &at, &["curl"], &["\"client_certificate\": null"]);
    // The same snippets from another kit trust another root: refused by the client.
    let other = kit(Preset::Mtls, KeyAlgorithm::EcdsaP256, false);
    for id in ["curl", "python-requests", "node-https", "openssl"] {
        let ran = run_snippet(other.dir.path(), &snippet(&other.kit.manifest, &at, id));
        assert!(!ran.ok, "{id} of another kit connected:\n{}", ran.out);
    }
}

/// A one-way kit (RSA, no clients): the snippets carry no client identity and connect.
#[test]
fn one_way_clients_reach_certlab_echo() {
    let k = kit(Preset::Dev, KeyAlgorithm::Rsa2048, false);
    let at = endpoint(free_port(), 0, 0);
    let _server = serve(&k, &at);
    clients_pass(
        &k,
        &at,
        &[
            "curl",
            "python-ssl",
            "python-requests",
            "python-websockets",
            "node-https",
            "node-tls",
        ],
        &[
            "\"client_certificate\": null",
            "\"verdict\": \"no client certificate\"",
        ],
    );
    clients_pass(&k, &at, &["openssl"], &["Verify return code: 0 (ok)"]);
    clients_pass(&k, &at, &["probe"], &["verification: verified", "OK"]);
}

/// nginx serves the kit's `server {}` block verbatim (included from a wrapper in the kit's
/// folder, nginx's conf directory) with mutual TLS on; curl's mutual-TLS snippet is served as
/// alice, the one-way snippet (no certificate) is refused.
#[test]
fn nginx_serves_the_server_block() {
    need("nginx", "ensure_nginx");
    let k = kit(Preset::Mtls, KeyAlgorithm::EcdsaP384, true);
    let at = endpoint(free_port(), 0, 0);
    let block = snippet(&k.kit.manifest, &at, "nginx");
    assert!(
        block.text.contains("ssl_client_certificate client-ca.crt;"),
        "{}",
        block.text
    );
    let dir = k.dir.path();
    let nginx = nginx_serving(dir, &block.text, at.port);
    let curl = snippet(&k.kit.manifest, &at, "curl-mtls");
    let ran = run_snippet(dir, &curl);
    assert!(
        ran.ok,
        "{}\n{}\nnginx:\n{}",
        curl.text,
        ran.out,
        nginx.log()
    );
    assert!(ran.out.contains("hello CN=alice (SUCCESS)"), "{}", ran.out);
    let one_way = run_snippet(dir, &snippet(&k.kit.manifest, &at, "curl"));
    assert!(
        !one_way.ok,
        "nginx served a client without a certificate:\n{}",
        one_way.out
    );
    assert!(one_way.out.contains("400"), "{}", one_way.out);
}

/// The Cute server's `[Listener]` section: its certificate, privateKey and caCertificates
/// (twoWaySSL = true: client certificates required) served by certlab-echo at its address and
/// port; curl's mutual-TLS snippet gets in as alice, the one-way one does not.
#[test]
fn the_cute_listener_files_serve_two_way_tls() {
    let k = kit(Preset::Mtls, KeyAlgorithm::EcdsaP256, true);
    let at = endpoint(free_port(), 0, 0);
    let ini = snippet(&k.kit.manifest, &at, "cute-listener").text;
    let key = |name: &str| -> String {
        ini.lines()
            .find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
            .unwrap_or_else(|| panic!("no {name} in\n{ini}"))
    };
    assert!(ini.contains("[Listener."), "{ini}");
    assert_eq!(key("twoWaySSL"), "true");
    let listen = format!("{}:{}", key("address"), key("port"));
    let (cert, pkey, ca) = (
        k.p(&key("certificate")),
        k.p(&key("privateKey")),
        k.p(&key("caCertificates")),
    );
    let server = common::Server::start(&[
        "--cert",
        &cert,
        "--key",
        &pkey,
        "--client-ca",
        &ca,
        "--client-auth",
        "required",
        "--listen",
        &listen,
    ]);
    assert_eq!(server.port(), at.port);
    clients_pass(&k, &at, &["curl-mtls"], &["\"common_name\": \"alice\""]);
    let ran = run_snippet(k.dir.path(), &snippet(&k.kit.manifest, &at, "curl"));
    assert!(
        !ran.ok,
        "two-way TLS served a client without a certificate:\n{}",
        ran.out
    );
    drop(server);
}
