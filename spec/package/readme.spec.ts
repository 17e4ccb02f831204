/**
 * Every example of README.md runs here, in order, in one scratch folder, as a reader would:
 * - ```yaml: loaded with parseUsersFile; saved when its first line names a file (`# .users.yml`),
 *   and a running app must then report the reload. After `<!-- readme-spec: refused -->`, it
 *   must be refused with exactly the report of the next ```text block.
 * - ```ts: type-checked (strict) and run with tsx; ```js: run. A block that listens on 6900 is
 *   the app every following shell block calls (on a free port instead); any other must exit 0.
 * - ```sh: run with bash in the folder; `# ...` lines right under a command are its output.
 * `<!-- readme-spec: skip (why) -->` keeps a block out; `pending (why)` lists it as a todo.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseUsersFile, UsersFileError } from '../../lib';
import { hasHtpasswd } from '../system-tools';
import { describeFailures, headingAnchors, readBlocks, readShellSteps, type Block } from './readme-blocks';
import { README_PORT, ReadmeProject, ROOT } from './readme-project';

// Apps start and bcrypt logins run in child processes: seconds on a busy machine. A safety limit, not an assertion.
jest.setTimeout(60_000);

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = readBlocks(README);
const title = (block: Block) => `line ${block.line}: ${block.lang}${block.name ? ` ${block.name}` : ''}`;
const listensOnReadmePort = (block: Block) => new RegExp(`\\.listen\\(${README_PORT}\\)`).test(block.code);

/** A system tool a shell block calls; CI installs them all (.ci/run), elsewhere a missing one skips the block loudly. */
function missingTool(block: Block): string | undefined {
  if (/\bhtpasswd\b/.test(block.code) && !hasHtpasswd) return 'htpasswd';
  return undefined;
}

describe('README.md', () => {
  it('has a language on every block, and markers that are well-formed and stand right before a block', () => {
    // readBlocks threw at load time otherwise; this names the rule in the report.
    expect(blocks.length).toBeGreaterThan(10);
  });

  it('keeps few blocks out of the run, each with its reason', () => {
    const skipped = blocks.filter((block) => block.marker?.kind === 'skip');
    expect(skipped.length).toBeLessThanOrEqual(3);
    for (const block of skipped) expect(block.marker).toEqual({ kind: 'skip', reason: expect.stringMatching(/\w{3,}/) });
  });

  it('links only to files that exist and to headings it has', () => {
    const anchors = headingAnchors(README);
    const links = [...README.matchAll(/\]\(((?!https?:)[^)\s]+)\)/g)].map((match) => match[1] ?? '');
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) {
      const [file, anchor] = link.split('#');
      if (file) expect(existsSync(path.join(ROOT, file))).toBe(true);
      else expect(anchors).toContain(anchor);
    }
  });
});

describe('the examples of README.md, in order', () => {
  const project = new ReadmeProject();
  afterAll(() => project.close());

  const typescriptBlocks = blocks.filter((block) => block.runner === 'typescript' && block.marker === undefined);
  let typeProblems: Map<string, string[]> | undefined;
  const typeProblemsOf = (block: Block) => {
    typeProblems ??= project.typecheck(new Map(typescriptBlocks.map((each) => [`line-${each.line}`, each.code])));
    return typeProblems.get(`line-${block.line}`) ?? [];
  };

  blocks.forEach((block, index) => {
    if (!block.runner) return;
    if (block.marker?.kind === 'skip') return;
    if (block.marker?.kind === 'pending') {
      it.todo(`${title(block)}: pending: ${block.marker.reason}`);
      return;
    }

    switch (block.runner) {
      case 'yaml':
        if (block.marker?.kind === 'refused') {
          it(`${title(block)}: is refused with the report the README shows under it`, () => {
            const report = blocks[index + 1];
            expect(report?.lang).toBe('text');
            let refusal: unknown;
            try {
              parseUsersFile(block.code, block.name ?? 'users.yml');
            } catch (error) {
              refusal = error;
            }
            expect(refusal).toBeInstanceOf(UsersFileError);
            expect((refusal as Error).message).toBe(report?.code.trimEnd());
          });
          return;
        }
        it(`${title(block)}: is a users file the loader accepts`, () => {
          expect(() => parseUsersFile(block.code, block.name ?? 'users.yml')).not.toThrow();
          if (block.name) project.write(block.name, block.code);
        });
        return;

      case 'typescript':
      case 'javascript': {
        const name = block.name ?? `block-line-${block.line}.${block.runner === 'typescript' ? 'ts' : 'mjs'}`;
        it(`${title(block)}: ${block.runner === 'typescript' ? 'type-checks and ' : ''}${listensOnReadmePort(block) ? 'starts and listens' : 'runs to its end'}`, async () => {
          if (block.runner === 'typescript') expect(typeProblemsOf(block)).toEqual([]);
          if (listensOnReadmePort(block)) {
            await project.startApp(name, block.code);
            return;
          }
          project.write(name, block.code);
          const run = await project.runToEnd(name);
          if (run.code !== 0) throw new Error(`${name} exited with ${String(run.code)}:\n${run.stdout}${run.stderr}`);
        });
        return;
      }

      case 'shell': {
        const steps = readShellSteps(block.code);
        const tool = missingTool(block);
        if (tool && !process.env.CI) {
          console.warn(`SKIPPED: the README block at line ${block.line} needs ${tool}, not installed here (CI installs it: see .ci/run).`);
          it.skip(`${title(block)}: needs ${tool}`, () => undefined);
          return;
        }
        it(`${title(block)}: every command succeeds and prints what the README says`, async () => {
          expect(steps.length).toBeGreaterThan(0);
          const { results, stderr } = await project.runShell(steps);
          const failures = describeFailures(block, results, stderr, project.appOutput());
          if (failures) throw new Error(failures);
        });
        return;
      }
    }
  });
});
