// Projector (1920×1080, read-only): join QR and code, theme and countdown, a live wall of
// approved titles, and the final showcase stepped by the facilitator.

import { h, replaceChildren, keyedList } from '../dom.js';
import { t, lang } from '../i18n/index.js';
import { setPageTitle } from '../app.js';
import { qrUrl, joinBaseUrl } from '../api.js';
import { currentTheme } from '../store.js';
import { phaseLabel, countdownElement, updateCountdown, everyHalfSecond } from '../views.js';
import { openStaffConnection, missingToken, fatalPanel } from './staff.js';

let connection = null;
let ui = null;
let baseUrl = '';

export function mount(main) {
  if (!connection) connection = openStaffConnection('projector', { onChange: () => render(), quietErrors: true });
  if (!connection) {
    missingToken(main);
    return;
  }
  ui = { main, key: null, parts: null };
  joinBaseUrl().then((url) => {
    baseUrl = url;
    if (ui) {
      ui.key = null;
      render();
    }
  });
  render();
}

function joinUrl(store) {
  return `${baseUrl || location.origin}/join/${encodeURIComponent(store.workshop.code)}`;
}

function joinBlock(store, { large }) {
  const url = joinUrl(store);
  const display = url.replace(/^https?:\/\//, '');
  return h(
    'div',
    { class: ['join-block', large ? 'join-large' : 'join-small'] },
    h('img', { class: 'qr', src: qrUrl(url), alt: t('proj.qr_alt', { url: display }) }),
    h(
      'div',
      { class: 'join-text' },
      h('p', { class: 'join-invite' }, t('proj.join')),
      h('p', { class: 'join-address' }, display),
      h('p', { class: 'join-code-label' }, t('proj.code')),
      h('p', { class: 'join-code' }, store.workshop.code),
    ),
  );
}

function render() {
  if (!ui) return;
  const store = connection.store;
  if (connection.fatal) {
    replaceChildren(ui.main, fatalPanel(connection));
    return;
  }
  if (!store.ready) {
    if (!ui.main.firstChild) ui.main.append(h('h1', { class: 'proj-loading' }, t('app.loading')));
    return;
  }
  setPageTitle(t('proj.title'));
  const phase = store.stage.phase;
  const theme = currentTheme(store);
  const step = store.showcase?.step;
  const key = JSON.stringify([lang(), phase, store.stage.round, phase === 'showcase' ? [step, store.showcase] : null, baseUrl]);
  if (key !== ui.key) {
    ui.key = key;
    ui.parts = build(store, phase, theme);
    replaceChildren(ui.main, ui.parts.element);
    requestAnimationFrame(fitCards);
  }
  if (ui.parts.update) ui.parts.update();
}

function build(store, phase, theme) {
  const title = h('h1', { class: 'proj-title' }, store.workshop.title);
  switch (phase) {
    case 'lobby':
      return { element: h('div', { class: 'proj proj-lobby' }, title, joinBlock(store, { large: true })) };
    case 'writing':
      return buildWriting(store, theme);
    case 'presenting':
    case 'voting':
    case 'results':
      return {
        element: h(
          'div',
          { class: 'proj proj-round' },
          h('p', { class: 'proj-phase' }, phaseLabel(phase)),
          h('h1', { class: 'proj-theme' }, theme?.title || ''),
          h('p', { class: 'proj-instruction' }, t(`proj.${phase}`)),
          joinBlock(store, { large: false }),
        ),
      };
    case 'showcase':
      return buildShowcase(store);
    case 'feedback':
      return { element: h('div', { class: 'proj proj-lobby' }, h('h1', { class: 'proj-theme' }, t('proj.thanks')), h('p', { class: 'proj-instruction' }, t('proj.feedback')), joinBlock(store, { large: false })) };
    default:
      return { element: h('div', { class: 'proj proj-lobby' }, title, h('p', { class: 'proj-theme' }, t('proj.closed'))) };
  }
}

function buildWriting(store, theme) {
  const countdown = countdownElement();
  const counter = h('p', { class: 'proj-counter', 'aria-live': 'polite' });
  const wall = h('ul', { class: 'wall', 'aria-label': t('proj.wall') });
  const element = h(
    'div',
    { class: 'proj proj-writing' },
    h(
      'div',
      { class: 'proj-head' },
      h('div', {}, h('p', { class: 'proj-phase' }, phaseLabel('writing')), h('h1', { class: 'proj-theme' }, theme?.title || ''), h('p', { class: 'proj-prompt' }, theme?.prompt || '')),
      h('div', { class: 'proj-clock' }, countdown, counter),
    ),
    wall,
    joinBlock(store, { large: false }),
  );
  everyHalfSecond(countdown, () => updateCountdown(countdown, store, store.stage.timer));
  return {
    element,
    update() {
      let written = 0;
      for (const table of store.tables.values()) written += table.secrets_count || 0;
      const approved = Array.from(store.secrets.values())
        .filter((s) => s.theme === theme?.key && (s.status === undefined || s.status === null || s.status === 'approved'))
        .sort((a, b) => b.created_at_ms - a.created_at_ms);
      counter.textContent = t('proj.counter', { count: Math.max(written, approved.length) });
      keyedList(wall, approved.slice(0, 24), (s) => s.id, (s) => `${s.version}`, (s) => h('li', { class: 'wall-item' }, s.fields.title));
    },
  };
}

// Sizes the type of each showcase card: the largest scale, up to MAX_CARD_SCALE, at which its
// content fits the card, so that short winners read from the back of the room and a
// 2,000-character one stays on screen. Setting the size through the CSSOM is allowed by the
// page's CSP, which only forbids style attributes in markup.
const MAX_CARD_SCALE = 1.8;
const MIN_CARD_SCALE = 0.4;
const CARD_SCALE_STEP = 0.05;

function fits(card) {
  return card.scrollHeight <= card.clientHeight + 1 && card.scrollWidth <= card.clientWidth + 1;
}

// Below this width the cards stack and grow with their text, as on a phone.
const STACKED_WIDTH = 960;

function fitCards() {
  for (const card of document.querySelectorAll('.showcase-card')) {
    if (window.innerWidth < STACKED_WIDTH) {
      card.style.fontSize = '';
      continue;
    }
    let scale = MAX_CARD_SCALE;
    card.style.fontSize = `${scale}rem`;
    while (scale > MIN_CARD_SCALE && !fits(card)) {
      scale -= CARD_SCALE_STEP;
      card.style.fontSize = `${scale.toFixed(2)}rem`;
    }
  }
}

window.addEventListener('resize', () => requestAnimationFrame(fitCards));

// Long texts start from smaller type, and fitCards shrinks further only when needed.
function lengthClass(secret) {
  const length = secret.fields.title.length + secret.fields.text.length;
  if (length <= 140) return 'len-s';
  if (length <= 320) return 'len-m';
  if (length <= 700) return 'len-l';
  if (length <= 1200) return 'len-xl';
  return 'len-xxl';
}

function buildShowcase(store) {
  const showcase = store.showcase;
  const stepTheme = showcase?.themes?.[showcase.step];
  if (!stepTheme) {
    return { element: h('div', { class: 'proj proj-lobby' }, h('h1', { class: 'proj-theme' }, t('proj.showcase_soon'))) };
  }
  const themeInfo = store.workshop.themes.find((th) => th.key === stepTheme.theme);
  const items = stepTheme.items || [];
  return {
    element: h(
      'div',
      { class: 'proj proj-showcase' },
      h('p', { class: 'proj-phase' }, t('proj.showcase_step', { number: showcase.step + 1, total: showcase.themes.length })),
      h('h1', { class: 'proj-theme' }, themeInfo?.title || stepTheme.theme),
      h(
        'ul',
        { class: ['showcase-grid', `count-${Math.min(items.length, 6)}`] },
        items.map((item) =>
          h(
            'li',
            { class: ['showcase-card', lengthClass(item.secret)] },
            h('p', { class: 'showcase-table' }, t('proj.table', { table: item.table })),
            h('h2', { class: 'showcase-title' }, item.secret.fields.title),
            h('p', { class: 'showcase-text' }, item.secret.fields.text),
            h(
              'p',
              { class: 'showcase-credit' },
              [item.secret.author_name, item.secret.fields.commune?.name].filter(Boolean).join(' · '),
            ),
          ),
        ),
      ),
      items.length ? null : h('p', { class: 'proj-instruction' }, t('proj.no_winner')),
    ),
  };
}
