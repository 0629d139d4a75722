// Drives Debian's chromium (headless, via the DevTools protocol with playwright-core) against the hub's
// GraphiQL page with the outside network unreachable, runs the preloaded query and reports what rendered.
//
//   node graphiql-check.mjs http://127.0.0.1:PORT/graphql SCREENSHOT.png
//
// Prints one JSON object: the result pane's text, the docs explorer's text, every request the page made,
// console errors and CSP violations.  tests/graphql/test_graphiql_browser.py asserts on it.
import { chromium } from 'playwright-core';

const [url, screenshot] = process.argv.slice(2);
const loopback = (u) => /^(https?|wss?):\/\/127\.0\.0\.1(:\d+)?\//.test(u) || /^(data|blob|about):/.test(u);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-domain-reliability',
    // the outside network is unreachable: every name but 127.0.0.1 fails to resolve, and anything by
    // address goes to a proxy on a closed loopback port (loopback itself bypasses proxies)
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    '--proxy-server=http://127.0.0.1:9',
  ],
});
const report = { requests: [], offLoopback: [], consoleErrors: [], cspViolations: [], result: null, docs: null, tabs: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // belt and braces: a request off loopback is recorded and aborted before it leaves the browser
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (!loopback(u)) {
      report.offLoopback.push(u);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  const page = await context.newPage();
  const seen = new Set();
  const record = (r) => {
    const line = `${r.method()} ${r.url()}`;
    if (!seen.has(line)) { seen.add(line); report.requests.push(line); }
  };
  page.on('request', record);
  page.on('console', (m) => {
    if (m.type() === 'error') report.consoleErrors.push(m.text());
  });
  await page.exposeFunction('__cspViolation', (v) => report.cspViolations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // worker requests are reported by the context, not the page
  context.on('request', record);

  await page.goto(url, { waitUntil: 'load' });
  // the query editor holds the preloaded core question
  await page.locator('.graphiql-query-editor').getByText('recognizability(').first().waitFor({ timeout: 60000 });
  report.tabs = await page.locator('.graphiql-tab').allInnerTexts();
  // run it with the execute button and wait for the verdict in the result pane
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.graphiql-response');
  try {
    await page.waitForFunction(() => /verdict/.test(document.querySelector('.graphiql-response')?.innerText || ''), null, { timeout: 30000 });
  } finally {
    report.result = await result.innerText().catch(() => null);
    if (screenshot) await page.screenshot({ path: screenshot });
  }
  // the schema's documentation is browsable: open the doc explorer and follow Query → Recognition
  await page.locator('[aria-label="Show Documentation Explorer"]').click();
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.waitFor({ timeout: 15000 });
  if (screenshot) await page.screenshot({ path: screenshot.replace(/\.png$/, '-docs.png') });
  await docs.getByText('Query', { exact: true }).first().click();
  await docs.getByText('recognizability', { exact: true }).first().click();
  await docs.getByText('Is this prior study recognizable').first().waitFor({ timeout: 15000 });
  report.docs = await docs.innerText();
  if (screenshot) await page.screenshot({ path: screenshot });
} catch (e) {
  report.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
