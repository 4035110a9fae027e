// Moderator queue: pending secrets oldest first, decided with the keyboard or the mouse.
// Each decision carries the version the moderator read; the server refuses a stale one.

import { h, replaceChildren, keyedList, announce, uniqueId } from '../dom.js';
import { t, lang, serverMessage, formatTime } from '../i18n/index.js';
import { setPageTitle } from '../app.js';
import { participantName } from '../store.js';
import { statusBadge, secretBody, REJECT_REASONS, TOURINSOFT_TYPES } from '../views.js';
import { textField, LIMITS } from '../forms.js';
import { communeField } from '../commune.js';
import { openStaffConnection, missingToken, fatalPanel, fillExportsPanel } from './staff.js';

let connection = null;
let ui = null;
let selectedId = null;
let selectedIndex = 0;
// The open form: null, or { kind: 'edit' | 'reject' | 'check', secretId, version }.
let mode = null;
let staleMessage = '';
// A decided secret reopened from "recent decisions" stays selected although it is in no queue.
let reopenedId = null;
const decisionOps = new Map();

export function mount(main) {
  if (!connection) {
    connection = openStaffConnection('moderator', { onChange: () => render(), quietErrors: true });
    if (connection) {
      connection.on('error', (error, entry) => {
        const decided = entry && decisionOps.get(entry.op);
        if (entry) decisionOps.delete(entry.op);
        if (error?.code === 'stale_version' && decided) {
          staleMessage = serverMessage(error);
          mode = null;
          selectedId = decided.secret;
          render(true);
          ui?.detail.querySelector('.stale')?.focus();
        } else {
          announce(serverMessage(error), 'error');
        }
      });
      connection.on('ack', (op) => {
        const done = decisionOps.get(op);
        decisionOps.delete(op);
        if (done?.message) announce(done.message);
      });
    }
  }
  if (!connection) {
    missingToken(main);
    return;
  }
  ui = {
    fatal: h('div'),
    title: h('h1', {}),
    counts: h('p', { class: 'mod-counts', 'aria-live': 'polite' }),
    queue: h('ul', { class: 'queue queue-pending', 'aria-label': t('mod.queue') }),
    checkList: h('ul', { class: 'queue' }),
    recent: h('ul', { class: 'recent' }),
    detail: h('section', { class: 'panel mod-detail', 'aria-live': 'polite', 'aria-labelledby': 'detail-title' }),
    exports: h('section', { class: 'panel', 'aria-labelledby': 'mod-exports-title' }),
    detailKey: null,
  };
  replaceChildren(
    main,
    ui.fatal,
    ui.title,
    ui.counts,
    h('p', { class: 'hint shortcuts' }, t('mod.shortcuts')),
    h(
      'div',
      { class: 'mod-layout' },
      h(
        'div',
        { class: 'mod-lists' },
        h('section', { class: 'panel' }, h('h2', {}, t('mod.pending')), ui.queue),
        h('section', { class: 'panel' }, h('h2', {}, t('mod.to_check')), ui.checkList),
        h('section', { class: 'panel' }, h('h2', {}, t('mod.recent')), ui.recent),
      ),
      ui.detail,
    ),
    ui.exports,
  );
  if (!document.body.dataset.shortcuts) {
    document.body.dataset.shortcuts = '1';
    document.addEventListener('keydown', onKey);
  }
  render();
}

function queueItems(store) {
  return Array.from(store.secrets.values())
    .filter((s) => (s.status || 'pending') === 'pending')
    .sort((a, b) => a.created_at_ms - b.created_at_ms);
}

function toCheckItems(store) {
  return Array.from(store.secrets.values())
    .filter((s) => s.status === 'to_check')
    .sort((a, b) => a.created_at_ms - b.created_at_ms);
}

function navigable(store) {
  return [...queueItems(store), ...toCheckItems(store)];
}

function themeTitle(store, key) {
  return store.workshop.themes.find((th) => th.key === key)?.title || key;
}

function render(force = false) {
  if (!ui) return;
  const store = connection.store;
  if (connection.fatal) replaceChildren(ui.fatal, fatalPanel(connection));
  if (!store.ready) {
    ui.title.textContent = t('app.loading');
    return;
  }
  setPageTitle(t('mod.title'));
  ui.title.textContent = `${store.workshop.title} — ${t('mod.title')}`;
  if (!ui.exports.firstChild) {
    fillExportsPanel(ui.exports, store.workshop.id, 'mod-exports-title');
  }
  const pending = queueItems(store);
  const toCheck = toCheckItems(store);
  const all = [...pending, ...toCheck];
  ui.counts.textContent = t('mod.counts', { pending: pending.length, check: toCheck.length });

  // When the selected secret leaves the queue, the next one at the same place is opened.
  const index = all.findIndex((s) => s.id === selectedId);
  if (index >= 0) selectedIndex = index;
  else if (!((staleMessage || mode || reopenedId === selectedId) && store.secrets.has(selectedId))) {
    selectedId = all.length ? all[Math.min(selectedIndex, all.length - 1)].id : null;
    if (mode && mode.secretId !== selectedId) mode = null;
  }

  const item = (secret) =>
    h(
      'li',
      { class: ['queue-item', secret.id === selectedId ? 'selected' : null] },
      h(
        'button',
        { type: 'button', class: 'queue-button', 'aria-current': secret.id === selectedId ? 'true' : null, onclick: () => select(secret.id) },
        h('span', { class: 'queue-title' }, secret.fields.title),
        h('span', { class: 'queue-meta' }, `${secret.table} · ${themeTitle(store, secret.theme)} · ${formatTime(secret.created_at_ms)}${secret.source === 'paper' ? ` · ${t('source.paper')}` : ''}${secret.late ? ` · ${t('mod.late')}` : ''}`),
      ),
    );
  const sig = (secret) => `${lang()}:${secret.version}:${secret.id === selectedId}`;
  keyedList(ui.queue, pending, (s) => s.id, sig, item);
  keyedList(ui.checkList, toCheck, (s) => s.id, sig, item);
  if (!pending.length) replaceChildren(ui.queue, h('li', { class: 'empty' }, t('mod.empty')));
  if (!toCheck.length) replaceChildren(ui.checkList, h('li', { class: 'empty' }, t('mod.check_empty')));
  const recent = Array.from(store.secrets.values())
    .filter((s) => s.status === 'approved' || s.status === 'rejected')
    .sort((a, b) => b.created_at_ms - a.created_at_ms)
    .slice(0, 8);
  keyedList(ui.recent, recent, (s) => s.id, (s) => `${lang()}:${s.version}:${s.status}:${s.id === selectedId}`, (secret) =>
    h(
      'li',
      { class: ['recent-item', secret.id === selectedId ? 'selected' : null] },
      h('button', { type: 'button', class: 'queue-button recent-button', 'aria-current': secret.id === selectedId ? 'true' : null, onclick: () => reopen(secret.id) }, statusBadge(secret), h('span', { class: 'queue-title' }, secret.fields.title)),
    ));
  if (!recent.length) replaceChildren(ui.recent, h('li', { class: 'empty' }, t('mod.recent_empty')));
  renderDetail(force);
}

// Opens a decided secret again, to change the decision.
function reopen(id) {
  reopenedId = id;
  selectedId = id;
  mode = null;
  staleMessage = '';
  render();
  ui.detail.querySelector('h2')?.focus();
}

function select(id) {
  reopenedId = null;
  selectedId = id;
  mode = null;
  staleMessage = '';
  render();
  ui.detail.querySelector('h2')?.focus();
}

function move(delta) {
  const all = navigable(connection.store);
  if (!all.length) return;
  const index = Math.max(0, Math.min(all.length - 1, all.findIndex((s) => s.id === selectedId) + delta));
  select(all[index].id);
  ui.queue.querySelector('.selected button, [aria-current="true"]')?.scrollIntoView({ block: 'nearest' });
}

// Sends a decision; `message` is announced once the server has stored it.
function decide(command, message) {
  const op = connection.send(command);
  decisionOps.set(op, { secret: command.secret, message });
  staleMessage = '';
  mode = null;
  reopenedId = null;
}

function renderDetail(force) {
  const store = connection.store;
  const secret = selectedId ? store.secrets.get(selectedId) : null;
  // While a form is open, a change by someone else does not rebuild the detail, so nothing
  // typed is lost. A banner warns instead, and the server rejects the decision as stale,
  // which then shows the current version.
  const formOpen = Boolean(mode && secret && mode.secretId === secret.id);
  const key = formOpen
    ? JSON.stringify([lang(), secret.id, mode, staleMessage])
    : JSON.stringify([lang(), secret?.id, secret?.version, secret?.status, secret?.tourinsoft_type, mode, staleMessage]);
  if (force || key !== ui.detailKey) {
    ui.detailKey = key;
    buildDetail(store, secret);
  }
  const banner = ui.detail.querySelector('.changed-banner');
  if (banner) {
    const changed = formOpen && secret.version !== mode.version;
    banner.hidden = !changed;
    banner.textContent = changed ? t('mod.changed_meanwhile') : '';
  }
}

function buildDetail(store, secret) {
  if (!secret) {
    replaceChildren(ui.detail, h('h2', { id: 'detail-title', tabindex: '-1' }, t('mod.nothing')), h('p', {}, t('mod.nothing_help')));
    return;
  }
  const author = secret.author ? participantName(store, secret.author) : secret.author_name || '—';
  const meta = h(
    'dl',
    { class: 'stats' },
    h('dt', {}, t('mod.author')),
    h('dd', {}, author),
    h('dt', {}, t('mod.table')),
    h('dd', {}, secret.table),
    h('dt', {}, t('mod.theme')),
    h('dd', {}, themeTitle(store, secret.theme)),
    h('dt', {}, t('mod.source')),
    h('dd', {}, t(`source.${secret.source}`), secret.late ? ` · ${t('mod.late')}` : ''),
    h('dt', {}, t('mod.status')),
    h('dd', {}, statusBadge(secret), secret.moderation_note ? ` ${secret.moderation_note}` : ''),
    h('dt', {}, t('mod.version')),
    h('dd', {}, String(secret.version)),
  );
  const history = secret.history?.length
    ? h('details', {}, h('summary', {}, t('mod.history', { count: secret.history.length })), h('ol', {}, secret.history.map((rev) => h('li', {}, t('mod.revision', { version: rev.version }), ' ', rev.fields.title, ' — ', rev.fields.text))))
    : null;
  const stale = staleMessage ? h('p', { class: 'stale error-panel', role: 'alert', tabindex: '-1' }, staleMessage, ' ', t('mod.refreshed')) : null;
  const actions = h(
    'div',
    { class: 'button-row' },
    h('button', { type: 'button', class: 'primary', 'aria-keyshortcuts': 'A', onclick: () => approve() }, t('mod.approve')),
    h('button', { type: 'button', class: 'button', 'aria-keyshortcuts': 'E', onclick: () => openMode('edit') }, t('mod.edit')),
    h('button', { type: 'button', class: 'button danger', 'aria-keyshortcuts': 'R', onclick: () => openMode('reject') }, t('mod.reject')),
    h('button', { type: 'button', class: 'button', 'aria-keyshortcuts': 'V', onclick: () => openMode('check') }, t('mod.mark_check')),
  );
  replaceChildren(
    ui.detail,
    h('h2', { id: 'detail-title', tabindex: '-1' }, t('mod.detail')),
    stale,
    h('p', { class: 'changed-banner error-panel', role: 'alert', hidden: true }),
    secretBody(secret, { showAuthor: false }),
    meta,
    tourinsoftField(secret),
    history,
    mode && mode.secretId === secret.id ? modeForm(secret) : actions,
  );
}

// The TourinSoft object type suggested from the theme until a moderator picks one; the
// same mapping as the server's TourinsoftType::suggested_for_theme.
function suggestedTourinsoft(themeKey) {
  const byTheme = { 'bonnes-popotes': 'RES', 'boire-un-verre': 'RES', specialites: 'DEG', rencontres: 'DEG', 'endroits-waouh': 'PNA', moments: 'FMA' };
  return byTheme[themeKey] || 'PCU';
}

function tourinsoftField(secret) {
  const id = uniqueId('tourinsoft');
  const current = secret.tourinsoft_type || suggestedTourinsoft(secret.theme);
  const select = h('select', { id }, TOURINSOFT_TYPES.map((type) => h('option', { value: type, selected: type === current }, t(`tourinsoft.${type}`))));
  select.addEventListener('change', () => connection.send({ type: 'set_tourinsoft_type', secret: secret.id, object_type: select.value }));
  return h('div', { class: 'field field-inline' }, h('label', { for: id }, t('mod.tourinsoft')), select, secret.tourinsoft_type ? null : h('p', { class: 'hint' }, t('mod.tourinsoft_suggested')));
}

function approve() {
  const secret = connection.store.secrets.get(selectedId);
  if (!secret) return;
  decide({ type: 'approve_secret', secret: secret.id, version: secret.version }, t('mod.approved', { title: secret.fields.title }));
}

function openMode(kind) {
  const secret = connection.store.secrets.get(selectedId);
  if (!secret) return;
  mode = { kind, secretId: secret.id, version: secret.version };
  staleMessage = '';
  render(true);
  ui.detail.querySelector('form input, form select, form textarea')?.focus();
}

// A decimal-degree input for a moderator who places a secret on the map.
function coordinateField(label, value, min, max) {
  const id = uniqueId('coordinate');
  const input = h('input', { id, type: 'number', step: 'any', min: String(min), max: String(max), inputmode: 'decimal' });
  if (value !== undefined && value !== null) input.value = String(value);
  return { input, element: h('div', { class: 'field' }, h('label', { for: id }, label), input) };
}

function modeForm(secret) {
  const cancel = h('button', { type: 'button', class: 'button', onclick: () => { mode = null; render(true); } }, t('mod.cancel'));
  if (mode.kind === 'edit') {
    const f = secret.fields;
    const title = textField({ label: t('secret.title'), value: f.title, max: LIMITS.title, required: true });
    const text = textField({ label: t('secret.text'), value: f.text, max: LIMITS.text, multiline: true, rows: 8, required: true });
    const place = textField({ label: t('secret.place'), value: f.place || '', max: LIMITS.place });
    const commune = communeField({ label: t('secret.commune'), value: f.commune });
    const moment = textField({ label: t('secret.best_moment'), value: f.best_moment || '', max: LIMITS.best_moment });
    const lat = coordinateField(t('mod.latitude'), f.coordinates?.lat, -90, 90);
    const lon = coordinateField(t('mod.longitude'), f.coordinates?.lon, -180, 180);
    const coordinates = h('fieldset', { class: 'coordinates' }, h('legend', {}, t('mod.coordinates')), h('p', { class: 'hint' }, t('mod.coordinates_hint')), lat.element, lon.element);
    const form = h('form', { novalidate: true, class: 'mod-form' }, h('h3', {}, t('mod.edit_heading')), title.element, text.element, place.element, commune.element, moment.element, coordinates, h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary' }, t('mod.save')), cancel));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!title.value.trim() || !text.value.trim() || !commune.value?.name) {
        announce(t('secret.missing'), 'error');
        return;
      }
      // Both or neither: a latitude without a longitude places nothing.
      const hasLat = lat.input.value.trim() !== '';
      const hasLon = lon.input.value.trim() !== '';
      if (hasLat !== hasLon || (hasLat && (!lat.input.checkValidity() || !lon.input.checkValidity()))) {
        announce(t('mod.coordinates_invalid'), 'error');
        (hasLat ? lon : lat).input.focus();
        return;
      }
      const position = hasLat ? { lat: Number(lat.input.value), lon: Number(lon.input.value) } : null;
      const fields = { title: title.value.trim(), text: text.value.trim(), place: place.value.trim(), commune: commune.value, best_moment: moment.value.trim(), coordinates: position };
      decide({ type: 'edit_secret', secret: secret.id, version: mode.version, fields }, t('mod.saved'));
    });
    return form;
  }
  if (mode.kind === 'reject') {
    const selectId = uniqueId('reason');
    const reason = h('select', { id: selectId }, REJECT_REASONS.map((r) => h('option', { value: r }, t(`reason.${r}`))));
    const note = textField({ label: t('mod.note'), max: LIMITS.note, multiline: true, rows: 3, hint: t('mod.note_hint') });
    const form = h('form', { novalidate: true, class: 'mod-form' }, h('h3', {}, t('mod.reject_heading')), h('div', { class: 'field' }, h('label', { for: selectId }, t('mod.reason')), reason), note.element, h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary danger' }, t('mod.confirm_reject')), cancel));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (reason.value === 'other' && !note.value.trim()) {
        announce(t('mod.note_required'), 'error');
        note.input.focus();
        return;
      }
      decide({ type: 'reject_secret', secret: secret.id, version: mode.version, reason: reason.value, note: note.value.trim() }, t('mod.rejected', { title: secret.fields.title }));
    });
    return form;
  }
  const note = textField({ label: t('mod.check_note'), max: LIMITS.note, hint: t('mod.check_hint') });
  const form = h('form', { novalidate: true, class: 'mod-form' }, h('h3', {}, t('mod.check_heading')), note.element, h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary' }, t('mod.confirm_check')), cancel));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    decide({ type: 'mark_to_check', secret: secret.id, version: mode.version, note: note.value.trim() }, t('mod.checked', { title: secret.fields.title }));
  });
  return form;
}

function onKey(event) {
  if (!ui || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest('input, textarea, select, [contenteditable]')) {
    if (event.key === 'Escape' && mode) {
      mode = null;
      render(true);
    }
    return;
  }
  const key = event.key.toLowerCase();
  const actions = { a: approve, e: () => openMode('edit'), r: () => openMode('reject'), v: () => openMode('check'), j: () => move(1), k: () => move(-1) };
  if (actions[key]) {
    event.preventDefault();
    actions[key]();
  } else if (event.key === 'Escape' && mode) {
    mode = null;
    render(true);
  }
}
