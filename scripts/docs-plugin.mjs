// TypeDoc plugin for `npm run docs` (typedoc.json loads it):
// 1. groups the top-level exports as PyTorch's documentation does (tensors, autograd, math
//    operations, ...) from the folder each is declared in, so no source file carries a @group tag;
// 2. marks the exports that the browser entry (src/browser.ts) leaves out as Node only;
// 3. fails the build on a top-level export from a folder GROUPS does not place, and on a
//    public symbol without a summary (TypeDoc's own notDocumented check
//    would also demand a comment on every class field such as LeNet5's C1_layer; this asks for
//    what a reader needs: every export, every public method and accessor, every option).

import { Application, CommentTag, Converter, ReflectionKind } from "typedoc";

/** The group of a top-level export, from the source file it is declared in (first match wins). */
const GROUPS = [
  [/^src\/(tensor|creation)\.ts$|^src\/core\/dtype\.ts$/, "Tensors"],
  [/^src\/core\/random\.ts$/, "Random sampling"],
  [/^src\/autograd\//, "Autograd"],
  [/^src\/ops\//, "Math operations"],
  [/^src\/kernels\//, "Backends"],
  [/^src\/data\//, "Data"],
  [/^src\/models\//, "Models"],
  [/^src\/io\/|^src\/train\/checkpoint\.ts$/, "Serialization"],
];
// typedoc.json's groupOrder lists these names in PyTorch's order.
const NAMESPACE_GROUP = "Submodules (nn, F, optim, data, models, io)";

/** The path of a reflection's first declaration, relative to the repository. */
function sourceOf(reflection) {
  const file = reflection.sources?.[0]?.fullFileName ?? reflection.signatures?.[0]?.sources?.[0]?.fullFileName;
  return file ? file.slice(file.lastIndexOf("/src/") + 1) : "";
}

function groupOf(reflection) {
  if (reflection.kindOf(ReflectionKind.Namespace)) return NAMESPACE_GROUP;
  const file = sourceOf(reflection);
  return GROUPS.find(([pattern]) => pattern.test(file))?.[1];
}

function hasSummary(comment) {
  return !!comment && comment.summary.some((part) => part.text.trim() !== "");
}

/** A reflection is documented when it or one of its signatures has a summary. */
function isDocumented(reflection) {
  if (hasSummary(reflection.comment)) return true;
  const signatures = [...(reflection.signatures ?? []), reflection.getSignature, reflection.setSignature].filter(Boolean);
  if (reflection.type?.type === "reflection") signatures.push(...(reflection.type.declaration.signatures ?? []));
  return signatures.some((s) => hasSummary(s.comment));
}

const EXPORT_KINDS = ReflectionKind.Class | ReflectionKind.Interface | ReflectionKind.TypeAlias | ReflectionKind.Variable | ReflectionKind.Function | ReflectionKind.Namespace;
const MEMBER_KINDS = ReflectionKind.Method | ReflectionKind.Accessor;

/** Public symbols that need a summary: exports, class methods and accessors, interface properties. */
export function undocumented(project) {
  const missing = [];
  for (const reflection of Object.values(project.reflections)) {
    if (!reflection.isDeclaration() || reflection.flags.isExternal || reflection.flags.isPrivate || reflection.flags.isProtected) continue;
    // Inherited members are documented where they are declared; an override without its own
    // comment shows the base's (TypeDoc copies it), so only new members are asked for.
    if (reflection.inheritedFrom || reflection.overwrites || reflection.implementationOf) continue;
    const parent = reflection.parent;
    const needed =
      (reflection.kindOf(EXPORT_KINDS) && parent?.kindOf(ReflectionKind.Project | ReflectionKind.Namespace)) ||
      (reflection.kindOf(MEMBER_KINDS) && parent?.kindOf(ReflectionKind.Class)) ||
      (reflection.kindOf(ReflectionKind.Property) && parent?.kindOf(ReflectionKind.Interface));
    if (needed && !isDocumented(reflection)) missing.push(`${reflection.getFullName()} (${ReflectionKind.singularString(reflection.kind)}, ${sourceOf(reflection)})`);
  }
  return missing.sort();
}

/** The names src/browser.ts exports, read from the program TypeDoc compiled. */
function browserExports(context) {
  for (const program of context.programs) {
    const file = program.getSourceFiles().find((f) => f.fileName.endsWith("/src/browser.ts"));
    const symbol = file && program.getTypeChecker().getSymbolAtLocation(file);
    if (symbol) return new Set(program.getTypeChecker().getExportsOfModule(symbol).map((s) => s.name));
  }
  throw new Error("docs-plugin: src/browser.ts is not in the program");
}

/** @param {Application} app */
export function load(app) {
  // Before TypeDoc's GroupPlugin (priority -100) builds the groups at the end of resolving.
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const inBrowser = browserExports(context);
    for (const child of context.project.children ?? []) {
      const target = child.comment ?? child.signatures?.find((s) => s.comment)?.comment;
      if (!target) continue; // reported as undocumented below
      const group = groupOf(child);
      if (group) target.blockTags.push(new CommentTag("@group", [{ kind: "text", text: group }]));
      if (!inBrowser.has(child.name)) {
        target.blockTags.push(new CommentTag("@remarks", [{ kind: "text", text: "Node only: the browser entry (src/browser.ts) does not export it." }]));
      }
    }
  }, 10);
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    for (const child of project.children ?? []) {
      if (!child.kindOf(ReflectionKind.Reference) && !groupOf(child)) app.logger.error(`${child.name} (${sourceOf(child)}): no group for its folder; add one to GROUPS in scripts/docs-plugin.mjs`);
    }
    const missing = undocumented(project);
    for (const name of missing) app.logger.error(`undocumented public symbol: ${name}`);
    if (missing.length) app.logger.error(`${missing.length} public symbols have no summary: add a /** one-line summary */ (see docs/writing-docs.md)`);
  });
}
