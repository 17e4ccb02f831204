/**
 * Makes docs/example-app.png: the workspaces page after the demo story, as user2 sees it
 * with the team workspace selected. Run: npx tsx example-app/screenshot.ts
 * SCREENSHOT_WIDTH=390 (and SCREENSHOT_OUTPUT=/tmp/narrow.png) shows it on a phone's width.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from './app';
import { launchChromium } from './chromium';
import { main as runDemo } from './demo-client';

const USER = process.env.SCREENSHOT_USER ?? 'user2';
const WORKSPACE = process.env.SCREENSHOT_WORKSPACE ?? 'client_projects';
const OUTPUT = process.env.SCREENSHOT_OUTPUT ?? path.join(__dirname, '..', 'docs', 'example-app.png');
const WIDTH = Number(process.env.SCREENSHOT_WIDTH ?? 1100);

async function screenshot(): Promise<void> {
  const quiet = { info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) };
  const { app, auth } = createApp({
    auth: {
      usersFile: path.join(__dirname, 'users.example.yml'),
      env: {},
      secretKey: randomBytes(32).toString('base64url'),
      watch: false,
      logger: quiet,
    },
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  try {
    await runDemo({ apiUrl: url, print: () => undefined });
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 600 } });
    await page.goto(`${url}/`);
    await page.fill('#username', USER);
    await page.fill('#password', `${USER}-password`);
    await page.click('button[type="submit"]');
    await page.locator('body[data-ready="true"]').waitFor();
    await page.selectOption('#workspace-switcher', WORKSPACE);
    await page.locator('#current-workspace', { hasText: WORKSPACE }).waitFor();
    await page.screenshot({ path: OUTPUT, fullPage: true });
    console.log(`Saved ${OUTPUT}`);
  } finally {
    await browser.close();
    auth.close();
    server.close();
  }
}

screenshot().catch((error: unknown) => {
  console.error(`No screenshot: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
