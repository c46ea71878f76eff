// Fails when src/lib/api/schema.d.ts is not what openapi-typescript generates from openapi.json
// (run `npm run gen:api` after `python scripts/export_openapi.py`).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const committed = join(root, "src", "lib", "api", "schema.d.ts");
const dir = mkdtempSync(join(tmpdir(), "aos-check-api-"));
try {
  const fresh = join(dir, "schema.d.ts");
  execFileSync(
    process.execPath,
    [join(root, "node_modules", "openapi-typescript", "bin", "cli.js"), join(root, "openapi.json"), "-o", fresh],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  let current = null;
  try {
    current = readFileSync(committed, "utf8");
  } catch {
    current = null;
  }
  if (current !== readFileSync(fresh, "utf8")) {
    console.error(
      `src/lib/api/schema.d.ts ${current === null ? "is missing" : "is stale"}: run \`npm run gen:api\` and commit it.`,
    );
    process.exit(1);
  }
  console.log("src/lib/api/schema.d.ts is up to date.");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
