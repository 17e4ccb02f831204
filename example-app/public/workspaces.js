import { ApiError, get, logout, session } from '/api.js';

const $ = (id) => document.getElementById(id);
const switcher = $('workspace-switcher');

/** An element with text content only: names from the server are never parsed as HTML. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function fail(error) {
  // An expired or revoked token (e.g. the user was removed from the file): sign in again.
  if (error instanceof ApiError && error.status === 401) {
    session.end('Your session has ended: sign in again.');
    location.replace('/');
    return;
  }
  $('page-message').textContent = error instanceof ApiError ? error.message : String(error);
  $('page-message').hidden = false;
}

function showUser(me) {
  $('user-chip').textContent = me.username;
  const words = (me.full_name || me.username).split(/\s+/).filter(Boolean);
  $('avatar').textContent = words.slice(0, 2).map((word) => word.charAt(0).toUpperCase()).join('');
  $('full-name').textContent = me.full_name || me.username;
  $('username').textContent = '@' + me.username;
  $('email').textContent = me.email ? ' · ' + me.email : '';
  $('superuser-badge').hidden = !me.superuser;
}

/** The current workspace's datasets, by X-Argilla-Workspace, with their record counts. */
let shown = 0;
async function showCurrent(workspace) {
  // Only the latest switch may paint: answers to an earlier one can arrive after it.
  const turn = ++shown;
  const { datasets } = await get('/api/datasets', workspace);
  const rows = await Promise.all(
    datasets.map(async (name) => {
      const path = '/api/workspaces/' + encodeURIComponent(workspace) + '/datasets/' + encodeURIComponent(name) + '/records';
      const { records } = await get(path);
      const row = el('tr');
      row.append(el('td', 'dataset-name', name), el('td', 'number', String(records.length)));
      return row;
    }),
  );
  if (turn !== shown) return;
  $('current-workspace').textContent = workspace;
  $('current-datasets').tBodies[0].replaceChildren(...rows);
  $('current-datasets').hidden = rows.length === 0;
  $('current-empty').hidden = rows.length > 0;
}

function markCurrent(workspace) {
  switcher.value = workspace;
  for (const card of document.querySelectorAll('#workspace-list .workspace-card')) {
    const current = card.dataset.workspace === workspace;
    card.classList.toggle('current', current);
    card.querySelector('button').setAttribute('aria-current', current ? 'true' : 'false');
  }
}

async function select(workspace) {
  session.selectWorkspace(workspace);
  markCurrent(workspace);
  await showCurrent(workspace);
}

/** One card per workspace the user may access, with the datasets in it. */
async function showWorkspaces(me) {
  const cards = await Promise.all(
    me.workspaces.map(async (workspace) => {
      const { datasets } = await get('/api/workspaces/' + encodeURIComponent(workspace) + '/datasets');
      const card = el('li', 'card workspace-card');
      card.dataset.workspace = workspace;
      const button = el('button', 'workspace-title');
      button.type = 'button';
      button.append(el('span', 'workspace-name', workspace));
      // /api/me does not say which other workspaces are users' own and which are teams: only ours is marked.
      if (workspace === me.username) button.append(el('span', 'badge', 'your workspace'));
      button.addEventListener('click', () => select(workspace).catch(fail));
      const list = el('ul', 'dataset-names');
      for (const name of datasets) list.append(el('li', undefined, name));
      if (datasets.length === 0) list.append(el('li', 'muted', 'No datasets'));
      card.append(button, el('div', 'muted count', datasets.length + (datasets.length === 1 ? ' dataset' : ' datasets')), list);
      return card;
    }),
  );
  $('workspace-list').replaceChildren(...cards);
  switcher.replaceChildren(...me.workspaces.map((workspace) => el('option', undefined, workspace)));
  switcher.disabled = false;
}

async function main() {
  if (!session.token()) return location.replace('/');
  const me = await get('/api/me');
  showUser(me);
  await showWorkspaces(me);
  const remembered = session.workspace();
  await select(me.workspaces.includes(remembered) ? remembered : me.username);
  document.body.dataset.ready = 'true';
}

switcher.addEventListener('change', () => select(switcher.value).catch(fail));
$('logout').addEventListener('click', async () => {
  const confirmed = await logout();
  session.end(confirmed ? 'You have logged out.' : 'You have logged out of this page; the server could not be told, so the session ends when it expires.');
  location.replace('/');
});
main().catch(fail);
