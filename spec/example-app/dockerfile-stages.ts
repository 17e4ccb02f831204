/**
 * The stages of a Dockerfile, read with dockerfile-ast, and run without a Docker engine: each
 * stage is a folder standing for its filesystem, COPY copies from the build context (through the
 * context's .dockerignore, as Docker does) or from an earlier stage's folder, RUN runs with bash
 * in the stage's WORKDIR with its ENV, on this machine's Node.js and npm in place of the base
 * image's. An instruction it does not know is an error, so the Dockerfile cannot drift into
 * something this never ran.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';

export interface Stage {
  /** The `AS` name, or undefined for an unnamed (the final) stage. */
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

export function readDockerfile(text: string): { dockerfile: Dockerfile; args: Map<string, string>; stages: Stage[] } {
  const dockerfile = DockerfileParser.parse(text);
  const args = new Map(
    dockerfile.getInitialARGs().flatMap((arg) => {
      const property = arg.getProperty();
      const name = property?.getName();
      return name ? [[name, property?.getValue() ?? '']] : [];
    }),
  );
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const [image = '', as, name] = instruction.getArguments().map((argument) => argument.getValue());
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_all, braced: string | undefined, bare: string | undefined) => args.get(braced ?? bare ?? '') ?? '');
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, image: resolved, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)?.instructions.push(instruction);
    } else if (keyword !== 'ARG') {
      throw new Error(`${keyword} before the first FROM`);
    }
  }
  return { dockerfile, args, stages };
}

/** The exec-form arguments of CMD or HEALTHCHECK CMD: a JSON array of strings. */
export function execForm(instruction: Instruction): string[] {
  const content = (instruction.getArgumentsContent() ?? '').replace(/^CMD\s+/, '');
  const parsed: unknown = JSON.parse(content);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not an exec form: ${content}`);
  return parsed;
}

/** What a stage left: its folder, and what its last WORKDIR, ENV, USER and CMD say. */
export interface BuiltStage {
  stage: Stage;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  cmd: string[] | undefined;
  healthcheck: string[] | undefined;
}

export interface BuildOptions {
  context: string;
  /** Where the stages' folders go. */
  scratch: string;
  /** A RUN command to leave out, with what stands for it (e.g. an install this checkout already made). */
  substitute?: (stage: Stage, command: string, cwd: string) => boolean;
}

/** Runs every stage in order; resolves with what each left, by index. */
export function buildStages(stages: readonly Stage[], options: BuildOptions): BuiltStage[] {
  const ignore = dockerignore().add(readFileSync(path.join(options.context, '.dockerignore'), 'utf8'));
  const kept = (relative: string) => relative === '' || !ignore.ignores(relative.split(path.sep).join('/'));
  const built: BuiltStage[] = [];
  stages.forEach((stage, index) => {
    const root = path.join(options.scratch, `stage-${index}`);
    mkdirSync(root, { recursive: true });
    const state: BuiltStage = { stage, root, workdir: '/', env: {}, user: undefined, cmd: undefined, healthcheck: undefined };
    const inStage = (where: string) => path.join(root, path.posix.resolve(state.workdir, where));
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      const values = instruction.getArguments().map((argument) => argument.getValue());
      switch (keyword) {
        case 'WORKDIR':
          state.workdir = path.posix.resolve(state.workdir, values[0] ?? '/');
          mkdirSync(inStage('.'), { recursive: true });
          break;
        case 'ENV':
          for (const property of (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
            state.env[property.getName()] = property.getValue() ?? '';
          }
          break;
        case 'COPY': {
          const flags = (instruction as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags();
          const from = flags.find((flag) => flag.getName() === 'from')?.getValue();
          const unknown = flags.filter((flag) => flag.getName() !== 'from');
          if (unknown.length > 0) throw new Error(`COPY --${unknown[0]?.getName()} is not run here`);
          const sources = values.slice(0, -1);
          const destination = inStage(values.at(-1) ?? '.');
          const source = from === undefined ? undefined : built.find((each) => each.stage.name === from);
          if (from !== undefined && !source) throw new Error(`COPY --from=${from}: no such earlier stage`);
          for (const each of sources) {
            const origin = source ? path.join(source.root, each) : path.join(options.context, each);
            if (!existsSync(origin) || (!source && !kept(each))) throw new Error(`COPY ${each}: not in the ${source ? `stage ${from}` : 'build context'}`);
            const target = statSync(origin).isDirectory() || !(values.at(-1) ?? '').endsWith('/') ? destination : path.join(destination, path.basename(each));
            mkdirSync(path.dirname(target), { recursive: true });
            cpSync(origin, target, {
              recursive: true,
              verbatimSymlinks: true,
              filter: (file) => source !== undefined || kept(path.relative(options.context, file)),
            });
          }
          break;
        }
        case 'RUN': {
          const command = instruction.getArgumentsContent() ?? '';
          const cwd = inStage('.');
          if (options.substitute?.(stage, command, cwd)) break;
          const run = spawnSync('bash', ['-c', command], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...state.env }, encoding: 'utf8' });
          if (run.status !== 0) throw new Error(`RUN ${command}\nexited with ${String(run.status)}:\n${run.stdout}${run.stderr}`);
          break;
        }
        case 'USER':
          state.user = values[0];
          break;
        case 'CMD':
          state.cmd = execForm(instruction);
          break;
        case 'HEALTHCHECK':
          state.healthcheck = execForm(instruction);
          break;
        case 'EXPOSE':
          break;
        default:
          throw new Error(`${keyword} is not run here: teach spec/example-app/dockerfile-stages.ts what it does`);
      }
    }
    built.push(state);
  });
  return built;
}
