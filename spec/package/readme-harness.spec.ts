import { anchorOf, describeFailures, matchesExpected, pagesBefore, readBlocks, readShellSteps } from './readme-blocks';
import { ReadmeProject } from './readme-project';

// bash and the CLI run in child processes. A safety limit, not an assertion.
jest.setTimeout(60_000);

const fence = '```';

describe('reading the blocks of a README', () => {
  it('finds each block with its line, language, file name and marker', () => {
    const blocks = readBlocks(
      [
        '# Title',
        `${fence}yaml`,
        '# .users.yml',
        '- username: jane',
        fence,
        '',
        '<!-- readme-spec: skip (installs from the registry) -->',
        `${fence}sh`,
        'npm install x',
        fence,
        '<!-- readme-spec: refused -->',
        `${fence}ts`,
        '// app.ts',
        fence,
        `${fence}text`,
        'plain',
        fence,
      ].join('\n'),
    );
    expect(blocks.map(({ line, lang, runner, name, marker }) => ({ line, lang, runner, name, marker }))).toEqual([
      { line: 2, lang: 'yaml', runner: 'yaml', name: '.users.yml', marker: undefined },
      { line: 8, lang: 'sh', runner: 'shell', name: undefined, marker: { kind: 'skip', reason: 'installs from the registry' } },
      { line: 12, lang: 'ts', runner: 'typescript', name: 'app.ts', marker: { kind: 'refused' } },
      { line: 15, lang: 'text', runner: undefined, name: undefined, marker: undefined },
    ]);
    expect(blocks[0]?.code).toBe('# .users.yml\n- username: jane');
  });

  it.each([
    [`${fence}\ncode\n${fence}`, 'a block without a language'],
    [`${fence}sh\nnever closed`, 'never closed'],
    [`<!-- readme-spec: skip -->\n${fence}sh\nx\n${fence}`, 'needs a reason'],
    [`<!-- readme-spec: skipp (typo) -->\n${fence}sh\nx\n${fence}`, 'malformed marker'],
    [`<!-- readme-spec: skip (why) -->\nsome prose\n${fence}sh\nx\n${fence}`, 'right before a block'],
    ['text\n<!-- readme-spec: pending (why) -->', 'right before a block'],
  ])('refuses what would drop an example silently: %j', (markdown, problem) => {
    expect(() => readBlocks(markdown)).toThrow(problem);
  });
});

describe('reading the pages a page goes on from', () => {
  it('reads the after marker before the first block, and keeps it off the blocks', () => {
    const page = ['# Page', '<!-- readme-spec: after (users-file.md, workspaces.md) -->', `${fence}sh`, 'true', fence].join('\n');
    expect(pagesBefore(page)).toEqual(['users-file.md', 'workspaces.md']);
    expect(readBlocks(page).map((block) => block.marker)).toEqual([undefined]);
    expect(pagesBefore('# Page\n')).toEqual([]);
  });

  it.each([
    [`${fence}sh\ntrue\n${fence}\n<!-- readme-spec: after (a.md) -->`, 'before the first block'],
    ['<!-- readme-spec: after (a.md) -->\n<!-- readme-spec: after (b.md) -->', 'one "after" marker at most'],
  ])('refuses a marker a reader would miss: %j', (markdown, problem) => {
    expect(() => pagesBefore(markdown)).toThrow(problem);
  });
});

describe('reading the commands of a shell block', () => {
  it('takes the comment lines right under a command as its output, and other comment lines as comments', () => {
    const steps = readShellSteps(
      ['# a comment', 'curl -s a \\', "  -H 'X: y'", '# {"ok":true}', '# second line', 'echo hi', '', '# a comment again', 'true'].join('\n'),
    );
    expect(steps).toEqual([
      { line: 2, command: "curl -s a \\\n  -H 'X: y'", expected: '{"ok":true}\nsecond line' },
      { line: 6, command: 'echo hi', expected: undefined },
      { line: 9, command: 'true', expected: undefined },
    ]);
  });
});

describe('comparing what a command printed with the README', () => {
  it.each([
    ['{"a":1}', '{"a":1}', true],
    ['{"a":1}\n\n', '{"a":1}', true],
    ['{"a":2}', '{"a":1}', false],
    ['{"a":1}', '{"a":1}\nmore', false],
    ['{"a":1}\nmore', '{"a":1}', false],
    ['before {"a":1}', '{"a":1}', false],
    ['$2b$12$abcdefghijklmnopqrstuv', '$2b$12$...', true],
    ['$2y$12$abc', '$2b$12$...', false],
    ['abc', 'a.c', false],
    ['a(b)c', 'a(b)c', true],
    ['/tmp/x/.users.yml: 3 users, no problems.', '.../.users.yml: 3 users, no problems.', true],
  ])('%j against %j: %s', (actual, expected, matches) => {
    expect(matchesExpected(actual, expected)).toBe(matches);
  });

  it('names the README line of a command that fails or prints something else', () => {
    const block = { line: 40, lang: 'sh', runner: 'shell' as const, code: '', marker: undefined, name: undefined };
    const steps = readShellSteps('echo a\n# a\necho b\n# c\nfalse');
    const printed = ['a\n', 'b\n', ''];
    const report = describeFailures(
      block,
      steps.map((step, index) => ({ step, stdout: printed[index] ?? '', status: index === 2 ? 1 : 0 })),
      '',
      '',
    );
    expect(report).toContain('README.md line 43: `echo b` printed:\nb\nbut README.md says:\nc');
    expect(report).toContain('README.md line 45: `false` exited with 1');
    expect(report).not.toContain('line 41');
  });
});

describe("GitHub's heading anchors", () => {
  it.each([
    ['Options of `workspaceAuth()`', 'options-of-workspaceauth'],
    ['Moving an Argilla or Rubrix users file', 'moving-an-argilla-or-rubrix-users-file'],
    ['HTTP and refusals', 'http-and-refusals'],
  ])('%s → #%s', (heading, anchor) => {
    expect(anchorOf(heading)).toBe(anchor);
  });
});

describe('running a shell block in the scratch project', () => {
  const project = new ReadmeProject();
  afterAll(() => project.close());

  it("reports each command's output and status, keeps variables between commands, and runs the package's CLI without the registry", async () => {
    const steps = readShellSteps(['NAME=jane', 'echo "hello $NAME"', 'false', 'npx express-workspace-auth gen-api-key'].join('\n'));
    const { results } = await project.runShell(steps);
    expect(results.map(({ stdout, status }) => ({ stdout: stdout.trimEnd(), status }))).toEqual([
      { stdout: '', status: 0 },
      { stdout: 'hello jane', status: 0 },
      { stdout: '', status: 1 },
      { stdout: expect.stringMatching(/^[\w-]{43}$/), status: 0 },
    ]);
  });

  it('type-checks blocks strictly against the package, and pins each problem to its block', () => {
    const problems = project.typecheck(
      new Map([
        ['good', "import { workspaceAuth } from 'express-workspace-auth';\nworkspaceAuth({ usersFile: '.users.yml', watch: false }).close();\n"],
        ['misspelt', "import { workspaceAuth } from 'express-workspace-auth';\nworkspaceAuth({ userFile: 'x' });\n"],
        ['unchecked', "import express from 'express';\nimport 'express-workspace-auth';\nexpress().get('/', (req, res) => { res.json(req.workspace.length); });\n"],
      ]),
    );
    expect(problems.get('good')).toEqual([]);
    expect(problems.get('misspelt')).toEqual([expect.stringMatching(/^line 2: .*'userFile' does not exist.*'usersFile'/)]);
    expect(problems.get('unchecked')).toEqual(["line 3: 'req.workspace' is possibly 'undefined'."]);
  });

  it('refuses a block that calls the app when no block started one', async () => {
    await expect(project.runShell(readShellSteps('curl -s localhost:6900/api/me'))).rejects.toThrow('no block before it starts an app');
  });
});
