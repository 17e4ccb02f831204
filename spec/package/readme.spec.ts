/**
 * Every example of README.md, of each docs/*.md page and of example-app/README.md runs here, page by page, each in a
 * scratch folder of its own, in order, as a reader would:
 * - ```yaml: loaded with parseUsersFile; saved when its first line names a file (`# .users.yml`),
 *   and a running app must then report the reload. After `<!-- readme-spec: refused -->`, it
 *   must be refused with exactly the report of the next ```text block.
 * - ```ts: type-checked (strict) and run with tsx; ```js: run. A block that listens on 6900 is
 *   the app every following shell block calls (on a free port instead); any other must exit 0.
 * - ```sh: run with bash in the folder; `# ...` lines right under a command are its output
 *   (`...` matches anything). `npm ci && npm start` (or `NAME=value npm start`) starts the
 *   example app as in a fresh clone.
 * `<!-- readme-spec: skip (why) -->` keeps a block out; `pending (why)` lists it as a todo.
 * A page whose examples go on from others says so once, before its first block:
 * `<!-- readme-spec: after (users-file.md) -->`; their files are saved and their last app runs
 * before the page's own blocks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseUsersFile, UsersFileError } from '../../lib';
import { hasHtpasswd } from '../system-tools';
import { describeFailures, headingAnchors, pagesBefore, readBlocks, readShellSteps, type Block, type StepResult } from './readme-blocks';
import { README_PORT, ReadmeProject, ROOT } from './readme-project';

// Apps start and bcrypt logins run in child processes: seconds on a busy machine. A safety limit, not an assertion.
jest.setTimeout(60_000);

/** Where the README's links lead: the repository's files as GitHub shows them, so they work on the npm page too. */
const REPOSITORY_FILES = 'https://github.com/express-workspace-auth/express-workspace-auth/blob/main/';


const DOC_PAGES = readdirSync(path.join(ROOT, 'docs'))
  .filter((file) => file.endsWith('.md'))
  .sort()
  .map((file) => `docs/${file}`);
const PAGES = ['README.md', ...DOC_PAGES, 'example-app/README.md'];

const textOf = (page: string) => readFileSync(path.join(ROOT, page), 'utf8');
const title = (block: Block) => `line ${block.line}: ${block.lang}${block.name ? ` ${block.name}` : ''}`;
const listensOnReadmePort = (block: Block) => new RegExp(`\\.listen\\(${README_PORT}\\)`).test(block.code);
/** `npm start` in a clone, after `npm ci &&` or variables (`NAME=value npm start`): the variables it sets, or undefined for any other command. */
function exampleAppStart(command: string): Record<string, string> | undefined {
  const match = /^(?:npm ci && )?((?:[A-Z_]+=[^\s'"$]+ )*)npm start$/.exec(command);
  if (!match) return undefined;
  return Object.fromEntries((match[1] ?? '').trim().split(/\s+/).filter(Boolean).map((pair) => pair.split('=', 2) as [string, string]));
}

/** A system tool a shell block calls; CI installs them all (.ci/run), elsewhere a missing one skips the block loudly. */
function missingTool(block: Block): string | undefined {
  if (/\bhtpasswd\b/.test(block.code) && !hasHtpasswd) return 'htpasswd';
  return undefined;
}

/** The links of a page to files of the repository, as paths from the root, with their anchors. */
function linksOf(page: string): { link: string; target: string | undefined; anchor: string | undefined }[] {
  const text = textOf(page);
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].flatMap((match) => {
    const link = match[1] ?? '';
    const [file, anchor] = link.split('#');
    if (link.startsWith(REPOSITORY_FILES)) return [{ link, target: decodeURI(file ?? '').slice(REPOSITORY_FILES.length), anchor }];
    if (/^[a-z]+:/.test(link)) return []; // another site
    return [{ link, target: file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page, anchor }];
  });
}

describe('README.md', () => {
  const readme = textOf('README.md');

  it('is at most 300 lines, for a newcomer to read in minutes', () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(300);
  });

  it('starts with the install, before any other section', () => {
    expect(readme.match(/^## .+$/m)?.[0]).toBe('## Install');
  });

  it('links every page of docs/, and the OpenAPI description', () => {
    const targets = new Set(linksOf('README.md').map((link) => link.target));
    for (const page of [...DOC_PAGES, 'docs/openapi.yaml']) expect([...targets]).toContain(page);
  });

  it('links into the repository package.json names, where npm sends its readers too', () => {
    const manifest = JSON.parse(textOf('package.json')) as { repository: { url: string }; homepage: string; bugs: { url: string } };
    const repository = REPOSITORY_FILES.replace(/\/blob\/main\/$/, '');
    expect(manifest.repository.url).toBe(`git+${repository}.git`);
    expect(manifest.homepage).toBe(`${repository}#readme`);
    expect(manifest.bugs.url).toBe(`${repository}/issues`);
  });

  it('links files by absolute URL, which also work on the npm page (relative ones do not)', () => {
    const relative = [...readme.matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)].map((match) => match[1]);
    expect(relative).toEqual([]);
  });
});

describe.each(PAGES)('%s', (page) => {
  const text = textOf(page);
  const blocks = readBlocks(text);

  it('has a language on every block, and markers that are well-formed and stand right before a block', () => {
    // readBlocks threw at load time otherwise; this names the rule in the report.
    expect(blocks.every((block) => block.lang !== '')).toBe(true);
    expect(() => pagesBefore(text)).not.toThrow();
  });

  it('keeps few blocks out of the run, each with its reason', () => {
    const skipped = blocks.filter((block) => block.marker?.kind === 'skip');
    expect(skipped.length).toBeLessThanOrEqual(3);
    for (const block of skipped) expect(block.marker).toEqual({ kind: 'skip', reason: expect.stringMatching(/\w{3,}/) });
  });

  it('links only to files that exist and to headings they have', () => {
    for (const { link, target, anchor } of linksOf(page)) {
      if (target === undefined) continue;
      expect({ link, exists: existsSync(path.join(ROOT, target)) }).toEqual({ link, exists: true });
      if (anchor !== undefined) expect({ link, anchors: [...headingAnchors(textOf(target))] }).toEqual({ link, anchors: expect.arrayContaining([anchor]) });
    }
  });

  it('links each page its examples go on from', () => {
    const targets = linksOf(page).map((link) => link.target);
    for (const before of pagesBefore(text)) expect(targets).toContain(`docs/${before}`);
  });
});

/** Saves the files of the pages a page goes on from, and starts the last app they run, as their reader has it. */
async function replayPagesBefore(page: string, project: ReadmeProject): Promise<void> {
  let lastApp: Block | undefined;
  const replay = (before: string, seen: Set<string>) => {
    if (seen.has(before)) throw new Error(`${page}: the "after" markers go round in a circle through ${before}.`);
    const text = textOf(before);
    for (const earlier of pagesBefore(text)) replay(`docs/${earlier}`, new Set([...seen, before]));
    for (const block of readBlocks(text)) {
      if (block.marker || !block.name) continue;
      if (block.runner === 'yaml') project.write(block.name, block.code);
      else if ((block.runner === 'typescript' || block.runner === 'javascript') && listensOnReadmePort(block)) lastApp = block;
      else if (block.runner === 'typescript' || block.runner === 'javascript') project.write(block.name, block.code);
    }
  };
  for (const before of pagesBefore(textOf(page))) replay(`docs/${before}`, new Set([page]));
  if (lastApp?.name) await project.startApp(lastApp.name, lastApp.code);
}

describe.each(PAGES)('the examples of %s, in order', (page) => {
  const blocks = readBlocks(textOf(page));
  const project = new ReadmeProject();
  beforeAll(() => replayPagesBefore(page, project));
  afterAll(() => project.close());

  const typescriptBlocks = blocks.filter((block) => block.runner === 'typescript' && block.marker === undefined);
  let typeProblems: Map<string, string[]> | undefined;
  const typeProblemsOf = (block: Block) => {
    typeProblems ??= project.typecheck(new Map(typescriptBlocks.map((each) => [`line-${each.line}`, each.code])));
    return typeProblems.get(`line-${block.line}`) ?? [];
  };

  if (!blocks.some((block) => block.runner && block.marker?.kind !== 'skip')) {
    it('has no example to run (prose and tables only)', () => {
      expect(blocks.filter((block) => block.runner && block.marker?.kind !== 'skip')).toEqual([]);
    });
  }

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
          it(`${title(block)}: is refused with the report the page shows under it`, () => {
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
          console.warn(`SKIPPED: the ${page} block at line ${block.line} needs ${tool}, not installed here (CI installs it: see .ci/run).`);
          it.skip(`${title(block)}: needs ${tool}`, () => undefined);
          return;
        }
        it(`${title(block)}: every command succeeds and prints what the page says`, async () => {
          expect(steps.length).toBeGreaterThan(0);
          // `npm ci && npm start` in a clone: the example app (this checkout is installed), the app the next blocks call.
          const [first, ...rest] = steps;
          const startEnv = first && exampleAppStart(first.command);
          const startsApp = first !== undefined && startEnv !== undefined;
          const results: StepResult[] = startsApp ? [{ step: first, stdout: await project.startExampleApp(startEnv), status: 0 }] : [];
          let stderr = '';
          const toRun = startsApp ? rest : steps;
          if (toRun.length > 0) {
            const run = await project.runShell(toRun);
            results.push(...run.results);
            stderr = run.stderr;
          }
          const failures = describeFailures(block, results, stderr, project.appOutput(), page);
          if (failures) throw new Error(failures);
        });
        return;
      }
    }
  });
});
