// Organizer: admin token, workshop preparation, role links and table cards.

import { h, replaceChildren, storageGet, storageSet, announce, uniqueId } from '../dom.js';
import { t, serverMessage } from '../i18n/index.js';
import { api, ApiError, joinBaseUrl } from '../api.js';
import { setPageTitle } from '../app.js';
import { textField, checkbox, LIMITS } from '../forms.js';
import { exportButtons } from '../exports.js';

const TOKEN_KEY = 'atelier.admin_token';
const WORKSHOPS_KEY = 'atelier.workshops';

// Values typed in the creation form, kept across a language switch (which rebuilds the
// page) until the workshop is created.
// NOTE: custom themes being typed are not kept across a language switch.
let formDraft = {};

export function mount(main) {
  setPageTitle(t('org.title'));
  const tokenSection = h('section', { class: 'panel', 'aria-labelledby': 'token-title' });
  const createSection = h('section', { class: 'panel', 'aria-labelledby': 'create-title' });
  const listSection = h('section', { class: 'panel', 'aria-labelledby': 'list-title' });
  const serverSection = h('section', { class: 'panel', 'aria-labelledby': 'server-list-title' });
  replaceChildren(main, h('h1', {}, t('org.title')), h('p', { class: 'lead' }, t('org.intro')), tokenSection, createSection, listSection, serverSection);
  const refreshList = () => {
    renderList(listSection);
    renderServerList(serverSection, refreshList);
  };
  renderToken(tokenSection, () => {
    renderCreate(createSection, refreshList);
    renderServerList(serverSection, refreshList);
  });
  renderCreate(createSection, refreshList);
  renderList(listSection);
  renderServerList(serverSection, refreshList);
}

// Every workshop on the server, with a way to get new role links when a browser lost them.
async function renderServerList(section, onNewLinks) {
  const token = storageGet(TOKEN_KEY);
  if (!token) {
    replaceChildren(section);
    section.hidden = true;
    return;
  }
  section.hidden = false;
  let workshops = [];
  try {
    workshops = await api('/api/workshops', { token });
  } catch (failure) {
    const message = failure instanceof ApiError && failure.error ? serverMessage(failure.error) : t('org.server_list_failed');
    replaceChildren(section, h('h2', { id: 'server-list-title' }, t('org.server_list_heading')), h('p', { class: 'form-error', role: 'alert' }, message));
    return;
  }
  const status = h('p', { class: 'hint', role: 'status' });
  const rows = workshops.map((ws) =>
    h(
      'li',
      { class: 'server-ws' },
      h('span', {}, ws.title, ' ', h('span', { class: 'badge' }, t('org.code', { code: ws.code }))),
      h('button', { type: 'button', class: 'button', onclick: async () => {
        if (!window.confirm(t('org.new_links_confirm', { title: ws.title }))) return;
        try {
          const links = await api(`/api/workshops/${encodeURIComponent(ws.workshop_id)}/role-links`, { method: 'POST', token });
          const list = storageGet(WORKSHOPS_KEY, []).filter((item) => item.workshop_id !== ws.workshop_id);
          list.unshift({ ...links, title: ws.title, created_at: Date.now() });
          storageSet(WORKSHOPS_KEY, list.slice(0, 20));
          announce(t('org.new_links_done', { title: ws.title }));
          onNewLinks();
        } catch (failure) {
          status.textContent = failure instanceof ApiError && failure.error ? serverMessage(failure.error) : t('org.server_list_failed');
        }
      } }, t('org.new_links', { title: ws.title })),
    ));
  replaceChildren(
    section,
    h('h2', { id: 'server-list-title' }, t('org.server_list_heading')),
    h('p', { class: 'hint' }, t('org.server_list_hint')),
    workshops.length ? h('ul', { class: 'server-list' }, rows) : h('p', {}, t('org.server_list_empty')),
    status,
  );
}

function renderToken(section, onChange) {
  const token = storageGet(TOKEN_KEY);
  if (token) {
    replaceChildren(
      section,
      h('h2', { id: 'token-title' }, t('org.token_heading')),
      h('p', {}, t('org.token_saved')),
      h('button', { type: 'button', class: 'button', onclick: () => { storageSet(TOKEN_KEY, null); renderToken(section, onChange); onChange(); } }, t('org.token_forget')),
    );
    return;
  }
  const field = textField({ label: t('org.token'), type: 'password', autocomplete: 'current-password', required: true, hint: t('org.token_hint') });
  const form = h('form', { novalidate: true }, field.element, h('button', { type: 'submit', class: 'primary' }, t('org.token_save')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!field.value.trim()) return;
    storageSet(TOKEN_KEY, field.value.trim());
    renderToken(section, onChange);
    onChange();
  });
  replaceChildren(section, h('h2', { id: 'token-title' }, t('org.token_heading')), form);
}

function slug(text, index) {
  const base = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  return `${base || 'theme'}-${index + 1}`;
}

function numberField(label, value, min, max, onInput) {
  const id = uniqueId('number');
  const input = h('input', { id, type: 'number', min, max, value: String(value), required: true, inputmode: 'numeric' });
  input.addEventListener('input', () => onInput(input.value));
  return { element: h('div', { class: 'field field-number' }, h('label', { for: id }, label), input), input };
}

async function renderCreate(section, onCreated) {
  const token = storageGet(TOKEN_KEY);
  replaceChildren(section, h('h2', { id: 'create-title' }, t('org.create_heading')));
  if (!token) {
    section.append(h('p', {}, t('org.token_first')));
    return;
  }
  let presets = [];
  try {
    presets = await api('/api/presets');
  } catch {
    presets = [];
  }
  const title = textField({ label: t('org.ws_title'), value: formDraft.title || '', max: LIMITS.title, required: true, onInput: (v) => { formDraft.title = v; } });
  const venue = textField({ label: t('org.venue'), value: formDraft.venue || '', max: LIMITS.place, onInput: (v) => { formDraft.venue = v; } });
  const dateId = uniqueId('date');
  const date = h('input', { id: dateId, type: 'datetime-local', value: formDraft.date || '', oninput: () => { formDraft.date = date.value; } });
  const langId = uniqueId('lang');
  const language = h('select', { id: langId }, h('option', { value: 'fr' }, t('org.lang_fr')), h('option', { value: 'en' }, t('org.lang_en')));
  language.value = formDraft.language || 'fr';
  language.addEventListener('change', () => { formDraft.language = language.value; });
  const tables = numberField(t('org.tables'), formDraft.tables ?? 3, 1, 50, (v) => { formDraft.tables = v; });
  const min = numberField(t('org.table_min'), formDraft.table_min ?? 6, 1, 30, (v) => { formDraft.table_min = v; });
  const max = numberField(t('org.table_max'), formDraft.table_max ?? 8, 1, 30, (v) => { formDraft.table_max = v; });
  const minutes = numberField(t('org.minutes'), formDraft.minutes ?? 10, 1, 120, (v) => { formDraft.minutes = v; });

  const presetBoxes = (Array.isArray(presets) ? presets : []).map((theme, index) => ({
    theme,
    box: checkbox({
      label: theme.title,
      checked: formDraft.themes ? formDraft.themes.includes(theme.key) : index < 2,
      hint: theme.prompt,
      onChange: () => { formDraft.themes = presetBoxes.filter((p) => p.box.input.checked).map((p) => p.theme.key); },
    }),
  }));
  const customList = h('div', { class: 'custom-themes' });
  const customs = [];
  const addCustom = () => {
    const number = customs.length + 1;
    const customTitle = textField({ label: t('org.custom_title', { number }), max: LIMITS.title });
    const prompt = textField({ label: t('org.custom_prompt', { number }), max: LIMITS.note });
    const questions = textField({ label: t('org.custom_questions', { number }), multiline: true, rows: 3, hint: t('org.custom_questions_hint') });
    customs.push({ title: customTitle, prompt, questions });
    customList.append(h('fieldset', { class: 'custom-theme' }, h('legend', {}, t('org.custom_legend', { number })), customTitle.element, prompt.element, questions.element));
    customTitle.input.focus();
  };
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary big' }, t('org.create'));
  const form = h(
    'form',
    { novalidate: true, class: 'create-form' },
    title.element,
    venue.element,
    h('div', { class: 'field' }, h('label', { for: dateId }, t('org.date')), date),
    h('div', { class: 'field' }, h('label', { for: langId }, t('org.language')), language),
    h('div', { class: 'number-row' }, tables.element, min.element, max.element, minutes.element),
    h('fieldset', { class: 'themes' }, h('legend', {}, t('org.themes')), presetBoxes.map((p) => p.box.element), customList, h('button', { type: 'button', class: 'button', onclick: addCustom }, t('org.add_custom'))),
    error,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const writingMinutes = Number(minutes.input.value) || 10;
    const themes = presetBoxes.filter((p) => p.box.input.checked).map((p) => ({ ...p.theme, writing_minutes: writingMinutes }));
    customs.forEach((custom, index) => {
      const customTitle = custom.title.value.trim();
      if (!customTitle) return;
      themes.push({
        key: slug(customTitle, presetBoxes.length + index),
        title: customTitle,
        prompt: custom.prompt.value.trim(),
        questions: custom.questions.value.split('\n').map((q) => q.trim()).filter(Boolean),
        writing_minutes: writingMinutes,
      });
    });
    if (!title.value.trim()) {
      error.textContent = t('org.title_missing');
      title.input.focus();
      return;
    }
    if (!themes.length) {
      error.textContent = t('org.themes_missing');
      return;
    }
    const body = {
      title: title.value.trim(),
      venue: venue.value.trim(),
      starts_at: date.value,
      themes,
      tables: Number(tables.input.value),
      table_min: Number(min.input.value),
      table_max: Number(max.input.value),
      language: language.value,
    };
    submit.disabled = true;
    try {
      const created = await api('/api/workshops', { method: 'POST', body, token: storageGet(TOKEN_KEY) });
      formDraft = {};
      // A second click must not create the same workshop twice.
      title.value = '';
      venue.value = '';
      const list = storageGet(WORKSHOPS_KEY, []);
      list.unshift({ ...created, title: body.title, created_at: Date.now() });
      storageSet(WORKSHOPS_KEY, list.slice(0, 20));
      announce(t('org.created', { code: created.code }));
      await onCreated();
      const heading = document.getElementById(`ws-${created.workshop_id}`);
      if (heading) {
        heading.scrollIntoView({ block: 'start' });
        heading.focus({ preventScroll: true });
      }
    } catch (failure) {
      const detail = failure instanceof ApiError && failure.error && failure.error.detail ? ` (${failure.error.detail})` : '';
      error.textContent = failure instanceof ApiError && failure.error ? serverMessage(failure.error) + detail : t('org.create_failed');
    } finally {
      submit.disabled = false;
    }
  });
  section.append(form);
}

async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Falls through to the selection-based copy below.
  }
  const area = h('textarea', { class: 'visually-hidden', readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

function linkRow(label, url) {
  const id = uniqueId('link');
  const input = h('input', { id, type: 'text', readonly: true, value: url, class: 'link-input' });
  return h(
    'div',
    { class: 'link-row' },
    h('label', { for: id }, label),
    h(
      'div',
      { class: 'link-controls' },
      input,
      h('button', { type: 'button', class: 'button', 'aria-label': t('org.copy_label', { what: label }), onclick: async () => {
        const copied = await copyText(url);
        if (!copied) input.select();
        announce(copied ? t('org.copied') : t('org.copy_failed'));
      } }, t('org.copy')),
      h('a', { class: 'button', href: url, target: '_blank', rel: 'noopener', 'aria-label': t('org.open_label', { what: label }) }, t('org.open')),
    ),
  );
}

async function renderList(section) {
  const list = storageGet(WORKSHOPS_KEY, []);
  const base = await joinBaseUrl();
  replaceChildren(section, h('h2', { id: 'list-title' }, t('org.list_heading')));
  if (!list.length) {
    section.append(h('p', {}, t('org.list_empty')));
    return;
  }
  for (const ws of list) {
    const headingId = `ws-${ws.workshop_id}`;
    section.append(
      h(
        'article',
        { class: 'ws-card', 'aria-labelledby': headingId },
        h('h3', { id: headingId, tabindex: '-1' }, ws.title, ' ', h('span', { class: 'badge' }, t('org.code', { code: ws.code }))),
        linkRow(t('org.link_join'), `${base}/join/${encodeURIComponent(ws.code)}`),
        linkRow(t('org.link_facilitator'), `${base}/facilitator#${ws.facilitator_token}`),
        linkRow(t('org.link_moderator'), `${base}/moderator#${ws.moderator_token}`),
        linkRow(t('org.link_projector'), `${base}/projector#${ws.projector_token}`),
        h('p', {}, h('a', { class: 'button', href: `/cards/${encodeURIComponent(ws.code)}` }, t('org.print_cards'))),
        h('details', { class: 'exports' }, h('summary', {}, t('export.heading')), h('p', { class: 'hint' }, t('export.hint')), exportButtons(ws.workshop_id, storageGet(TOKEN_KEY))),
      ),
    );
  }
}
