import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createTestUser, type TestUser } from '../../support/users.ts';
import { startStack, type Stack } from '../../support/stacks/index.ts';

// GraphiQL in a real browser (Debian's chromium, headless), against the whole system: the
// page must work on a machine without internet, so every request it makes must go to the
// gateway on 127.0.0.1, and it must introspect, run an operation and show the answer.

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let stack: Stack;
let user: TestUser;
let profile: string;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install chromium`);
  stack = await startStack('graphiql', { gateway: { NODE_ENV: 'development', ALLOW_ANONYMOUS: 'false' } });
  user = await createTestUser(stack.documents.admin);
  profile = mkdtempSync(join(tmpdir(), 'docuvault-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
});

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await stack?.close();
});

interface Seen {
  url: string;
  method: string;
  body: string | null;
}

const isIntrospection = (body: string | null) => /__schema/.test(body ?? '');

/** Opens the IDE in a new page, recording every request the page makes; waits for its introspection. */
async function openIde(): Promise<{ page: Page; requests: Seen[]; consoleErrors: string[] }> {
  const page = await browser.newPage();
  const requests: Seen[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (request) =>
    requests.push({ url: request.url(), method: request.method(), body: request.postData() }),
  );
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  const introspected = page.waitForResponse((r) => isIntrospection(r.request().postData()));
  const response = await page.goto(stack.gatewayUrl);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-type']).toMatch(/^text\/html/);
  const introspection = await introspected;
  expect(introspection.status()).toBe(200);
  expect(await introspection.json()).toHaveProperty('data.__schema.queryType.name', 'Query');
  return { page, requests, consoleErrors };
}

/** Replaces the query editor's text as a person would: select all, type. */
async function typeQuery(page: Page, query: string) {
  await page.locator('.graphiql-query-editor .CodeMirror').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // GraphiQL closes brackets as they are typed: type the query without its closing ones.
  await page.keyboard.type(query);
}

/** Presses run; answers the text the result pane shows once it shows `expected`. */
async function runAndSee(page: Page, expected: string): Promise<string> {
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && !isIntrospection(r.request().postData()),
  );
  await page.locator('.graphiql-execute-button').click();
  await answered;
  const pane = page.locator('.graphiql-response .CodeMirror-code').filter({ hasText: expected });
  await pane.waitFor({ timeout: 10_000 });
  return pane.innerText();
}

describe('GraphiQL at GET /graphql', () => {
  it('loads from the gateway alone, introspects, runs { health { status } } and shows the result', async () => {
    const { page, requests, consoleErrors } = await openIde();
    // The schema arrived: the documentation explorer lists the root types.
    await page.getByRole('button', { name: /documentation explorer/i }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();

    await typeQuery(page, '{ health { status ');
    const shown = await runAndSee(page, '"health"');
    expect(shown).toMatch(/"status":\s*"(PASS|WARN|FAIL)"/);

    const hosts = new Set(requests.map((r) => new URL(r.url).host));
    expect([...hosts]).toEqual([new URL(stack.gatewayUrl).host]);
    for (const request of requests) expect(new URL(request.url).hostname).toBe('127.0.0.1');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('sends the token from the bearer token field', async () => {
    const { page } = await openIde();
    await typeQuery(page, '{ me { email ');
    // Without a token the request is a guest's: `me` is null.
    expect(await runAndSee(page, '"me"')).toMatch(/"me":\s*null/);

    await page.getByLabel('Bearer token').fill(user.token);
    await runAndSee(page, user.email);
    await page.close();
  });
});
