// Identity reconciliation (Département): the open cases, a decision on each, and the latest
// decided with their resolution. A decision is a POST with the session's CSRF token; the gateway
// applies it in one transaction and records it against every dossier of the case. Identifier
// values are never shown: kinds only.
import { element, frenchTime, option, refusal, table } from './dom.js';

const OUTCOMES = { same_person: 'même personne (dossiers fusionnés)',
  different_people: 'personnes différentes', source_error: 'erreur de la source' };

function decisionForm(c, decide) {
  const id = (name) => `case-${c.id}-${name}`;
  const keep = element('select', { id: id('keep') }, ...c.dossiers.map((d) => option(d, d)));
  const kept = element('select', { id: id('kept') }, option('', 'aucun des dossiers'),
    ...c.dossiers.map((d) => option(d, d)));
  const same = element('button', { type: 'button' }, 'Même personne');
  same.addEventListener('click', () => decide(c, { decision: 'same_person', keep: keep.value }));
  const different = element('button', { type: 'button' }, 'Personnes différentes');
  different.addEventListener('click', () => decide(c,
    { decision: 'different_people', identifier_kept_by: kept.value || null }));
  const source = element('button', { type: 'button' }, 'Erreur de la source');
  source.addEventListener('click', () => decide(c, { decision: 'source_error' }));
  return element('div', { class: 'actions' },
    element('div', {}, element('label', { for: id('keep') }, 'Dossier gardé'), keep, same),
    element('div', {}, element('label', { for: id('kept') }, 'Identifiant contesté laissé à'),
      kept, different),
    element('div', {}, source));
}

async function show(root, api, message) {
  const results = root.querySelector('.results');
  const answer = await api('GET', '/v1/reconciliation', { headers: { 'X-Purpose': 'accompagnement' } });
  if (answer.status !== 200) {
    results.replaceChildren(refusal('Les cas n’ont pas pu être lus', answer));
    return;
  }
  const decide = async (c, body) => {
    const done = await api('POST', `/v1/reconciliation/${encodeURIComponent(c.id)}`,
      { headers: { 'X-Purpose': 'accompagnement' }, body });
    const note = done.status === 200
      ? element('p', { role: 'status', id: 'reconciliation-outcome' },
        `Cas ${c.id} décidé : ${OUTCOMES[done.body.case.status] ?? done.body.case.status}.`)
      : refusal(`La décision sur le cas ${c.id} a été refusée`, done);
    await show(root, api, note);
  };
  const cases = answer.body.cases;
  const rows = cases.map((c) => element('tr', { 'data-case': c.id },
    element('td', {}, frenchTime(c.opened_at)),
    element('td', {}, `${c.source_partner} (${c.source})`),
    element('td', {}, c.dossiers.join(', ')),
    element('td', {}, [...new Set(c.identifiers.map((i) => i.kind))].join(', ') || '—'),
    element('td', {}, decisionForm(c, decide))));
  const decided = await api('GET', '/v1/reconciliation?status=decided',
    { headers: { 'X-Purpose': 'accompagnement' } });
  results.replaceChildren(...(message ? [message] : []),
    table('cases', `${cases.length} cas ouvert(s)`,
      ['Ouvert le', 'Par', 'Dossiers', 'Identifiants en cause', 'Décision'], rows),
    decided.status === 200
      ? table('decided-cases', 'Derniers cas décidés',
        ['Décidé le', 'Par', 'Dossiers', 'Décision', 'Ouvert le'],
        decided.body.cases.slice(0, 20).map((c) => element('tr', { 'data-case': c.id },
          element('td', {}, frenchTime(c.resolved_at)), element('td', {}, c.resolved_by ?? '—'),
          element('td', {}, c.dossiers.join(', ')),
          element('td', {}, OUTCOMES[c.status] ?? c.status),
          element('td', {}, frenchTime(c.opened_at)))))
      : refusal('Les cas décidés n’ont pas pu être lus', decided));
}

export function open(root, { api }) {
  return show(root, api);
}
