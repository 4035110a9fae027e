// Entry point: builds the page frame (language toggle, connection indicator, toasts) and
// mounts the screen that matches the address.

import { h, replaceChildren } from './dom.js';
import { t, lang, setLang, onLangChange } from './i18n/index.js';

const routes = [
  { pattern: /^\/join(?:\/([^/]+))?\/?$/, screen: 'participant' },
  { pattern: /^\/facilitator\/?$/, screen: 'facilitator' },
  { pattern: /^\/moderator\/?$/, screen: 'moderator' },
  { pattern: /^\/projector\/?$/, screen: 'projector' },
  { pattern: /^\/cards\/([^/]+)\/?$/, screen: 'cards' },
  { pattern: /^\/?$/, screen: 'organizer' },
];

function route() {
  for (const { pattern, screen } of routes) {
    const match = location.pathname.match(pattern);
    if (match) return { screen, param: match[1] ? decodeURIComponent(match[1]) : null };
  }
  return { screen: 'organizer', param: null };
}

// The frame shared by every screen. A screen fills `main` and may hand a connection to
// `showConnection` so that the indicator reflects it.
export const frame = {
  main: null,
  titleSlot: null,
  connectionSlot: null,
  connection: null,
  remount: null,
};

function connectionText(connection) {
  const pending = connection.pending().length;
  const waiting = pending ? ` — ${t('conn.pending', { count: pending })}` : '';
  switch (connection.status) {
    case 'online':
      return { text: t('conn.online') + waiting, state: 'online' };
    case 'offline':
      return { text: t('conn.offline') + waiting, state: 'offline' };
    case 'failed':
      return { text: t('conn.failed'), state: 'offline' };
    default:
      return { text: t('conn.reconnecting') + waiting, state: 'connecting' };
  }
}

function renderConnection() {
  const slot = frame.connectionSlot;
  const connection = frame.connection;
  if (!slot) return;
  if (!connection) {
    slot.hidden = true;
    return;
  }
  const { text, state } = connectionText(connection);
  slot.hidden = false;
  slot.className = `conn conn-${state}`;
  if (slot.textContent !== text) slot.textContent = text;
}

export function showConnection(connection) {
  frame.connection = connection;
  connection.on('status', renderConnection);
  connection.on('change', renderConnection);
  renderConnection();
}

export function setPageTitle(text) {
  document.title = text ? `${text} — atelier` : 'atelier';
}

function buildFrame(screen) {
  const root = document.getElementById('root');
  const langButton = h('button', {
    type: 'button',
    class: 'lang-toggle',
    lang: lang() === 'fr' ? 'en' : 'fr',
    onclick: () => setLang(lang() === 'fr' ? 'en' : 'fr'),
  });
  frame.connectionSlot = h('p', { class: 'conn', role: 'status', 'aria-live': 'polite', hidden: true });
  frame.main = h('main', { id: 'main', tabindex: '-1', class: `screen-${screen}` });
  const skip = h('a', { class: 'skip', href: '#main' });
  const header = h('header', { class: 'top' }, h('span', { class: 'brand' }, 'atelier'), frame.connectionSlot, langButton);
  const toasts = h(
    'div',
    { class: 'toasts' },
    h('div', { id: 'toast-status', role: 'status', 'aria-live': 'polite' }),
    h('div', { id: 'toast-alert', role: 'alert', 'aria-live': 'assertive' }),
  );
  replaceChildren(root, skip, header, frame.main, toasts);
  document.body.className = `body-${screen}`;

  const label = () => {
    skip.textContent = t('app.skip');
    langButton.textContent = t('app.switch_language');
    langButton.setAttribute('aria-label', t('app.switch_language_label'));
    langButton.lang = lang() === 'fr' ? 'en' : 'fr';
  };
  label();
  onLangChange(() => {
    label();
    renderConnection();
  });
}

async function start() {
  document.documentElement.lang = lang();
  const { screen, param } = route();
  buildFrame(screen);
  const module = await import(`./screens/${screen}.js`);
  const mount = () => {
    replaceChildren(frame.main);
    module.mount(frame.main, { param });
  };
  frame.remount = mount;
  onLangChange(mount);
  mount();
}

start();
