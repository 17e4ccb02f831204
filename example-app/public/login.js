import { ApiError, login, session } from '/api.js';

const form = document.getElementById('login-form');
const message = document.getElementById('login-message');
const button = form.querySelector('button[type="submit"]');

function show(text, kind) {
  message.textContent = text;
  message.className = 'message ' + kind;
  message.hidden = false;
}

if (session.token()) location.replace('/workspaces');
const notice = session.takeNotice();
if (notice) show(notice, 'info');

form.addEventListener('submit', async (event) => {
  // The form posts to the API without script; with it, the page handles the answer.
  event.preventDefault();
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  if (!username || !password) return show('Enter your username and your password.', 'error');
  button.disabled = true;
  message.hidden = true;
  try {
    session.start(await login(username, password));
    location.assign('/workspaces');
  } catch (error) {
    show(error instanceof ApiError ? error.message : 'Login failed: ' + error, 'error');
    form.elements.password.value = '';
    form.elements.password.focus();
  } finally {
    button.disabled = false;
  }
});
