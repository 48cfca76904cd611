#!/usr/bin/env node
// The API-docs check (part of `npm run lint`): every declaration the package exports — classes,
// functions, interfaces, type aliases, constants, namespaces — must carry a TSDoc comment, as TypeDoc
// sees them from src/index.ts. Members (methods, properties) are documented where they need it but not
// required here: TypeDoc's own `validation.notDocumented` cannot tell a function from a method.
// Usage: node scripts/check-docs.mjs            → lists undocumented exports, exits 1 if any
//        node scripts/check-docs.mjs --html DIR → also writes the HTML reference to DIR
import { Application, ReflectionKind } from "typedoc";

const args = process.argv.slice(2);
const htmlAt = args.indexOf("--html");
const app = await Application.bootstrap({
  entryPoints: ["src/index.ts"],
  tsconfig: "tsconfig.build.json",
  name: "loom",
  readme: "docs/index.md",
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  validation: { notExported: false, invalidLink: true, notDocumented: false },
  logLevel: "Error",
});
const project = await app.convert();
if (!project) {
  console.error("check-docs: TypeDoc could not convert the project");
  process.exit(1);
}

const required = ReflectionKind.Class | ReflectionKind.Function | ReflectionKind.Interface | ReflectionKind.TypeAlias |
  ReflectionKind.Variable | ReflectionKind.Enum | ReflectionKind.Namespace;

function documented(reflection) {
  if (reflection.hasComment()) return true;
  // A function's (or callable constant's) comment sits on its signatures.
  const signatures = reflection.signatures ?? reflection.type?.declaration?.signatures ?? [];
  return signatures.some((s) => s.hasComment()); // overloads: one documented signature is enough
}

const missing = [];
for (const reflection of project.getReflectionsByKind(required)) {
  // Only what a user can reach: declarations directly inside the project or an exported namespace.
  const parent = reflection.parent;
  if (!parent || !(parent.kindOf(ReflectionKind.Project) || parent.kindOf(ReflectionKind.Namespace))) continue;
  if (!documented(reflection)) {
    const source = reflection.sources?.[0];
    missing.push(`${reflection.getFriendlyFullName()} (${ReflectionKind.singularString(reflection.kind)})` +
      (source ? ` — ${source.fileName}:${source.line}` : ""));
  }
}

if (htmlAt >= 0) {
  const out = args[htmlAt + 1] ?? "docs/api";
  await app.generateDocs(project, out);
  console.log(`check-docs: HTML reference written to ${out}/index.html`);
}
if (missing.length > 0) {
  console.error(`check-docs: ${missing.length} exported declaration(s) without a doc comment:`);
  for (const m of missing.sort()) console.error(`  ${m}`);
  process.exit(1);
}
console.log("check-docs: every exported declaration is documented");
