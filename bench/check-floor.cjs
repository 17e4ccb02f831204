/**
 * The floor of `check` (part 2): the least code that does its work, run as it is, by plain node
 * from a fresh process. Read the file, parse it with plain js-yaml, test each field as the loader
 * does (the patterns of lib/names.ts and lib/users/, the known fields) and each username and API
 * key against the others (two Sets); print how many users and problems. What ours does beyond
 * it: PyYAML's booleans and the alias budget, a sentence with the fix for each problem, warnings.
 * Plain JavaScript: tsx's loader would add its own start-up to the figure.
 * Run: `node bench/check-floor.cjs <file>`, after `npm run build` (the name and hash rules come from dist/).
 */
const { readFileSync } = require('node:fs');
const { load } = require('js-yaml');
// The loader's own rules where a pure module has them: the names, and a usable bcrypt hash (its
// pattern and cost bound). The email pattern is private to the entry checks: a copy.
const { USERNAME_PATTERN: USERNAME, WORKSPACE_PATTERN: WORKSPACE } = require('../dist/names');
const { describeHashProblem } = require('../dist/users/hash-format');

const EMAIL = /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
const KNOWN = new Set(['username', 'hashed_password', 'api_key', 'email', 'full_name', 'fullname', 'disabled', 'workspaces']);

const file = process.argv[2];
const entries = load(readFileSync(file, 'utf8'));
const usernames = new Set();
const apiKeys = new Set();
let problems = 0;
for (const entry of entries) {
  const { username, hashed_password: hash, api_key: apiKey, email, workspaces, disabled } = entry;
  if (typeof username !== 'string' || !USERNAME.test(username) || usernames.has(username)) problems++;
  usernames.add(username);
  if (typeof hash !== 'string' || describeHashProblem(hash) !== undefined) problems++;
  if (typeof apiKey !== 'string' || apiKey === '' || apiKeys.has(apiKey)) problems++;
  apiKeys.add(apiKey);
  if (email != null && (typeof email !== 'string' || !EMAIL.test(email))) problems++;
  if (disabled !== undefined && typeof disabled !== 'boolean') problems++;
  if (workspaces != null) for (const workspace of workspaces) if (typeof workspace !== 'string' || !WORKSPACE.test(workspace)) problems++;
  for (const field of Object.keys(entry)) if (!KNOWN.has(field)) problems++;
}
console.log(`${file}: ${entries.length} users, ${problems} problems`);
