//! Name constraints (RFC 5280 §4.2.1.10) of a kit's CAs, and the rule that nothing outlives
//! its issuer.

use super::Planned;
use crate::error::{ErrorKind, Problems};
use crate::names::{self, Subtree};
use crate::spec::{NameConstraints, Spec};
use std::collections::BTreeSet;

/// A certificate must not outlive its issuer: clients reject the part of its life after the
/// CA expired, which surprises users months later.
pub(super) fn check_lifetimes(ids: &[Planned], p: &mut Problems) {
    for id in ids {
        if let Some(i) = id.issuer {
            let issuer = &ids[i];
            if id.days > issuer.days {
                p.push(
                    format!("{}.days", id.field),
                    ErrorKind::OutlivesIssuer,
                    format!(
                        "`{}` would be valid for {} days but its issuer `{}` only for {}",
                        id.name, id.days, issuer.name, issuer.days
                    ),
                    format!(
                        "give `{}` at most {} days, or make the CA last longer",
                        id.name, issuer.days
                    ),
                );
            }
        }
    }
}

fn issuers_of(ids: &[Planned], mut i: usize) -> Vec<usize> {
    let mut out = Vec::new();
    while let Some(up) = ids[i].issuer {
        out.push(up);
        i = up;
    }
    out
}

pub(super) fn resolve_constraints(spec: &Spec, ids: &mut [Planned], p: &mut Problems) {
    match &spec.name_constraints {
        NameConstraints::None => {}
        NameConstraints::Auto => {
            let mut per_ca: Vec<BTreeSet<Subtree>> = vec![BTreeSet::new(); ids.len()];
            for i in 0..ids.len() {
                if ids[i].role.is_ca() {
                    continue;
                }
                for ca in issuers_of(ids, i) {
                    per_ca[ca].extend(ids[i].sans.iter().filter_map(names::auto_subtree));
                }
            }
            for (i, trees) in per_ca.into_iter().enumerate() {
                ids[i].constraints = minimise(trees);
            }
        }
        NameConstraints::Permitted(list) => {
            let mut trees = BTreeSet::new();
            for (j, raw) in list.iter().enumerate() {
                match names::parse_subtree(raw, &format!("name_constraints.permitted[{j}]")) {
                    Ok(t) => {
                        trees.insert(t);
                    }
                    Err(e) => p.0.push(e),
                }
            }
            if list.is_empty() {
                p.push(
                    "name_constraints.permitted",
                    ErrorKind::Missing,
                    "the list of permitted names is empty",
                    "list at least one name or range, or choose `auto` or `none`",
                );
            }
            let trees: Vec<Subtree> = trees.into_iter().collect();
            for id in ids.iter_mut().filter(|id| id.role.is_ca()) {
                id.constraints = trees.clone();
            }
        }
    }
    for i in 0..ids.len() {
        for ca in issuers_of(ids, i) {
            for san in &ids[i].sans {
                if !names::permitted(&ids[ca].constraints, san) {
                    let allowed: Vec<String> =
                        ids[ca].constraints.iter().map(|t| t.to_string()).collect();
                    p.push(ids[i].field.clone(), ErrorKind::OutsideConstraints, format!("{san} of `{}` is outside the name constraints of CA `{}` ({})", ids[i].name, ids[ca].name, allowed.join(", ")), "add the name's domain or range to the permitted list, or use `auto` name constraints");
                }
            }
        }
    }
}

/// Drops subtrees already covered by a broader one (`a.lab` under `lab`).
fn minimise(trees: BTreeSet<Subtree>) -> Vec<Subtree> {
    let all: Vec<Subtree> = trees.into_iter().collect();
    all.iter()
        .filter(|t| {
            !all.iter().any(|o| {
                o != *t
                    && match (o, t) {
                        (Subtree::Dns(b), Subtree::Dns(n)) => n.ends_with(&format!(".{b}")),
                        (Subtree::Ip(b, bp), Subtree::Ip(n, np)) => {
                            bp < np && b.is_ipv4() == n.is_ipv4() && names::mask(*n, *bp) == *b
                        }
                        _ => false,
                    }
            })
        })
        .cloned()
        .collect()
}
