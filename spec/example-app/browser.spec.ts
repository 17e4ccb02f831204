import type { Browser, Page, Request } from 'playwright-core';
import { MemoryDatasetsStore } from '../../example-app/datasets-store';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../../example-app/chromium';
import { DEMO, startExampleApp } from './helpers';

// Starting a browser on a busy 2-core machine takes seconds: a safety limit, not an assertion.
jest.setTimeout(60_000);

const available = chromiumAvailable();
if (!available && !process.env.CI) {
  console.warn(
    `\n${'!'.repeat(78)}\n!! SKIPPED: the browser test of the example app's pages needs Chromium at ${CHROMIUM_PATH}.\n` +
      `!! Install it (Debian: apt-get install chromium) to run it. In CI (CI set) this test fails instead.\n${'!'.repeat(78)}\n`,
  );
}
// In CI a missing browser is a failure, never a silent skip.
const describeInBrowser = available || process.env.CI ? describe : describe.skip;

/** 100 characters, the most a dataset name may have. */
const LONG_DATASET = `long-${'x'.repeat(95)}`;

/** A phone's width in CSS pixels (an iPhone 12 to 15). */
const NARROW = { width: 390, height: 844 };

describeInBrowser('the web pages in headless Chromium', () => {
  let server: Awaited<ReturnType<typeof startExampleApp>>;
  let browser: Browser;
  let page: Page;
  const requests: Request[] = [];
  const pageErrors: Error[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: CI must install it (.ci/run installs Debian's chromium).`);
    const store = new MemoryDatasetsStore();
    store.log({ workspace: 'client_projects', dataset: 'news' }, [{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
    store.log({ workspace: 'user2', dataset: 'drafts' }, [{ text: 'd' }]);
    // The longest dataset name there may be, with no break point in it: it must not widen a narrow page.
    store.log({ workspace: 'user1', dataset: LONG_DATASET }, [{ text: 'e' }]);
    server = await startExampleApp({ store });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (request) => requests.push(request));
    page.on('pageerror', (error) => pageErrors.push(error));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const text = (selector: string) => page.locator(selector).innerText();
  // Page-side code as strings: this project compiles without the DOM library.
  const token = () => page.evaluate<string | null>('sessionStorage.getItem("datasets.access_token")');
  const workspacesShown = async () => {
    const cards = page.locator('#workspace-list .workspace-card');
    return Promise.all(Array.from({ length: await cards.count() }, (_, index) => cards.nth(index).getAttribute('data-workspace')));
  };

  it('shows a clear message for a wrong password, and stays on the login page', async () => {
    await page.goto(`${server.url}/`);
    await page.fill('#username', 'user2');
    await page.fill('#password', 'not-the-password');
    await page.click('button[type="submit"]');
    await page.locator('#login-message').waitFor({ state: 'visible' });
    expect(await text('#login-message')).toBe('Wrong username or password.');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await token()).toBeNull();
    expect(await page.inputValue('#password')).toBe('');
  });

  it('logs in with the right password and shows the user, their workspaces and the datasets in each', async () => {
    await page.fill('#password', DEMO.user2.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${server.url}/workspaces`);
    await page.locator('body[data-ready="true"]').waitFor();

    expect(await token()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await text('#user-chip')).toBe('user2');
    expect(await text('#full-name')).toBe('User Two');
    expect(await page.locator('#superuser-badge').isHidden()).toBe(true);
    expect(await workspacesShown()).toEqual(['client_projects', 'user2']);
    expect(await page.locator('[data-workspace="client_projects"] .dataset-names').innerText()).toBe('news');
    expect(await page.locator('[data-workspace="user2"] .dataset-names').innerText()).toBe('drafts');
    // The user's own workspace is the current one at first.
    expect(await text('#current-workspace')).toBe('user2');
    expect(await page.inputValue('#workspace-switcher')).toBe('user2');
    expect(await page.locator('#current-datasets tbody tr').allInnerTexts()).toEqual(['drafts\t1']);
  });

  it('switches workspace with the switcher, asking the API with X-Argilla-Workspace', async () => {
    await page.selectOption('#workspace-switcher', 'client_projects');
    await page.locator('#current-workspace', { hasText: 'client_projects' }).waitFor();
    expect(await page.locator('#current-datasets tbody tr').allInnerTexts()).toEqual(['news\t3']);
    expect(await page.locator('[data-workspace="client_projects"]').getAttribute('class')).toContain('current');
    expect(await page.locator('[data-workspace="user2"]').getAttribute('class')).not.toContain('current');
    const asked = requests.filter((request) => new URL(request.url()).pathname === '/api/datasets');
    expect(asked.map((request) => request.headers()['x-argilla-workspace'])).toContain('client_projects');
    // A reload keeps the selected workspace for this tab.
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await text('#current-workspace')).toBe('client_projects');
  });

  it('switches back by clicking a workspace card', async () => {
    await page.click('[data-workspace="user2"] button');
    await page.locator('#current-workspace', { hasText: 'user2' }).waitFor();
    expect(await page.inputValue('#workspace-switcher')).toBe('user2');
  });

  it('logs out: the server refuses the token from then on, the token is gone, the login page says so, and the workspaces page sends you back', async () => {
    const loggedOut = await token();
    await page.click('#logout');
    await page.waitForURL(`${server.url}/`);
    await page.locator('#login-message').waitFor({ state: 'visible' });
    expect(await text('#login-message')).toBe('You have logged out.');
    expect(await token()).toBeNull();
    const withOldToken = await fetch(`${server.url}/api/me`, { headers: { Authorization: `Bearer ${loggedOut}` } });
    expect(withOldToken.status).toBe(401);
    await page.goto(`${server.url}/workspaces`);
    await page.waitForURL(`${server.url}/`);
  });

  it('sends you to the login page when the token no longer works', async () => {
    await page.evaluate('sessionStorage.setItem("datasets.access_token", "forged.token.value")');
    await page.goto(`${server.url}/workspaces`);
    await page.waitForURL(`${server.url}/`);
    await page.locator('#login-message').waitFor({ state: 'visible' });
    expect(await text('#login-message')).toBe('Your session has ended: sign in again.');
  });

  it('fits a 390 px wide screen, signed in as a super-user, with "Log out" on the screen', async () => {
    const narrow = await browser.newPage({ viewport: NARROW });
    narrow.on('request', (request) => requests.push(request));
    narrow.on('pageerror', (error) => pageErrors.push(error));
    try {
      const pageWidth = () => narrow.evaluate<number>('document.documentElement.scrollWidth');
      await narrow.goto(`${server.url}/`);
      expect(await pageWidth()).toBeLessThanOrEqual(NARROW.width);

      await narrow.fill('#username', 'user3');
      await narrow.fill('#password', DEMO.user3.password);
      await narrow.click('button[type="submit"]');
      await narrow.locator('body[data-ready="true"]').waitFor();
      // user1's workspace holds the 100-character dataset name, in the table and in a card.
      await narrow.selectOption('#workspace-switcher', 'user1');
      await narrow.locator('#current-workspace', { hasText: 'user1' }).waitFor();
      expect(await narrow.locator('#current-datasets tbody tr').allInnerTexts()).toContain(`${LONG_DATASET}\t1`);
      expect(await narrow.locator('#superuser-badge').isVisible()).toBe(true);

      expect(await pageWidth()).toBeLessThanOrEqual(NARROW.width);
      const logout = await narrow.locator('#logout').boundingBox();
      expect(logout).not.toBeNull();
      expect(logout?.x).toBeGreaterThanOrEqual(0);
      expect((logout?.x ?? Infinity) + (logout?.width ?? 0)).toBeLessThanOrEqual(NARROW.width);
      expect((logout?.y ?? Infinity) + (logout?.height ?? 0)).toBeLessThanOrEqual(NARROW.height);
      // The switcher is usable too: on the screen, not cut off.
      const switcher = await narrow.locator('#workspace-switcher').boundingBox();
      expect((switcher?.x ?? Infinity) + (switcher?.width ?? 0)).toBeLessThanOrEqual(NARROW.width);

      await narrow.click('#logout');
      await narrow.waitForURL(`${server.url}/`);
    } finally {
      await narrow.close();
    }
  });

  it('never put a password, token or API key in a URL, and raised no script error', () => {
    expect(requests.length).toBeGreaterThan(10);
    for (const request of requests) {
      expect(request.url()).not.toMatch(/password|token=|not-the-password|api_?key|eyJ/i);
    }
    expect(requests.some((request) => request.method() === 'POST' && request.url().endsWith('/api/security/token'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
