/**
 * Reads the examples of a Markdown file: its fenced blocks, the `readme-spec` marker before
 * each, and the commands of shell blocks with the output written under them. Pure: no disk,
 * no processes (readme-project.ts runs what this finds).
 */

/** The languages whose blocks are run, by the kind of runner. */
const RUNNERS: Record<string, 'typescript' | 'javascript' | 'shell' | 'yaml'> = {
  ts: 'typescript',
  typescript: 'typescript',
  js: 'javascript',
  javascript: 'javascript',
  sh: 'shell',
  bash: 'shell',
  shell: 'shell',
  yaml: 'yaml',
  yml: 'yaml',
};

export type Runner = (typeof RUNNERS)[string];

/**
 * What an HTML comment right before a block says:
 * - `skip (why)`: for the reader only (an install from the registry), never run;
 * - `pending (why)`: an example of what lands at a merge; listed as a todo until the marker goes;
 * - `refused`: YAML that the loader must refuse with exactly the report of the next `text` block.
 */
export type Marker = { kind: 'skip' | 'pending'; reason: string } | { kind: 'refused' };

export interface Block {
  /** 1-based line of the opening fence in the Markdown file. */
  line: number;
  lang: string;
  runner: Runner | undefined;
  code: string;
  marker: Marker | undefined;
  /** The file name in the first line (`// app.ts`, `# .users.yml`): where the reader would save it. */
  name: string | undefined;
}

const MARKER = /^<!-- readme-spec: (skip|pending|refused)(?: \(([^()]*(?:\([^()]*\)[^()]*)*)\))? -->$/;
/**
 * A page-level marker, on a line of its own before the first block: the page's examples go on
 * from the named pages (of the same folder), as a reader who followed them would have their
 * files saved and their last app running.
 */
const AFTER = /^<!-- readme-spec: after \(([\w.-]+\.md(?:, [\w.-]+\.md)*)\) -->$/;

/** The pages a page's examples go on from (its `after` marker), or none. */
export function pagesBefore(markdown: string): string[] {
  const lines = markdown.split('\n');
  const firstFence = lines.findIndex((line) => FENCE.test(line));
  const markers = lines.flatMap((line, index) => (AFTER.test(line.trim()) ? [{ line: line.trim(), index }] : []));
  if (markers.length === 0) return [];
  const [marker] = markers;
  if (markers.length > 1 || (firstFence !== -1 && (marker?.index ?? 0) > firstFence)) {
    throw new Error(`line ${(marker?.index ?? 0) + 1}: one "after" marker at most, before the first block.`);
  }
  return (AFTER.exec(marker?.line ?? '')?.[1] ?? '').split(', ');
}
const FENCE = /^```(.*)$/;

function nameOf(runner: Runner | undefined, code: string): string | undefined {
  const first = code.split('\n', 1)[0] ?? '';
  if (runner === 'typescript' || runner === 'javascript') return /^\/\/ ([\w.-]+\.(?:ts|mts|cts|js|mjs|cjs))\s*$/.exec(first)?.[1];
  if (runner === 'yaml') return /^# ([\w.-]+\.ya?ml)\s*$/.exec(first)?.[1];
  return undefined;
}

/**
 * Every fenced block of a Markdown text, in order. Throws on what would make an example
 * silently drop out of the run: a fence without a language, an unclosed fence, a malformed
 * marker, a marker that does not stand right before a block.
 */
export function readBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let pendingMarker: { marker: Marker; line: number } | undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const text = lines[index] ?? '';
    if (AFTER.test(text.trim())) continue; // the page's, not a block's: pagesBefore reads it
    if (/^<!--.*readme-spec/.test(text.trim())) {
      const match = MARKER.exec(text.trim());
      if (!match) throw new Error(`line ${index + 1}: malformed marker "${text.trim()}": write <!-- readme-spec: skip (why) -->, pending (why), refused or after (page.md).`);
      const kind = match[1] as 'skip' | 'pending' | 'refused';
      const reason = match[2]?.trim() ?? '';
      if (kind !== 'refused' && reason === '') throw new Error(`line ${index + 1}: the ${kind} marker needs a reason in parentheses.`);
      pendingMarker = { marker: kind === 'refused' ? { kind } : { kind, reason }, line: index + 1 };
      continue;
    }
    const fence = FENCE.exec(text);
    if (!fence) {
      if (pendingMarker && text.trim() !== '') throw new Error(`line ${pendingMarker.line}: a readme-spec marker must stand right before a block.`);
      continue;
    }
    const lang = (fence[1] ?? '').trim();
    if (lang === '') throw new Error(`line ${index + 1}: a block without a language; name it (\`\`\`sh, \`\`\`ts, \`\`\`text, ...).`);
    const start = index;
    const body: string[] = [];
    for (index += 1; index < lines.length && !/^```\s*$/.test(lines[index] ?? ''); index += 1) body.push(lines[index] ?? '');
    if (index >= lines.length) throw new Error(`line ${start + 1}: the block is never closed.`);
    const runner = RUNNERS[lang];
    const code = body.join('\n');
    blocks.push({ line: start + 1, lang, runner, code, marker: pendingMarker?.marker, name: nameOf(runner, code) });
    pendingMarker = undefined;
  }
  if (pendingMarker) throw new Error(`line ${pendingMarker.line}: a readme-spec marker must stand right before a block.`);
  return blocks;
}

/** One command of a shell block, and what it must print (undefined: anything, as long as it succeeds). */
export interface ShellStep {
  /** 1-based line in the block. */
  line: number;
  command: string;
  expected: string | undefined;
}

/**
 * The commands of a shell block. A command may go on over lines ending in `\`. Comment lines
 * right under a command (no blank line between) are what it prints; `...` in them matches
 * anything. Other comment lines are comments.
 */
export function readShellSteps(code: string): ShellStep[] {
  const steps: ShellStep[] = [];
  let current: ShellStep | undefined;
  let continued = false;
  let expected: string[] | undefined;
  const finish = () => {
    if (current) steps.push({ ...current, expected: expected?.join('\n') });
    current = undefined;
    expected = undefined;
  };
  code.split('\n').forEach((text, index) => {
    if (continued && current) {
      current.command += `\n${text}`;
      continued = text.endsWith('\\');
      return;
    }
    if (text.trim() === '') {
      finish();
      return;
    }
    if (/^\s*#/.test(text)) {
      // Right under a command (or its earlier output lines): output. Elsewhere: a comment.
      if (current) {
        expected ??= [];
        expected.push(text.replace(/^\s*# ?/, ''));
      }
      return;
    }
    finish();
    current = { line: index + 1, command: text, expected: undefined };
    continued = text.endsWith('\\');
  });
  finish();
  return steps;
}

/** What one command of a shell block did. */
export interface StepResult {
  step: ShellStep;
  /** What the command printed on standard output. */
  stdout: string;
  /** Its exit status; -1 when the shell never got to report it. */
  status: number;
}

/** Whether what a command printed is what the README says; `...` stands for anything. */
export function matchesExpected(actual: string, expected: string): boolean {
  const pattern = expected
    .split('...')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${pattern}$`).test(actual.trimEnd());
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces as dashes. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of every heading of a Markdown text, outside fenced blocks. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) inFence = !inFence;
    const heading = !inFence && /^#{1,6} (.+)$/.exec(line);
    if (heading) anchors.add(anchorOf(heading[1] ?? ''));
  }
  return anchors;
}

/** What went wrong in a shell block, by line of its Markdown file; undefined when every command did as the file says. */
export function describeFailures(block: Block, results: readonly StepResult[], stderr: string, appOutput: string, file = 'README.md'): string | undefined {
  const failures = results.flatMap(({ step, stdout, status }) => {
    const where = `${file} line ${block.line + step.line}`;
    if (status !== 0) return [`${where}: \`${step.command}\` exited with ${status}; it printed:\n${stdout}`];
    if (step.expected !== undefined && !matchesExpected(stdout, step.expected)) {
      return [`${where}: \`${step.command}\` printed:\n${stdout.trimEnd()}\nbut ${file} says:\n${step.expected}`];
    }
    return [];
  });
  return failures.length === 0 ? undefined : `${failures.join('\n\n')}\n\nstandard error:\n${stderr}\n\n${appOutput}`;
}
