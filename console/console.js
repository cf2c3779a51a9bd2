// The console's page: sign-in, the session, sign-out. Every call is an API call of the gateway,
// made with the session's cookie (which no script can read) and, when it changes something, the
// CSRF token the sign-in gave, kept in memory only.
import { showReport } from '/console/report.js';
import { setUpSearch } from '/console/search.js';

const state = { csrf: sessionStorage.getItem('csrf') };

const $ = (id) => document.getElementById(id);

async function api(method, path, { headers = {}, body } = {}) {
  const h = { ...headers };
  if (method !== 'GET' && method !== 'HEAD' && state.csrf) h['X-CSRF-Token'] = state.csrf;
  const response = await fetch(path, { method, headers: h, body, credentials: 'same-origin' });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function show(session) {
  $('sign-in').hidden = true;
  $('session').hidden = false;
  $('sign-out').hidden = false;
  $('who').hidden = false;
  $('who').textContent = `Connecté : ${session.name ?? session.partner}`;
  $('partner').textContent = `${session.partner} (${session.kind})`;
  $('expires').textContent = new Date(session.expires_at).toLocaleString('fr-FR');
  $('capabilities').textContent = (session.capabilities ?? []).join(', ');
  $('report-form').hidden = !(session.capabilities ?? []).includes('audit_person_report');
  $('search').hidden = !(session.capabilities ?? []).includes('audit_search');
}

function showSignIn(message) {
  $('sign-in').hidden = false;
  $('session').hidden = true;
  $('report-form').hidden = true;
  $('search').hidden = true;
  $('search').querySelector('.results').replaceChildren();
  $('report').replaceChildren();
  $('sign-out').hidden = true;
  $('who').hidden = true;
  $('sign-in-error').hidden = !message;
  $('sign-in-error').textContent = message ?? '';
}

async function refresh() {
  const state_ = await api('GET', '/v1/console/session');
  if (state_.status === 200) show(state_.body);
  else showSignIn();
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  $('token').value = '';
  const opened = await api('POST', '/v1/console/session', {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (opened.status !== 201) {
    showSignIn(opened.status === 403
      ? "Votre organisation n'a pas accès à la console."
      : 'Connexion refusée : vérifiez le jeton.');
    return;
  }
  state.csrf = opened.body.csrf_token;
  sessionStorage.setItem('csrf', state.csrf);
  await setUpSearch(api, $('search'));
refresh();
});

$('report-request').addEventListener('submit', async (event) => {
  event.preventDefault();
  await showReport(api, $('report'), $('dossier').value.trim());
});

$('sign-out').addEventListener('click', async () => {
  await api('DELETE', '/v1/console/session');
  state.csrf = null;
  sessionStorage.removeItem('csrf');
  showSignIn();
});

refresh();
