// Pieces of screen shared by several roles.

import { h } from './dom.js';
import { t } from './i18n/index.js';
import { remaining, formatCountdown } from './store.js';

export const PHASES = ['lobby', 'writing', 'presenting', 'voting', 'results', 'showcase', 'feedback', 'closed'];
export const STATUSES = ['pending', 'approved', 'rejected', 'to_check'];
export const REJECT_REASONS = ['already_online', 'advertising', 'private_place', 'dangerous', 'duplicate', 'personal_data', 'other'];
export const TOURINSOFT_TYPES = ['RES', 'DEG', 'PNA', 'PCU', 'ITI', 'FMA'];

export function phaseLabel(phase) {
  return t(`phase.${phase}`);
}

export function statusBadge(secret) {
  const status = secret.status || 'pending';
  return h('span', { class: ['badge', `badge-${status}`] }, t(`status.${status}`));
}

// A secret's fields; `large` for the table's phones and the projector.
export function secretBody(secret, { large = false, showAuthor = true } = {}) {
  const f = secret.fields;
  const meta = [];
  if (f.place) meta.push(h('p', { class: 'secret-meta' }, h('span', { class: 'meta-label' }, `${t('secret.place_short')} `), f.place));
  if (f.commune?.name) meta.push(h('p', { class: 'secret-meta' }, h('span', { class: 'meta-label' }, `${t('secret.commune_short')} `), f.commune.name));
  if (f.best_moment) meta.push(h('p', { class: 'secret-meta' }, h('span', { class: 'meta-label' }, `${t('secret.best_moment_short')} `), f.best_moment));
  if (f.coordinates && !large) meta.push(h('p', { class: 'secret-meta' }, h('span', { class: 'meta-label' }, `${t('secret.position_short')} `), `${f.coordinates.lat}, ${f.coordinates.lon}`));
  return h(
    'div',
    { class: ['secret-body', large ? 'secret-large' : null] },
    h(large ? 'h3' : 'h4', { class: 'secret-title' }, f.title),
    h('p', { class: 'secret-text' }, f.text),
    meta,
    showAuthor && secret.author_name ? h('p', { class: 'secret-author' }, t('secret.by', { name: secret.author_name })) : null,
  );
}

// Countdown text; `role="timer"` keeps screen readers from announcing every second.
export function countdownElement() {
  return h('p', { class: 'countdown', role: 'timer' });
}

export function updateCountdown(element, store, timer) {
  const left = remaining(store, timer);
  let text = '';
  if (!left) text = '';
  else if (left.paused) text = t('timer.paused', { time: formatCountdown(left.ms) });
  else if (left.ms === 0) text = t('timer.over');
  else text = formatCountdown(left.ms);
  if (element.textContent !== text) element.textContent = text;
  element.classList.toggle('countdown-over', Boolean(left && left.ms === 0));
  element.classList.toggle('countdown-paused', Boolean(left && left.paused));
  element.hidden = !text;
}

// Runs `tick` every half second while the element is in the page.
export function everyHalfSecond(element, tick) {
  tick();
  const handle = setInterval(() => {
    if (!element.isConnected) {
      clearInterval(handle);
      return;
    }
    tick();
  }, 500);
}

export function section(titleText, ...children) {
  return h('section', { class: 'panel' }, h('h2', {}, titleText), children);
}
