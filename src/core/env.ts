// The process's environment variables where there is a process (Node), none in a browser: the
// library reads its TORCHLET_* settings through this, so that it loads in both.

export function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[name];
}
