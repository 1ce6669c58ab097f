//! Firmware-ready output (issue 16 §3), proven with the library devices run: a small C
//! program, compiled here against Debian's libmbedtls-dev with a kit's generated
//! `devices/NAME.h` included, parses the device's certificate and key with mbedTLS (the parse
//! calls are the lines README.txt prints), connects over mutual TLS to certlab-echo serving the
//! kit's broker, and prints what the server saw. For P-256 and RSA-2048 device keys.

mod common;

use certlab::KeyAlgorithm;
use common::*;
use std::path::Path;
use std::process::Command;

const PROGRAM: &str = include_str!("c/mbedtls_client.c");

/// The mbedTLS calls README.txt's FIRMWARE section prints, each wrapped to stop on failure.
fn readme_calls(readme: &str) -> String {
    let calls: Vec<&str> = readme
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("mbedtls_") && l.ends_with(");"))
        .collect();
    assert_eq!(calls.len(), 3, "README.txt's FIRMWARE calls:\n{readme}");
    calls
        .iter()
        .map(|c| {
            format!(
                "if ((rc = {}) != 0) fail(\"{}\", rc);\n",
                c.trim_end_matches(';'),
                c.replace('"', "'")
            )
        })
        .collect()
}

/// Compiles the program for `header`; the binary's path.
fn compile(dir: &Path, header: &Path, readme: &str) -> std::path::PathBuf {
    assert!(
        Path::new("/usr/include/mbedtls/ssl.h").exists(),
        "libmbedtls-dev is missing: ./scripts/test installs it (apt)"
    );
    let source = dir.join("device.c");
    std::fs::write(
        &source,
        PROGRAM.replace("/* README_CALLS */", &readme_calls(readme)),
    )
    .unwrap();
    let bin = dir.join("device");
    let out = Command::new("cc")
        .args(["-Wall", "-Werror", "-o"])
        .arg(&bin)
        .arg("-include")
        .arg(header)
        .arg(&source)
        .args(["-lmbedtls", "-lmbedx509", "-lmbedcrypto"])
        .output()
        .expect("cc");
    assert!(
        out.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bin
}

/// Runs the device against port 9 (nothing listens there): it must fail before connecting;
/// its stderr.
fn fails_before_connecting(bin: &Path) -> String {
    let out = Command::new(bin).arg("9").output().expect("run the device");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{stderr}");
    stderr
}

#[test]
fn mbedtls_device_from_its_header_connects_over_mutual_tls() {
    for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Rsa2048] {
        let mut spec = certlab::Preset::Iot.spec(alg);
        spec.devices[0].count = 2;
        // mbedTLS refuses CA certificates carrying (critical) name constraints, as the lint
        // says; the constrained kit is the refusal case below.
        let lint = certlab::lint_spec(&spec);
        assert!(
            lint.iter()
                .any(|f| f.rule == certlab::Rule::ConstraintsVsMbedtls),
            "{lint:?}"
        );
        spec.name_constraints = certlab::NameConstraints::None;
        let kit = write_kit(certlab::generate(&spec).expect("iot kit"));
        let readme = std::fs::read_to_string(kit.path("README.txt")).unwrap();
        let header = kit.path("devices/sensor-0001.h");
        let bin = compile(&kit.path(""), &header, &readme);
        let server = Server::start(&[
            "--cert",
            &kit.p("broker.fullchain.pem"),
            "--key",
            &kit.p("broker.key"),
            "--client-ca",
            &kit.p("ca.crt"),
            "--client-auth",
            "required",
            "--listen",
            "127.0.0.1:0",
        ]);
        let out = Command::new(&bin)
            .arg(server.port().to_string())
            .output()
            .expect("run the device");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{alg:?}: {stdout}{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            server.log()
        );
        assert!(stdout.contains("handshake: TLSv1.2"), "{alg:?}: {stdout}");
        let body = stdout.split("\r\n\r\n").nth(1).unwrap_or_default();
        let info: serde_json::Value = serde_json::from_str(body.trim())
            .unwrap_or_else(|e| panic!("{alg:?}: /info is not JSON ({e}): {stdout}"));
        assert_eq!(info["verdict"], "verified", "{alg:?}: {info:#}");
        assert_eq!(
            info["client_certificate"]["common_name"], "sensor-0001",
            "{alg:?}: {info:#}"
        );
    }
}

/// What the lint `constraints-vs-mbedtls` warns of, observed: with the kit's default name
/// constraints, mbedTLS refuses the CA chain in the header before connecting.
#[test]
fn mbedtls_refuses_ca_certificates_with_name_constraints() {
    let mut spec = certlab::Preset::Iot.spec(KeyAlgorithm::EcdsaP256);
    spec.devices[0].count = 1;
    assert_eq!(spec.name_constraints, certlab::NameConstraints::Auto);
    let kit = write_kit(certlab::generate(&spec).expect("iot kit"));
    let readme = std::fs::read_to_string(kit.path("README.txt")).unwrap();
    let bin = compile(&kit.path(""), &kit.path("devices/sensor-0001.h"), &readme);
    let stderr = fails_before_connecting(&bin);
    assert!(
        stderr.contains("certlab_sensor_0001_ca_pem") && stderr.contains("extension"),
        "{stderr}"
    );
}

/// What the lint `encrypted-key-vs-firmware` warns of, observed: a kit made with a key
/// password puts the device's key in its header encrypted as the kit's .key files are
/// (PBES2, PBKDF2-SHA-256, AES-256-CBC), and Debian's mbedTLS 2.28 cannot read it even given
/// the right password: the key parse fails before any connection.
#[test]
fn mbedtls_2_cannot_read_an_encrypted_device_key_even_with_its_password() {
    let mut spec = certlab::Preset::Iot.spec(KeyAlgorithm::EcdsaP256);
    spec.devices[0].count = 1;
    spec.name_constraints = certlab::NameConstraints::None;
    spec.key_password = Some("pw".into());
    let lint = certlab::lint_spec(&spec);
    assert!(
        lint.iter()
            .any(|f| f.rule == certlab::Rule::EncryptedKeyVsFirmware),
        "{lint:?}"
    );
    let kit = write_kit(certlab::generate(&spec).expect("iot kit"));
    let header = kit.path("devices/sensor-0001.h");
    assert!(
        std::fs::read_to_string(&header)
            .unwrap()
            .contains("ENCRYPTED PRIVATE KEY")
    );
    // README.txt's key parse, given the key's password instead of none.
    let readme = std::fs::read_to_string(kit.path("README.txt"))
        .unwrap()
        .replace(
            "sizeof certlab_sensor_0001_key_pem, NULL, 0);",
            "sizeof certlab_sensor_0001_key_pem, (const unsigned char *)\"pw\", 2);",
        );
    assert!(readme.contains("\"pw\", 2);"), "{readme}");
    let bin = compile(&kit.path(""), &header, &readme);
    let stderr = fails_before_connecting(&bin);
    assert!(
        stderr.contains("mbedtls_pk_parse_key") && stderr.contains("alg not available"),
        "{stderr}"
    );
}

/// The engine's ESP-IDF and Arduino snippets (README.txt's CONNECT IT and the page's tab print
/// them) compiled (`cc`/`c++ -Wall -Werror`) verbatim, header include and all, against those
/// APIs' declarations (tests/c/*_api.h, as ESP-IDF 5 and the ESP32 Arduino core declare them):
/// the field and method names and the types of the header's strings are right. Neither SDK
/// is in Debian, so this compiles the snippets; the mbedTLS test above runs the same header on
/// a real TLS stack.
#[test]
fn esp_idf_and_arduino_snippets_compile_against_their_apis() {
    let mut spec = certlab::Preset::Iot.spec(KeyAlgorithm::EcdsaP256);
    spec.devices[0].count = 1;
    spec.name_constraints = certlab::NameConstraints::None;
    let made = certlab::generate(&spec).expect("iot kit");
    let all = certlab::snippets(&made.manifest, &certlab::Endpoint::of(&made.manifest));
    let kit = write_kit(made);
    let readme = std::fs::read_to_string(kit.path("README.txt")).unwrap();
    let c_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c");
    for (id, compiler, api) in [
        ("esp-idf", "cc", "esp_mqtt_api.h"),
        ("arduino", "c++", "arduino_mqtt_api.h"),
    ] {
        let s = all
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("no {id} snippet"));
        assert!(s.text.contains("certlab_sensor_0001_key_pem"), "{}", s.text);
        assert!(
            readme.contains(s.text.lines().nth(3).unwrap()),
            "README.txt prints the {id} snippet"
        );
        // The snippet's #include line stays first; its statements go in a function.
        let (include, body) = s.text.split_once('\n').unwrap();
        let source = kit.path(s.file);
        std::fs::write(
            &source,
            format!("{include}\nvoid setup_mqtt(void);\nvoid setup_mqtt(void) {{\n{body}\n(void)mqtt;\n}}\n"),
        )
        .unwrap();
        let out = Command::new(compiler)
            .args([
                "-Wall",
                "-Werror",
                "-c",
                "-o",
                "/dev/null",
                "-x",
                if compiler == "cc" { "c" } else { "c++" },
            ])
            .arg("-I")
            .arg(kit.path(""))
            .arg("-include")
            .arg(c_dir.join(api))
            .arg(&source)
            .output()
            .unwrap_or_else(|e| panic!("{compiler}: {e} (gcc and g++ come with build-essential)"));
        assert!(
            out.status.success(),
            "the {id} snippet does not compile:\n{}\n{}",
            s.text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
