// The dashboard in a real browser (Debian Chromium via playwright-core): loads the demo data, sees the
// incident and the at-risk accounts, opens an account, records an outreach outcome and sees it stick.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRoot } from '../../src/api/dashboard.js';
import { ensureDashboardBuilt } from './build-dashboard.js';
import { launchChromium } from './chromium.js';
import { startDemoBackend, type DemoBackend } from './demo-backend.js';

const ARTIFACTS = join(checkoutRoot(), 'test-artifacts', 'dashboard');
const VIEWPORT = { width: 1440, height: 900 };

let backend: DemoBackend;
let browser: Browser;
let page: Page;
const problems: string[] = [];

function watch(p: Page, sink: string[]): void {
  p.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning') sink.push(`console.${m.type()}: ${m.text()}`);
  });
  p.on('pageerror', (err) => sink.push(`pageerror: ${err.message}`));
  p.on('requestfailed', (req) => sink.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
}

async function shot(p: Page, name: string, fullPage = true): Promise<void> {
  await p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${backend.url}${path}`, { headers: backend.headers });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ensureDashboardBuilt();
  backend = await startDemoBackend();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: VIEWPORT });
  // As if the write token had been entered once in this tab (the prompt has its own test below).
  await context.addInitScript((t) => sessionStorage.setItem('vigil.apiToken', t), backend.token);
  page = await context.newPage();
  watch(page, problems);
});

afterAll(async () => {
  await browser?.close();
  await backend?.close();
});

describe('dashboard e2e', () => {
  it('serves the page and the API side by side', async () => {
    const res = await fetch(`${backend.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<script type="module"[^>]+src="\/assets\//);
    const missing = await fetch(`${backend.url}/v1/no-such-route`, { headers: backend.headers });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/json/);
  });

  it('overview shows the bands, the incident and the ranked at-risk accounts', async () => {
    await page.goto(`${backend.url}/`);
    await page.locator('#overview-stats[data-ready]').waitFor();
    await page.locator('#at-risk[data-ready] tbody tr').first().waitFor();

    const overview = await getJson<{ accounts: { total: number }; incidents: { open: number; total: number } }>('/v1/overview');
    expect(overview.accounts.total).toBe(backend.expect.accounts);
    await expect.poll(() => page.locator('#overview-stats .stat').first().locator('.stat-value').textContent()).toBe(overview.accounts.total.toLocaleString('en-US'));
    expect(overview.incidents.total).toBeGreaterThan(0);

    const rows = page.locator('#at-risk tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    const ranked = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-account')));
    // The ranked list leads with accounts the scenario made sour.
    expect(backend.expect.souringAccountIds.some((id) => ranked.slice(0, 10).includes(id))).toBe(true);
    // Every row carries its three sparklines.
    expect(await rows.first().locator('svg.spark').count()).toBe(3);
    await shot(page, '01-overview');
  });

  it('incidents: the spike is listed, its rate chart and affected accounts render', async () => {
    expect(backend.expect.incidentId, 'an incident opened during the spike, on the spike accounts').not.toBe('');
    await page.locator('.nav a[data-route="incidents"]').click();
    await page.locator('#incidents-list tbody tr').first().waitFor();
    const link = page.locator(`#incidents-list tr[data-incident="${backend.expect.incidentId}"] a`);
    expect(await link.count()).toBe(1);
    await shot(page, '02-incidents');
    await link.click();
    await page.locator('#affected-accounts').waitFor();
    await page.locator('.chart canvas').first().waitFor();
    const affected = await page.locator('#affected-accounts tbody tr a').evaluateAll((as) => as.map((a) => decodeURIComponent(a.getAttribute('href')!.replace('#/account/', ''))));
    expect(affected.some((id) => backend.expect.spikeAccountIds.includes(id))).toBe(true);
    await shot(page, '03-incident');
  });

  it('opens an at-risk account: score components with sentences, 90-day charts, recent tickets', async () => {
    await page.goto(`${backend.url}/#/`);
    const first = page.locator('#at-risk[data-ready] tbody tr').first();
    await first.waitFor();
    const name = (await first.locator('.account-link').textContent())!.trim();
    await first.locator('.account-link').click();
    await page.locator('#components tbody tr').first().waitFor();
    await expect.poll(() => page.locator('h1').textContent()).toBe(name);
    const sentences = await page.locator('#components td.sentence').allTextContents();
    expect(sentences.length).toBeGreaterThan(0);
    expect(sentences.every((s) => s.trim().length > 0)).toBe(true);
    await expect.poll(() => page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#recent-tickets tbody tr').count()).toBeGreaterThan(0);
    await shot(page, '04-account');
  });

  it('records an outreach outcome and sees it reflected, also after a reload', async () => {
    const open = await getJson<{ items: Array<{ id: string }> }>('/v1/outreach?status=new');
    expect(open.items.length, 'the demo data puts accounts on the outreach list').toBeGreaterThan(0);
    await page.locator('.nav a[data-route="outreach"]').click();
    const row = page.locator('#outreach-list tbody tr[data-status="new"]').first();
    await row.waitFor();
    const id = (await row.getAttribute('data-outreach'))!;
    const newBefore = Number((await page.locator('.tab[data-status="new"] .tab-count').textContent())!.replace(/,/g, ''));
    await shot(page, '05-outreach-before');

    await row.locator('button[data-action="contacted"]').click();
    const updated = page.locator(`#outreach-list tr[data-outreach="${id}"]`);
    await expect.poll(() => updated.getAttribute('data-status')).toBe('contacted');
    await expect.poll(() => updated.locator('.status').textContent()).toBe('Contacted');
    await expect.poll(() => page.locator('.tab[data-status="new"] .tab-count').textContent()).toBe((newBefore - 1).toLocaleString('en-US'));
    await expect.poll(() => page.locator('.toast').count()).toBeGreaterThan(0);
    await shot(page, '06-outreach-contacted');

    // The server stored it: the API lists it as contacted, and so does a fresh page load.
    const contacted = await getJson<{ items: Array<{ id: string; status: string }> }>('/v1/outreach?status=contacted');
    expect(contacted.items.find((e) => e.id === id)?.status).toBe('contacted');
    await page.goto(`${backend.url}/#/outreach?status=contacted`);
    await page.locator(`#outreach-list tr[data-outreach="${id}"]`).waitFor();
    await page.reload();
    const again = page.locator(`#outreach-list tr[data-outreach="${id}"]`);
    await again.waitFor();
    expect(await again.getAttribute('data-status')).toBe('contacted');

    // Then close it as saved; the outcome shows on the row.
    await again.locator('button[data-action="resolved:saved"]').click();
    await expect.poll(() => again.getAttribute('data-status')).toBe('resolved');
    await expect.poll(() => again.locator('.outcome').textContent()).toBe('Saved');
    const resolved = await getJson<{ items: Array<{ id: string; status: string; outcome: string | null }> }>('/v1/outreach?status=resolved');
    expect(resolved.items.find((e) => e.id === id)).toMatchObject({ status: 'resolved', outcome: 'saved' });
    await shot(page, '07-outreach-resolved');
  });

  it('accounts view pages on the server and filters by band', async () => {
    await page.goto(`${backend.url}/#/accounts?band=critical`);
    await page.locator('#accounts-list tbody tr, #accounts-list .empty').first().waitFor();
    const bands = await page.locator('#accounts-list tbody tr').evaluateAll((trs) => trs.map((tr) => tr.className));
    expect(bands.every((c) => c.includes('row-band-critical'))).toBe(true);
    await page.goto(`${backend.url}/#/accounts?page=2`);
    await page.locator('#accounts-list tbody tr').first().waitFor();
    await expect.poll(() => page.locator('#accounts-list tbody tr td.rank').first().textContent()).toBe('51');
    await shot(page, '08-accounts-page-2');
  });

  it('escalation metrics render', async () => {
    await page.locator('.nav a[data-route="escalations"]').click();
    await page.locator('#escalation-metrics').waitFor();
    await shot(page, '09-escalations');
  });

  it('had no console errors, page errors or failed requests', () => {
    expect(problems).toEqual([]);
  });
});

describe('dashboard API tokens', () => {
  it('asks for a token on 401, keeps it for the tab, and asks for a write token on 403', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (err) => errors.push(err.message));
    const sent: string[] = [];
    p.on('request', (req) => {
      if (req.url().includes('/v1/')) sent.push(req.headers().authorization ?? '');
    });

    await p.goto(`${backend.url}/`);
    const input = p.locator('.token-form input[name="token"]');
    await input.waitFor();
    await shot(p, '10-token-prompt', false);
    await input.fill('wrong-token-value-000000');
    await p.locator('.token-form button[type="submit"]').click();
    await expect.poll(() => p.locator('.token-form').textContent()).toMatch(/not accepted/);
    await p.locator('.token-form input[name="token"]').fill(backend.readToken);
    await p.locator('.token-form button[type="submit"]').click();
    await p.locator('#at-risk[data-ready]').waitFor();
    await p.locator('#overview-stats[data-ready]').waitFor();
    expect(await p.evaluate(() => sessionStorage.getItem('vigil.apiToken'))).toBe(backend.readToken);
    expect(sent).toContain(`Bearer ${backend.readToken}`);

    // A read-only token can look but not record: the write is refused, and a write token fixes it.
    await p.locator('.nav a[data-route="outreach"]').click();
    const row = p.locator('#outreach-list tbody tr[data-status="new"]').first();
    await row.waitFor();
    const id = (await row.getAttribute('data-outreach'))!;
    await row.locator('button[data-action="dismissed:false_alarm"]').click();
    await expect.poll(() => p.locator('.token-form').textContent()).toMatch(/write scope/);
    await shot(p, '11-write-token-prompt', false);
    await p.locator('.token-form input[name="token"]').fill(backend.token);
    await p.locator('.token-form button[type="submit"]').click();
    const updated = p.locator(`#outreach-list tr[data-outreach="${id}"]`);
    await expect.poll(() => updated.getAttribute('data-status')).toBe('dismissed');
    const dismissed = await getJson<{ items: Array<{ id: string; outcome: string | null }> }>('/v1/outreach?status=dismissed');
    expect(dismissed.items.find((e) => e.id === id)?.outcome).toBe('false_alarm');
    expect(errors).toEqual([]);
    await context.close();
  });
});
