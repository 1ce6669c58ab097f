// Compiled with `tsc --noEmit --strict` by scripts/test: the declarations describe the spec and
// the kit precisely (a wrong key type or a misspelt field does not type-check).
import { generateKit, lint, inspect, type Spec, type Kit, type Finding, type CertlabError } from "../../crate/pkg/certlab.js";

const spec: Spec = {
  p12_password: "pw",
  servers: [{ names: ["localhost"], key: "ecdsa-p256", days: 90 }],
  name_constraints: { permitted: ["lab"] },
  key_encryption: { pbkdf2: { iterations: 100000 } },
};
const kit: Kit = generateKit(spec, { zip: true, keys: { server: new Uint8Array() } });
const certPath: string = kit.manifest.identities[0].files.cert;
const bytes: Uint8Array = kit.files[0].bytes;
const findings: Finding[] = lint(spec);
const severity: "error" | "warning" | "info" = findings[0].severity;
const item = inspect(bytes, undefined).items[0];
if (item.type === "certificate") {
  const days: number = item.validity_days;
  void days;
}
function handle(e: CertlabError): string {
  return `${e.field}: ${e.fix}`;
}
// @ts-expect-error rsa1024 is not a key algorithm
const weak: Spec = { root: { key: "rsa1024" } };
// @ts-expect-error misspelt field
const typo: Spec = { servrs: [] };
void [certPath, severity, handle, weak, typo];
