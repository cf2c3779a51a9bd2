// The console's page: sign-in, the views the session's capabilities open, sign-out. Every call
// is an API call of the gateway, made with the session's cookie (which no script can read) and,
// when it changes something, the CSRF token the sign-in gave, kept for the tab only. Views are
// switched in the page: no address ever carries a dossier id or a filter.
import { element } from './dom.js';
import * as dossier from './dossier.js';
import * as exportsView from './exports.js';
import * as integrity from './integrity.js';
import * as reconciliation from './reconciliation.js';
import * as refusals from './refusals.js';
import * as report from './report.js';
import * as search from './search.js';

const state = { csrf: sessionStorage.getItem('csrf'), session: null };

const $ = (id) => document.getElementById(id);

async function api(method, path, { headers = {}, body } = {}) {
  const h = { ...headers };
  if (method !== 'GET' && method !== 'HEAD' && state.csrf) h['X-CSRF-Token'] = state.csrf;
  if (body !== undefined && typeof body !== 'string') {
    h['Content-Type'] = 'application/json';
    body = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers: h, body, credentials: 'same-origin' });
  const text = await response.text();
  const json = (response.headers.get('Content-Type') ?? '').includes('json');
  // A session that ended (its 15 minutes, a sign-out elsewhere, a policy that took the console
  // away) is said as such, and the page goes back to the sign-in.
  if (response.status === 401 && state.session && path !== '/v1/console/session') {
    showSignIn('Votre session a pris fin : reconnectez-vous.');
  }
  return { status: response.status, body: text && json ? JSON.parse(text) : null, text };
}

// Each view: its section, its name in the menu, the capabilities that open it (any of them),
// and its module (mount once, open each time it is shown).
const VIEWS = [
  { id: 'search', label: 'Journal', needs: ['audit_search'], module: search },
  { id: 'report-view', label: "Relevé d'une personne", needs: ['audit_person_report'], module: report },
  { id: 'integrity', label: 'Intégrité', needs: ['audit_search'], module: integrity },
  { id: 'refusals', label: 'Refus', needs: ['audit_search'], module: refusals },
  { id: 'dossier-view', label: 'Dossier', needs: ['consents_read'], module: dossier },
  { id: 'reconciliation', label: 'Rapprochements', needs: ['reconciliation'], module: reconciliation },
  { id: 'exports', label: 'Exports', needs: ['exports', 'exports_any_status'], module: exportsView },
  { id: 'session', label: 'Session', needs: [], module: null },
];

const context = { api, get session() { return state.session; } };

function allowed(view) {
  const capabilities = state.session?.capabilities ?? [];
  return view.needs.length === 0 || view.needs.some((c) => capabilities.includes(c));
}

function openView(id, { focus = true } = {}) {
  for (const view of VIEWS) {
    const shown = view.id === id;
    $(view.id).hidden = !shown;
    const button = $(`go-${view.id}`);
    if (button) button.setAttribute('aria-current', shown ? 'true' : 'false');
    if (shown && view.module?.open) view.module.open($(view.id), context);
  }
  const heading = $(id).querySelector('h2');
  if (focus && heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

function show(session) {
  state.session = session;
  $('sign-in').hidden = true;
  $('sign-out').hidden = false;
  $('who').hidden = false;
  $('who').textContent = `Connecté : ${session.name ?? session.partner}`;
  $('partner').textContent = `${session.partner} (${session.kind})`;
  $('expires').textContent = new Date(session.expires_at).toLocaleString('fr-FR');
  $('capabilities').textContent = (session.capabilities ?? []).join(', ');
  const menu = $('views').querySelector('ul');
  menu.replaceChildren(...VIEWS.filter(allowed).map((view) => {
    const button = element('button', { type: 'button', id: `go-${view.id}`, 'aria-controls': view.id },
      view.label);
    button.addEventListener('click', () => openView(view.id));
    return element('li', {}, button);
  }));
  $('views').hidden = false;
  openView(VIEWS.find(allowed).id, { focus: false });
}

function showSignIn(message) {
  state.session = null;
  $('sign-in').hidden = false;
  for (const view of VIEWS) {
    $(view.id).hidden = true;
    $(view.id).querySelectorAll('.results, #report').forEach((r) => r.replaceChildren());
  }
  $('views').hidden = true;
  $('sign-out').hidden = true;
  $('who').hidden = true;
  $('sign-in-error').hidden = !message;
  $('sign-in-error').textContent = message ?? '';
}

async function refresh() {
  const answer = await api('GET', '/v1/console/session');
  if (answer.status === 200) show(answer.body);
  else showSignIn();
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  $('token').value = '';
  // Without a token, the browser's client certificate (where one is installed) is the credential.
  const opened = await api('POST', '/v1/console/session',
    { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (opened.status !== 201) {
    showSignIn(opened.status === 403
      ? "Votre organisation n'a pas accès à la console."
      : token ? 'Connexion refusée : vérifiez le jeton.'
        : 'Connexion refusée : donnez un jeton, ou installez le certificat de votre organisation.');
    return;
  }
  state.csrf = opened.body.csrf_token;
  sessionStorage.setItem('csrf', state.csrf);
  await refresh();
});

$('sign-out').addEventListener('click', async () => {
  await api('DELETE', '/v1/console/session');
  state.csrf = null;
  sessionStorage.removeItem('csrf');
  showSignIn();
});

for (const view of VIEWS) view.module?.mount?.($(view.id), context);
refresh();
