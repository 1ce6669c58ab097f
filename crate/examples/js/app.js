// A tiny consumer of the certlab JS package: build a spec, generate, offer the zip.
import init, { generateKit, lint } from "../../pkg/certlab.js";

const $ = (id) => document.getElementById(id);

function spec() {
  const key = $("key").value;
  const s = {
    p12_password: $("p12").value,
    root: { name: "ca", common_name: "certlab Root CA", key, days: 3650 },
    servers: [{ name: "server", names: $("names").value.split(",").map((n) => n.trim()).filter(Boolean), key }],
  };
  if ($("preset").value === "mtls") {
    s.clients = ["alice", "bob"].map((cn) => ({ name: cn, common_name: cn, key }));
  }
  return s;
}

async function main() {
  await init();
  $("status").textContent = "ready";
  $("generate").addEventListener("click", () => {
    $("error").textContent = "";
    $("result").hidden = true;
    $("download").hidden = true;
    const warnings = lint(spec()).map((f) => `${f.severity}: ${f.subject}: ${f.why}`);
    try {
      const t0 = performance.now();
      const kit = generateKit(spec(), { zip: true });
      const body = $("result").querySelector("tbody");
      body.replaceChildren(...kit.manifest.identities.map((i) => {
        const tr = document.createElement("tr");
        for (const v of [i.name, i.role, i.key_algorithm, i.sha256.slice(0, 16) + "…"]) {
          const td = document.createElement("td");
          td.textContent = v;
          tr.append(td);
        }
        return tr;
      }));
      $("result").hidden = false;
      const a = $("download");
      a.href = URL.createObjectURL(new Blob([kit.zip], { type: "application/zip" }));
      a.hidden = false;
      $("status").textContent = `generated ${kit.files.length} files in ${Math.round(performance.now() - t0)} ms` +
        (warnings.length ? ` — ${warnings.join("; ")}` : "");
    } catch (e) {
      // Errors carry the field, the problem and the fix.
      $("error").textContent = `${e.field}: ${e.message}`;
      $("status").textContent = "not generated";
    }
  });
}

main();
