// The console in a real browser (issue 25): Debian's Chromium driven by playwright-core, against
// a real `passerelle demo`. Keyboard only: sign in with the DPO's token, see the session, sign
// out. Checked on the way: the cookie is HttpOnly, Secure and SameSite=Strict and no script
// reads it; the Content-Security-Policy reports no violation; axe-core finds no serious or
// critical violation of WCAG 2.1 A/AA (the RGAA's base); a wrong token is refused in French.
// Screenshots of each state go to SCREENSHOT_DIR.
// A person's access report: every line and the checkpoint verified in the page; an entry, then
// the checkpoint, altered in transit (an interposed response) shown as not verified.
// Usage: node console_test.mjs BASE_URL DPO_TOKEN_FILE CAF_TOKEN_FILE SCREENSHOT_DIR DOSSIER_ID
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const { chromium, request: http } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [base, dpoTokenFile, cafTokenFile, shots, dossier] = process.argv.slice(2);
const dpoToken = readFileSync(dpoTokenFile, 'utf8').trim();
const cafToken = readFileSync(cafTokenFile, 'utf8').trim();
mkdirSync(shots, { recursive: true });

let failures = 0;
function check(what, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : ': ' + detail}`);
  if (!ok) failures++;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // The demo's CA is not the browser's: its certificate is accepted for this test only.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  async function tabTo(selector, max = 10) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return true;
    }
    return false;
  }
  async function axeViolations() {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }));
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }

  const response = await page.goto(`${base}/console`);
  check('the page answers 200', response.status() === 200, String(response.status()));
  await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  let serious = await axeViolations();
  check('sign-in page: no serious or critical accessibility violation', serious.length === 0,
    serious.map((v) => v.id).join(', '));
  await page.screenshot({ path: join(shots, 'connexion.png'), fullPage: true });

  // A partner the policy does not grant the console: refused, said in French.
  check('the token field is reached by Tab', await tabTo('#token'));
  await page.keyboard.type(cafToken);
  await page.keyboard.press('Enter');
  await page.locator('#sign-in-error').waitFor({ state: 'visible' });
  check('a CAF token is refused', (await page.locator('#sign-in-error').textContent())
    .includes("n'a pas accès"));

  // The DPO, keyboard only.
  await page.locator('#token').focus();
  await page.keyboard.type(dpoToken);
  await page.keyboard.press('Enter');
  await page.locator('#session').waitFor({ state: 'visible' });
  check('signed in as the DPO', (await page.locator('#partner').textContent()).startsWith('dpo'));
  check('the DPO may search the log',
    (await page.locator('#capabilities').textContent()).includes('audit_search'));
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'passerelle_console');
  check('the session cookie is HttpOnly, Secure, SameSite=Strict',
    session && session.httpOnly && session.secure && session.sameSite === 'Strict',
    JSON.stringify(session));
  check('no script reads the cookie', (await page.evaluate(() => document.cookie)) === '');
  check('the token is not kept in the page', !(await page.content()).includes(dpoToken));
  check('no personal data or token in the URL', page.url() === `${base}/console`, page.url());
  serious = await axeViolations();
  check('session page: no serious or critical accessibility violation', serious.length === 0,
    serious.map((v) => v.id).join(', '));
  await page.screenshot({ path: join(shots, 'session.png'), fullPage: true });

  // Two accesses to the person's dossier by the Département, for the report to show.
  const departementToken =
    readFileSync(dpoTokenFile.replace('/dpo/', '/departement/'), 'utf8').trim();
  // Another client: the browser's own requests carry the DPO's cookie (and would be refused,
  // two credentials naming two partners).
  const departement = await http.newContext({ ignoreHTTPSErrors: true });
  for (let i = 0; i < 2; i++) {
    const read = await departement.get(`${base}/v1/dossiers/${dossier}`, {
      headers: { Authorization: `Bearer ${departementToken}`, 'X-Purpose': 'accompagnement' },
    });
    check(`the Département reads the dossier (${i + 1})`, read.status() === 200,
      String(read.status()));
  }

  // A person's access report, asked by keyboard.
  async function report() {
    await page.locator('#dossier').focus();
    await page.locator('#dossier').fill('');
    await page.keyboard.type(dossier);
    await page.keyboard.press('Enter');
    await page.locator('#report-summary').waitFor();
    const marks = await page.locator('#report td[data-entry]').allTextContents();
    return {
      verified: marks.filter((m) => m.includes('✔')).length,
      total: marks.length,
      checkpoint: await page.locator('#checkpoint-status').textContent(),
    };
  }
  let r = await report();
  check('the report lists the dossier\'s accesses', r.total >= 2, JSON.stringify(r));
  check('every entry is verified in the browser', r.verified === r.total, JSON.stringify(r));
  check('the checkpoint is verified', r.checkpoint.includes('✔'), r.checkpoint);
  serious = await axeViolations();
  check('report: no serious or critical accessibility violation', serious.length === 0,
    serious.map((v) => v.id).join(', '));
  await page.screenshot({ path: join(shots, 'releve.png'), fullPage: true });

  // The same again: the log grew (the report itself is an entry), and its new checkpoint is
  // proved consistent with the one this browser kept.
  r = await report();
  check('a later report is verified against the checkpoint seen before',
    r.total >= 2 && r.verified === r.total && r.checkpoint.includes('✔'), JSON.stringify(r));

  // An entry altered in transit: that line, and only it, is not verified.
  const reportUrl = `${base}/v1/audit/persons/*/report`;
  await page.route(reportUrl, async (route) => {
    const real = await route.fetch();
    const body = await real.json();
    const e = body.entries.find((x) => x.entry !== undefined);
    e.entry = e.entry.replace('"status":', '"status": ');
    await route.fulfill({ response: real, json: body });
  });
  r = await report();
  check('an altered entry is shown as not verified, and only it',
    r.total >= 2 && r.verified === r.total - 1, JSON.stringify(r));
  await page.screenshot({ path: join(shots, 'releve-altere.png'), fullPage: true });
  await page.unroute(reportUrl);

  // A checkpoint whose root was altered: its signature fails, and no line is verified.
  await page.route(reportUrl, async (route) => {
    const real = await route.fetch();
    const body = await real.json();
    body.checkpoint.root_hash = body.checkpoint.root_hash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await route.fulfill({ response: real, json: body });
  });
  r = await report();
  check('an altered checkpoint is not verified, nor any line under it',
    r.total >= 2 && r.verified === 0 && r.checkpoint.includes('✘'), JSON.stringify(r));
  await page.unroute(reportUrl);
  r = await report();
  check('the true report verifies again',
    r.total >= 2 && r.verified === r.total && r.checkpoint.includes('✔'),
    JSON.stringify(r));

  // The log's search: the Département's reads of the dossier, opened in French, and as CSV.
  await page.locator('#search-action').selectOption('dossier_read');
  await page.locator('#search-person').fill(dossier);
  await page.locator('#search-person').press('Enter');
  await page.locator('#search-results').waitFor();
  const actions = await page.locator('#search-results tbody tr:not([hidden]) td:nth-child(5)')
    .allTextContents();
  check('the search finds the two reads, labelled in French',
    actions.length === 2 && actions.every((a) => a === 'consultation du dossier'),
    JSON.stringify(actions));
  const open = page.locator('#search-results tbody button').first();
  await open.focus();
  await page.keyboard.press('Enter');
  const opened = await page.locator('#search-results dl.entry').first().textContent();
  check('an entry opens with its fields in French',
    opened.includes('Finalité') && opened.includes('Données communiquées') &&
    opened.includes('accompagnement'), opened.slice(0, 200));
  check('the opened entry says so to assistive technology',
    (await open.getAttribute('aria-expanded')) === 'true');
  serious = await axeViolations();
  check('search: no serious or critical accessibility violation', serious.length === 0,
    serious.map((v) => v.id).join(', '));
  await page.screenshot({ path: join(shots, 'recherche.png'), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.locator('#search .csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  check('the CSV holds a header and the two reads', csv.length === 3 &&
    csv[0].startsWith('index,'), csv[0]);
  check('the page address never held the dossier id', !page.url().includes(dossier), page.url());

  // A reload keeps the session; sign-out by keyboard ends it.
  await page.reload();
  await page.locator('#session').waitFor({ state: 'visible' });
  check('the sign-out button is reached by Tab', await tabTo('#sign-out'));
  await page.keyboard.press('Enter');
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  const after = await context.request.get(`${base}/v1/console/session`);
  check('the session is over after sign-out', after.status() === 401, String(after.status()));

  const violations = await page.evaluate(() => window.__cspViolations);
  check('the Content-Security-Policy reports no violation', violations.length === 0,
    violations.join('; '));
  check('no script error', pageErrors.length === 0, pageErrors.join('; '));
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
