//! Device lists (issue 16 §1): `certlab kit --devices-from FILE` and a spec's `list`, checked
//! with openssl; bad lists are refused line by line and nothing is written.

mod common;

use common::{certlab, openssl};
use std::fs;

/// A bench sheet as a French spreadsheet saves it: `;` separators, a MAC address, SANs, a
/// per-device OU and a note column.
const SHEET: &str = "\u{feff}name;names;ou;x-rack\r\nSN-0001;;Bench A;R1\r\n\
                     AA:BB:CC:00:11:22;cam.lab.test 10.0.0.7;;R2\r\n# spare\r\nSN-0003;;;R3\r\n";

#[test]
fn a_csv_sheet_makes_one_device_per_line_with_its_names_and_subject() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("bench.csv"), SHEET).unwrap();
    let (code, out) = certlab(
        &[
            "kit",
            "--preset",
            "iot",
            "--devices-from",
            "bench.csv",
            "--name-constraints",
            "none",
            "--per-device-secrets",
            "--out",
            "kit",
        ],
        d,
    );
    assert_eq!(code, 0, "{out}");
    let k = d.join("kit");
    let mut devices: Vec<String> = fs::read_dir(k.join("devices"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".crt"))
        .collect();
    devices.sort();
    assert_eq!(
        devices,
        ["AA-BB-CC-00-11-22.crt", "SN-0001.crt", "SN-0003.crt"]
    );

    let mac = openssl(
        &k,
        &[
            "x509",
            "-in",
            "devices/AA-BB-CC-00-11-22.crt",
            "-noout",
            "-subject",
            "-ext",
            "subjectAltName",
        ],
    );
    assert!(mac.contains("CN = AA:BB:CC:00:11:22"), "{mac}");
    assert!(
        mac.contains("DNS:cam.lab.test") && mac.contains("IP Address:10.0.0.7"),
        "{mac}"
    );
    let sn = openssl(
        &k,
        &["x509", "-in", "devices/SN-0001.crt", "-noout", "-subject"],
    );
    assert!(
        sn.contains("OU = Bench A") && sn.contains("CN = SN-0001"),
        "{sn}"
    );
    for dev in ["SN-0001", "AA-BB-CC-00-11-22", "SN-0003"] {
        let v = openssl(
            &k,
            &[
                "verify",
                "-CAfile",
                "ca.crt",
                "-untrusted",
                "inter.crt",
                "-purpose",
                "sslclient",
                &format!("devices/{dev}.crt"),
            ],
        );
        assert!(v.contains(": OK"), "{v}");
    }
    // The provisioning list names each device by its file stem, one row each.
    let csv = fs::read_to_string(k.join("devices.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(
        csv.lines()
            .nth(2)
            .unwrap()
            .starts_with("AA-BB-CC-00-11-22,"),
        "{csv}"
    );
}

#[test]
fn a_bad_list_names_every_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let list = "sensor-1\nsensor 2\nsensor-1\nSENSOR-1\nx,y\n";
    fs::write(d.join("list.txt"), list).unwrap();
    let (code, out) = certlab(
        &[
            "kit",
            "--preset",
            "iot",
            "--devices-from",
            "list.txt",
            "--out",
            "kit",
        ],
        d,
    );
    assert_eq!(code, 2, "{out}");
    for want in [
        "--devices-from list.txt: line 2: `sensor 2` cannot be used as a file name",
        "line 3: `sensor-1` repeats the device of line 1",
        "line 4: `SENSOR-1` repeats the device of line 1",
        "line 5: the line has several columns but the list has no header",
        "start the list with a header line",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    assert!(
        !d.join("kit").exists(),
        "a refused list must not leave a kit behind"
    );

    fs::write(
        d.join("sheet.csv"),
        "name,names,serial\nx,ok.lab.test,1\ny,bad_name!,2\n",
    )
    .unwrap();
    let (code, out) = certlab(
        &[
            "kit",
            "--preset",
            "iot",
            "--devices-from",
            "sheet.csv",
            "--out",
            "kit",
        ],
        d,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("line 1: the header has a column `serial` certlab does not know"),
        "{out}"
    );
    assert!(out.contains("start a column's name with `x-`"), "{out}");

    // Spreadsheets' "Unicode text" is UTF-16: named, with the way out.
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain("a\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    fs::write(d.join("u16.txt"), utf16).unwrap();
    let (code, out) = certlab(
        &[
            "kit",
            "--preset",
            "iot",
            "--devices-from",
            "u16.txt",
            "--out",
            "kit",
        ],
        d,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("is UTF-16 text") && out.contains("CSV UTF-8"),
        "{out}"
    );
    assert!(!d.join("kit").exists());
}

#[test]
fn a_spec_gives_its_list_inline_and_errors_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let spec = serde_json::json!({
        "name_constraints": "none", "p12_password": "lab",
        "devices": [{"list": "name,email\ncam-1,ops@lab.test\ncam-2,not-an-email\n"}],
    });
    fs::write(d.join("spec.json"), spec.to_string()).unwrap();
    let (code, out) = certlab(&["kit", "--spec", "spec.json", "--out", "kit"], d);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("devices[0].list: line 3:"), "{out}");

    let spec = serde_json::json!({
        "name_constraints": "none", "p12_password": "lab",
        "devices": [{"list": "name,email\ncam-1,ops@lab.test\n", "server_auth": true},
                    {"pattern": "cam-{n}", "count": 2}],
    });
    fs::write(d.join("spec.json"), spec.to_string()).unwrap();
    let (code, out) = certlab(&["kit", "--spec", "spec.json", "--out", "kit"], d);
    assert_eq!(
        code, 2,
        "a list and a pattern naming one device twice: {out}"
    );
    assert!(
        out.contains("devices[1].pattern") && out.contains("`cam-1` is used twice"),
        "{out}"
    );

    let spec = serde_json::json!({
        "name_constraints": "none", "p12_password": "lab",
        "devices": [{"list": "name,email\ncam-1.lab.test,ops@lab.test\n", "server_auth": true}],
    });
    fs::write(d.join("spec.json"), spec.to_string()).unwrap();
    let (code, out) = certlab(&["kit", "--spec", "spec.json", "--out", "kit"], d);
    assert_eq!(code, 0, "{out}");
    let text = openssl(
        &d.join("kit"),
        &[
            "x509",
            "-in",
            "devices/cam-1.lab.test.crt",
            "-noout",
            "-ext",
            "subjectAltName,extendedKeyUsage",
        ],
    );
    assert!(
        text.contains("DNS:cam-1.lab.test") && text.contains("email:ops@lab.test"),
        "{text}"
    );
    assert!(text.contains("TLS Web Server Authentication"), "{text}");
}
