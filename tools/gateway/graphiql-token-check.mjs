// Drives Debian's chromium (headless, playwright-core) against the GraphiQL page of a hub with
// authentication on: the page loads without a token, the person pastes one into the headers tab, and
// the preloaded query runs with it.
//
//   node graphiql-token-check.mjs http://127.0.0.1:PORT/graphql TOKEN SCREENSHOT.png
//
// Prints one JSON object: the headers tab's text as the page opened, the result pane's text after
// running the query, and the Authorization headers the page sent to /graphql.
import { chromium } from 'playwright-core';

const [url, token, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const report = { headersShown: null, result: null, sent: [] };
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.on('request', (r) => {
    if (r.url().endsWith('/graphql') && r.method() === 'POST') report.sent.push(r.headers()['authorization'] || null);
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.locator('.graphiql-query-editor').getByText('recognizability(').first().waitFor({ timeout: 60000 });
  const headers = page.locator('section.graphiql-editor-tool .monaco-editor:visible').first();
  await headers.waitFor({ timeout: 15000 });
  report.headersShown = (await headers.innerText()).replace(/\u00a0/g, ' ');
  await headers.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));
  // Monaco may have auto-closed a quote or brace while the text went in: drop anything after the cursor
  await page.keyboard.press('Shift+Control+End');
  await page.keyboard.press('Delete');
  await page.locator('.graphiql-execute-button').click();
  try {
    await page.waitForFunction(() => /verdict/.test(document.querySelector('.graphiql-response')?.innerText || ''),
      null, { timeout: 30000 });
  } finally {
    report.result = await page.locator('.graphiql-response').innerText().catch(() => null);
    if (screenshot) await page.screenshot({ path: screenshot });
  }
} catch (e) {
  report.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
