// Drives Debian's chromium (headless, via the DevTools protocol with playwright-core) against the hub's public
// list with the outside network unreachable, and reports what a visitor sees: the institutions and marks as
// rendered, what the search box leaves visible, a region chosen in the selector, and the print layout.
//
//   node public-check.mjs http://127.0.0.1:PORT/public?on=YYYY-MM-DD OUT_DIR SEARCH REGION
//
// Writes OUT_DIR/public.png (the page), public-search.png, public-print.png (print media) and public.pdf;
// prints one JSON object.  tests/web/test_public_browser.py asserts on it.
import { chromium } from 'playwright-core';

const [url, outDir, search, region] = process.argv.slice(2);
const loopback = (u) => /^(https?|wss?):\/\/127\.0\.0\.1(:\d+)?\//.test(u) || /^(data|blob|about):/.test(u);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-domain-reliability',
    // the outside network is unreachable (as in graphiql-check.mjs)
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    '--proxy-server=http://127.0.0.1:9',
  ],
});

// what the list shows: every visible institution with its visible marks, in page order
const readList = () => Array.from(document.querySelectorAll('#list tbody')).filter((b) => !b.hidden && b.offsetParent !== null)
  .map((b) => {
    let h = b.closest('table').previousElementSibling;
    let city = null;
    if (h && h.tagName === 'H3') { city = h.innerText; h = h.previousElementSibling; }
    while (h && h.tagName !== 'H2') h = h.previousElementSibling;
    return {
      province: h ? h.innerText : null,
      city,
      head: b.querySelector('tr.inst').innerText,
      marks: Array.from(b.querySelectorAll('tr.mark')).filter((r) => !r.hidden).map((r) =>
        Array.from(r.cells).map((c) => c.innerText.replace(/\s+/g, ' ').trim())),
    };
  });

const report = { requests: [], offLoopback: [], consoleErrors: [], cspViolations: [], pageErrors: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (!loopback(u)) {
      report.offLoopback.push(u);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  const page = await context.newPage();
  page.on('request', (r) => report.requests.push(`${r.method()} ${r.url()}`));
  page.on('console', (m) => { if (m.type() === 'error') report.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => report.pageErrors.push(String(e)));
  await page.exposeFunction('__cspViolation', (v) => report.cspViolations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });

  const response = await page.goto(url, { waitUntil: 'load' });
  report.status = response.status();
  report.csp = response.headers()['content-security-policy'] || null;
  report.title = await page.title();
  report.h1 = await page.locator('h1').innerText();
  report.where = await page.locator('#where').innerText();
  report.provinces = await page.locator('#list h2.province').allInnerTexts();
  report.cities = await page.locator('#list h3.city').allInnerTexts();
  report.list = await page.evaluate(readList);
  report.stylesheetApplied = await page.evaluate(() =>
    getComputedStyle(document.querySelector('h2.province') || document.body).borderBottomStyle);
  await page.screenshot({ path: `${outDir}/public.png`, fullPage: true });

  // the search box filters as one types
  await page.locator('#filter').fill(search);
  await page.waitForFunction(() => document.getElementById('filter-count').innerText !== '');
  report.search = { term: search, count: await page.locator('#filter-count').innerText(), list: await page.evaluate(readList),
    provinces: await page.locator('#list h2.province:not([hidden])').allInnerTexts() };
  await page.screenshot({ path: `${outDir}/public-search.png`, fullPage: true });
  await page.locator('#filter').fill('');

  // the print layout: the controls are gone, the list stays
  await page.emulateMedia({ media: 'print' });
  report.print = {
    controlsHidden: await page.evaluate(() => getComputedStyle(document.querySelector('form.controls')).display === 'none'),
    listRows: await page.evaluate(() => Array.from(document.querySelectorAll('#list tr.mark')).filter((r) => r.offsetParent !== null).length),
  };
  await page.screenshot({ path: `${outDir}/public-print.png`, fullPage: true });
  await page.pdf({ path: `${outDir}/public.pdf`, format: 'A4', printBackground: false });
  await page.emulateMedia({ media: 'screen' });

  // choosing a region in the selector narrows the list (the page submits its form)
  await Promise.all([page.waitForURL((u) => u.searchParams.get('region') === region), page.locator('#region').selectOption(region)]);
  await page.waitForLoadState('load');
  report.region = { url: page.url(), where: await page.locator('#where').innerText(), list: await page.evaluate(readList) };
} catch (e) {
  report.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
