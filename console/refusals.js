// Refused requests (DPO): denied and invalid requests over a period, counted by organisation and
// by action, so that a partner that probes the API stands out; then the same by day or hour.
import { element, frenchTime, refusal, table } from './dom.js';

const DECISIONS = { deny: 'refusée', invalid: 'invalide' };

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

// The totals of each organisation, the largest first, with a gauge against the largest.
function byPartner(counts) {
  const totals = new Map();
  for (const c of counts) {
    const t = totals.get(c.partner_name) ?? { deny: 0, invalid: 0, actions: new Set() };
    t[c.decision] += c.count;
    t.actions.add(c.action_label);
    totals.set(c.partner_name, t);
  }
  const sorted = [...totals].sort((a, b) => (b[1].deny + b[1].invalid) - (a[1].deny + a[1].invalid));
  const max = Math.max(1, ...sorted.map(([, t]) => t.deny + t.invalid));
  return table('refusals-by-partner', 'Par organisation',
    ['Organisation', 'Refusées', 'Invalides', 'Total', 'Actions visées'],
    sorted.map(([name, t]) => {
      const total = t.deny + t.invalid;
      return [name, String(t.deny), String(t.invalid),
        element('td', {}, `${total} `, element('meter', { min: '0', max: String(max),
          value: String(total), 'aria-label': `${total} refus sur ${max} au plus` })),
        [...t.actions].join(', ')];
    }));
}

async function show(root, api) {
  const form = root.querySelector('form');
  const results = root.querySelector('.results');
  const params = new URLSearchParams({ period: form.elements.period.value });
  if (form.elements.from.value) params.set('from', form.elements.from.value);
  if (form.elements.to.value) params.set('to', `${form.elements.to.value}T23:59:59.999Z`);
  results.replaceChildren(element('p', { role: 'status' }, 'Décompte…'));
  const answer = await api('GET', `/v1/audit/refusals?${params}`);
  if (answer.status !== 200) {
    results.replaceChildren(refusal('Le décompte a été refusé', answer));
    return;
  }
  const r = answer.body;
  const summary = element('p', { id: 'refusals-total' },
    `${r.total} requête(s) refusée(s) du ${frenchTime(r.from)} au ${frenchTime(r.to)}.`,
    r.truncated ? ' Le décompte est tronqué : resserrez la période.' : '');
  const periodLabel = (p) => (r.period === 'hour' ? frenchTime(p) : new Date(p).toLocaleDateString('fr-FR'));
  results.replaceChildren(summary, byPartner(r.counts),
    table('refusals-by-period', r.period === 'hour' ? 'Par heure' : 'Par jour',
      ['Période', 'Organisation', 'Action', 'Décision', 'Nombre'],
      r.counts.map((c) => [periodLabel(c.period), c.partner_name, c.action_label,
        DECISIONS[c.decision] ?? c.decision, String(c.count)])));
}

export function mount(root, { api }) {
  const form = root.querySelector('form');
  const today = new Date();
  form.elements.to.value = isoDay(today);
  form.elements.from.value = isoDay(new Date(today.getTime() - 30 * 86400000));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    show(root, api);
  });
}

export function open(root, { api }) {
  return show(root, api);
}
