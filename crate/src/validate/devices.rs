//! Device batches: a name pattern × a count, expanded into one identity per device.

use super::{MAX_DEVICES, Planned, Planner, check_cn, check_days, check_stem, device_dns};
use crate::error::ErrorKind;
use crate::role::Role;
use crate::spec::Spec;

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
    let Planner { p, ids, seen, .. } = pl;
    let mut total_devices: u64 = 0;
    for (i, d) in spec.devices.iter().enumerate() {
        let f = format!("devices[{i}]");
        check_days(p, format!("{f}.days"), d.days);
        total_devices += u64::from(d.count);
        if d.count == 0 {
            p.push(
                format!("{f}.count"),
                ErrorKind::BadCount,
                "the device count is 0",
                "give a count from 1 to 10,000, or remove the batch",
            );
            continue;
        }
        if total_devices > u64::from(MAX_DEVICES) {
            p.push(format!("{f}.count"), ErrorKind::BadCount, format!("the kit would hold {total_devices} devices"), format!("make at most {MAX_DEVICES} devices per kit; split larger fleets into several kits under an imported CA"));
            continue;
        }
        let Some(last) = d.start.checked_add(d.count - 1) else {
            p.push(
                format!("{f}.start"),
                ErrorKind::BadCount,
                "the device numbers overflow",
                "start from a smaller number",
            );
            continue;
        };
        if let Err(why) = expand_pattern(&d.pattern, d.start) {
            p.push(
                format!("{f}.pattern"),
                ErrorKind::BadPattern,
                format!("the pattern `{}` is not usable: {why}", d.pattern),
                "write a pattern such as `sensor-{n:04}`",
            );
            continue;
        }
        for n in d.start..=last {
            let cn = expand_pattern(&d.pattern, n).unwrap_or_default();
            let before = p.0.len();
            check_cn(p, format!("{f}.pattern"), &cn);
            check_stem(p, format!("{f}.pattern"), &cn, seen);
            let sans = if d.server_auth {
                device_dns(p, &format!("{f}.pattern"), &cn)
                    .into_iter()
                    .collect()
            } else {
                Vec::new()
            };
            if p.0.len() > before {
                break; // one bad name in a pattern makes them all bad: report it once
            }
            ids.push(Planned {
                name: cn.clone(),
                stem: format!("devices/{cn}"),
                role: Role::Device,
                common_name: cn,
                sans,
                key: d.key,
                days: d.days,
                issuer: Some(issuer),
                constraints: Vec::new(),
                server_auth: d.server_auth,
                client_auth: true,
                subject: d.subject.or(&spec.subject),
                field: f.clone(),
            });
        }
    }
}
