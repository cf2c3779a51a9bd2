// Checks every HTTPS exchange the integration suite recorded (PASSERELLE_API_RECORD) against
// docs/openapi.json with an independent JSON Schema validator (Ajv, draft 2020-12, OpenAPI 3.1's
// dialect): the route and method are described, the status is one the operation lists, the
// content type is one it lists, a JSON body validates against the schema given, and the headers
// the document gives a pattern to match it. A path the document does not describe may only be
// answered as an unknown endpoint is (401, 404 or 400, as a problem).
// Usage: node validate.mjs OPENAPI_JSON RECORD_DIR
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.cwd(), 'package.json'));
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default ?? require('ajv-formats');

const [docPath, recordDir] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(docPath, 'utf8'));

// The section schemas, from schemas/dui/ (as the gateway inlines them).
for (const [name, schema] of Object.entries(doc.components.schemas)) {
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('../schemas/dui/')) {
    const inlined = JSON.parse(readFileSync(join(dirname(docPath), ref), 'utf8'));
    delete inlined.$schema;
    doc.components.schemas[name] = inlined;
  }
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const defs = JSON.parse(
  JSON.stringify(doc.components.schemas).replaceAll('"#/components/schemas/', '"components#/$defs/'));
ajv.addSchema({ $id: 'components', $defs: defs });
const compiled = new Map();
function validatorOf(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) {
    const rewritten = JSON.parse(key.replaceAll('"#/components/schemas/', '"components#/$defs/'));
    compiled.set(key, ajv.compile(rewritten));
  }
  return compiled.get(key);
}
const deref = (o) => (o && o.$ref ? o.$ref.split('/').slice(1).reduce((a, k) => a[k], doc) : o);

const templates = Object.keys(doc.paths).map((t) => ({
  template: t,
  regex: new RegExp('^' + t.replace(/\{[^}]+\}/g, '[^/]+').replaceAll('.', '\\.') + '$'),
  literal: !t.includes('{'),
}));
function operationOf(path) {
  const matches = templates.filter((t) => t.regex.test(path));
  matches.sort((a, b) => Number(b.literal) - Number(a.literal));
  return matches[0];
}

const problemSchema = { $ref: '#/components/schemas/Problem' };
const failures = new Map();
function fail(key, message, example) {
  if (!failures.has(key)) failures.set(key, { message, examples: [], count: 0 });
  const f = failures.get(key);
  f.count++;
  if (f.examples.length < 2) f.examples.push(example);
}

let exchanges = 0;
const exercised = new Set();
const files = readdirSync(recordDir).filter((f) => f.endsWith('.ndjson'));
for (const file of files) {
  for (const line of readFileSync(join(recordDir, file), 'utf8').split('\n')) {
    if (!line) continue;
    const x = JSON.parse(line);
    exchanges++;
    // As the gateway routes it: percent-decoded, empty segments ignored ("/console/" is
    // "/console").
    let path = x.path.split('?')[0];
    try {
      path = decodeURIComponent(path);
    } catch {
      // Not decodable: the gateway answers 400 before routing; matched as it came.
    }
    path = '/' + path.split('/').filter((s) => s !== '').join('/');
    const where = `${x.method} ${path} -> ${x.status}`;
    const headers = Object.fromEntries(Object.entries(x.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const type = (headers['content-type'] ?? '').split(';')[0].trim();
    const match = operationOf(path);
    const operation = match && doc.paths[match.template][x.method.toLowerCase()];
    if (!operation) {
      // An unknown endpoint or method: answered as such, a problem, nothing else.
      const allowed = match ? [400, 401, 405] : [400, 401, 404];
      if (!allowed.includes(x.status) || type !== 'application/problem+json')
        fail(`undescribed ${x.method} ${match ? match.template : '(no path)'} ${x.status}`,
          'a route the document does not describe answered', where);
      else if (x.body !== undefined && !validatorOf(problemSchema)(JSON.parse(x.body)))
        fail('undescribed problem', 'the problem does not validate', where);
      continue;
    }
    const opKey = `${x.method} ${match.template}`;
    exercised.add(opKey);
    const response = deref(operation.responses[String(x.status)]);
    if (!response) {
      fail(`${opKey} ${x.status}`, `status ${x.status} is not among the operation's responses`, where);
      continue;
    }
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const h = deref(header);
      const value = headers[name.toLowerCase()];
      if (value !== undefined && h.schema?.pattern && !new RegExp(h.schema.pattern).test(value))
        fail(`${opKey} header ${name}`, `header ${name} does not match ${h.schema.pattern}`, `${where}: ${value}`);
    }
    if (!response.content) {
      if (x.body) fail(`${opKey} ${x.status} body`, 'a body where the document describes none', where);
      continue;
    }
    const media = response.content[type];
    if (!media) {
      fail(`${opKey} ${x.status} ${type}`, `content type ${type || '(none)'} not described`, where);
      continue;
    }
    if (x.body === undefined || !type.endsWith('json')) continue;
    let body;
    try {
      body = JSON.parse(x.body);
    } catch {
      fail(`${opKey} ${x.status} json`, 'the body is not JSON', where);
      continue;
    }
    const validate = validatorOf(media.schema);
    if (!validate(body))
      fail(`${opKey} ${x.status} schema`, ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 400), where);
  }
}

const operations = Object.entries(doc.paths).flatMap(([t, item]) =>
  Object.keys(item).map((m) => `${m.toUpperCase()} ${t}`));
const never = operations.filter((o) => !exercised.has(o));
console.log(`${exchanges} exchanges from ${files.length} test processes; ` +
  `${exercised.size} of ${operations.length} operations exercised`);
if (never.length) console.log(`not exercised: ${never.join(', ')}`);
for (const [key, f] of failures)
  console.log(`FAIL ${key}: ${f.message} (${f.count}x), e.g. ${f.examples.join(' | ')}`);
if (exchanges === 0) {
  console.log('FAIL: nothing was recorded');
  process.exit(1);
}
process.exit(failures.size ? 1 : 0);
