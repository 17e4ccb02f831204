import { spawnSync } from 'node:child_process';

/**
 * Tests that need a system tool (htpasswd, passlib, chromium) always run in CI, where
 * .ci/run installs the tools, and fail there if one is missing. On a developer machine
 * without the tool they are skipped, loudly.
 */
export function describeWithTool(tool: string, present: boolean): jest.Describe {
  if (present || process.env.CI) return describe;
  console.warn(`SKIPPED: ${tool} is not installed here (CI installs it: see .ci/run).`);
  return describe.skip;
}

export const PYTHON = '/usr/bin/python3';

export const hasHtpasswd = spawnSync('htpasswd', ['-nbB', 'x', 'y']).status === 0;
export const hasPasslib = spawnSync(PYTHON, ['-c', 'import passlib.hash, bcrypt']).status === 0;
/** util-linux `script`, which runs a command on a real pseudo-terminal (Debian: bsdutils, always installed). */
export const hasScript = spawnSync('script', ['-qec', 'true', '/dev/null']).status === 0;
export const hasPyYaml = spawnSync(PYTHON, ['-c', 'import yaml']).status === 0;
