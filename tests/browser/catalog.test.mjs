// Checks the message catalogs: both languages have the same keys and placeholders, and every
// key the app looks up exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const assets = path.resolve(here, '../../server/assets');

// The catalogs are browser ES modules without imports, so they load from a data: URL
// whatever package type the assets folder has.
async function loadCatalog(name) {
  const source = await readFile(path.join(assets, 'i18n', `${name}.js`), 'utf8');
  const module = await import(`data:text/javascript,${encodeURIComponent(source)}`);
  return module.default;
}

async function sourceFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'i18n') out.push(...(await sourceFiles(full)));
    else if (entry.isFile() && entry.name.endsWith('.js')) out.push(full);
  }
  return out;
}

function placeholders(text) {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

// Keys built at run time from protocol values: t(`phase.${phase}`) and the like.
const DYNAMIC_KEYS = [
  ...['lobby', 'writing', 'presenting', 'voting', 'results', 'showcase', 'feedback', 'closed'].map((p) => `phase.${p}`),
  ...['pending', 'approved', 'rejected', 'to_check'].map((s) => `status.${s}`),
  ...['already_online', 'advertising', 'private_place', 'dangerous', 'duplicate', 'personal_data', 'other'].map((r) => `reason.${r}`),
  ...['phone', 'paper'].map((s) => `source.${s}`),
  ...['presenting', 'voting', 'results'].map((p) => `proj.${p}`),
  ...[1, 2, 3, 4, 5].map((n) => `feedback.rating_${n}`),
  ...['RES', 'DEG', 'PNA', 'PCU', 'ITI', 'FMA'].map((type) => `tourinsoft.${type}`),
  ...['staff.xlsx', 'public.xlsx', 'public.csv', 'tourinsoft.xlsx', 'tourinsoft.csv', 'datatourisme.jsonld', 'secrets.geojson'].map((file) => `export.${file}`),
];

test('catalogs have the same keys', async () => {
  const fr = await loadCatalog('fr');
  const en = await loadCatalog('en');
  const missingInEn = Object.keys(fr).filter((key) => !(key in en));
  const missingInFr = Object.keys(en).filter((key) => !(key in fr));
  assert.deepEqual(missingInEn, [], `keys missing from en.js: ${missingInEn.join(', ')}`);
  assert.deepEqual(missingInFr, [], `keys missing from fr.js: ${missingInFr.join(', ')}`);
});

test('catalog messages are not empty', async () => {
  for (const name of ['fr', 'en']) {
    const catalog = await loadCatalog(name);
    const empty = Object.entries(catalog).filter(([, value]) => typeof value !== 'string' || !value.trim()).map(([key]) => key);
    assert.deepEqual(empty, [], `empty messages in ${name}.js: ${empty.join(', ')}`);
  }
});

test('catalog placeholders match across languages', async () => {
  const fr = await loadCatalog('fr');
  const en = await loadCatalog('en');
  for (const key of Object.keys(fr)) {
    if (!(key in en)) continue;
    assert.deepEqual(placeholders(en[key]), placeholders(fr[key]), `placeholders differ for ${key}`);
  }
});

test('every key used by the app exists', async () => {
  const fr = await loadCatalog('fr');
  const en = await loadCatalog('en');
  const used = new Set(DYNAMIC_KEYS);
  for (const file of await sourceFiles(assets)) {
    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(/\bt\(\s*'([a-z0-9_.]+)'/g)) used.add(match[1]);
  }
  assert.ok(used.size > 100, `only ${used.size} keys found: the scan is probably broken`);
  const missing = [...used].filter((key) => !(key in fr) || !(key in en));
  assert.deepEqual(missing, [], `keys used but missing from a catalog: ${missing.join(', ')}`);
});
