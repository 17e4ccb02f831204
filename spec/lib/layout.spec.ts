/**
 * The layout of lib/ (docs/architecture.md): feature folders in one order, each importing only
 * the folders after it and the vocabulary at the top. Biome's noRestrictedImports says so in
 * `npm run lint`; here, upward imports are planted in a copy of the tree and must fail it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
const BIOME = path.join(ROOT, 'node_modules', '.bin', 'biome');
const ORDER = ['cli', 'options', 'http', 'workspaces', 'protection', 'auth', 'store', 'users', 'util'];
const temp = tempDir();

/** Lints one planted module (and what it imports) with the project's own configuration, outside the repository. */
function lintPlanted(file: string, source: string): { status: number | null; output: string } {
  const dir = path.join(temp.dir, `tree-${Math.random().toString(36).slice(2)}`);
  // The project's rules as they are, less the VCS setting (the copy is not a git checkout).
  const config = readFileSync(path.join(ROOT, 'biome.jsonc'), 'utf8').replace(/"vcs": \{[^}]*\},/, '').replace(/"\$schema": "[^"]*",/, '');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'biome.jsonc'), config);
  for (const folder of ORDER) {
    mkdirSync(path.join(dir, 'lib', folder), { recursive: true });
    writeFileSync(path.join(dir, 'lib', folder, 'thing.ts'), 'export const thing = 1;\n');
  }
  for (const face of ['index', 'plugin', 'cli', 'types']) writeFileSync(path.join(dir, 'lib', `${face}.ts`), 'export const face = 1;\n');
  writeFileSync(path.join(dir, file), source);
  const result = spawnSync(BIOME, ['lint', '--error-on-warnings', file], { cwd: dir, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('one import direction between the folders of lib/', () => {
  it.each([
    ['lib/auth/planted.ts', "import { thing } from '../http/thing';"],
    ['lib/users/planted.ts', "import { thing } from '../store/thing';"],
    ['lib/util/planted.ts', "import { thing } from '../users/thing';"],
    ['lib/store/planted.ts', "import { thing } from '../auth';"],
    ['lib/http/planted.ts', "import { face } from '../plugin';"],
    ['lib/protection/planted.ts', "import { face } from '..';"],
    ['lib/types.ts', "import { thing } from './store/thing';"],
  ])('refuses an upward import in %s', (file, source) => {
    const { status, output } = lintPlanted(file, `${source}\nexport const planted = 1;\n`);
    expect(status).not.toBe(0);
    expect(output).toContain('noRestrictedImports');
  }, 30_000);

  it('accepts a downward import and the vocabulary', () => {
    const { status, output } = lintPlanted('lib/http/planted.ts', "import { thing } from '../auth/thing';\nimport { face } from '../types';\nexport const planted = thing + face;\n");
    expect(output).not.toContain('noRestrictedImports');
    expect(status).toBe(0);
  }, 30_000);
});

describe('the shape of lib/', () => {
  const modules = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? modules(full) : name.endsWith('.ts') ? [full] : [];
    });

  it('holds at most 8 files at its top, and the folders in the order the lint rule knows', () => {
    const entries = readdirSync(path.join(ROOT, 'lib'), { withFileTypes: true });
    expect(entries.filter((entry) => entry.isFile()).length).toBeLessThanOrEqual(8);
    expect(entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()).toEqual([...ORDER].sort());
  });

  it('has no module over 250 lines', () => {
    const long = modules(path.join(ROOT, 'lib')).filter((file) => readFileSync(file, 'utf8').split('\n').length > 250);
    expect(long.map((file) => path.relative(ROOT, file))).toEqual([]);
  });
});
