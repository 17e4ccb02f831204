/**
 * The story of the Argilla/Rubrix user-management guide, told with the TypeScript client
 * against a running example app started with `example-app/users.example.yml`:
 *
 *   ARGILLA_LOCAL_AUTH_USERS_DB_FILE=example-app/users.example.yml npm start
 *   npm run demo            # API_URL defaults to http://localhost:6900
 *
 * user1 works only in her own workspace; user2 also in the team workspace client_projects;
 * user3, a super-user, everywhere. Every step prints what it does and what the server says.
 */
import { ApiError, Client } from './client';

/** The API keys of `users.example.yml`. */
export const DEMO_API_KEYS = {
  user1: 'ThisIsTheUser1APIKEY',
  user2: 'ThisIsTheUser2APIKEY',
  user3: 'ThisIsTheUser3APIKEY',
} as const;

/** Every dataset the demo makes, so a second run starts from the same place. */
const DEMO_DATASETS = [
  ['user1', 'support-tickets'],
  ['user1', 'news-for-user1'],
  ['user2', 'drafts'],
  ['client_projects', 'news'],
  ['client_projects', 'drafts-shared'],
] as const;

export interface DemoOptions {
  apiUrl: string;
  /** Where the story is told. Default: `console.log`. */
  print?: (line: string) => void;
}

/** What happened, for whoever runs the demo programmatically (the test does). */
export interface DemoOutcome {
  /** Each refusal the story expects, as `who: action → code`. */
  refusals: string[];
  /** The datasets of every workspace at the end, as the super-user sees them. */
  datasets: Map<string, string[]>;
  /** How many records user1 loads from the copy the super-user gave her. */
  user1LoadedFromCopy: number;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** Runs a step that must be refused; returns the refusal's code. A step that succeeds is a broken story. */
async function expectRefusal(step: Promise<unknown>, print: (line: string) => void): Promise<string> {
  try {
    await step;
  } catch (error) {
    // Only a 403 is the refusal the story shows; anything else is a real failure.
    if (error instanceof ApiError && error.status === 403) {
      print(`    refused (${error.code}): ${error.message}`);
      return error.code;
    }
    throw error;
  }
  throw new Error('The server allowed a step that the users file forbids: is the app running with example-app/users.example.yml?');
}

export async function main(options: DemoOptions): Promise<DemoOutcome> {
  const print = options.print ?? ((line: string) => console.log(line));
  const connect = async (user: keyof typeof DEMO_API_KEYS, workspace?: string) => {
    const client = new Client();
    const me = await client.init({ apiUrl: options.apiUrl, apiKey: DEMO_API_KEYS[user], ...(workspace ? { workspace } : {}) });
    print(`  init({ apiKey: '${DEMO_API_KEYS[user]}'${workspace ? `, workspace: '${workspace}'` : ''} })`);
    print(`    logged in as ${me.username}${me.superuser ? ' (super-user)' : ''}; may access: ${me.workspaces.join(', ')}; workspace now: ${client.getWorkspace()}`);
    return client;
  };
  const refusals: string[] = [];

  print(`Demo of workspaces against ${options.apiUrl}\n`);
  print('0. Setting up: the super-user removes what an earlier run of the demo left.');
  const admin = await connect('user3');
  let cleaned = 0;
  for (const [workspace, dataset] of DEMO_DATASETS) {
    await admin.setWorkspace(workspace);
    if ((await admin.listDatasets()).includes(dataset)) {
      await admin.delete(dataset);
      cleaned += 1;
    }
  }
  print(`    deleted ${plural(cleaned, 'dataset')}`);

  print('\n1. user1 has "workspaces: []": only her user workspace.');
  const user1 = await connect('user1');
  const tickets = await user1.log([{ text: 'My order never arrived', label: 'shipping' }, { text: 'Refund please', label: 'billing' }], 'support-tickets');
  print(`  log(2 records, 'support-tickets') → ${tickets.total} records in ${tickets.workspace}/${tickets.dataset}`);
  print(`  setWorkspace('client_projects')`);
  refusals.push(`user1: setWorkspace client_projects → ${await expectRefusal(user1.setWorkspace('client_projects'), print)}`);

  print('\n2. user2 has "workspaces: [client_projects]": her user workspace and the team one.');
  const user2 = await connect('user2', 'client_projects');
  const news = await user2.log(
    [
      { text: 'Local team wins the cup', label: 'sports' },
      { text: 'Markets close higher', label: 'business' },
      { text: 'New telescope images released', label: 'science' },
    ],
    'news',
  );
  print(`  log(3 records, 'news') → ${news.total} records in ${news.workspace}/${news.dataset}`);
  print(`  load('news') → ${(await user2.load('news')).length} records`);
  await user2.setWorkspace('user2');
  print(`  setWorkspace('user2') → workspace now: ${user2.getWorkspace()}`);
  await user2.log([{ text: 'Draft headline', label: 'unsure' }], 'drafts');
  print(`  log(1 record, 'drafts') → user2/drafts`);
  const shared = await user2.copy('drafts', { nameOfCopy: 'drafts-shared', workspace: 'client_projects' });
  print(`  copy('drafts', { nameOfCopy: 'drafts-shared', workspace: 'client_projects' }) → ${plural(shared.records, 'record')} in ${shared.workspace}/${shared.dataset}`);
  print(`  copy('drafts', { nameOfCopy: 'drafts', workspace: 'user1' })`);
  refusals.push(`user2: copy to user1 → ${await expectRefusal(user2.copy('drafts', { nameOfCopy: 'drafts', workspace: 'user1' }), print)}`);

  print('\n3. user3 has no "workspaces" field: a super-user, with every workspace.');
  const user3 = await connect('user3', 'client_projects');
  print(`  load('news') → ${(await user3.load('news')).length} records from client_projects`);
  const gift = await user3.copy('news', { nameOfCopy: 'news-for-user1', workspace: 'user1' });
  print(`  copy('news', { nameOfCopy: 'news-for-user1', workspace: 'user1' }) → ${plural(gift.records, 'record')} in ${gift.workspace}/${gift.dataset}`);
  const datasets = new Map<string, string[]>();
  for (const workspace of user3.whoami().workspaces) {
    datasets.set(workspace, await user3.listDatasets(workspace));
    print(`  listDatasets('${workspace}') → ${datasets.get(workspace)?.join(', ') || '(none)'}`);
  }

  print('\n4. user1 again: the super-user shared a dataset into her workspace.');
  await user1.setWorkspace('user1');
  const user1LoadedFromCopy = (await user1.load('news-for-user1')).length;
  print(`  load('news-for-user1') → ${user1LoadedFromCopy} records`);
  print(`  listDatasets('client_projects')`);
  refusals.push(`user1: listDatasets client_projects → ${await expectRefusal(user1.listDatasets('client_projects'), print)}`);

  print('\nDone: each user worked only where the users file lets her.');
  return { refusals, datasets, user1LoadedFromCopy };
}

if (require.main === module) {
  const apiUrl = process.env.API_URL ?? 'http://localhost:6900';
  main({ apiUrl }).catch((error: unknown) => {
    // A person reads this: the server's message, not a stack trace.
    console.error(`\nThe demo stopped: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof ApiError && error.code === 'invalid_api_key') {
      console.error('Start the app with the example users: ARGILLA_LOCAL_AUTH_USERS_DB_FILE=example-app/users.example.yml npm start');
    }
    process.exitCode = 1;
  });
}
