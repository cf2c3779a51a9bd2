// The audit log's search (DPO): time range, partner, purpose, action, decision, dossier; paged
// by the last index; each entry opened in French; the page as CSV (the gateway neutralises
// cells that a spreadsheet would run as formulas). Filters travel in the API's query, never in
// the page's address. The actions and their French labels come from the gateway (the session).
import { element, option } from './dom.js';

const DECISIONS = { allow: 'autorisé', partial: 'partiel', deny: 'refusé', invalid: 'invalide',
  error: 'erreur' };
const PURPOSES = ['instruction_rsa', 'orientation', 'accompagnement', 'suivi_parcours',
  'controle', 'evaluation', 'statistique'];
const LABELS = {
  index: 'N°', time: 'Date', partner: 'Organisation', credential: 'Justificatif présenté',
  purpose: 'Finalité', action_label: 'Action', decision_label: 'Décision', person:
  'Personne (pseudonyme)', fields_disclosed: 'Données communiquées', fields_written:
  'Données écrites', withheld: 'Données retenues', policy_version: 'Version de la politique',
  rules: 'Règles et consentements', request_id: 'Identifiant de la requête', status:
  'Statut HTTP', details: 'Détails', leaf_hash: 'Empreinte (feuille Merkle)',
};


// The form's filters, as the API's query parameters.
function query(form, after) {
  const params = new URLSearchParams();
  for (const name of ['partner', 'purpose', 'action', 'decision', 'person']) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  if (form.elements.from.value) params.set('from', form.elements.from.value);
  if (form.elements.to.value) params.set('to', `${form.elements.to.value}T23:59:59.999Z`);
  if (after !== undefined) params.set('after', String(after));
  params.set('limit', '50');
  return params;
}

function valueText(key, value) {
  if (Array.isArray(value)) {
    if (value.length === 0) return '—';
    return value.map((v) => (typeof v === 'object' ? (v.label ?? v.field ?? JSON.stringify(v)) : v))
      .join(', ');
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => `${k} : ${v}`).join(' ; ') : '—';
  }
  if (key === 'time') return new Date(value).toLocaleString('fr-FR');
  return value === '' || value === undefined ? '—' : String(value);
}

function details(entry) {
  const list = element('dl', { class: 'entry' });
  for (const [key, label] of Object.entries(LABELS)) {
    if (!(key in entry)) continue;
    list.append(element('dt', {}, label), element('dd', {}, valueText(key, entry[key])));
  }
  return list;
}

// The actions, as the session names them, each time the view is shown.
export function open(root, { session }) {
  const action = root.querySelector('form').elements.action;
  if (action.options.length > 1) return;
  action.replaceChildren(option('', 'toutes'),
    ...(session.audit_actions ?? []).map((a) => option(a.action, a.label)));
}

export function mount(root, { api }) {
  const form = root.querySelector('form');
  form.elements.decision.append(option('', 'toutes'),
    ...Object.entries(DECISIONS).map(([k, v]) => option(k, v)));
  form.elements.purpose.append(option('', 'toutes'), ...PURPOSES.map((p) => option(p, p)));
  const results = root.querySelector('.results');
  let pages = [];  // the `after` of each page shown, for going back

  async function show(after) {
    results.replaceChildren(element('p', { role: 'status' }, 'Recherche…'));
    const answer = await api('GET', `/v1/audit/entries?${query(form, after)}`);
    if (answer.status !== 200) {
      results.replaceChildren(element('p', { role: 'alert' },
        `La recherche a été refusée : ${answer.body?.detail ?? answer.status}.`));
      return;
    }
    const entries = answer.body.entries;
    const rows = entries.map((e) => {
      const open = element('button', { type: 'button', 'aria-expanded': 'false' }, 'Ouvrir');
      const row = element('tr', {},
        element('td', {}, String(e.index)),
        element('td', {}, valueText('time', e.time)),
        element('td', {}, e.partner || '—'),
        element('td', {}, e.purpose || '—'),
        element('td', {}, e.action_label ?? e.action ?? '—'),
        element('td', {}, e.decision_label ?? e.decision ?? '—'),
        element('td', {}, open));
      const more = element('tr', { hidden: '' }, element('td', { colspan: '7' }, details(e)));
      open.addEventListener('click', () => {
        more.hidden = !more.hidden;
        open.setAttribute('aria-expanded', String(!more.hidden));
        open.textContent = more.hidden ? 'Ouvrir' : 'Fermer';
      });
      return [row, more];
    }).flat();
    const table = element('table', { id: 'search-results' },
      element('caption', {}, `${entries.length} entrée(s)`),
      element('thead', {}, element('tr', {}, ...['N°', 'Date', 'Organisation', 'Finalité',
        'Action', 'Décision', 'Détail'].map((h) => element('th', { scope: 'col' }, h)))),
      element('tbody', {}, ...rows));
    const nav = element('p', { class: 'pager' });
    if (pages.length > 0) {
      const back = element('button', { type: 'button' }, 'Page précédente');
      back.addEventListener('click', () => {
        pages.pop();
        show(pages.at(-1));
      });
      nav.append(back);
    }
    if (answer.body.next_after !== undefined) {
      const next = element('button', { type: 'button' }, 'Page suivante');
      next.addEventListener('click', () => {
        pages.push(answer.body.next_after);
        show(answer.body.next_after);
      });
      nav.append(next);
    }
    results.replaceChildren(table, nav);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    pages = [];
    show(undefined);
  });
  root.querySelector('.csv').addEventListener('click', async () => {
    const params = query(form);
    params.delete('limit');
    const response = await fetch(`/v1/audit/entries?${params}`,
      { headers: { Accept: 'text/csv' }, credentials: 'same-origin' });
    if (response.status !== 200) return;
    const link = element('a', { href: URL.createObjectURL(await response.blob()),
      download: 'journal-audit.csv' });
    document.body.append(link);
    link.click();
    link.remove();
  });
}
