import { parseArgs } from 'node:util';
import { MAX_BCRYPT_COST, MIN_RECOMMENDED_BCRYPT_COST } from '../users/hash-format';
import { closestName } from '../util/did-you-mean';
import { usageError } from './io';

/** What a command accepts on its command line. */
export interface ArgsSpec {
  /** The command's line in the usage text, e.g. `rotate-key USERNAME [--file F]`. */
  synopsis: string;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  options: Readonly<Record<string, 'string' | 'boolean'>>;
  /** Lines that explain the options, shown with every usage error of this command. */
  details?: string;
}

export interface ParsedArgs {
  /** `--help` or `-h` was given: the command prints its usage and does nothing else. */
  help: boolean;
  positionals: string[];
  strings: Partial<Record<string, string>>;
  flags: ReadonlySet<string>;
}

export function usageOf(spec: ArgsSpec): string {
  return `Usage: express-workspace-auth ${spec.synopsis}\n${spec.details ?? ''}`;
}

/** `--workspace` for `--workspaces`: an option close enough to a known one to be a typo. */
function didYouMean(name: string, spec: ArgsSpec): string {
  const guess = closestName(name, Object.keys(spec.options), 2);
  return guess === undefined ? '' : ` Did you mean --${guess}?`;
}

/**
 * The command line of one command, or a usage error naming the first thing wrong. Stricter than
 * `parseArgs({ strict: true })`: an option given twice, or a value that is itself an option
 * (`--workspaces --superuser`), is refused rather than guessed at.
 */
export function parseCommandArgs(command: string, spec: ArgsSpec, args: readonly string[]): ParsedArgs {
  const fail = (problem: string) => usageError(`${command}: ${problem}\n${usageOf(spec)}`);
  const options = Object.fromEntries(Object.entries(spec.options).map(([name, type]) => [name, { type }]));
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  // --help anywhere (before `--`) wins over any other problem: whoever asks for it is unsure of the rest.
  if (tokens.some((token) => token.kind === 'option' && (token.rawName === '--help' || token.rawName === '-h'))) {
    return { help: true, positionals: [], strings: {}, flags: new Set() };
  }
  const positionals: string[] = [];
  const strings: Partial<Record<string, string>> = {};
  const flags = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue; // the `--` terminator
    const kind = Object.hasOwn(spec.options, token.name) ? spec.options[token.name] : undefined;
    if (kind === undefined) throw fail(`unknown option ${token.rawName}.${didYouMean(token.name, spec)}`);
    if (strings[token.name] !== undefined || flags.has(token.name)) throw fail(`${token.rawName} is given twice.`);
    if (kind === 'boolean') {
      if (token.value !== undefined) throw fail(`${token.rawName} takes no value.`);
      flags.add(token.name);
    } else {
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
        throw fail(`${token.rawName} needs a value.`);
      }
      strings[token.name] = token.value;
    }
  }
  const { min, max } = spec.positionals;
  if (positionals.length < min || positionals.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw fail(`expected ${expected} argument${max === 1 ? '' : 's'}, got ${positionals.length}.`);
  }
  return { help: false, positionals, strings, flags };
}

const DEFAULT_COST = 12;
export const COST_RULE = `--cost N, with N from ${MIN_RECOMMENDED_BCRYPT_COST} to ${MAX_BCRYPT_COST} (default ${DEFAULT_COST})`;

/** The bcrypt cost of `--cost N`, within the costs the users-file loader accepts without a warning. */
export function parseCost(command: string, spec: ArgsSpec, value: string | undefined): number {
  if (value === undefined) return DEFAULT_COST;
  const cost = Number(value);
  if (!/^\d+$/.test(value) || cost < MIN_RECOMMENDED_BCRYPT_COST || cost > MAX_BCRYPT_COST) {
    throw usageError(`${command}: the bcrypt cost is ${COST_RULE}.\n${usageOf(spec)}`);
  }
  return cost;
}
