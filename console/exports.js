// Exports (DPO: everyone's; évaluateur: its own): requests and their statuses, and a finished
// export's manifest with its Ed25519 signature verified here, over the exact bytes the gateway
// signed, against the key this browser pinned for the audit log (the gateway signs both).
import { element, frenchTime, mark, refusal, table } from './dom.js';
import { pinnedKey } from './report.js';
import { verifySignature } from './verify.js';

const STATUSES = { queued: 'en attente', running: 'en cours', done: 'terminé', failed: 'échoué' };

async function manifestView(api, id) {
  const answer = await api('GET', `/v1/exports/${encodeURIComponent(id)}`);
  if (answer.status !== 200) return refusal('L’export n’a pas pu être lu', answer);
  const e = answer.body;
  if (!e.signed_manifest) {
    return element('p', { id: 'export-manifest' },
      `Export ${STATUSES[e.status] ?? e.status}${e.error ? ` : ${e.error}` : ''} ; pas de manifeste.`);
  }
  const signed = e.signed_manifest;
  const pinned = pinnedKey();
  const key = pinned ?? signed.public_key;
  let ok = await verifySignature(signed.text, signed.signature, key);
  const notes = [];
  if (!ok) notes.push('signature invalide pour la clé de la passerelle');
  if (pinned && pinned !== signed.public_key) {
    ok = false;
    notes.push('le manifeste annonce une autre clé que celle déjà connue');
  }
  // What is shown is what was signed: the manifest is read from the signed bytes.
  const m = JSON.parse(signed.text);
  return element('div', { id: 'export-manifest' },
    element('h3', { tabindex: '-1' }, `Manifeste de l’export ${e.id}`),
    element('p', { id: 'manifest-signature' }, mark(ok, 'manifeste signé par la passerelle',
      `non vérifié : ${notes.join(' ; ')}`), pinned ? '' : ' (clé vue pour la première fois)'),
    element('dl', { class: 'entry' },
      element('dt', {}, 'Étude, profil'), element('dd', {}, `${m.study}, ${m.profile} (version ${m.profile_version})`),
      element('dt', {}, 'Créé le'), element('dd', {}, frenchTime(m.created_at)),
      element('dt', {}, 'Personnes considérées, lignes, supprimées'),
      element('dd', {}, `${m.persons_considered}, ${m.rows}, ${m.suppressed}`),
      element('dt', {}, 'k-anonymat'), element('dd', {}, `k = ${m.k}, plus petite classe : ${m.smallest_class}`),
      element('dt', {}, 'Clé publique du destinataire'), element('dd', {}, element('code', {}, m.recipient_public_key))),
    table('manifest-files', 'Fichiers', ['Nom', 'Octets', 'SHA-256'],
      (m.files ?? []).map((f) => [f.name, String(f.bytes), element('code', {}, f.sha256)])));
}

async function show(root, api) {
  const results = root.querySelector('.results');
  const answer = await api('GET', '/v1/exports?limit=50');
  if (answer.status !== 200) {
    results.replaceChildren(refusal('Les exports n’ont pas pu être lus', answer));
    return;
  }
  const detail = element('div', { 'aria-live': 'polite' });
  const rows = answer.body.exports.map((e) => {
    const open = element('button', { type: 'button' }, 'Voir le manifeste');
    open.addEventListener('click', async () => {
      detail.replaceChildren(await manifestView(api, e.id));
      detail.querySelector('h3')?.focus();
    });
    return element('tr', { 'data-export': e.id },
      element('td', {}, frenchTime(e.requested_at)), element('td', {}, e.partner),
      element('td', {}, e.study), element('td', {}, e.profile),
      element('td', {}, (STATUSES[e.status] ?? e.status) + (e.error ? ` : ${e.error}` : '')),
      element('td', {}, open));
  });
  results.replaceChildren(table('exports-list', `${rows.length} export(s), les plus récents d’abord`,
    ['Demandé le', 'Par', 'Étude', 'Profil', 'État', 'Manifeste'], rows), detail);
}

export function open(root, { api }) {
  return show(root, api);
}
