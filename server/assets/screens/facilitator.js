// Facilitator dashboard: phases, timers, every table at a glance, help for stuck tables,
// reshuffle, paper forms and the projector's showcase.

import { h, clear, replaceChildren, keyedList, announce, uniqueId } from '../dom.js';
import { t, lang, serverMessage } from '../i18n/index.js';
import { setPageTitle } from '../app.js';
import { currentTheme, timerFor, participantName, serverNow } from '../store.js';
import { phaseLabel, countdownElement, updateCountdown, everyHalfSecond } from '../views.js';
import { textField, checkbox, secretForm, LIMITS } from '../forms.js';
import { communeField } from '../commune.js';
import { openStaffConnection, missingToken, fatalPanel, syncOptions, fillExportsPanel } from './staff.js';

let connection = null;
let ui = null;
const chosenQuestion = new Map();

// The step the facilitator most likely wants next, highlighted in the phase bar.
const NEXT_ACTION = {
  lobby: 'start_writing',
  writing: 'start_presenting',
  presenting: 'open_voting',
  voting: 'close_voting',
  results: 'start_writing',
  showcase: 'open_feedback',
  feedback: 'close_workshop',
};

export function mount(main) {
  if (!connection) connection = openStaffConnection('facilitator', { onChange: () => render() });
  if (!connection) {
    missingToken(main);
    return;
  }
  ui = {
    fatal: h('div'),
    title: h('h1', {}),
    stage: h('section', { class: 'panel stage-bar', 'aria-labelledby': 'stage-title' }),
    alerts: h('section', { class: 'alerts', 'aria-live': 'polite' }),
    tables: h('div', { class: 'table-grid' }),
    ties: h('section', { class: 'panel', hidden: true }),
    reshuffle: h('section', { class: 'panel reshuffle', hidden: true }),
    showcase: h('section', { class: 'panel', hidden: true }),
    people: h('section', { class: 'panel people' }),
    paper: h('section', { class: 'panel paper' }),
    feedback: h('section', { class: 'panel', hidden: true }),
    exports: h('section', { class: 'panel', 'aria-labelledby': 'exports-title' }),
    built: false,
  };
  replaceChildren(
    main,
    ui.fatal,
    ui.title,
    ui.stage,
    ui.alerts,
    ui.ties,
    ui.reshuffle,
    ui.showcase,
    h('section', { class: 'tables-section', 'aria-labelledby': 'tables-title' }, h('h2', { id: 'tables-title' }, t('fac.tables')), ui.tables),
    ui.paper,
    ui.people,
    ui.feedback,
    ui.exports,
  );
  render();
  // "Time since last secret" ages without any event.
  const ticker = setInterval(() => {
    if (!ui || !ui.tables.isConnected) {
      clearInterval(ticker);
      return;
    }
    renderTables();
  }, 15000);
}

function send(command) {
  return connection.send(command);
}

function render() {
  if (!ui) return;
  const store = connection.store;
  if (connection.fatal) replaceChildren(ui.fatal, fatalPanel(connection));
  if (!store.ready) {
    ui.title.textContent = t('app.loading');
    return;
  }
  setPageTitle(t('fac.title'));
  ui.title.textContent = `${store.workshop.title} — ${t('fac.title')}`;
  if (!ui.built) {
    ui.built = true;
    buildStage();
    buildPaper();
    fillExportsPanel(ui.exports, store.workshop.id, 'exports-title');
  }
  renderStage();
  renderAlerts();
  renderTables();
  renderTies();
  renderReshuffle();
  renderShowcase();
  renderPeople();
  renderPaper();
  renderFeedback();
}

// --- Phase bar and room timer ---

function buildStage() {
  const store = connection.store;
  const themeSelect = h('select', { id: 'theme-select' });
  ui.stageParts = {
    phase: h('p', { class: 'stage-phase', 'aria-live': 'polite' }),
    countdown: countdownElement(),
    themeSelect,
    buttons: {},
    pauseButton: null,
  };
  const action = (key, label, command, extra = {}) => {
    const button = h('button', { type: 'button', class: 'button', onclick: () => send(typeof command === 'function' ? command() : command), ...extra }, label);
    ui.stageParts.buttons[key] = button;
    return button;
  };
  const pause = h('button', { type: 'button', class: 'button', onclick: () => {
    const paused = store.stage.timer.paused_remaining_ms != null;
    send({ type: paused ? 'resume_timer' : 'pause_timer', table: null });
  } });
  ui.stageParts.pauseButton = pause;
  ui.stageParts.timerGroup = h(
      'div',
      { class: 'button-row', role: 'group', 'aria-label': t('fac.timer_group') },
      h('button', { type: 'button', class: 'button', onclick: () => send({ type: 'extend_timer', table: null, seconds: -60 }) }, t('fac.minus_minute')),
      h('button', { type: 'button', class: 'button', onclick: () => send({ type: 'extend_timer', table: null, seconds: 60 }) }, t('fac.plus_minute')),
      pause,
    );
  replaceChildren(
    ui.stage,
    h('h2', { id: 'stage-title' }, t('fac.stage')),
    h('div', { class: 'stage-status' }, ui.stageParts.phase, ui.stageParts.countdown),
    ui.stageParts.timerGroup,
    h(
      'div',
      { class: 'button-row', role: 'group', 'aria-label': t('fac.steps_group') },
      h('label', { for: 'theme-select', class: 'inline-label' }, t('fac.theme_to_start')),
      themeSelect,
      action('start_writing', t('fac.start_writing'), () => ({ type: 'start_writing', theme: themeSelect.value || null })),
      action('start_presenting', t('fac.start_presenting'), { type: 'start_presenting' }),
      action('open_voting', t('fac.open_voting'), { type: 'open_voting' }),
      action('close_voting', t('fac.close_voting'), { type: 'close_voting' }),
      action('preview_reshuffle', t('fac.preview_reshuffle'), { type: 'preview_reshuffle' }),
      action('start_showcase', t('fac.start_showcase'), { type: 'start_showcase' }),
      action('open_feedback', t('fac.open_feedback'), { type: 'open_feedback' }),
      h('button', { type: 'button', class: 'button danger', onclick: () => {
        if (window.confirm(t('fac.close_confirm'))) send({ type: 'close_workshop' });
      } }, t('fac.close_workshop')),
    ),
    h('div', { class: 'button-row', role: 'group', 'aria-label': t('fac.seating_group') },
      h('button', { type: 'button', class: 'button', onclick: () => send({ type: 'seat_automatically' }) }, t('fac.seat_automatically')),
    ),
  );
  everyHalfSecond(ui.stageParts.countdown, () => updateCountdown(ui.stageParts.countdown, store, store.stage.timer));
}

function renderStage() {
  const store = connection.store;
  const parts = ui.stageParts;
  const theme = currentTheme(store);
  const round = store.stage.round;
  const total = store.workshop.themes.length;
  parts.phase.textContent = theme
    ? t('fac.phase_theme', { phase: phaseLabel(store.stage.phase), theme: theme.title, number: round + 1, total })
    : phaseLabel(store.stage.phase);
  const nextIndex = round === null || round === undefined ? 0 : round + 1;
  syncOptions(parts.themeSelect, store.workshop.themes.map((th, index) => ({ value: th.key, label: `${index + 1}. ${th.title}` })));
  const nextTheme = store.workshop.themes[Math.min(nextIndex, total - 1)];
  if (parts.themeSelect.dataset.round !== String(round)) {
    parts.themeSelect.dataset.round = String(round);
    if (nextTheme) parts.themeSelect.value = nextTheme.key;
  }
  let next = NEXT_ACTION[store.stage.phase];
  if (store.stage.phase === 'results' && round === total - 1) next = 'start_showcase';
  for (const [key, button] of Object.entries(parts.buttons)) button.classList.toggle('primary', key === next);
  // Timers only run while people write.
  parts.timerGroup.hidden = store.stage.phase !== 'writing';
  const paused = store.stage.timer.paused_remaining_ms != null;
  parts.pauseButton.textContent = paused ? t('fac.resume') : t('fac.pause');
}

// --- Stuck tables ---

function renderAlerts() {
  const store = connection.store;
  const stuck = Array.from(store.stuck, ([id, reasons]) => ({ id, stuck: reasons })).filter((table) => table.stuck.length);
  const signature = JSON.stringify([lang(), store.stage.phase, stuck.map((table) => [table.id, table.stuck.map((r) => r.message_fr)])]);
  if (ui.alerts.dataset.sig === signature) return;
  ui.alerts.dataset.sig = signature;
  if (!stuck.length) {
    clear(ui.alerts);
    return;
  }
  const questions = currentTheme(store)?.questions || [];
  const writing = store.stage.phase === 'writing';
  replaceChildren(
    ui.alerts,
    h('h2', {}, t('fac.stuck_heading')),
    h(
      'ul',
      {},
      stuck.map((table) =>
        h(
          'li',
          {},
          h('a', { href: `#table-${table.id}` }, t('fac.table_name', { table: table.id })),
          ' : ',
          table.stuck.map((r) => serverMessage(r)).join(' · '),
          writing
            ? h(
              'div',
              { class: 'button-row' },
              questions.length ? h('button', { type: 'button', class: 'button', onclick: () => pushNextQuestion(table.id, questions) }, t('fac.quick_question', { table: table.id })) : null,
              h('button', { type: 'button', class: 'button', onclick: () => send({ type: 'extend_timer', table: table.id, seconds: 60 }) }, t('fac.table_plus', { table: table.id })),
            )
            : null,
        ),
      ),
    ),
  );
}

// One-tap help: sends the theme's questions to a table in turn, one per tap.
const questionsSent = new Map();
function pushNextQuestion(tableId, questions) {
  const count = questionsSent.get(tableId) || 0;
  const text = questions[count % questions.length];
  questionsSent.set(tableId, count + 1);
  send({ type: 'push_question', table: tableId, text });
  announce(t('fac.question_sent', { table: tableId }));
}

function minutesSince(store, ms) {
  if (!ms) return null;
  return Math.max(0, Math.floor((serverNow(store) - ms) / 60000));
}

function renderTables() {
  const store = connection.store;
  if (!store.ready) return;
  const theme = currentTheme(store);
  const tables = store.workshop.tables.map((id) => store.tables.get(id) || { id, members: [], presenting: { order: [], current: 0 }, timer: {}, secrets_count: 0, votes_cast: 0, votes_expected: 0 });
  keyedList(
    ui.tables,
    tables,
    (table) => table.id,
    (table) => JSON.stringify([
      lang(),
      table,
      store.stuck.get(table.id) || [],
      store.stage.phase,
      theme?.key,
      table.members.map((id) => [participantName(store, id), store.online.has(id), secretsBy(store, id, theme)]),
      minutesSince(store, table.last_secret_at_ms),
      (table.tie || []).concat(table.winners || []).map((id) => [store.secrets.get(id)?.fields.title, store.secrets.get(id)?.status]),
    ]),
    (table) => tableCard(store, table, theme),
  );
}

// A paper participant has no phone to show their secrets: the facilitator puts each one in
// large type on the table's phones for them.
function paperSpotlightButtons(store, table, presenter, theme) {
  if (store.participants.get(presenter)?.source !== 'paper' || !theme) return null;
  const spotlight = table.presenting?.spotlight;
  return Array.from(store.secrets.values())
    .filter((s) => s.author === presenter && s.theme === theme.key && s.table === table.id && s.status !== 'rejected')
    .map((secret) =>
      h(
        'button',
        { type: 'button', class: ['button', secret.id === spotlight ? 'primary' : null], 'aria-pressed': secret.id === spotlight ? 'true' : 'false', onclick: () => send({ type: 'spotlight_secret', secret: secret.id }) },
        t('fac.spotlight_paper', { title: secret.fields.title }),
      ));
}

function secretsBy(store, participantId, theme) {
  if (!theme) return 0;
  let count = 0;
  for (const secret of store.secrets.values()) if (secret.author === participantId && secret.theme === theme.key) count += 1;
  return count;
}

function presentingText(store, order, current) {
  if (!order.length) return '—';
  const presenter = order[current];
  if (!presenter) return t('fac.presented_all');
  return t('fac.presenter', { name: participantName(store, presenter), number: current + 1, total: order.length });
}

// Paper participants first, then by name.
function comparePeople(a, b) {
  if (a.source !== b.source) return a.source === 'paper' ? -1 : 1;
  return a.name.localeCompare(b.name);
}

function tableCard(store, table, theme) {
  const stuck = store.stuck.get(table.id) || [];
  const headingId = uniqueId('table-heading');
  const ownTimer = table.timer && (table.timer.ends_at_ms != null || table.timer.paused_remaining_ms != null);
  const countdown = countdownElement();
  if (ownTimer) everyHalfSecond(countdown, () => updateCountdown(countdown, store, timerFor(store, table.id)));
  else countdown.hidden = true;

  const { order = [], current = 0 } = table.presenting || {};
  const presenter = order[current];
  const since = minutesSince(store, table.last_secret_at_ms);
  const members = h(
    'ul',
    { class: 'members' },
    table.members.map((id) => {
      const online = store.online.has(id);
      const person = store.participants.get(id);
      return h(
        'li',
        { class: online ? 'online' : 'offline' },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        h('span', { class: 'member-name' }, participantName(store, id)),
        person?.source === 'paper' ? h('span', { class: 'badge' }, t('fac.paper')) : null,
        h('span', { class: 'visually-hidden' }, online ? t('fac.online') : t('fac.offline')),
        h('span', { class: 'member-count' }, t('fac.secrets_count', { count: secretsBy(store, id, theme) })),
      );
    }),
  );

  const stats = h(
    'dl',
    { class: 'stats' },
    h('dt', {}, t('fac.stat_secrets')),
    h('dd', {}, String(table.secrets_count)),
    h('dt', {}, t('fac.stat_last')),
    h('dd', {}, since === null ? t('fac.never') : t('fac.minutes_ago', { count: since })),
    h('dt', {}, t('fac.stat_presenting')),
    h('dd', {}, presentingText(store, order, current)),
    h('dt', {}, t('fac.stat_votes')),
    h('dd', {}, t('fac.votes', { cast: table.votes_cast, expected: table.votes_expected })),
  );

  const winners = (table.winners || []).map((id) => store.secrets.get(id)).filter(Boolean);
  const questions = theme?.questions || [];
  const questionSelect = h('select', { id: `question-${table.id}`, class: 'question-select' }, questions.map((q) => h('option', { value: q }, q)));
  if (chosenQuestion.has(table.id) && questions.includes(chosenQuestion.get(table.id))) questionSelect.value = chosenQuestion.get(table.id);
  questionSelect.addEventListener('change', () => chosenQuestion.set(table.id, questionSelect.value));
  const paused = table.timer?.paused_remaining_ms != null;

  return h(
    'article',
    { class: ['table-card', stuck.length ? 'stuck' : null], id: `table-${table.id}`, 'aria-labelledby': headingId },
    h('h3', { id: headingId }, t('fac.table_name', { table: table.id }), stuck.length ? h('span', { class: 'badge badge-stuck' }, t('fac.stuck')) : null),
    countdown,
    stuck.length ? h('ul', { class: 'stuck-reasons' }, stuck.map((reason) => h('li', {}, serverMessage(reason)))) : null,
    members,
    stats,
    winners.length ? h('p', { class: 'winner-line' }, t('fac.winner', { title: winners.map((s) => s.fields.title).join(' / ') })) : null,
    // The projector shows approved secrets only, so an unapproved winner would be missing
    // from the showcase.
    winners.some((s) => s.status !== 'approved') ? h('p', { class: 'stuck-reasons' }, t('fac.winner_unapproved')) : null,
    store.stage.phase === 'presenting' && presenter
      ? h('div', { class: 'button-row' }, paperSpotlightButtons(store, table, presenter, theme), h('button', { type: 'button', class: 'button', onclick: () => send({ type: 'finish_presenting', table: table.id }) }, t('fac.next_presenter', { table: table.id })))
      : null,
    store.stage.phase !== 'writing' ? null : h(
      'div',
      { class: 'help' },
      questions.length
        ? h('div', { class: 'field' }, h('label', { for: `question-${table.id}` }, t('fac.question_label')), questionSelect, h('button', { type: 'button', class: 'button', onclick: () => {
          send({ type: 'push_question', table: table.id, text: questionSelect.value });
          announce(t('fac.question_sent', { table: table.id }));
        } }, t('fac.push_question')))
        : null,
      h(
        'div',
        { class: 'button-row' },
        h('button', { type: 'button', class: 'button', onclick: () => send({ type: 'extend_timer', table: table.id, seconds: 60 }) }, t('fac.table_plus', { table: table.id })),
        h('button', { type: 'button', class: 'button', onclick: () => send({ type: 'extend_timer', table: table.id, seconds: -60 }) }, t('fac.table_minus', { table: table.id })),
        h('button', { type: 'button', class: 'button', onclick: () => send({ type: paused ? 'resume_timer' : 'pause_timer', table: table.id }) }, paused ? t('fac.table_resume', { table: table.id }) : t('fac.table_pause', { table: table.id })),
      ),
    ),
  );
}

// --- Ties ---

function renderTies() {
  const store = connection.store;
  const tied = Array.from(store.tables.values()).filter((table) => table.tie?.length);
  ui.ties.hidden = tied.length === 0;
  const signature = JSON.stringify([lang(), tied.map((table) => table.tie)]);
  if (ui.ties.dataset.sig === signature) return;
  ui.ties.dataset.sig = signature;
  replaceChildren(
    ui.ties,
    h('h2', {}, t('fac.ties')),
    tied.map((table) => {
      const boxes = table.tie.map((id) => ({ id, box: checkbox({ label: store.secrets.get(id)?.fields.title || id }) }));
      return h(
        'fieldset',
        { class: 'tie' },
        h('legend', {}, t('fac.tie_at', { table: table.id })),
        boxes.map((b) => b.box.element),
        h('button', { type: 'button', class: 'primary', onclick: () => {
          const winners = boxes.filter((b) => b.box.input.checked).map((b) => b.id);
          if (!winners.length) {
            announce(t('fac.tie_pick_one'), 'error');
            return;
          }
          send({ type: 'settle_tie', table: table.id, winners });
        } }, t('fac.settle_tie')),
      );
    }),
  );
}

// --- Reshuffle ---

function renderReshuffle() {
  const store = connection.store;
  const preview = store.reshuffle;
  ui.reshuffle.hidden = !preview;
  if (!preview) {
    clear(ui.reshuffle);
    delete ui.reshuffle.dataset.sig;
    return;
  }
  const signature = JSON.stringify([lang(), preview, store.participants.size]);
  if (ui.reshuffle.dataset.sig === signature) return;
  ui.reshuffle.dataset.sig = signature;
  const byTable = new Map(store.workshop.tables.map((id) => [id, []]));
  for (const [participant, table] of preview.seating) {
    if (!byTable.has(table)) byTable.set(table, []);
    byTable.get(table).push(participant);
  }
  replaceChildren(
    ui.reshuffle,
    h('h2', {}, t('fac.reshuffle')),
    h('p', {}, t('fac.repeat_pairs', { count: preview.repeat_pairs })),
    h(
      'div',
      { class: 'reshuffle-grid' },
      Array.from(byTable.entries()).map(([table, people]) =>
        h(
          'div',
          { class: 'reshuffle-table' },
          h('h3', {}, t('fac.table_name', { table }), ` (${people.length})`),
          h(
            'ul',
            {},
            people.map((id) => {
              const selectId = uniqueId('move');
              const select = h('select', { id: selectId }, store.workshop.tables.map((other) => h('option', { value: other, selected: other === table }, t('fac.table_name', { table: other }))));
              select.addEventListener('change', () => send({ type: 'adjust_reshuffle', participant: id, table: select.value }));
              return h('li', {}, h('label', { for: selectId }, participantName(store, id)), select);
            }),
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'button-row' },
      h('button', { type: 'button', class: 'primary', onclick: () => send({ type: 'apply_reshuffle' }) }, t('fac.apply_reshuffle')),
      h('button', { type: 'button', class: 'button', onclick: () => send({ type: 'cancel_reshuffle' }) }, t('fac.cancel_reshuffle')),
    ),
  );
}

// --- Showcase remote control ---

function renderShowcase() {
  const store = connection.store;
  const showcase = store.showcase;
  const visible = Boolean(showcase) && ['showcase', 'feedback'].includes(store.stage.phase);
  ui.showcase.hidden = !visible;
  if (!visible) return;
  const signature = JSON.stringify([lang(), showcase.step, showcase.themes.map((th) => th.theme)]);
  if (ui.showcase.dataset.sig === signature) return;
  ui.showcase.dataset.sig = signature;
  const titles = new Map(store.workshop.themes.map((th) => [th.key, th.title]));
  replaceChildren(
    ui.showcase,
    h('h2', {}, t('fac.showcase')),
    h('p', {}, t('fac.showcase_help')),
    h(
      'div',
      { class: 'button-row', role: 'group', 'aria-label': t('fac.showcase') },
      showcase.themes.map((th, index) =>
        h('button', {
          type: 'button',
          class: index === showcase.step ? 'primary' : 'button',
          'aria-pressed': String(index === showcase.step),
          onclick: () => send({ type: 'show_showcase_step', step: index }),
        }, t('fac.showcase_step', { number: index + 1, theme: titles.get(th.theme) || th.theme })),
      ),
    ),
  );
}

// --- People and seating ---

function renderPeople() {
  const store = connection.store;
  const people = Array.from(store.participants.values()).sort((a, b) => a.name.localeCompare(b.name));
  const signature = JSON.stringify([lang(), people.map((p) => [p.id, p.name, p.table, p.source, store.online.has(p.id)]), store.workshop.tables]);
  if (ui.people.dataset.sig === signature) return;
  ui.people.dataset.sig = signature;
  const tableOptions = [{ value: '', label: t('fac.unseated') }, ...store.workshop.tables.map((id) => ({ value: id, label: t('fac.table_name', { table: id }) }))];
  replaceChildren(
    ui.people,
    h('h2', {}, t('fac.people', { count: people.length })),
    h(
      'table',
      { class: 'people-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('fac.col_name')), h('th', { scope: 'col' }, t('fac.col_source')), h('th', { scope: 'col' }, t('fac.col_online')), h('th', { scope: 'col' }, t('fac.col_table')))),
      h(
        'tbody',
        {},
        people.map((person) => {
          const selectId = uniqueId('seat');
          const select = h('select', { id: selectId, 'aria-label': t('fac.seat_label', { name: person.name }) }, tableOptions.map((o) => h('option', { value: o.value, selected: o.value === (person.table || '') }, o.label)));
          select.addEventListener('change', () => send({ type: 'seat_participant', participant: person.id, table: select.value || null }));
          return h('tr', {}, h('th', { scope: 'row' }, person.name), h('td', {}, t(`source.${person.source}`)), h('td', {}, store.online.has(person.id) ? t('fac.online') : t('fac.offline')), h('td', {}, select));
        }),
      ),
    ),
  );
}

// --- Paper forms ---

function buildPaper() {
  const store = connection.store;
  // Add a paper participant.
  const name = textField({ label: t('paper.name'), max: LIMITS.name, required: true });
  const commune = communeField({ label: t('paper.commune') });
  const tableSelect = h('select', { id: 'paper-table' });
  const showName = checkbox({ label: t('consent.show_name'), checked: false });
  const addError = h('p', { class: 'form-error', role: 'alert' });
  const addForm = h(
    'form',
    { class: 'paper-add', novalidate: true },
    h('h3', {}, t('paper.add_heading')),
    name.element,
    commune.element,
    h('div', { class: 'field' }, h('label', { for: 'paper-table' }, t('paper.table')), tableSelect),
    showName.element,
    addError,
    h('button', { type: 'submit', class: 'primary' }, t('paper.add_submit')),
  );
  addForm.addEventListener('submit', (event) => {
    event.preventDefault();
    addError.textContent = '';
    if (!name.value.trim() || !commune.value?.name) {
      addError.textContent = t('paper.add_missing');
      (name.value.trim() ? commune.input : name.input).focus();
      return;
    }
    send({
      type: 'add_paper_participant',
      name: name.value.trim(),
      commune: commune.value,
      consents: { show_name: showName.input.checked, contact: false, photo_licence: false },
      email: null,
      table: tableSelect.value || null,
    });
    name.value = '';
    announce(t('paper.added'));
    name.input.focus();
  });

  // Type a paper secret.
  const participantSelect = h('select', { id: 'paper-participant', required: true });
  const themeSelect = h('select', { id: 'paper-theme' });
  let form;
  form = secretForm({
    submitLabel: t('paper.secret_submit'),
    extraTop: [
      h('div', { class: 'field' }, h('label', { for: 'paper-participant' }, t('paper.participant')), participantSelect),
      h('div', { class: 'field' }, h('label', { for: 'paper-theme' }, t('paper.theme')), themeSelect),
    ],
    onSubmit: (fields) => {
      if (!participantSelect.value) {
        announce(t('paper.choose_participant'), 'error');
        participantSelect.focus();
        return;
      }
      send({ type: 'submit_paper_secret', participant: participantSelect.value, fields: { ...fields, coordinates: null }, theme: themeSelect.value || null });
      form.reset();
      announce(t('paper.secret_sent'));
      participantSelect.focus();
    },
  });
  participantSelect.addEventListener('change', () => {
    const person = store.participants.get(participantSelect.value);
    if (person?.commune && !form.commune.value) form.commune.value = person.commune;
  });

  // Record a paper participant's vote.
  const voterSelect = h('select', { id: 'paper-voter' });
  const choiceSelect = h('select', { id: 'paper-choice' });
  voterSelect.addEventListener('change', () => renderPaper());
  const voteForm = h(
    'form',
    { class: 'paper-vote', novalidate: true },
    h('h3', {}, t('paper.vote_heading')),
    h('div', { class: 'field' }, h('label', { for: 'paper-voter' }, t('paper.voter')), voterSelect),
    h('div', { class: 'field' }, h('label', { for: 'paper-choice' }, t('paper.choice')), choiceSelect),
    h('button', { type: 'submit', class: 'primary' }, t('paper.vote_submit')),
  );
  voteForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!voterSelect.value || !choiceSelect.value) {
      announce(t('paper.vote_missing'), 'error');
      return;
    }
    send({ type: 'cast_vote_for', participant: voterSelect.value, secret: choiceSelect.value });
    announce(t('paper.vote_sent'));
  });

  ui.paperParts = { tableSelect, participantSelect, themeSelect, voterSelect, choiceSelect };
  replaceChildren(
    ui.paper,
    h('h2', {}, t('paper.heading')),
    h('div', { class: 'paper-grid' }, h('div', {}, h('h3', {}, t('paper.secret_heading')), form.form), h('div', {}, addForm, voteForm)),
  );
}

function renderPaper() {
  const store = connection.store;
  const parts = ui.paperParts;
  if (!parts) return;
  syncOptions(parts.tableSelect, [{ value: '', label: t('paper.table_auto') }, ...store.workshop.tables.map((id) => ({ value: id, label: t('fac.table_name', { table: id }) }))]);
  const people = Array.from(store.participants.values()).sort(comparePeople);
  const personLabel = (p) => `${p.name}${p.table ? ` · ${p.table}` : ''}${p.source === 'paper' ? ` · ${t('source.paper')}` : ''}`;
  syncOptions(parts.participantSelect, [{ value: '', label: t('paper.choose') }, ...people.map((p) => ({ value: p.id, label: personLabel(p) }))]);
  const theme = currentTheme(store);
  syncOptions(parts.themeSelect, store.workshop.themes.map((th) => ({ value: th.key, label: th.title })));
  if (theme && parts.themeSelect.dataset.round !== String(store.stage.round)) {
    parts.themeSelect.dataset.round = String(store.stage.round);
    parts.themeSelect.value = theme.key;
  }
  const voters = people.filter((p) => p.table);
  syncOptions(parts.voterSelect, [{ value: '', label: t('paper.choose') }, ...voters.map((p) => ({ value: p.id, label: personLabel(p) }))]);
  const voter = store.participants.get(parts.voterSelect.value);
  const choices = voter && theme
    ? Array.from(store.secrets.values()).filter((s) => s.theme === theme.key && s.table === voter.table && s.author !== voter.id && s.status !== 'rejected')
    : [];
  syncOptions(parts.choiceSelect, [{ value: '', label: t('paper.choose') }, ...choices.map((s) => ({ value: s.id, label: `${s.fields.title} (${participantName(store, s.author)})` }))]);
}

// --- Feedback summary ---

function renderFeedback() {
  const store = connection.store;
  const items = Array.from(store.feedback.values());
  ui.feedback.hidden = items.length === 0;
  const signature = JSON.stringify([lang(), items]);
  if (ui.feedback.dataset.sig === signature) return;
  ui.feedback.dataset.sig = signature;
  const average = items.length ? items.reduce((sum, item) => sum + item.rating, 0) / items.length : 0;
  replaceChildren(
    ui.feedback,
    h('h2', {}, t('fac.feedback', { count: items.length })),
    h('p', {}, t('fac.feedback_average', { average: average.toLocaleString(lang() === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 1 }) })),
    h('ul', {}, items.filter((item) => item.comment || item.invite_suggestion).map((item) => h('li', {}, `${participantName(store, item.participant)} (${item.rating}/5) : `, item.comment, item.invite_suggestion ? ` — ${t('fac.feedback_invite', { name: item.invite_suggestion })}` : ''))),
  );
}
