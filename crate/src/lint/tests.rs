//! Lint's own checks: the TypeScript face of [`Rule`] (`js_types.d.ts`'s `LintRule`) names
//! every rule as serde spells it (a new rule fails to compile [`index`] until it is listed in
//! [`ALL`] too), and the spec rules that need no certificate.

use super::Rule;

const ALL: [Rule; 26] = [
    Rule::AppleValidity825,
    Rule::MissingSan,
    Rule::MissingEku,
    Rule::RsaTooSmall,
    Rule::Sha1Signature,
    Rule::RootWithoutCn,
    Rule::BadWildcard,
    Rule::IpAsDnsName,
    Rule::OutsideNameConstraints,
    Rule::EmptyP12Password,
    Rule::Ed25519NotForBrowsers,
    Rule::CaAsLeaf,
    Rule::Expired,
    Rule::NotYetValid,
    Rule::UnconstrainedCa,
    Rule::CnNotInSan,
    Rule::ClientWithoutSan,
    Rule::ConstraintsVsMbedtls,
    Rule::SelfSignedLeaf,
    Rule::WrongHost,
    Rule::UnknownIssuer,
    Rule::IncompleteChain,
    Rule::WrongPurpose,
    Rule::Revoked,
    Rule::ClientCaSignsNothing,
    Rule::EncryptedKeyVsFirmware,
];

/// Each rule's place in [`ALL`]: the match is exhaustive inside this crate.
fn index(r: Rule) -> usize {
    match r {
        Rule::AppleValidity825 => 0,
        Rule::MissingSan => 1,
        Rule::MissingEku => 2,
        Rule::RsaTooSmall => 3,
        Rule::Sha1Signature => 4,
        Rule::RootWithoutCn => 5,
        Rule::BadWildcard => 6,
        Rule::IpAsDnsName => 7,
        Rule::OutsideNameConstraints => 8,
        Rule::EmptyP12Password => 9,
        Rule::Ed25519NotForBrowsers => 10,
        Rule::CaAsLeaf => 11,
        Rule::Expired => 12,
        Rule::NotYetValid => 13,
        Rule::UnconstrainedCa => 14,
        Rule::CnNotInSan => 15,
        Rule::ClientWithoutSan => 16,
        Rule::ConstraintsVsMbedtls => 17,
        Rule::SelfSignedLeaf => 18,
        Rule::WrongHost => 19,
        Rule::UnknownIssuer => 20,
        Rule::IncompleteChain => 21,
        Rule::WrongPurpose => 22,
        Rule::Revoked => 23,
        Rule::ClientCaSignsNothing => 24,
        Rule::EncryptedKeyVsFirmware => 25,
    }
}

#[test]
fn the_typescript_lint_rule_type_lists_every_rule() {
    let ts = include_str!("../js_types.d.ts");
    let line = ts
        .lines()
        .find(|l| l.starts_with("export type LintRule ="))
        .expect("LintRule in js_types.d.ts");
    let listed: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
    let mut names = Vec::new();
    for (i, r) in ALL.iter().enumerate() {
        assert_eq!(index(*r), i, "{r:?} is out of place in ALL");
        let name = serde_json::to_string(r).unwrap();
        names.push(name.trim_matches('"').to_string());
    }
    assert_eq!(
        listed, names,
        "js_types.d.ts's LintRule differs from lint::Rule"
    );
}

/// The client CA signs people's client certificates only: in a kit without clients (the
/// iot and dev presets) it signs nothing, and lint says so; with clients it is silent.
#[test]
fn a_client_ca_without_clients_is_reported() {
    use crate::{CaSpec, KeyAlgorithm, Preset};
    let rule = |spec: &crate::Spec| {
        super::lint_spec(spec)
            .into_iter()
            .filter(|f| f.rule == Rule::ClientCaSignsNothing)
            .collect::<Vec<_>>()
    };
    for preset in [Preset::Iot, Preset::Dev, Preset::Mtls] {
        let mut spec = preset.spec(KeyAlgorithm::EcdsaP256);
        assert!(rule(&spec).is_empty(), "{preset:?} without a client CA");
        spec.client_ca = Some(CaSpec::client_ca(KeyAlgorithm::EcdsaP256));
        let found = rule(&spec);
        assert_eq!(
            found.len(),
            usize::from(spec.clients.is_empty()),
            "{preset:?}"
        );
        if let Some(f) = found.first() {
            assert_eq!(f.subject, "client_ca");
            assert!(f.fix.contains("add a client"), "{}", f.fix);
            let kit = crate::generate(&spec).expect("still a kit");
            let signed_by_client_ca = kit
                .manifest
                .identities
                .iter()
                .filter(|i| i.issuer == "client-ca" && i.name != "client-ca")
                .count();
            assert_eq!(signed_by_client_ca, 0, "{preset:?}");
        }
    }
}
