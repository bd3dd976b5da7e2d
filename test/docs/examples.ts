// The documentation's examples, found and turned into checks (the convention is in
// docs/writing-docs.md):
//   - every `@example` of a JSDoc comment in src/ (found with TypeScript's parser, so each one
//     knows the declaration it documents), and every ```ts example fence of README.md and docs/;
//   - in an example, a line `CODE // => VALUE` asserts that CODE equals VALUE (a JS literal;
//     a tensor compares its toArray(), numbers to 4 significant digits), `CODE // shape [2, 3]`
//     asserts a tensor's shape, `CODE // throws RangeError: text` that CODE throws that error
//     with that text in its message; `const y = CODE // ...` checks y. Other lines run as written.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

export interface Example {
  /** Where it is written: "src/ops/pad.ts:23 pad" or "README.md:120". */
  where: string;
  /** The declaration it documents (for src/ examples). */
  symbol?: string;
  /** The example's source (TypeScript, as written). */
  code: string;
  /** A Markdown example's name, from its `<!-- ts example NAME -->` marker. */
  name?: string;
}

/** The .ts files under dir, recursively. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** The text of an @example tag: its lines, without a ``` fence around them. */
function exampleText(tag: ts.JSDocTag): string {
  const text = typeof tag.comment === "string" ? tag.comment : ts.getTextOfJSDocComment(tag.comment) ?? "";
  return text.replace(/^\s*```\w*\n/, "").replace(/\n```\s*$/, "").trim();
}

/** The name of a documented declaration ("Tensor.view", "conv2d"), or undefined. */
function declarationName(node: ts.Node): string | undefined {
  const own = (n: ts.Node) => ((n as ts.NamedDeclaration).name && ts.isIdentifier((n as ts.NamedDeclaration).name!) ? ((n as ts.NamedDeclaration).name as ts.Identifier).text : undefined);
  if (ts.isVariableStatement(node)) return own(node.declarationList.declarations[0]);
  const name = own(node);
  const parent = node.parent && ts.isClassDeclaration(node.parent) ? own(node.parent) : undefined;
  return name && parent ? `${parent}.${name}` : name;
}

/** Every @example of the JSDoc comments in the .ts files under srcDir. */
export function sourceExamples(root: string, srcDir = join(root, "src")): Example[] {
  const examples: Example[] = [];
  for (const file of tsFiles(srcDir)) {
    const text = readFileSync(file, "utf8");
    if (!text.includes("@example")) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node) => {
      for (const doc of (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []) {
        for (const tag of doc.tags ?? []) {
          if (tag.tagName.text !== "example") continue;
          const line = source.getLineAndCharacterOfPosition(tag.getStart()).line + 1;
          const symbol = declarationName(node);
          examples.push({ where: `${relative(root, file)}:${line}${symbol ? " " + symbol : ""}`, symbol, code: exampleText(tag) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return examples;
}

const unescapeHtml = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/**
 * Every ```ts example fence of a Markdown file, and every program written in pieces beside
 * another language's: between the lines `<!-- ts example NAME -->` and `<!-- /ts example -->`, the
 * `<pre lang="ts">` blocks in order (HTML tables put the Python and the TypeScript side by side).
 */
export function markdownExamples(root: string, file: string): Example[] {
  const text = readFileSync(join(root, file), "utf8");
  const lines = text.split("\n");
  const examples: Example[] = [];
  for (const m of text.matchAll(/^<!-- ts example (\S+) -->$([\s\S]*?)^<!-- \/ts example -->$/gm)) {
    const pieces = [...m[2].matchAll(/<pre lang="ts">([\s\S]*?)<\/pre>/g)].map((p) => unescapeHtml(p[1]).replace(/^\n/, ""));
    const line = text.slice(0, m.index).split("\n").length;
    examples.push({ where: `${file}:${line} ${m[1]}`, name: m[1], code: pieces.join("\n") });
  }
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s+example\s*$/.test(lines[i])) continue;
    const end = lines.indexOf("```", i + 1);
    if (end < 0) throw new Error(`${file}:${i + 1}: an example fence is never closed`);
    examples.push({ where: `${file}:${i + 1}`, code: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return examples;
}

const CHECK = /^(.*?)\s*\/\/\s*(=>|shape|throws)\s*(.*)$/;

/** An example's TypeScript with each `// =>`, `// shape` and `// throws` line turned into a check. */
export function withChecks(example: Example): { code: string; checks: number } {
  let checks = 0;
  const lines = example.code.split("\n").map((line, i) => {
    const m = CHECK.exec(line);
    if (!m || m[1].trim() === "") return line;
    checks++;
    const [, statement, kind, expected] = m;
    const code = statement.trim().replace(/;$/, "");
    const label = JSON.stringify(`${example.where}, line ${i + 1}: ${line.trim()}`);
    if (kind === "throws") return `__check.throws(() => { ${code}; }, ${JSON.stringify(expected.trim())}, ${label});`;
    const declared = /^(?:const|let)\s+(\w+)\s*(?::[^=]+)?=/.exec(code);
    const actual = declared ? declared[1] : `(${code})`;
    const check = kind === "=>" ? `__check.value(${actual}, (${expected}), ${label});` : `__check.shape(${actual}, ${expected}, ${label});`;
    return declared ? `${code}; ${check}` : check;
  });
  return { code: lines.join("\n"), checks };
}

/** The files under srcDir that declare each exported function, class or constant, by name. */
export function exportedDeclarations(root: string, srcDir = join(root, "src")): Map<string, string[]> {
  const files = new Map<string, string[]>();
  const add = (name: string, file: string) => files.set(name, [...(files.get(name) ?? []), relative(root, file)]);
  for (const file of tsFiles(srcDir)) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
    for (const s of source.statements) {
      if (!ts.canHaveModifiers(s) || !ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) add(s.name.text, file);
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) add(d.name.text, file);
    }
  }
  return files;
}
