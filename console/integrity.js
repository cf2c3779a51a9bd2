// The audit log's integrity (DPO): its size, pruning, the last full verification and its result,
// the latest checkpoints with their signatures verified here, the latest compared with the last
// one this browser saw; and a full verification run on demand (the gateway recomputes every
// leaf, the tree, every signature; the result is itself an entry of the log).
import { element, frenchTime, mark, refusal, table } from './dom.js';
import { checkCheckpoint } from './report.js';
import { verifyCheckpoint } from './verify.js';

const RESULT = { ok: 'intègre', failed: 'anomalies trouvées' };

function lastVerification(v) {
  if (!v) {
    return element('p', { id: 'last-verification' },
      'Aucune vérification complète n’a encore été enregistrée dans le journal.');
  }
  const ok = v.result === 'ok';
  return element('p', { id: 'last-verification' },
    `Dernière vérification complète : ${frenchTime(v.time)}, par ${v.partner || '—'} : `,
    mark(ok, RESULT.ok, RESULT[v.result] ?? 'résultat inconnu'),
    ` (${v.verified_entries ?? '?'} entrées, ${v.checkpoints ?? '?'} points de contrôle, `,
    `${v.problems ?? '?'} anomalie(s)${v.first_bad_entry ? `, première à l’entrée ${v.first_bad_entry}` : ''}).`);
}

async function show(root, api) {
  const results = root.querySelector('.results');
  results.replaceChildren(element('p', { role: 'status' }, 'Chargement…'));
  const answer = await api('GET', '/v1/audit/integrity?checkpoints=10');
  if (answer.status !== 200) {
    results.replaceChildren(refusal("L'état du journal n'a pas pu être lu", answer));
    return;
  }
  const s = answer.body;
  const latest = s.checkpoints[0];
  // The latest is checked against the key pinned and the last checkpoint seen (report.js); every
  // listed one's signature against the same key.
  const trust = latest ? await checkCheckpoint(api, latest) : null;
  const rows = [];
  for (const c of s.checkpoints) {
    const ok = trust !== null && await verifyCheckpoint(c, trust.key);
    rows.push([String(c.tree_size), frenchTime(c.timestamp), element('code', {}, c.root_hash),
      element('td', { 'data-checkpoint': String(c.tree_size) }, mark(ok, 'signature vérifiée', 'signature non vérifiée'))]);
  }
  const facts = element('dl', { class: 'entry', id: 'integrity-facts' },
    element('dt', {}, 'Journal'), element('dd', {}, s.log_id),
    element('dt', {}, 'Entrées'), element('dd', { id: 'integrity-entries' }, String(s.entries)),
    element('dt', {}, 'Entrées dont le contenu a été effacé (conservation)'),
    element('dd', {}, `${s.pruned_entries} (durée de conservation : ${s.retention_months} mois)`),
    element('dt', {}, 'Clé publique du journal'), element('dd', {}, element('code', {}, s.public_key)));
  const continuity = trust
    ? element('p', { id: 'integrity-continuity' }, mark(trust.ok,
      'dernier point de contrôle signé et cohérent avec le dernier vu par ce navigateur',
      `non vérifié : ${trust.notes.join(' ; ')}`))
    : element('p', {}, 'Aucun point de contrôle signé pour l’instant.');
  results.replaceChildren(facts, lastVerification(s.last_verification), continuity,
    table('checkpoints', 'Derniers points de contrôle signés',
      ['Taille de l’arbre', 'Signé le', 'Racine', 'Signature'], rows));
}

async function verifyAll(root, api, button) {
  const status = root.querySelector('.verify-status') ?? element('p', { class: 'verify-status', role: 'status' });
  button.after(status);
  button.disabled = true;
  status.textContent = 'Vérification de tout le journal en cours…';
  const answer = await api('POST', '/v1/audit/verifications');
  button.disabled = false;
  if (answer.status !== 200) {
    status.replaceChildren(refusal('La vérification n’a pas pu être faite', answer));
    return;
  }
  const r = answer.body;
  status.replaceChildren(mark(r.result === 'ok', 'journal intègre', 'anomalies trouvées'),
    ` : ${r.verified_entries} entrées et ${r.checkpoints} points de contrôle vérifiés`,
    r.problem_count ? `, ${r.problem_count} anomalie(s) : ${r.problems.join(' ; ')}` : '.');
  await show(root, api);
}

export function mount(root, { api }) {
  const button = root.querySelector('.verify');
  button.addEventListener('click', () => verifyAll(root, api, button));
}

export function open(root, { api }) {
  return show(root, api);
}
