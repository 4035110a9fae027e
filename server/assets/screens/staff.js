// Connection set-up shared by the staff screens (facilitator, moderator, projector): the role
// token comes from the address fragment, which browsers never send to the server or proxies.

import { h, replaceChildren, announce } from '../dom.js';
import { t, serverMessage } from '../i18n/index.js';
import { Connection } from '../connection.js';
import { showConnection } from '../app.js';
import { exportButtons } from '../exports.js';

export function tokenFromFragment() {
  return decodeURIComponent(location.hash.replace(/^#/, '')).trim();
}

export function openStaffConnection(role, { onChange, quietErrors = false }) {
  const token = tokenFromFragment();
  if (!token) return null;
  const connection = new Connection({ token, storageKey: `${role}.${token.slice(0, 12)}` });
  showConnection(connection);
  connection.on('change', onChange);
  connection.on('error', (error) => {
    if (!quietErrors || connection.fatal) announce(serverMessage(error), 'error');
    if (connection.fatal) onChange();
  });
  connection.on('notice', (notice) => announce(serverMessage(notice)));
  connection.start();
  return connection;
}

export function missingToken(main) {
  replaceChildren(main, h('div', { class: 'panel error-panel' }, h('h1', {}, t('staff.no_token_title')), h('p', {}, t('staff.no_token'))));
}

export function fatalPanel(connection) {
  return h('div', { class: 'panel error-panel', role: 'alert' }, h('p', {}, serverMessage(connection.fatal)));
}

// Replaces the options of a select and keeps the chosen value when it is still offered.
export function syncOptions(select, options) {
  const previous = select.value;
  const signature = JSON.stringify(options);
  if (select.dataset.sig === signature) return;
  select.dataset.sig = signature;
  replaceChildren(select, options.map((option) => h('option', { value: option.value }, option.label)));
  if (options.some((option) => option.value === previous)) select.value = previous;
}

// Fills a staff screen's downloads panel: every export file, with this screen's role token.
export function fillExportsPanel(section, workshopId, headingId) {
  replaceChildren(section, h('h2', { id: headingId }, t('export.heading')), h('p', { class: 'hint' }, t('export.hint')), exportButtons(workshopId, tokenFromFragment()));
}
