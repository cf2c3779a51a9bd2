// A dossier's consents and relationships, with their history (DPO, Département): every consent
// record in the order it was made (given, re-affirmed, withdrawn) with the state of each consent
// now, and every relationship, ended ones included. The dossier id travels in the API's path,
// never in the page's address; the purpose declared is the one the form names.
import { element, frenchTime, refusal, table } from './dom.js';

const EVENTS = { given: 'donné', withdrawn: 'retiré', reaffirmed: 'réaffirmé' };
const STATES = { in_force: 'en vigueur', withdrawn: 'retiré', expired: 'expiré',
  not_yet_valid: 'pas encore valable', withdrawal: '—', reaffirmation: '—' };
const METHODS = { ecrit: 'écrit', oral: 'oral', numerique: 'numérique' };
const ORIGINS = { source: 'source du dossier', orientation: 'orientation',
  departement: 'décision du Département' };

function grantee(g) {
  if (g?.partner) return g.partner;
  if (g?.kind) return `tout organisme de type ${g.kind}`;
  return '—';
}

function consentsTable(consents) {
  return table('consents', `Consentements (${consents.length} enregistrement(s), dans l’ordre)`,
    ['Enregistré', 'Événement', 'Pour (bénéficiaire, finalité)', 'Rubriques et catégories',
      'Recueilli', 'Expire le', 'État aujourd’hui'],
    consents.map((c) => [`${frenchTime(c.recorded_at)} par ${c.recorded_by}`,
      element('td', {}, EVENTS[c.kind],
        ...(c.withdraws ?? c.reaffirms ? [' ', element('code', {}, c.withdraws ?? c.reaffirms)] : [])),
      `${grantee(c.grantee)}, ${c.purpose}`,
      [...(c.sections ?? []), ...(c.categories ?? []).map((k) => `catégorie ${k}`)].join(', ') || '—',
      `${frenchTime(c.given_at)}, ${METHODS[c.method] ?? c.method}, par ${c.collected_by}`,
      c.expires_at ? frenchTime(c.expires_at) : '—',
      element('td', { 'data-consent': c.id }, STATES[c.status] ?? c.status)]));
}

function relationshipsTable(relationships) {
  return table('relationships', `Rattachements (${relationships.length}, terminés compris)`,
    ['Organisme', 'Origine', 'Début', 'Fin prévue', 'Terminé le', 'Décidé par', 'Motif', 'Actif'],
    relationships.map((r) => [r.partner, ORIGINS[r.origin] ?? r.origin, frenchTime(r.starts_at),
      r.ends_at ? frenchTime(r.ends_at) : '—', r.ended_at ? frenchTime(r.ended_at) : '—',
      r.created_by, r.reason || '—', r.active ? 'oui' : 'non']));
}

async function show(root, api) {
  const form = root.querySelector('form');
  const results = root.querySelector('.results');
  const id = encodeURIComponent(form.elements.dossier.value.trim());
  const headers = { 'X-Purpose': form.elements.purpose.value };
  results.replaceChildren(element('p', { role: 'status' }, 'Chargement…'));
  const [consents, relationships] = await Promise.all([
    api('GET', `/v1/dossiers/${id}/consents`, { headers }),
    api('GET', `/v1/dossiers/${id}/relationships`, { headers })]);
  results.replaceChildren(
    element('h3', {}, 'Consentements'),
    consents.status === 200 ? consentsTable(consents.body.consents)
      : refusal('Les consentements n’ont pas pu être lus', consents),
    element('h3', {}, 'Rattachements'),
    relationships.status === 200 ? relationshipsTable(relationships.body.relationships)
      : refusal('Les rattachements n’ont pas pu être lus', relationships));
}

export function mount(root, { api }) {
  root.querySelector('form').addEventListener('submit', (event) => {
    event.preventDefault();
    show(root, api);
  });
}
