/**
 * `npm run bench [-- NAME ...]`: runs every bench/*.bench.ts (or those whose name contains NAME),
 * each printing its own table. A bench module exports `run(): Promise<void>`.
 */
import { readdirSync } from "node:fs";

const filters = process.argv.slice(2);
const dir = new URL(".", import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((n) => f.includes(n)))
  .sort();
if (files.length === 0) {
  console.error(`bench: no benchmark matches ${filters.join(", ")}`);
  process.exit(1);
}
for (const file of files) {
  const mod = (await import(new URL(file, dir).href)) as { run: () => Promise<void> };
  console.log(`\n## ${file.replace(".bench.ts", "")}\n`);
  await mod.run();
}
