// The console in a real browser (issue 25): Debian's Chromium driven by playwright-core, against
// a real `passerelle demo`. Keyboard only: sign in with the DPO's token, see the session, sign
// out. Checked on the way: the cookie is HttpOnly, Secure and SameSite=Strict and no script
// reads it; the Content-Security-Policy reports no violation; axe-core finds no serious or
// critical violation of WCAG 2.1 A/AA (the RGAA's base); a wrong token is refused in French.
// Screenshots of each state go to SCREENSHOT_DIR.
// A person's access report: every line and the checkpoint verified in the page; an entry, then
// the checkpoint, altered in transit (an interposed response) shown as not verified. The log's
// integrity (checkpoints verified here, a full verification run), the refusals by partner, a
// dossier's consents and relationships with their history, the exports with their signed
// manifests (one altered in transit), the Département's reconciliation cases decided; a sign-in
// by the browser's client certificate; and a script injected into the page, which the
// Content-Security-Policy blocks and reports.
// Usage: node console_test.mjs BASE_URL PARTNERS_DIR SCREENSHOT_DIR DOSSIER_ID
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const { chromium, request: http } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [base, partners, shots, dossier] = process.argv.slice(2);
const tokenOf = (partner) => readFileSync(join(partners, partner, 'token'), 'utf8').trim();
const dpoToken = tokenOf('dpo');
const cafToken = tokenOf('caf');
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
  await page.locator('#views').waitFor({ state: 'visible' });
  check('signed in as the DPO', (await page.locator('#partner').textContent()).startsWith('dpo'));
  check('the DPO may search the log',
    (await page.locator('#capabilities').textContent()).includes('audit_search'));
  const menu = await page.locator('#views button').allTextContents();
  check("the DPO's menu: its views and not the Département's",
    menu.includes('Intégrité') && menu.includes('Refus') && menu.includes('Exports') &&
    menu.includes('Dossier') && !menu.includes('Rapprochements'), menu.join(', '));
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'passerelle_console');
  check('the session cookie is HttpOnly, Secure, SameSite=Strict',
    session && session.httpOnly && session.secure && session.sameSite === 'Strict',
    JSON.stringify(session));
  check('no script reads the cookie', (await page.evaluate(() => document.cookie)) === '');
  check('the token is not kept in the page', !(await page.content()).includes(dpoToken));
  check('no personal data or token in the URL', page.url() === `${base}/console`, page.url());

  // A view is opened by keyboard from the menu.
  async function openView(id) {
    await page.locator(`#go-${id}`).focus();
    await page.keyboard.press('Enter');
    await page.locator(`#${id}`).waitFor({ state: 'visible' });
  }
  async function accessible(what) {
    const found = await axeViolations();
    check(`${what}: no serious or critical accessibility violation`, found.length === 0,
      found.map((v) => `${v.id} (${v.nodes.map((n) => n.target).join(' ')})`).join(', '));
  }
  await openView('session');
  await accessible('session');
  await page.screenshot({ path: join(shots, 'session.png'), fullPage: true });

  // Other clients: the browser's own requests carry the DPO's cookie (and would be refused,
  // two credentials naming two partners).
  const as = async (partner) => http.newContext({ ignoreHTTPSErrors: true,
    extraHTTPHeaders: { Authorization: `Bearer ${tokenOf(partner)}` } });
  const departement = await as('departement');
  for (let i = 0; i < 2; i++) {
    const read = await departement.get(`${base}/v1/dossiers/${dossier}`,
      { headers: { 'X-Purpose': 'accompagnement' } });
    check(`the Département reads the dossier (${i + 1})`, read.status() === 200,
      String(read.status()));
  }

  // A person's access report, asked by keyboard.
  await openView('report-view');
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
  const letter = await page.locator('#report').textContent();
  check("the demo's own writes are in the report: the CAF created the dossier",
    letter.includes('création du dossier') && letter.includes('CAF de démonstration') &&
    letter.includes('écriture d\'une rubrique'), letter.slice(0, 300));
  check('every entry is verified in the browser', r.verified === r.total, JSON.stringify(r));
  check('the checkpoint is verified', r.checkpoint.includes('✔'), r.checkpoint);
  await accessible('report');
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
  await openView('search');
  await page.locator('#search-action').selectOption('dossier_read');
  check('the actions are offered in French',
    (await page.locator('#search-action option[value="dossier_read"]').textContent()) ===
    'consultation du dossier');
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
  await accessible('search');
  await page.screenshot({ path: join(shots, 'recherche.png'), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.locator('#search .csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  check('the CSV holds a header and the two reads', csv.length === 3 &&
    csv[0].startsWith('index,'), csv[0]);

  // Integrity: every checkpoint listed verified here; a full verification run and recorded.
  await openView('integrity');
  await page.locator('#checkpoints').waitFor();
  let marks = await page.locator('#checkpoints td[data-checkpoint]').allTextContents();
  check('the latest checkpoints are listed, each signature verified in the browser',
    marks.length >= 1 && marks.every((m) => m.includes('✔')), JSON.stringify(marks));
  check('the latest is consistent with the last one this browser saw',
    (await page.locator('#integrity-continuity').textContent()).includes('✔'));
  check('no full verification yet',
    (await page.locator('#last-verification').textContent()).includes('Aucune'));
  await page.locator('#integrity .verify').focus();
  await page.keyboard.press('Enter');
  await page.locator('#integrity .verify-status .verified').waitFor();
  await page.locator('#last-verification .verified').waitFor();
  const last = await page.locator('#last-verification').textContent();
  check('the full verification is recorded and shown with its time and author',
    last.includes('intègre') && last.includes('dpo'), last);
  await accessible('integrity');
  await page.screenshot({ path: join(shots, 'integrite.png'), fullPage: true });
  // A checkpoint's signature altered in transit: that one is not verified.
  const integrityUrl = `${base}/v1/audit/integrity*`;
  await page.route(integrityUrl, async (route) => {
    const real = await route.fetch();
    const body = await real.json();
    const c = body.checkpoints.at(-1);
    c.signature = c.signature.replace(/^./, (x) => (x === '0' ? '1' : '0'));
    await route.fulfill({ response: real, json: body });
  });
  await openView('search');
  await openView('integrity');
  await page.locator('#checkpoints').waitFor();
  marks = await page.locator('#checkpoints td[data-checkpoint]').allTextContents();
  check('a checkpoint altered in transit is shown as not verified',
    marks.at(-1).includes('✘'), JSON.stringify(marks));
  await page.unroute(integrityUrl);

  // Refusals: a CAF probing the log shows in the count, by its name.
  const caf = await as('caf');
  for (let i = 0; i < 3; i++) {
    const probe = await caf.get(`${base}/v1/audit/entries`);
    check(`a CAF's probe is refused (${i + 1})`, probe.status() === 403, String(probe.status()));
  }
  await openView('refusals');
  await page.locator('#refusals-by-partner').waitFor();
  const cafRow = await page.locator('#refusals-by-partner tbody tr', { hasText: 'CAF' }).first()
    .locator('td').allTextContents();
  check('the refusals list the CAF with its denied requests',
    cafRow.length === 5 && Number(cafRow[1]) >= 3 && cafRow[4].includes('recherche'),
    JSON.stringify(cafRow));
  await page.locator('#refusals-period').selectOption('hour');
  await page.locator('#refusals button[type=submit]').click();
  await page.locator('#refusals-by-period caption', { hasText: 'Par heure' }).waitFor();
  await accessible('refusals');
  await page.screenshot({ path: join(shots, 'refus.png'), fullPage: true });

  // A dossier's consents and relationships, with their history: the Département records a
  // consent, then it is withdrawn.
  const consent = await departement.post(`${base}/v1/dossiers/${dossier}/consents`, {
    headers: { 'X-Purpose': 'accompagnement' },
    data: { grantee: { partner: 'mission-locale' }, purpose: 'accompagnement', sections: ['foyer'],
      given_at: '2026-11-02', method: 'ecrit', collected_by: 'Conseillère France Services',
      notice_version: 'notice-dui-2026-01' },
  });
  check('the Département records a consent', consent.status() === 201, String(consent.status()));
  const cid = (await consent.json()).consent.id;
  const withdrawn = await departement.post(`${base}/v1/consents/${cid}/withdraw`, {
    headers: { 'X-Purpose': 'accompagnement' }, data: { method: 'oral', collected_by: 'Accueil' } });
  check('and it is withdrawn', withdrawn.status() === 201, String(withdrawn.status()));
  await openView('dossier-view');
  await page.locator('#dossier-id').focus();
  await page.keyboard.type(dossier);
  await page.keyboard.press('Enter');
  await page.locator('#consents').waitFor();
  await page.locator('#relationships').waitFor();
  const events = await page.locator('#consents tbody tr td:nth-child(2)').allTextContents();
  check('the consent and its withdrawal are both in the history',
    events.some((e) => e === 'donné') && events.some((e) => e.startsWith('retiré')),
    JSON.stringify(events));
  check('the consent is shown withdrawn',
    (await page.locator(`#consents td[data-consent="${cid}"]`).textContent()) === 'retiré');
  const relationships = await page.locator('#relationships tbody tr').count();
  check('the relationships are listed', relationships >= 1, String(relationships));
  check('the page address never held the dossier id', !page.url().includes(dossier), page.url());
  await accessible('dossier');
  await page.screenshot({ path: join(shots, 'dossier.png'), fullPage: true });

  // Exports: the évaluateur's export, its manifest's signature verified here, then altered.
  const evaluateur = await as('evaluateur');
  const asked = await evaluateur.post(`${base}/v1/exports`,
    { data: { study: 'etude-demo', profile: 'annexe-e' } });
  check("the évaluateur's export is queued", asked.status() === 202, String(asked.status()));
  const exportId = (await asked.json()).id;
  let exportStatus = '';
  for (let i = 0; i < 300 && !['done', 'failed'].includes(exportStatus); i++) {
    exportStatus = (await (await evaluateur.get(`${base}/v1/exports/${exportId}`)).json()).status;
    if (!['done', 'failed'].includes(exportStatus)) await new Promise((f) => setTimeout(f, 100));
  }
  check('the export is done', exportStatus === 'done', exportStatus);
  await openView('exports');
  const exportRow = page.locator(`#exports-list tr[data-export="${exportId}"]`);
  await exportRow.waitFor();
  await exportRow.locator('button').focus();
  await page.keyboard.press('Enter');
  await page.locator('#manifest-signature').waitFor();
  check("the manifest's signature is verified in the browser",
    (await page.locator('#manifest-signature').textContent()).includes('✔'));
  check('the manifest lists its files', await page.locator('#manifest-files tbody tr').count() >= 3);
  await accessible('exports');
  await page.screenshot({ path: join(shots, 'exports.png'), fullPage: true });
  const exportUrl = `${base}/v1/exports/${exportId}`;
  await page.route(exportUrl, async (route) => {
    const real = await route.fetch();
    const body = await real.json();
    body.signed_manifest.text = body.signed_manifest.text.replace('"rows":', '"rows":1');
    await route.fulfill({ response: real, json: body });
  });
  await exportRow.locator('button').click();
  await page.locator('#manifest-signature .not-verified').waitFor();
  check('a manifest altered in transit is shown as not verified',
    (await page.locator('#manifest-signature').textContent()).includes('✘'));
  await page.unroute(exportUrl);

  // A session that ends under the page (here its cookie gone, as after 15 minutes): the next
  // call says so and the page goes back to the sign-in; a new sign-in, then a reload keeps it.
  const kept = await context.cookies();
  await context.clearCookies();
  await page.locator('#go-integrity').focus();
  await page.keyboard.press('Enter');
  await page.locator('#sign-in-error').waitFor({ state: 'visible' });
  check('an ended session is said, and the sign-in shown again',
    (await page.locator('#sign-in-error').textContent()).includes('session a pris fin') &&
    await page.locator('#views').isHidden());
  await context.addCookies(kept);
  await page.reload();
  await page.locator('#views').waitFor({ state: 'visible' });
  check('the sign-out button is reached by Tab', await tabTo('#sign-out'));
  await page.keyboard.press('Enter');
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  const after = await context.request.get(`${base}/v1/console/session`);
  check('the session is over after sign-out', after.status() === 401, String(after.status()));

  const violations = await page.evaluate(() => window.__cspViolations);
  check('the Content-Security-Policy reports no violation', violations.length === 0,
    violations.join('; '));
  check('no script error', pageErrors.length === 0, pageErrors.join('; '));
  // The check above can fail: a script injected into the page is blocked and reported.
  const planted = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__ran = true;';
    document.body.append(s);
    return new Promise((done) => setTimeout(() => done({ ran: window.__ran === true,
      reported: window.__cspViolations.slice() }), 200));
  });
  check('an injected inline script is blocked and reported by the CSP',
    !planted.ran && planted.reported.some((v) => v.startsWith('script-src')),
    JSON.stringify(planted));

  // The Département: its reconciliation cases. A case is opened as an import would open it: the
  // Département gives two identifiers that designate two dossiers.
  const lila = { nom_naissance: 'Tournesol', prenoms: ['Lila'], date_naissance: '1990-04-12', sexe: 'F' };
  const cafId = { organisme: 'CAF', numero_organisme: '931', matricule: '7654321' };
  const a = await caf.post(`${base}/v1/dossiers`, { headers: { 'X-Purpose': 'instruction_rsa' },
    data: { identite: lila, identifiants: { caf: cafId } } });
  const b = await departement.post(`${base}/v1/dossiers`, { headers: { 'X-Purpose': 'accompagnement' },
    data: { identite: lila, identifiants: { departement: 'DEP-CONSOLE-1' } } });
  const both = await departement.post(`${base}/v1/dossiers`, { headers: { 'X-Purpose': 'accompagnement' },
    data: { identite: lila, identifiants: { caf: cafId, departement: 'DEP-CONSOLE-1' } } });
  check('two dossiers of one person, and a case opened',
    a.status() === 201 && b.status() === 201 && both.status() === 409,
    `${a.status()} ${b.status()} ${both.status()}`);
  const caseId = (await both.json()).reconciliation_case;
  const keep = (await a.json()).id;

  // Signed in by the browser's client certificate: no token typed.
  const certified = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR',
    clientCertificates: [{ origin: base, certPath: join(partners, 'departement', 'cert.pem'),
      keyPath: join(partners, 'departement', 'key.pem') }] });
  const officer = await certified.newPage();
  officer.on('pageerror', (e) => pageErrors.push(String(e)));
  await officer.goto(`${base}/console`);
  await officer.getByRole('heading', { name: 'Connexion' }).waitFor();
  await officer.locator('#sign-in-form button').focus();
  await officer.keyboard.press('Enter');
  await officer.locator('#views').waitFor({ state: 'visible' });
  check("the Département's officer is signed in by the client certificate",
    (await officer.locator('#partner').textContent()).startsWith('departement'));
  const officerMenu = await officer.locator('#views button').allTextContents();
  check("the Département's menu has reconciliation and not the DPO's log",
    officerMenu.includes('Rapprochements') && !officerMenu.includes('Journal'),
    officerMenu.join(', '));
  await officer.locator('#go-reconciliation').focus();
  await officer.keyboard.press('Enter');
  const caseRow = officer.locator(`#cases tr[data-case="${caseId}"]`);
  await caseRow.waitFor();
  check('the open case is listed with both dossiers, identifier kinds only',
    (await caseRow.textContent()).includes(keep) && !(await caseRow.textContent()).includes('7654321'));
  await officer.evaluate(axeSource);
  const officerAxe = await officer.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const officerSerious = officerAxe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check('reconciliation: no serious or critical accessibility violation', officerSerious.length === 0,
    officerSerious.map((v) => v.id).join(', '));
  await officer.screenshot({ path: join(shots, 'rapprochements.png'), fullPage: true });
  await caseRow.locator('select').first().selectOption(keep);
  await caseRow.getByRole('button', { name: 'Même personne' }).focus();
  await officer.keyboard.press('Enter');
  await officer.locator('#reconciliation-outcome').waitFor();
  check('the decision is taken and said',
    (await officer.locator('#reconciliation-outcome').textContent()).includes('même personne'));
  check('the case is no longer open', await officer.locator(`#cases tr[data-case="${caseId}"]`).count() === 0);
  check('it is listed among the decided, with its resolution',
    (await officer.locator(`#decided-cases tr[data-case="${caseId}"]`).textContent())
      .includes('même personne'));
  const gone = await departement.get(`${base}/v1/dossiers/${(await b.json()).id}`,
    { headers: { 'X-Purpose': 'accompagnement' } });
  check('the other dossier was merged (410)', gone.status() === 410, String(gone.status()));
  check('no script error in the officer\'s page', pageErrors.length === 0, pageErrors.join('; '));
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
