// Type-checking the documentation's examples against the published declarations (dist/*.d.ts,
// which `npm test`'s pretest builds): an example that runs but would not compile in a user's
// TypeScript (a renamed option that JavaScript silently ignores, a wrong argument type) fails.

import { join } from "node:path";
import ts from "typescript";
import type { Example } from "./examples.js";

/** The diagnostics of every example, compiled as the body of a function with `names` in scope. */
export function typeErrors(root: string, examples: readonly Example[], names: readonly string[]): string[] {
  const library = join(root, "dist", "index.js");
  const files = new Map<string, { example: Example; offset: number; text: string }>();
  const from = JSON.stringify(library);
  const IMPORT = /^import (.*) from "torchlet";?$/gm;
  examples.forEach((example, i) => {
    // An example's own imports become the file's; the others get torch and every export by name.
    const own = [...example.code.matchAll(IMPORT)].map((m) => `import ${m[1]} from ${from};`);
    const header = [
      ...(own.length ? own : [`import * as torch from ${from};`, `import { ${names.join(", ")} } from ${from};`]),
      "export async function example() {",
    ];
    const code = example.code.replace(IMPORT, "");
    files.set(join(root, "test", "docs", `example-${i}.ts`), { example, offset: header.length, text: [...header, code, "}"].join("\n") });
  });
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, types: ["node"] };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) => {
    const v = files.get(name);
    return v ? ts.createSourceFile(name, v.text, version) : getSourceFile.call(host, name, version, ...rest);
  };
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name)?.text ?? readFile.call(host, name);
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const v = d.file && files.get(d.file.fileName);
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!v || d.start === undefined) return message;
    const line = d.file!.getLineAndCharacterOfPosition(d.start).line - v.offset + 1;
    return `${v.example.where}, line ${line}: ${message}`;
  });
}
