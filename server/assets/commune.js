// Commune field with autocomplete (ARIA 1.2 combobox with a list box). The value is a
// CommuneRef: a commune of the list with its INSEE code, or free text ("other") without one.

import { h, clear, uniqueId } from './dom.js';
import { t } from './i18n/index.js';
import { api } from './api.js';

const DEBOUNCE_MS = 150;

function describe(commune) {
  if (commune.kind === 'commune') return `${commune.department} · ${(commune.postal_codes || []).join(', ')}`;
  const key = commune.kind === 'deleguee' ? 'commune.delegated_of' : 'commune.associated_of';
  return `${t(key, { parent: commune.parent_name || commune.parent_insee || '' })} · ${commune.department}`;
}

export function communeField({ label, value = null, required = true, onChange = () => {} }) {
  const id = uniqueId('commune');
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  let current = value;
  let options = [];
  let active = -1;
  let timer = null;
  let requestCount = 0;

  const input = h('input', {
    id,
    type: 'text',
    role: 'combobox',
    autocomplete: 'off',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    'aria-describedby': hintId,
    required,
    maxlength: 160,
    value: value?.name || '',
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'combo-list', hidden: true, 'aria-label': label });
  const hint = h('p', { id: hintId, class: 'hint' });
  const chosen = h('p', { class: 'hint commune-chosen', 'aria-live': 'polite' });

  function renderChosen() {
    hint.textContent = t('commune.hint');
    if (current && current.insee) chosen.textContent = t('commune.chosen', { name: current.name, insee: current.insee });
    else if (current && current.name) chosen.textContent = t('commune.other_chosen', { name: current.name });
    else chosen.textContent = '';
  }

  function setCurrent(next, { fromTyping = false } = {}) {
    current = next;
    if (!fromTyping) input.value = next?.name || '';
    renderChosen();
    onChange(current);
  }

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function highlight(index) {
    active = index;
    Array.from(list.children).forEach((item, i) => item.setAttribute('aria-selected', String(i === index)));
    const item = list.children[index];
    if (item) {
      input.setAttribute('aria-activedescendant', item.id);
      item.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function choose(index) {
    const option = options[index];
    if (!option) return;
    setCurrent(option.value);
    close();
  }

  function renderOptions(typed) {
    clear(list);
    options = [];
    for (const commune of typed.results) {
      options.push({ value: { insee: commune.insee, name: commune.name }, label: commune.name, detail: describe(commune) });
    }
    if (typed.text) options.push({ value: { insee: null, name: typed.text }, label: t('commune.other_option', { text: typed.text }), detail: '' });
    options.forEach((option, index) => {
      const item = h(
        'li',
        { id: `${listId}-${index}`, role: 'option', class: 'combo-option', 'aria-selected': 'false' },
        h('span', { class: 'combo-name' }, option.label),
        option.detail ? h('span', { class: 'combo-detail' }, ` ${option.detail}`) : null,
      );
      // mousedown keeps the focus in the input, so the list does not close before the click.
      item.addEventListener('mousedown', (event) => event.preventDefault());
      item.addEventListener('click', () => choose(index));
      list.append(item);
    });
    list.hidden = options.length === 0;
    input.setAttribute('aria-expanded', String(!list.hidden));
    active = -1;
  }

  async function search(text) {
    const ticket = ++requestCount;
    let results = [];
    if (text.length >= 2) {
      try {
        results = await api(`/api/communes?q=${encodeURIComponent(text)}&limit=8`);
      } catch {
        results = [];
      }
    }
    if (ticket !== requestCount || document.activeElement !== input) return;
    renderOptions({ text, results: Array.isArray(results) ? results : [] });
  }

  input.addEventListener('input', () => {
    const text = input.value.trim();
    setCurrent(text ? { insee: null, name: text } : null, { fromTyping: true });
    clearTimeout(timer);
    timer = setTimeout(() => search(text), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (list.hidden) search(input.value.trim());
      else highlight(Math.min(options.length - 1, active + 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      highlight(Math.max(0, active - 1));
    } else if (event.key === 'Enter' && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));

  renderChosen();
  const element = h(
    'div',
    { class: 'field combo' },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    hint,
    input,
    list,
    chosen,
  );
  return {
    element,
    input,
    get value() {
      return current;
    },
    set value(next) {
      setCurrent(next);
    },
  };
}
