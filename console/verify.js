// What the console checks itself, in the browser, so that the DPO need not trust the server
// that shows the report: RFC 9162 inclusion and consistency proofs (SHA-256, WebCrypto) and
// the checkpoint's Ed25519 signature (WebCrypto), over the bytes the gateway signed
// (docs/audit.md). Sizes and indices are plain numbers: exact up to 2^53.
const encoder = new TextEncoder();

export function toHex(bytes) {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex) {
  if (typeof hex !== 'string' || !/^([0-9a-f]{2})*$/.test(hex)) throw new Error('not hex');
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
}

async function sha256(...parts) {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const buffer = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    buffer.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
}

const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const odd = (n) => n % 2 === 1;
const half = (n) => Math.floor(n / 2);
// Both right-shifted until fn is odd or 0 (RFC 9162's loops).
function shiftWhileEven(fn, sn) {
  while (!odd(fn) && fn !== 0) {
    fn = half(fn);
    sn = half(sn);
  }
  return [fn, sn];
}
function isPowerOfTwo(n) {
  while (n > 1 && !odd(n)) n = half(n);
  return n === 1;
}

// The leaf hash of an entry's exact bytes: SHA-256(0x00 || entry).
export function leafHash(entryText) {
  return sha256(Uint8Array.of(0), encoder.encode(entryText));
}

function nodeHash(left, right) {
  return sha256(Uint8Array.of(1), left, right);
}

// RFC 9162 §2.1.3.2: whether `proof` (hex list) puts `leaf` at `index` in the tree of `size`
// leaves whose root is `root`.
export async function verifyInclusion(index, size, leaf, proof, root) {
  if (!(index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof.map(fromHex)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      if (!odd(fn)) [fn, sn] = shiftWhileEven(fn, sn);
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(r, root);
}

// RFC 9162 §2.1.4.2: whether the tree of `second` leaves (root `secondRoot`) extends the one of
// `first` leaves (root `firstRoot`).
export async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (first > second) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0) return true;
  let path = proof.map(fromHex);
  if (path.length === 0) return false;
  if (isPowerOfTwo(first)) path = [firstRoot, ...path];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (!odd(fn)) [fn, sn] = shiftWhileEven(fn, sn);
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

// The text a checkpoint's signature covers, rebuilt here from its fields (docs/audit.md).
export function checkpointText(c) {
  return `passerelle-audit-checkpoint/v1\n${c.log_id}\n${c.tree_size}\n${c.root_hash}\n${c.timestamp}\n`;
}

// Whether `signatureHex` is an Ed25519 signature of `text` (UTF-8) by `publicKeyHex`.
export async function verifySignature(text, signatureHex, publicKeyHex) {
  try {
    const key = await crypto.subtle.importKey('raw', fromHex(publicKeyHex), { name: 'Ed25519' },
      false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, fromHex(signatureHex),
      encoder.encode(text));
  } catch {
    return false;
  }
}

// Whether the checkpoint's Ed25519 signature holds for `publicKeyHex`.
export function verifyCheckpoint(c, publicKeyHex) {
  return verifySignature(checkpointText(c), c.signature, publicKeyHex);
}
