// Headless walk of the rendered posture site, in Debian's Chromium driven by playwright-core.
//
//   node tests/browser/walk.mjs BASE_URL SCREENSHOT_DIR
//
// BASE_URL serves the rendered site (http://127.0.0.1:PORT/). The walk goes overview -> CSF subcategory
// -> check -> failing account -> changes -> previous version, asserting each page and screenshotting it
// (01..06 at 1280x900, then 07-overview-phone.png at 390x844). Over the whole walk it records console
// errors, page errors, failed requests, responses with status >= 400, and every request whose host is not
// 127.0.0.1 (those are aborted, never sent). Exit 0 when all is well, 1 on a failed assertion or any
// recorded problem, 2 on a usage or setup problem (no Chromium).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const ME = 'walk.mjs';
const LOCAL_HOST = '127.0.0.1';
const STEP_TIMEOUT_MS = 15_000;

function usage(line) {
  console.error(`${ME}: ${line}`);
  process.exit(2);
}

const [baseArg, shotDir] = process.argv.slice(2);
if (!baseArg || !shotDir || process.argv.length > 4) {
  usage('usage: node tests/browser/walk.mjs BASE_URL SCREENSHOT_DIR');
}
let base;
try {
  base = new URL(baseArg.endsWith('/') ? baseArg : `${baseArg}/`);
} catch {
  usage(`BASE_URL is not a URL: ${baseArg}`);
}
if (base.hostname !== LOCAL_HOST) {
  usage(`BASE_URL must be served from ${LOCAL_HOST} (every other host is blocked): ${baseArg}`);
}
const executablePath = process.env.POSTURE_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  usage(
    `Chromium not found at ${executablePath}: install Debian's chromium package (sudo apt-get install chromium) or run tests/run, which installs it`,
  );
}
mkdirSync(shotDir, { recursive: true });

// A failed assertion: printed as one line by main(), exit 1.
class StepFailure extends Error {}

const oneLine = (s, max = 160) => {
  const t = String(s).replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}...` : t;
};

// Everything recorded over the whole walk.
const problems = {
  'console errors': [],
  'page errors': [],
  'requests blocked (host not 127.0.0.1)': [],
  'requests failed': [],
  'responses with status >= 400': [],
};
const blocked = new Set();

let browser;
let page;
let step = '(launch)';
let target = null; // the URL the current step is going to, for failures before it loads
let shots = 0;

function expect(ok, expected, found) {
  if (!ok) throw new StepFailure(`expected ${expected}, found ${found}`);
}

async function screenshot(name) {
  await page.screenshot({ path: join(shotDir, `${name}.png`), fullPage: false });
  shots += 1;
}

async function count(selector) {
  return page.locator(selector).count();
}

async function text(locator) {
  return (await locator.first().innerText()).trim();
}

// Click the first match of `selector` (within `scope`, default the page) and wait for the page it links to.
async function follow(selector, scope = page) {
  const link = scope.locator(selector).first();
  const n = await scope.locator(selector).count();
  expect(n > 0, `a link ${selector} to follow`, 'none');
  const href = await link.evaluate((a) => a.href);
  expect(Boolean(href), `${selector} to have an href`, 'none');
  target = href;
  await link.click();
  await page.waitForURL(href, { waitUntil: 'load' });
  return new URL(page.url());
}

async function walk() {
  step = '01-overview';
  target = new URL('index.html', base).href;
  await page.goto(target, { waitUntil: 'load' });
  {
    const h1 = await count('h1');
    expect(h1 > 0, 'an h1', 'none');
    const title = await text(page.locator('h1'));
    expect(title.includes('Posture'), 'h1 to contain "Posture"', JSON.stringify(oneLine(title)));
    for (const what of ['score', 'coverage']) {
      const sel = `[data-test=${what}]`;
      expect((await count(sel)) > 0, `a ${sel}`, 'none');
      const t = await text(page.locator(sel));
      expect(/\d+(\.\d+)?\s?%/.test(t), `${sel} text to be a percentage`, JSON.stringify(oneLine(t)));
    }
    expect((await count('svg[data-test=trend]')) > 0, 'an svg[data-test=trend]', 'none');
    expect((await count('main')) > 0, 'a <main> landmark', 'none');
    const csp = await page.$$eval('meta[http-equiv]', (ms) =>
      ms
        .filter((m) => m.httpEquiv.toLowerCase() === 'content-security-policy')
        .map((m) => m.content),
    );
    expect(csp.length > 0, 'a <meta http-equiv="Content-Security-Policy">', 'none');
    expect(
      csp.some((c) => c.includes("default-src 'none'")),
      `the CSP to include default-src 'none'`,
      JSON.stringify(oneLine(csp.join(' | '))),
    );
  }
  await screenshot(step);

  step = '02-csf-subcategory';
  let subcategory;
  {
    const url = await follow('a[data-test=subcategory]');
    expect(url.hash.length > 1, 'a URL with a #fragment', JSON.stringify(url.href));
    const id = decodeURIComponent(url.hash.slice(1));
    subcategory = page.locator(`[id="${id.replace(/["\\]/g, '\\$&')}"]`);
    const n = await subcategory.count();
    expect(n === 1, `one element with id ${JSON.stringify(id)}`, n);
    expect(await subcategory.isVisible(), `#${id} to be visible`, 'it hidden');
    const t = await subcategory.innerText();
    expect(t.includes(id), `#${id} text to contain ${JSON.stringify(id)}`, JSON.stringify(oneLine(t)));
    const checks = await subcategory.locator('a[data-test=check]').count();
    expect(checks > 0, `#${id} to contain an a[data-test=check]`, 'none');
  }
  await screenshot(step);

  step = '03-check';
  {
    const url = await follow('a[data-test=check]', subcategory);
    expect(/\/check\/[^/]+\.html$/.test(url.pathname), 'a URL .../check/<ID>.html', JSON.stringify(url.href));
    expect((await count('h1')) > 0, 'an h1', 'none');
    const title = await text(page.locator('h1'));
    expect(title.length > 0, 'a non-empty h1', 'it empty');
    const accounts = await count('[data-test=failing] a[data-test=account]');
    expect(accounts > 0, 'a [data-test=failing] a[data-test=account]', 'none');
  }
  await screenshot(step);

  step = '04-account';
  {
    const url = await follow('[data-test=failing] a[data-test=account]');
    const m = /\/account\/(\d{12})\.html$/.exec(url.pathname);
    expect(m, 'a URL .../account/<12 digits>.html', JSON.stringify(url.href));
    expect((await count('h1')) > 0, 'an h1', 'none');
    const title = await text(page.locator('h1'));
    expect(title.includes(m[1]), `h1 to contain the account id ${m[1]}`, JSON.stringify(oneLine(title)));
    const fails = page.locator('[data-status=FAIL]');
    const n = await fails.count();
    expect(n > 0, 'an element [data-status=FAIL]', 'none');
    const texts = await fails.evaluateAll((els) => els.map((e) => e.innerText));
    const mute = texts.findIndex((t) => !t.includes('FAIL'));
    expect(
      mute < 0,
      'every [data-status=FAIL] to say FAIL in its text (not by colour alone)',
      `#${mute + 1} of ${n} reads ${JSON.stringify(oneLine(texts[mute] ?? ''))}`,
    );
    expect((await count('[data-test=evidence]')) > 0, 'a [data-test=evidence]', 'none');
  }
  await screenshot(step);

  step = '05-changes';
  let changesVersion;
  {
    const url = await follow('a[data-test=nav-changes]');
    expect(url.pathname.endsWith('changes.html'), 'a URL ending in changes.html', JSON.stringify(url.href));
    changesVersion = /\/v\/([^/]+)\//.exec(url.pathname)?.[1] ?? null;
    const kinds = await count('[data-test=change-kind]');
    expect(kinds > 0, 'a [data-test=change-kind] section', 'none');
    const body = await page.locator('body').innerText();
    expect(/regressed|resolved/i.test(body), 'the page to mention "regressed" or "resolved"', 'neither');
  }
  await screenshot(step);

  step = '06-older-version';
  {
    const url = await follow('a[data-test=previous-version]');
    const m = /\/v\/([^/]+)\//.exec(url.pathname);
    expect(m, 'a URL .../v/<ID>/...', JSON.stringify(url.href));
    const id = decodeURIComponent(m[1]);
    expect(
      m[1] !== changesVersion,
      `a version other than the changes page's (${changesVersion})`,
      JSON.stringify(id),
    );
    expect((await count('[data-test=version-id]')) > 0, 'a [data-test=version-id]', 'none');
    const shown = await text(page.locator('[data-test=version-id]'));
    expect(shown === id, `[data-test=version-id] to read ${JSON.stringify(id)}`, JSON.stringify(oneLine(shown)));
  }
  await screenshot(step);

  step = '07-overview-phone';
  await page.setViewportSize({ width: 390, height: 844 });
  target = new URL('index.html', base).href;
  await page.goto(target, { waitUntil: 'load' });
  await screenshot(step);
}

async function main() {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);

  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url;
    const at = where && where !== page.url() ? `${where}, on ${page.url()}` : page.url();
    problems['console errors'].push(`${oneLine(msg.text(), 300)} [${at}]`);
  });
  page.on('pageerror', (err) => problems['page errors'].push(`${oneLine(err.message, 300)} [on ${page.url()}]`));
  page.on('requestfailed', (req) => {
    if (blocked.has(req)) return; // already recorded as blocked
    problems['requests failed'].push(`${req.method()} ${req.url()}: ${req.failure()?.errorText ?? 'failed'}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems['responses with status >= 400'].push(`${res.status()} ${res.url()}`);
  });
  await page.route('**/*', (route) => {
    const req = route.request();
    const url = new URL(req.url());
    if (url.protocol === 'data:' || url.hostname === LOCAL_HOST) return route.continue();
    blocked.add(req);
    problems['requests blocked (host not 127.0.0.1)'].push(`${req.method()} ${req.url()} [from ${page.url()}]`);
    return route.abort('blockedbyclient');
  });

  await walk();
}

let code = 0;
try {
  await main();
  const found = Object.entries(problems).filter(([, list]) => list.length > 0);
  if (found.length > 0) {
    for (const [what, list] of found) {
      console.error(`${ME}: ${list.length} ${what}:`);
      for (const item of list) console.error(`  ${item}`);
    }
    code = 1;
  } else {
    console.log(
      `${ME}: 6 pages walked, ${shots} screenshots in ${shotDir}, no console errors, no request left ${LOCAL_HOST}`,
    );
  }
} catch (err) {
  const loaded = page ? page.url() : 'about:blank';
  const at = loaded === 'about:blank' ? (target ?? base.href) : loaded;
  const what = err instanceof StepFailure ? err.message : `error: ${oneLine(err.message.split('\n')[0], 300)}`;
  console.error(`${ME}: step ${step} at ${at}: ${what}`);
  code = step === '(launch)' ? 2 : 1; // no browser is a setup problem, not a failed walk
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.exit(code);
