//! Fleets (issue 16 §4): a kit is written as it is made, so memory stays flat as the fleet
//! grows, and its zip switches to ZIP64 past 65,535 files. Checked with GNU time (peak RSS of
//! the CLI) and Python's `zipfile`; the 100,000-device run is in `./scripts/bench fleet`.

mod common;

use common::run;
use std::path::Path;
use std::process::Command;

/// Peak RSS in MB of `certlab kit` making `n` devices with a zip, and the kit's file count.
fn peak_rss(n: u32, dir: &Path) -> (f64, usize) {
    let out = dir.join(format!("kit{n}"));
    let zip = dir.join(format!("kit{n}.zip"));
    let count = n.to_string();
    let (out_s, zip_s) = (out.to_string_lossy(), zip.to_string_lossy());
    let o = Command::new("/usr/bin/time")
        .args(["-f", "%M", env!("CARGO_BIN_EXE_certlab"), "kit", "--preset", "iot", "--quiet"])
        .args(["--name-constraints", "none", "--devices", "d-{n:05}", "--count", &count])
        .args(["--out", &out_s, "--zip", &zip_s])
        .output()
        .expect("GNU time (/usr/bin/time, Debian package `time`: scripts/setup.sh ensure_base_tools installs it)");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "certlab kit --count {n} failed: {err}");
    let kb: f64 = err
        .trim()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("time's %M");
    let files = walk(&out);
    let py = format!(
        "import zipfile; z = zipfile.ZipFile({zip_s:?}); assert z.testzip() is None; print(len(z.namelist()))"
    );
    let (ok, listed) = run(dir, "python3", &["-c", &py]);
    assert!(ok, "{listed}");
    assert_eq!(
        listed.trim().parse::<usize>().unwrap(),
        files,
        "the zip holds every file of the kit"
    );
    (kb / 1024.0, files)
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() { walk(&p) } else { 1 }
        })
        .sum()
}

#[test]
fn memory_stays_flat_as_the_fleet_grows() {
    let tmp = tempfile::tempdir().unwrap();
    let (small, small_files) = peak_rss(100, tmp.path());
    let (big, big_files) = peak_rss(1_500, tmp.path());
    assert_eq!(big_files - small_files, 1_400 * 8, "eight files a device");
    // Held in memory, 1,400 more devices cost ~40 MB (their files twice: kit and zip).
    // Streamed, only the plan and the zip's directory grow: ~1 KB a device.
    assert!(
        big - small < 12.0,
        "peak RSS grew from {small:.1} MB (100 devices) to {big:.1} MB (1,500 devices)"
    );
}

#[test]
fn a_zip_of_more_than_65535_files_is_zip64_and_reads_back() {
    let tmp = tempfile::tempdir().unwrap();
    let mut z = certlab::ZipStream::new(Vec::new(), "big", certlab::now_utc());
    for i in 0..70_000u32 {
        z.add(
            &format!("d/{i}.crt"),
            format!("{i}\n").as_bytes(),
            i % 2 == 0,
            i % 7 == 0,
        )
        .unwrap();
    }
    let mut body: &[u8] = b"streamed\n";
    let crc = {
        let mut c = flate2::Crc::new();
        c.update(body);
        c.sum()
    };
    z.add_stream("manifest.json", 9, crc, &mut body).unwrap();
    std::fs::write(tmp.path().join("big.zip"), z.finish().unwrap()).unwrap();
    let py = "import zipfile, stat\n\
z = zipfile.ZipFile('big.zip')\n\
assert z.testzip() is None\n\
names = z.namelist()\n\
assert len(names) == 70001, len(names)\n\
assert z.read('big/d/69999.crt') == b'69999\\n'\n\
assert z.read('big/manifest.json') == b'streamed\\n'\n\
assert stat.S_IMODE(z.getinfo('big/d/0.crt').external_attr >> 16) == 0o600\n\
assert stat.S_IMODE(z.getinfo('big/d/1.crt').external_attr >> 16) == 0o644\n\
print('ok')";
    let (ok, text) = run(tmp.path(), "python3", &["-c", py]);
    assert!(ok && text.contains("ok"), "{text}");
}
