// Labelled form fields with live character counts, and the secret form shared by the
// participant's phone and the facilitator's paper entry.

import { h, uniqueId } from './dom.js';
import { t } from './i18n/index.js';
import { communeField } from './commune.js';

export const LIMITS = { title: 120, text: 2000, place: 160, best_moment: 160, name: 40, note: 1000, email: 254 };

// Counts characters as the server does: Unicode scalar values after NFC normalisation.
export function charCount(value) {
  return Array.from(value.normalize('NFC')).length;
}

export function textField({ label, value = '', max, multiline = false, required = false, type = 'text', autocomplete, hint, rows = 5, onInput }) {
  const id = uniqueId('field');
  const countId = `${id}-count`;
  const hintId = hint ? `${id}-hint` : null;
  const describedBy = [hintId, max ? countId : null].filter(Boolean).join(' ') || null;
  const input = multiline
    ? h('textarea', { id, rows, required, maxlength: max, 'aria-describedby': describedBy })
    : h('input', { id, type, required, maxlength: max, autocomplete, 'aria-describedby': describedBy });
  input.value = value;
  const counter = max ? h('span', { id: countId, class: 'count' }) : null;
  const update = () => {
    if (!counter) return;
    const count = charCount(input.value);
    counter.textContent = t('form.count', { count, max });
    counter.classList.toggle('count-near', count > max * 0.9);
  };
  input.addEventListener('input', () => {
    update();
    if (onInput) onInput(input.value);
  });
  update();
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null,
    input,
    counter,
  );
  return {
    element,
    input,
    get value() {
      return input.value;
    },
    set value(next) {
      input.value = next;
      update();
    },
  };
}

export function checkbox({ label, checked = false, hint, onChange }) {
  const id = uniqueId('check');
  const hintId = hint ? `${id}-hint` : null;
  const input = h('input', { id, type: 'checkbox', checked, 'aria-describedby': hintId });
  if (onChange) input.addEventListener('change', () => onChange(input.checked));
  const element = h('div', { class: 'check' }, input, h('label', { for: id }, label), hint ? h('p', { id: hintId, class: 'hint' }, hint) : null);
  return { element, input };
}

export function selectField({ label, options, value = '', required = false, onChange }) {
  const id = uniqueId('select');
  const select = h('select', { id, required });
  for (const option of options) select.append(h('option', { value: option.value, selected: option.value === value }, option.label));
  if (onChange) select.addEventListener('change', () => onChange(select.value));
  const element = h('div', { class: 'field' }, h('label', { for: id }, label), select);
  return { element, select };
}

// A form for the fields of a secret. `draft` seeds the inputs and `onDraft` receives every
// change, so a phone can keep the draft across reloads.
// Rounds a coordinate to 5 decimals (about 1 m), enough to find a place.
function roundCoordinate(value) {
  return Math.round(value * 1e5) / 1e5;
}

// "I am here": reads the phone's position into `current.coordinates`. Browsers allow it only on
// HTTPS or localhost, so on a plain-HTTP venue network the control is not shown at all.
function locationControl(current, changed) {
  if (!window.isSecureContext || !('geolocation' in navigator)) return null;
  const status = h('p', { class: 'hint', 'aria-live': 'polite' });
  const add = h('button', { type: 'button', class: 'button' }, t('secret.location_add'));
  const remove = h('button', { type: 'button', class: 'button' }, t('secret.location_remove'));
  const show = () => {
    const c = current.coordinates;
    status.textContent = c ? t('secret.location_set', { lat: c.lat, lon: c.lon }) : '';
    remove.hidden = !c;
  };
  add.addEventListener('click', () => {
    status.textContent = t('secret.location_pending');
    navigator.geolocation.getCurrentPosition(
      (position) => {
        current.coordinates = { lat: roundCoordinate(position.coords.latitude), lon: roundCoordinate(position.coords.longitude) };
        changed();
        show();
      },
      () => { status.textContent = t('secret.location_failed'); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
  remove.addEventListener('click', () => {
    current.coordinates = null;
    changed();
    show();
    add.focus();
  });
  show();
  return { element: h('div', { class: 'field location' }, h('div', { class: 'button-row' }, add, remove), status), refresh: show };
}

export function secretForm({ draft = {}, defaultCommune = null, submitLabel, onDraft = () => {}, onSubmit, extraTop = [], withLocation = false }) {
  const current = {
    title: draft.title || '',
    text: draft.text || '',
    place: draft.place || '',
    best_moment: draft.best_moment || '',
    commune: draft.commune || defaultCommune || null,
    coordinates: draft.coordinates || null,
  };
  const changed = () => onDraft({ ...current });
  const title = textField({ label: t('secret.title'), value: current.title, max: LIMITS.title, required: true, onInput: (v) => { current.title = v; changed(); } });
  const text = textField({ label: t('secret.text'), value: current.text, max: LIMITS.text, multiline: true, required: true, hint: t('secret.text_hint'), onInput: (v) => { current.text = v; changed(); } });
  const place = textField({ label: t('secret.place'), value: current.place, max: LIMITS.place, hint: t('secret.place_hint'), onInput: (v) => { current.place = v; changed(); } });
  const commune = communeField({ label: t('secret.commune'), value: current.commune, onChange: (v) => { current.commune = v; changed(); } });
  const moment = textField({ label: t('secret.best_moment'), value: current.best_moment, max: LIMITS.best_moment, hint: t('secret.best_moment_hint'), onInput: (v) => { current.best_moment = v; changed(); } });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const location = withLocation ? locationControl(current, changed) : null;
  const form = h(
    'form',
    { class: 'secret-form', novalidate: true },
    extraTop,
    title.element,
    text.element,
    place.element,
    commune.element,
    moment.element,
    location ? location.element : null,
    error,
    h('button', { type: 'submit', class: 'primary big' }, submitLabel),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    const fields = {
      title: current.title.trim(),
      text: current.text.trim(),
      place: current.place.trim(),
      commune: current.commune && current.commune.name ? current.commune : null,
      best_moment: current.best_moment.trim(),
      coordinates: current.coordinates || null,
    };
    let missing = null;
    if (!fields.title) missing = title.input;
    else if (!fields.text) missing = text.input;
    else if (!fields.commune) missing = commune.input;
    if (missing) {
      error.textContent = t('secret.missing');
      missing.focus();
      return;
    }
    onSubmit(fields);
  });
  const reset = () => {
    current.title = '';
    current.text = '';
    current.place = '';
    current.best_moment = '';
    current.coordinates = null;
    if (location) location.refresh();
    title.value = '';
    text.value = '';
    place.value = '';
    moment.value = '';
    changed();
  };
  return { form, reset, focus: () => title.input.focus(), commune };
}
