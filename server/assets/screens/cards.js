// Printable table cards (one QR per table that seats a phone there) and a blank paper form.

import { h, replaceChildren } from '../dom.js';
import { t, serverMessage } from '../i18n/index.js';
import { api, ApiError, qrUrl, joinBaseUrl } from '../api.js';
import { setPageTitle } from '../app.js';

function tableIds(info) {
  const tables = info.tables;
  if (Array.isArray(tables)) return tables.map((table) => (typeof table === 'string' ? table : table.id));
  if (typeof tables === 'number') return Array.from({ length: tables }, (_, i) => `T${i + 1}`);
  return [];
}

export async function mount(main, { param }) {
  const code = param || '';
  setPageTitle(t('cards.title'));
  replaceChildren(main, h('h1', {}, t('cards.title')), h('p', {}, t('app.loading')));
  let info;
  try {
    info = await api(`/api/workshops/by-code/${encodeURIComponent(code)}`);
  } catch (error) {
    replaceChildren(main, h('h1', {}, t('cards.title')), h('p', { class: 'form-error', role: 'alert' }, error instanceof ApiError && error.error ? serverMessage(error.error) : t('join.unknown_code')));
    return;
  }
  const base = await joinBaseUrl();
  const joinUrl = `${base}/join/${encodeURIComponent(code)}`;
  const cards = tableIds(info).map((table) => {
    const url = `${joinUrl}?table=${encodeURIComponent(table)}`;
    return h(
      'article',
      { class: 'table-card-print' },
      h('p', { class: 'print-ws' }, info.title || ''),
      h('h2', { class: 'print-table' }, t('cards.table', { table })),
      h('img', { class: 'print-qr', src: qrUrl(url), alt: t('cards.qr_alt', { table }) }),
      h('p', { class: 'print-help' }, t('cards.scan', { table })),
      h('p', { class: 'print-url' }, url.replace(/^https?:\/\//, '')),
      h('p', { class: 'print-code' }, t('cards.code', { code })),
    );
  });
  const line = (label) => h('div', { class: 'paper-line' }, h('span', {}, label));
  const paperForm = h(
    'article',
    { class: 'paper-form-print' },
    h('h2', {}, t('cards.paper_title')),
    h('p', {}, t('cards.paper_intro', { code, url: joinUrl.replace(/^https?:\/\//, '') })),
    line(t('cards.paper_name')),
    line(t('cards.paper_table')),
    line(t('cards.paper_theme')),
    line(t('secret.title')),
    h('div', { class: 'paper-box' }, h('span', {}, t('secret.text'))),
    line(t('secret.place')),
    line(t('secret.commune')),
    line(t('secret.best_moment')),
  );
  replaceChildren(
    main,
    h('div', { class: 'no-print' }, h('h1', {}, t('cards.title')), h('p', {}, t('cards.help')), h('div', { class: 'button-row' }, h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, t('cards.print')), h('a', { class: 'button', href: '/' }, t('cards.back')))),
    h('div', { class: 'cards-grid' }, cards),
    paperForm,
  );
}
