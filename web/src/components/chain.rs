//! A picture of the kit's chain of trust: roots → intermediates → leaves (SVG).

use certlab::ManifestIdentity;
use certlab::Role;
use yew::prelude::*;

/// Leaves drawn before "+ N more".
const MAX_LEAVES: usize = 12;

/// Props of [`ChainPicture`].
#[derive(Properties, PartialEq)]
pub struct ChainProps {
    /// The identities, issuers first (as in the manifest).
    pub identities: Vec<ManifestIdentity>,
}

/// The SVG chain picture.
#[function_component(ChainPicture)]
pub fn chain_picture(p: &ChainProps) -> Html {
    let depth = |i: &ManifestIdentity| match i.role {
        Role::RootCa => 0,
        Role::IntermediateCa => 1,
        _ => 2,
    };
    let mut cols: [Vec<&ManifestIdentity>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for i in &p.identities {
        cols[depth(i)].push(i);
    }
    let hidden = cols[2].len().saturating_sub(MAX_LEAVES);
    cols[2].truncate(MAX_LEAVES);
    let (bw, bh, gap_x, gap_y) = (190.0, 38.0, 70.0, 12.0);
    let rows = cols.iter().map(Vec::len).max().unwrap_or(1) + usize::from(hidden > 0);
    let height = rows as f64 * (bh + gap_y) + gap_y;
    let pos = |c: usize, r: usize| {
        (
            10.0 + c as f64 * (bw + gap_x),
            gap_y + r as f64 * (bh + gap_y),
        )
    };
    let find = |name: &str| -> Option<(f64, f64)> {
        cols.iter()
            .enumerate()
            .find_map(|(c, col)| col.iter().position(|i| i.name == name).map(|r| pos(c, r)))
    };
    let mut lines = Vec::new();
    let mut boxes = Vec::new();
    for (c, col) in cols.iter().enumerate() {
        for (r, i) in col.iter().enumerate() {
            let (x, y) = pos(c, r);
            if let Some((ix, iy)) = (i.issuer != i.name).then(|| find(&i.issuer)).flatten() {
                lines.push(html! { <line x1={(ix + bw).to_string()} y1={(iy + bh / 2.0).to_string()} x2={x.to_string()} y2={(y + bh / 2.0).to_string()} class="edge" /> });
            }
            let class = format!("node {}", i.role.id());
            boxes.push(html! {
                <g class={class}>
                    <rect x={x.to_string()} y={y.to_string()} width={bw.to_string()} height={bh.to_string()} rx="6" />
                    <text x={(x + 8.0).to_string()} y={(y + 16.0).to_string()} class="name">{ &i.name }</text>
                    <text x={(x + 8.0).to_string()} y={(y + 31.0).to_string()} class="sub">{ format!("{} · {}", i.role.id(), i.key_algorithm) }</text>
                </g>
            });
        }
    }
    if hidden > 0 {
        let (x, y) = pos(2, MAX_LEAVES);
        boxes.push(html! { <text x={(x + 8.0).to_string()} y={(y + 20.0).to_string()} class="more">{ format!("+ {hidden} more") }</text> });
    }
    let width = 10.0 + 3.0 * bw + 2.0 * gap_x + 10.0;
    html! {
        <svg class="chain" role="img" aria-label="chain of trust" viewBox={format!("0 0 {width} {height}")} width={width.to_string()} height={height.to_string()}>
            { for lines }
            { for boxes }
        </svg>
    }
}
