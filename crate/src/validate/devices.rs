//! Device batches: a name pattern × a count, or a list ([`super::device_list`]), expanded
//! into one identity per device.

use super::{
    MAX_DEVICES, MAX_STREAMED_DEVICES, Planned, Planner, check_cn, check_days, check_stem,
    device_dns, device_list,
};
use crate::error::ErrorKind;
use crate::names::SanName;
use crate::role::Role;
use crate::spec::{DeviceBatch, Spec, SubjectFields};

/// Expands a device pattern such as `sensor-{n:04}` for number `n`.
pub fn expand_pattern(pattern: &str, n: u32) -> Result<String, String> {
    let Some(open) = pattern.find('{') else {
        return Err("it has no `{n}` placeholder, so every device would get the same name".into());
    };
    let Some(close_rel) = pattern[open..].find('}') else {
        return Err("`{` is not closed by `}`".into());
    };
    let close = open + close_rel;
    let inner = &pattern[open + 1..close];
    let rest = &pattern[close + 1..];
    if rest.contains('{') || rest.contains('}') || pattern[..open].contains('}') {
        return Err("only one `{n}` placeholder is allowed".into());
    }
    let num = match inner {
        "n" => n.to_string(),
        _ => {
            let width = inner
                .strip_prefix("n:0")
                .and_then(|w| w.parse::<usize>().ok())
                .filter(|w| (1..=10).contains(w))
                .ok_or_else(|| {
                    format!(
                        "`{{{inner}}}` is not `{{n}}` or `{{n:0W}}` with a width W from 1 to 10"
                    )
                })?;
            format!("{n:0width$}")
        }
    };
    Ok(format!("{}{}{}", &pattern[..open], num, rest))
}

/// Plans every device of every batch, issued by `issuer`.
pub(super) fn plan_devices(pl: &mut Planner, spec: &Spec, issuer: usize) {
    let mut total: u64 = 0;
    for (i, d) in spec.devices.iter().enumerate() {
        let b = Batch {
            spec,
            d,
            f: format!("devices[{i}]"),
            issuer,
        };
        check_days(&mut pl.p, format!("{}.days", b.f), d.days);
        let (field, count) = match &d.list {
            Some(list) => ("list", from_list(pl, &b, list)),
            None => ("count", from_pattern(pl, &b)),
        };
        total += count as u64;
        if total > u64::from(pl.max_devices) {
            let fix = if pl.max_devices <= MAX_DEVICES {
                format!(
                    "a kit made in the page or the JS package is held in memory: make at most {MAX_DEVICES} devices there, or make the fleet with the CLI (`certlab kit`), which writes up to {MAX_STREAMED_DEVICES} to disk as they are made"
                )
            } else {
                format!(
                    "make at most {} devices per kit; split larger fleets into several kits",
                    pl.max_devices
                )
            };
            pl.p.push(
                format!("{}.{field}", b.f),
                ErrorKind::BadCount,
                format!("the kit would hold {total} devices"),
                fix,
            );
            return;
        }
    }
}

/// One batch being planned.
struct Batch<'a> {
    spec: &'a Spec,
    d: &'a DeviceBatch,
    /// Its field, `devices[i]`.
    f: String,
    issuer: usize,
}

impl Batch<'_> {
    /// The device `cn`, with file stem `stem`.
    fn device(&self, cn: String, stem: &str, sans: Vec<SanName>, own: &SubjectFields) -> Planned {
        Planned {
            name: stem.to_string(),
            stem: format!("devices/{stem}"),
            role: Role::Device,
            common_name: cn,
            sans,
            key: self.d.key,
            days: self.d.days,
            issuer: Some(self.issuer),
            constraints: Vec::new(),
            server_auth: self.d.server_auth,
            client_auth: true,
            subject: own.or(&self.d.subject).or(&self.spec.subject),
            field: self.f.clone(),
        }
    }
}

/// The devices of a batch named by a list; how many the list names.
fn from_list(pl: &mut Planner, b: &Batch, list: &str) -> usize {
    let field = format!("{}.list", b.f);
    let listed = match device_list::read(list, &field) {
        Ok(l) => l,
        Err(errors) => {
            pl.p.0.extend(errors);
            return 0;
        }
    };
    let count = listed.len();
    for dev in listed {
        let before = pl.p.0.len();
        check_stem(&mut pl.p, field.clone(), &dev.stem, &mut pl.seen);
        let mut sans: Vec<SanName> = Vec::new();
        if b.d.server_auth {
            sans.extend(device_dns(&mut pl.p, &field, &dev.common_name));
        }
        for san in dev.sans {
            if !sans.contains(&san) {
                sans.push(san);
            }
        }
        if pl.p.0.len() > before {
            for e in &mut pl.p.0[before..] {
                e.problem = format!("line {}: {}", dev.line, e.problem);
            }
            continue;
        }
        pl.ids
            .push(b.device(dev.common_name, &dev.stem, sans, &dev.subject));
    }
    count
}

/// The devices of a pattern batch; how many it asks for.
fn from_pattern(pl: &mut Planner, b: &Batch) -> usize {
    let (d, f, p) = (b.d, &b.f, &mut pl.p);
    if d.count == 0 {
        p.push(
            format!("{f}.count"),
            ErrorKind::BadCount,
            "the device count is 0",
            "give a count of 1 or more, or remove the batch",
        );
        return 0;
    }
    if d.count > pl.max_devices {
        return d.count as usize; // the caller reports the kit's total
    }
    let Some(last) = d.start.checked_add(d.count - 1) else {
        p.push(
            format!("{f}.start"),
            ErrorKind::BadCount,
            "the device numbers overflow",
            "start from a smaller number",
        );
        return 0;
    };
    if let Err(why) = expand_pattern(&d.pattern, d.start) {
        p.push(
            format!("{f}.pattern"),
            ErrorKind::BadPattern,
            format!("the pattern `{}` is not usable: {why}", d.pattern),
            "write a pattern such as `sensor-{n:04}`, or give a device list",
        );
        return 0;
    }
    for n in d.start..=last {
        let cn = expand_pattern(&d.pattern, n).unwrap_or_default();
        let before = pl.p.0.len();
        check_cn(&mut pl.p, format!("{f}.pattern"), &cn);
        check_stem(&mut pl.p, format!("{f}.pattern"), &cn, &mut pl.seen);
        let sans = if d.server_auth {
            device_dns(&mut pl.p, &format!("{f}.pattern"), &cn)
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        if pl.p.0.len() > before {
            break; // one bad name in a pattern makes them all bad: report it once
        }
        pl.ids
            .push(b.device(cn.clone(), &cn, sans, &SubjectFields::default()));
    }
    d.count as usize
}
