#!/usr/bin/env node
// The API-docs check (part of `npm run lint`): every declaration the package exports — classes,
// functions, interfaces, type aliases, constants, namespaces — must carry a TSDoc comment, as TypeDoc
// sees them from src/index.ts; so must every public member of the classes users meet first (Tensor,
// Module, Optimizer, Tokenizer, Trainer, the data loaders). Other members are documented where they
// need it but not required: TypeDoc's own `validation.notDocumented` cannot tell a function from a method.
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

/** Classes whose every public member must be documented too. */
const MEMBERS_REQUIRED = new Set(["Tensor", "Module", "Optimizer", "Tokenizer", "Trainer", "DataLoader", "ArrayDataset", "TokenBlockDataset"]);

function documented(reflection) {
  if (reflection.hasComment()) return true;
  // A function's (or callable constant's) comment sits on its signatures, an accessor's on get/set.
  const signatures = [
    ...(reflection.signatures ?? reflection.type?.declaration?.signatures ?? []),
    ...(reflection.getSignature ? [reflection.getSignature] : []),
    ...(reflection.setSignature ? [reflection.setSignature] : []),
  ];
  return signatures.some((s) => s.hasComment()); // overloads: one documented signature is enough
}

function undocumentedMembers(cls) {
  const kinds = ReflectionKind.Property | ReflectionKind.Method | ReflectionKind.Accessor;
  return (cls.children ?? []).filter((m) => m.kindOf(kinds) && !m.flags.isPrivate && !m.flags.isProtected &&
    !m.inheritedFrom && !m.name.startsWith("_") && !documented(m));
}

const missing = [];
for (const reflection of project.getReflectionsByKind(required)) {
  // Only what a user can reach: declarations directly inside the project or an exported namespace.
  const parent = reflection.parent;
  if (!parent || !(parent.kindOf(ReflectionKind.Project) || parent.kindOf(ReflectionKind.Namespace))) continue;
  const where = (r) => {
    const source = r.sources?.[0];
    return `${r.getFriendlyFullName()} (${ReflectionKind.singularString(r.kind)})` + (source ? ` — ${source.fileName}:${source.line}` : "");
  };
  if (!documented(reflection)) missing.push(where(reflection));
  if (reflection.kindOf(ReflectionKind.Class) && MEMBERS_REQUIRED.has(reflection.name)) {
    for (const member of undocumentedMembers(reflection)) missing.push(where(member));
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
