// A person's access report (GDPR art. 15): who accessed the dossier, when, for what, which
// fields, under which policy; each line's inclusion proof and the signed checkpoint verified
// here (verify.js), and the checkpoint compared with the last one this browser saw (a
// consistency proof), so that a log rewritten behind the DPO's back shows.
import { element, mark } from './dom.js';
import { fromHex, leafHash, toHex, verifyCheckpoint, verifyConsistency, verifyInclusion } from './verify.js';

const KEY = 'passerelle.audit.key';          // the log's public key, first seen (hex)
const LAST = 'passerelle.audit.checkpoint';  // the last checkpoint verified: {tree_size, root_hash}

// A long list of fields folds under its count, so that the letter stays readable.
function fieldList(fields) {
  const labels = (fields ?? []).map((f) => f.label ?? f.field ?? f);
  if (labels.length === 0) return '—';
  if (labels.length <= 5) return labels.join(', ');
  return element('details', {}, element('summary', {}, `${labels.length} données`),
    labels.join(', '));
}

// Verifies the checkpoint: its signature, the key against the one this browser pinned, and its
// consistency with the last checkpoint seen. Returns whether it may be trusted, and why not.
// The log's key this browser pinned at first sight, if any.
export function pinnedKey() {
  return localStorage.getItem(KEY);
}

export async function checkCheckpoint(api, checkpoint) {
  const pinned = localStorage.getItem(KEY);
  const key = pinned ?? checkpoint.public_key;
  const notes = [];
  let ok = await verifyCheckpoint(checkpoint, key);
  if (!ok) notes.push('signature invalide pour la clé du journal');
  if (pinned && pinned !== checkpoint.public_key) {
    ok = false;
    notes.push('le point de contrôle annonce une autre clé que celle déjà connue');
  }
  const last = JSON.parse(localStorage.getItem(LAST) ?? 'null');
  let consistent = null;
  if (ok && last) {
    if (checkpoint.tree_size < last.tree_size) {
      consistent = false;
    } else {
      const answer = await api('GET',
        `/v1/audit/proofs/consistency?from=${last.tree_size}&to=${checkpoint.tree_size}`);
      consistent = answer.status === 200 &&
        await verifyConsistency(last.tree_size, checkpoint.tree_size, fromHex(last.root_hash),
          fromHex(checkpoint.root_hash), answer.body.proof);
    }
    if (!consistent) {
      ok = false;
      notes.push(`le journal ne prolonge pas celui vu le ${last.seen} (${last.tree_size} entrées)`);
    }
  }
  if (ok) {
    if (!pinned) localStorage.setItem(KEY, checkpoint.public_key);
    localStorage.setItem(LAST, JSON.stringify({
      tree_size: checkpoint.tree_size, root_hash: checkpoint.root_hash,
      seen: new Date().toLocaleString('fr-FR'),
    }));
  }
  return { ok, notes, consistent, key, firstKey: !pinned };
}

export function mount(root, { api }) {
  root.querySelector('form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await showReport(api, root.querySelector('#report'), root.querySelector('#dossier').value.trim());
  });
}

export async function showReport(api, container, dossier) {
  container.replaceChildren(element('p', { role: 'status' }, 'Chargement du relevé…'));
  const answer = await api('GET', `/v1/audit/persons/${encodeURIComponent(dossier)}/report`);
  if (answer.status !== 200) {
    container.replaceChildren(element('p', { role: 'alert' }, answer.status === 404
      ? 'Aucun dossier sous cet identifiant.'
      : `Le relevé n'a pas pu être établi (${answer.body?.detail ?? answer.status}).`));
    return;
  }
  const report = answer.body;
  const checkpoint = report.checkpoint;
  const trust = await checkCheckpoint(api, checkpoint);
  const root = fromHex(checkpoint.root_hash);

  const rows = [];
  let verified = 0;
  for (const e of report.entries) {
    let ok = false;
    if (Array.isArray(e.inclusion_proof) && trust.ok) {
      // A pruned entry's content is gone: its leaf hash alone is proved.
      const leaf = e.entry !== undefined ? await leafHash(e.entry) : fromHex(e.leaf_hash);
      ok = toHex(leaf) === e.leaf_hash &&
        await verifyInclusion(e.index, checkpoint.tree_size, leaf, e.inclusion_proof, root);
    }
    if (ok) verified++;
    rows.push(element('tr', {},
      element('td', {}, new Date(e.time).toLocaleString('fr-FR')),
      element('td', {}, e.partner_name ?? '—'),
      element('td', {}, e.purpose || '—'),
      element('td', {}, e.action_label ?? (e.summary ?? '—')),
      element('td', {}, e.decision_label ?? '—'),
      element('td', {}, fieldList(e.fields_disclosed)),
      element('td', {}, e.policy_version ?? '—',
        ...(e.rules?.length ? [element('br'), `(${e.rules.join(', ')})`] : [])),
      element('td', { 'data-entry': String(e.index) }, mark(ok, 'vérifiée', 'non vérifiée'))));
  }

  const table = element('table', {},
    element('caption', {}, `Accès au dossier ${report.dossier}`),
    element('thead', {}, element('tr', {}, ...['Date', 'Organisation', 'Finalité', 'Action',
      'Décision', 'Données communiquées', 'Politique (règles, consentements)', 'Preuve'].map((h) =>
      element('th', { scope: 'col' }, h)))),
    element('tbody', {}, ...rows));
  const summary = element('p', { id: 'report-summary' },
    `${verified} entrée(s) sur ${report.entries.length} vérifiée(s) dans ce navigateur.`);
  const checkpointInfo = element('div', { id: 'checkpoint' },
    element('h3', {}, 'Point de contrôle signé'),
    element('p', {}, `Journal ${checkpoint.log_id}, ${checkpoint.tree_size} entrées, racine `,
      element('code', {}, checkpoint.root_hash), `, signé le ${checkpoint.timestamp}.`),
    element('p', { id: 'checkpoint-status' },
      mark(trust.ok, 'signature et continuité vérifiées', `non vérifié : ${trust.notes.join(' ; ')}`)),
    element('p', {}, trust.firstKey
      ? 'Première clé vue par ce navigateur (à comparer avec `passerelle audit pubkey`) : '
      : 'Clé du journal (déjà connue de ce navigateur) : ', element('code', {}, trust.key)));
  container.replaceChildren(
    element('h2', { id: 'report-title', tabindex: '-1' }, "Relevé des accès (article 15 du RGPD)"),
    summary, table, checkpointInfo);
  container.querySelector('#report-title').focus();
}
