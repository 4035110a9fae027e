// The participant's phone: join by code, then the workshop step by step.

import { h, clear, replaceChildren, keyedList, randomId, storageGet, storageSet, announce } from '../dom.js';
import { t, serverMessage, setLang } from '../i18n/index.js';
import { api, ApiError } from '../api.js';
import { Connection } from '../connection.js';
import { showConnection, setPageTitle } from '../app.js';
import { textField, checkbox, secretForm, LIMITS } from '../forms.js';
import { communeField } from '../commune.js';
import { currentTheme, timerFor, participantName } from '../store.js';
import { downloadExport } from '../exports.js';
import { phaseLabel, statusBadge, secretBody, countdownElement, updateCountdown, everyHalfSecond } from '../views.js';

let connection = null;
let session = null;
let ui = null;

function sessionKey(code) {
  return `atelier.participant.${code.toUpperCase()}`;
}

export function mount(main, { param }) {
  const code = param ? param.trim() : '';
  const params = new URLSearchParams(location.search);
  const table = params.get('table');
  if (!code) {
    mountCodeEntry(main);
    return;
  }
  session = session || storageGet(sessionKey(code));
  if (!session) {
    mountJoin(main, code, table);
    return;
  }
  mountWorkshop(main);
}

function mountCodeEntry(main) {
  setPageTitle(t('join.title'));
  const codeField = textField({ label: t('join.code'), autocomplete: 'off', required: true, hint: t('join.code_hint') });
  codeField.input.setAttribute('autocapitalize', 'characters');
  const form = h('form', { class: 'panel', novalidate: true }, h('h1', {}, t('join.title')), codeField.element, h('button', { type: 'submit', class: 'primary big' }, t('join.continue')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = codeField.value.trim();
    if (value) location.assign(`/join/${encodeURIComponent(value)}${location.search}`);
  });
  replaceChildren(main, form);
}

async function mountJoin(main, code, table) {
  setPageTitle(t('join.title'));
  const heading = h('h1', {}, t('join.title'));
  const info = h('p', { class: 'lead' });
  const status = h('p', { class: 'form-error', role: 'alert' });
  replaceChildren(main, h('div', { class: 'panel' }, heading, info, status));

  let workshop = null;
  try {
    workshop = await api(`/api/workshops/by-code/${encodeURIComponent(code)}`);
  } catch (error) {
    status.textContent = error instanceof ApiError && error.error ? serverMessage(error.error) : t('join.unknown_code');
    main.querySelector('.panel').append(h('a', { href: '/join', class: 'button' }, t('join.other_code')));
    return;
  }
  // A phone that never chose a language starts in the workshop's language.
  if (storageGet('atelier.lang', null) === null && workshop.language) setLang(workshop.language);
  info.textContent = workshop.title || '';
  if (table) info.append(h('br'), t('join.table_from_card', { table }));

  const draftKey = `atelier.join.${code.toUpperCase()}`;
  const draft = storageGet(draftKey, {});
  const save = () => storageSet(draftKey, draft);

  const name = textField({ label: t('join.name'), value: draft.name || '', max: LIMITS.name, required: true, autocomplete: 'given-name', onInput: (v) => { draft.name = v; save(); } });
  const commune = communeField({ label: t('join.commune'), value: draft.commune || null, onChange: (v) => { draft.commune = v; save(); } });
  const showName = checkbox({ label: t('consent.show_name'), checked: draft.show_name ?? false, onChange: (v) => { draft.show_name = v; save(); } });
  const contact = checkbox({ label: t('consent.contact'), checked: Boolean(draft.contact), onChange: (v) => { draft.contact = v; save(); emailBox.hidden = !v; } });
  const email = textField({ label: t('consent.email'), type: 'email', value: draft.email || '', max: LIMITS.email, autocomplete: 'email', onInput: (v) => { draft.email = v; save(); } });
  const emailBox = h('div', { hidden: !draft.contact }, email.element);
  const photo = checkbox({ label: t('consent.photo'), checked: Boolean(draft.photo_licence), onChange: (v) => { draft.photo_licence = v; save(); } });
  const submit = h('button', { type: 'submit', class: 'primary big' }, t('join.submit'));
  const form = h(
    'form',
    { class: 'join-form', novalidate: true },
    name.element,
    commune.element,
    h('fieldset', { class: 'consents' }, h('legend', {}, t('consent.legend')), showName.element, contact.element, emailBox, photo.element),
    h('details', { class: 'privacy' }, h('summary', {}, t('privacy.summary')), h('p', {}, t('privacy.text')), h('p', {}, t('privacy.rights'))),
    submit,
  );
  main.querySelector('.panel').append(form);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.textContent = '';
    const nameValue = name.value.trim();
    if (!nameValue) {
      status.textContent = t('join.name_missing');
      name.input.focus();
      return;
    }
    if (!commune.value || !commune.value.name) {
      status.textContent = t('join.commune_missing');
      commune.input.focus();
      return;
    }
    // The operation id survives a reload so that a retried join creates one participant.
    draft.op = draft.op || randomId();
    save();
    const body = {
      code,
      name: nameValue,
      commune: commune.value,
      consents: { show_name: showName.input.checked, contact: contact.input.checked, photo_licence: photo.input.checked },
      email: contact.input.checked && email.value.trim() ? email.value.trim() : null,
      table: table || null,
      op: draft.op,
    };
    submit.disabled = true;
    try {
      const joined = await api('/api/join', { method: 'POST', body });
      session = { token: joined.token, participant_id: joined.participant_id, workshop_id: joined.workshop_id, code };
      storageSet(sessionKey(code), session);
      storageSet(draftKey, null);
      mountWorkshop(main);
    } catch (error) {
      submit.disabled = false;
      status.textContent = error instanceof ApiError && error.error ? serverMessage(error.error) : t('join.failed');
    }
  });
}

function ensureConnection() {
  if (connection) return;
  connection = new Connection({ token: session.token, storageKey: `participant.${session.participant_id}.${session.workshop_id}` });
  showConnection(connection);
  connection.on('change', () => render());
  connection.on('error', (error, entry) => {
    const message = serverMessage(error);
    if (entry && entry.command.type === 'submit_secret') {
      // A refused secret goes back into the form so that nothing typed is lost.
      storageSet(draftKey(), { ...entry.command.fields });
      if (ui) ui.phaseKey = null;
    }
    announce(message, 'error');
    if (connection.fatal && ui) render();
  });
  connection.on('notice', (notice) => announce(serverMessage(notice)));
  connection.on('ack', () => render());
  connection.start();
}

function draftKey() {
  return `atelier.draft.${session.workshop_id}.${session.participant_id}`;
}

function mountWorkshop(main) {
  ensureConnection();
  ui = {
    main,
    phaseKey: null,
    title: h('h1', { class: 'ws-title' }),
    move: h('div', { class: 'move-banner', role: 'alert', hidden: true }),
    seat: h('p', { class: 'seat', 'aria-live': 'polite' }),
    question: h('div', { class: 'question', 'aria-live': 'polite' }),
    phase: h('div', { class: 'phase-area' }),
    mine: h('section', { class: 'panel my-secrets', 'aria-labelledby': 'mine-title' }),
    fatal: h('div', { role: 'alert' }),
  };
  replaceChildren(main, ui.fatal, ui.title, ui.move, ui.seat, ui.question, ui.phase, ui.mine);
  render();
}

function render() {
  if (!ui) return;
  const store = connection.store;
  if (connection.fatal) {
    replaceChildren(ui.fatal, h('p', { class: 'panel error-panel' }, serverMessage(connection.fatal)), h('button', { type: 'button', class: 'button', onclick: forgetSession }, t('join.start_again')));
  }
  if (!store.ready) {
    if (!ui.title.textContent) ui.title.textContent = t('app.loading');
    return;
  }
  const me = store.me;
  const myTable = me?.participant?.table || null;
  setPageTitle(store.workshop.title);
  ui.title.textContent = store.workshop.title;

  if (me?.move_to) {
    ui.move.hidden = false;
    replaceChildren(ui.move, h('p', { class: 'move-label' }, t('move.go_to')), h('p', { class: 'move-table' }, t('move.table', { table: me.move_to })));
  } else {
    ui.move.hidden = true;
  }

  replaceChildren(
    ui.seat,
    myTable
      ? [h('span', { class: 'seat-label' }, t('seat.your_table')), h('span', { class: 'seat-number' }, myTable)]
      : h('span', { class: 'seat-label' }, t('seat.waiting')),
    h('span', { class: 'seat-name' }, t('seat.hello', { name: me?.participant?.name || '' })),
  );

  const questions = store.questions.filter((q) => q.table === myTable);
  const lastQuestion = questions[questions.length - 1];
  if (lastQuestion && store.stage.phase === 'writing') {
    replaceChildren(ui.question, h('p', { class: 'question-label' }, t('question.label')), h('p', { class: 'question-text' }, lastQuestion.text));
  } else {
    clear(ui.question);
  }

  const theme = currentTheme(store);
  const phase = store.stage.phase;
  const phaseKey = `${phase}:${store.stage.round}:${myTable}`;
  if (ui.phaseKey !== phaseKey) {
    ui.phaseKey = phaseKey;
    ui.phaseParts = buildPhase(phase, theme);
    replaceChildren(ui.phase, ui.phaseParts.element);
  }
  if (ui.phaseParts.update) ui.phaseParts.update();
  renderMine();
}

function forgetSession() {
  const code = session?.code;
  if (code) storageSet(sessionKey(code), null);
  location.reload();
}

function myId() {
  return session.participant_id;
}

function myTableId() {
  return connection.store.me?.participant?.table || null;
}

function buildPhase(phase, theme) {
  // After the last round the theme no longer applies: showcase, feedback and closing are
  // about the whole workshop.
  const roundPhase = ['writing', 'presenting', 'voting', 'results'].includes(phase);
  const header = theme && roundPhase
    ? h('div', { class: 'theme-head' }, h('p', { class: 'phase-name' }, phaseLabel(phase)), h('h2', { class: 'theme-title' }, theme.title), h('p', { class: 'theme-prompt' }, theme.prompt))
    : h('div', { class: 'theme-head' }, h('p', { class: 'phase-name' }, phaseLabel(phase)));
  switch (phase) {
    case 'lobby':
      return { element: h('section', { class: 'panel' }, header, h('p', { class: 'lead' }, t('lobby.wait'))) };
    case 'writing':
      return buildWriting(header);
    case 'presenting':
      return buildPresenting(header);
    case 'voting':
      return buildVoting(header);
    case 'results':
      return buildResults(header);
    case 'showcase':
      return { element: h('section', { class: 'panel' }, header, h('p', { class: 'lead' }, t('showcase.look')), copyButton()) };
    case 'feedback':
      return buildFeedback(header);
    default:
      return { element: h('section', { class: 'panel' }, header, h('p', { class: 'lead' }, t('closed.thanks')), copyButton()) };
  }
}

// The copy of the results for everyone, offered once the showcase has started.
function copyButton() {
  return h('button', { type: 'button', class: 'button big', onclick: () => downloadExport(session.workshop_id, 'public.xlsx', session.token) }, t('export.my_copy'));
}

function buildWriting(header) {
  const store = connection.store;
  const countdown = countdownElement();
  const draft = storageGet(draftKey(), {});
  const secretCount = h('p', { class: 'hint', 'aria-live': 'polite' });
  const form = secretForm({
    draft,
    defaultCommune: store.me?.participant?.commune || null,
    submitLabel: t('write.submit'),
    withLocation: true,
    onDraft: (value) => storageSet(draftKey(), value),
    onSubmit: (fields) => {
      connection.send({ type: 'submit_secret', fields });
      form.reset();
      announce(t('write.sent'));
      form.focus();
    },
  });
  const element = h('section', { class: 'panel writing' }, header, countdown, h('h3', {}, t('write.heading')), secretCount, form.form);
  everyHalfSecond(countdown, () => updateCountdown(countdown, store, timerFor(store, myTableId())));
  return {
    element,
    update() {
      const theme = currentTheme(store);
      const count = Array.from(store.secrets.values()).filter((s) => s.author === myId() && s.theme === theme?.key).length;
      secretCount.textContent = t('write.count', { count });
    },
  };
}

function presenterControls(store, table, theme) {
  const mine = Array.from(store.secrets.values()).filter((s) => s.author === myId() && s.theme === theme?.key && s.status !== 'rejected');
  const spotlight = table.presenting.spotlight;
  return h(
    'div',
    { class: 'presenter-controls' },
    h('p', { class: 'your-turn' }, t('present.your_turn')),
    mine.length ? null : h('p', {}, t('present.nothing_to_show')),
    mine.map((secret) =>
      h(
        'button',
        {
          type: 'button',
          class: ['button', 'big', secret.id === spotlight ? 'active' : null],
          'aria-pressed': String(secret.id === spotlight),
          onclick: () => connection.send({ type: 'spotlight_secret', secret: secret.id }),
        },
        t('present.show', { title: secret.fields.title }),
      ),
    ),
    h('button', { type: 'button', class: 'primary big', onclick: () => connection.send({ type: 'finish_presenting', table: null }) }, t('present.done')),
  );
}

function buildPresenting(header) {
  const store = connection.store;
  const who = h('p', { class: 'presenter', 'aria-live': 'polite' });
  const spot = h('div', { class: 'spotlight', 'aria-live': 'polite' });
  const controls = h('div');
  const element = h('section', { class: 'panel presenting' }, header, who, spot, controls);
  let controlsKey = null;
  return {
    element,
    update() {
      const table = store.tables.get(myTableId());
      const theme = currentTheme(store);
      if (!table) {
        who.textContent = t('seat.waiting');
        return;
      }
      const { order, current, spotlight } = table.presenting;
      const presenter = order[current];
      if (!presenter) who.textContent = t('present.all_done');
      else if (presenter === myId()) who.textContent = t('present.you');
      else who.textContent = t('present.now', { name: participantName(store, presenter) });
      const secret = spotlight ? store.secrets.get(spotlight) : null;
      const spotKey = secret ? `${secret.id}:${secret.version}` : '';
      if (spot.dataset.key !== spotKey) {
        spot.dataset.key = spotKey;
        replaceChildren(spot, secret ? secretBody(secret, { large: true }) : h('p', { class: 'hint' }, t('present.no_spotlight')));
      }
      const pendingSpot = connection.pending('spotlight_secret').length + connection.pending('finish_presenting').length;
      const key = presenter === myId() ? `me:${spotlight}:${pendingSpot}:${store.secrets.size}` : 'other';
      if (key !== controlsKey) {
        controlsKey = key;
        replaceChildren(controls, presenter === myId() ? presenterControls(store, table, theme) : null);
      }
    },
  };
}

function buildVoting(header) {
  const store = connection.store;
  const status = h('p', { class: 'vote-status', 'aria-live': 'polite' });
  const list = h('ul', { class: 'vote-list' });
  const element = h('section', { class: 'panel voting' }, header, h('h3', {}, t('vote.heading')), h('p', { class: 'hint' }, t('vote.rules')), status, list);
  return {
    element,
    update() {
      const theme = currentTheme(store);
      const pendingVote = connection.pending('cast_vote').at(-1);
      const chosen = pendingVote ? pendingVote.command.secret : store.me?.vote;
      const candidates = Array.from(store.secrets.values())
        .filter((s) => s.theme === theme?.key && s.table === myTableId() && s.author !== myId() && s.status !== 'rejected')
        .sort((a, b) => a.created_at_ms - b.created_at_ms);
      if (pendingVote) status.textContent = t('vote.pending');
      else if (store.me?.vote) status.textContent = t('vote.recorded', { title: store.secrets.get(store.me.vote)?.fields.title || '' });
      else status.textContent = candidates.length ? t('vote.none_yet') : t('vote.no_candidates');
      keyedList(
        list,
        candidates,
        (s) => s.id,
        (s) => `${s.version}:${chosen === s.id}:${Boolean(pendingVote)}`,
        (secret) =>
          h(
            'li',
            { class: ['vote-card', chosen === secret.id ? 'chosen' : null] },
            secretBody(secret),
            h(
              'button',
              {
                type: 'button',
                class: chosen === secret.id ? 'primary big' : 'button big',
                'aria-pressed': String(chosen === secret.id),
                onclick: () => connection.send({ type: 'cast_vote', secret: secret.id }, { replaces: true }),
              },
              chosen === secret.id ? t('vote.my_choice') : t('vote.choose', { title: secret.fields.title }),
            ),
          ),
      );
    },
  };
}

function buildResults(header) {
  const store = connection.store;
  const body = h('div', { 'aria-live': 'polite' });
  const element = h('section', { class: 'panel results' }, header, h('h3', {}, t('results.heading')), body);
  let key = null;
  return {
    element,
    update() {
      const table = store.tables.get(myTableId());
      const moved = store.me?.move_to || null;
      const nextKey = JSON.stringify([table?.winners, table?.tie, table?.tallies, store.secrets.size, moved]);
      if (nextKey === key) return;
      key = nextKey;
      // After a reshuffle the seat is already the new table, whose results are other people's:
      // the large "go to table" panel says all there is to say.
      if (moved) {
        replaceChildren(body);
        return;
      }
      if (!table) {
        replaceChildren(body, h('p', {}, t('seat.waiting')));
        return;
      }
      const winners = (table.winners || []).map((id) => store.secrets.get(id)).filter(Boolean);
      const tally = new Map(table.tallies || []);
      replaceChildren(
        body,
        winners.length
          ? winners.map((secret) => h('div', { class: 'winner' }, h('p', { class: 'winner-label' }, t('results.winner')), secretBody(secret, { large: true }), tally.has(secret.id) ? h('p', {}, t('results.votes', { count: tally.get(secret.id) })) : null))
          : h('p', { class: 'lead' }, table.tie?.length ? t('results.tie') : t('results.waiting')),
      );
    },
  };
}

function buildFeedback(header) {
  const store = connection.store;
  const body = h('div');
  const element = h('section', { class: 'panel feedback' }, header, body, copyButton());
  let built = null;
  return {
    element,
    update() {
      const waiting = connection.pending('submit_feedback').length > 0;
      const done = store.me?.feedback_given || waiting;
      let state = 'form';
      if (waiting) state = 'waiting';
      else if (done) state = 'done';
      if (built === state) return;
      built = state;
      if (done) {
        replaceChildren(body, h('p', { class: 'lead', role: 'status' }, waiting ? t('feedback.pending') : t('feedback.thanks')));
        return;
      }
      replaceChildren(body, feedbackForm());
    },
  };
}

function feedbackForm() {
  const draftKeyFeedback = `${draftKey()}.feedback`;
  const draft = storageGet(draftKeyFeedback, {});
  const save = () => storageSet(draftKeyFeedback, draft);
  const stars = h('fieldset', { class: 'rating' }, h('legend', {}, t('feedback.rating')));
  for (let value = 1; value <= 5; value += 1) {
    const id = `rating-${value}`;
    const input = h('input', { type: 'radio', name: 'rating', id, value: String(value), checked: draft.rating === value });
    input.addEventListener('change', () => { draft.rating = value; save(); });
    stars.append(h('span', { class: 'rating-option' }, input, h('label', { for: id }, t(`feedback.rating_${value}`))));
  }
  const comment = textField({ label: t('feedback.comment'), value: draft.comment || '', max: LIMITS.note, multiline: true, rows: 4, onInput: (v) => { draft.comment = v; save(); } });
  const invite = textField({ label: t('feedback.invite'), value: draft.invite || '', max: LIMITS.note, hint: t('feedback.invite_hint'), onInput: (v) => { draft.invite = v; save(); } });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { novalidate: true }, h('h3', {}, t('feedback.heading')), stars, comment.element, invite.element, error, h('button', { type: 'submit', class: 'primary big' }, t('feedback.submit')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!draft.rating) {
      error.textContent = t('feedback.rating_missing');
      stars.querySelector('input').focus();
      return;
    }
    connection.send({ type: 'submit_feedback', rating: draft.rating, comment: comment.value.trim(), invite_suggestion: invite.value.trim() });
    storageSet(draftKeyFeedback, null);
  });
  return form;
}

function renderMine() {
  const store = connection.store;
  const pending = connection.pending('submit_secret');
  const mine = Array.from(store.secrets.values())
    .filter((s) => s.author === myId())
    .sort((a, b) => b.created_at_ms - a.created_at_ms);
  if (!ui.mine.firstChild) {
    ui.mine.append(h('h2', { id: 'mine-title' }, t('mine.heading')), h('ul', { class: 'mine-list', 'aria-live': 'polite' }));
  }
  const list = ui.mine.querySelector('ul');
  const themes = new Map((store.workshop.themes || []).map((theme) => [theme.key, theme.title]));
  // A secret the server stored but whose acknowledgement was lost is both in the outbox and
  // in the view until the retry is acknowledged: it is listed once, as stored.
  const stored = new Set(mine.map((secret) => `${secret.fields.title}\n${secret.fields.text}`));
  const unsent = pending.filter((entry) => !stored.has(`${entry.command.fields.title.trim()}\n${entry.command.fields.text.trim()}`));
  const items = [
    ...unsent.map((entry) => ({ key: entry.op, pending: true, fields: entry.command.fields })),
    ...mine.map((secret) => ({ key: secret.id, secret })),
  ];
  ui.mine.hidden = items.length === 0;
  keyedList(
    list,
    items,
    (item) => item.key,
    (item) => (item.pending ? 'pending' : `${item.secret.version}:${item.secret.status}:${item.secret.edited}`),
    (item) => {
      if (item.pending) {
        return h('li', { class: 'mine-item' }, h('span', { class: 'badge badge-waiting' }, t('mine.waiting')), h('p', { class: 'mine-title' }, item.fields.title));
      }
      const secret = item.secret;
      return h(
        'li',
        { class: 'mine-item' },
        statusBadge(secret),
        secret.edited ? h('span', { class: 'badge badge-edited' }, t('mine.edited')) : null,
        secret.late ? h('span', { class: 'badge' }, t('mine.late')) : null,
        h('p', { class: 'mine-theme' }, themes.get(secret.theme) || secret.theme),
        h('details', {}, h('summary', { class: 'mine-title' }, secret.fields.title), secretBody(secret, { showAuthor: false })),
        secret.status === 'rejected' && secret.reject_reason ? h('p', { class: 'hint' }, t('mine.rejected_because', { reason: t(`reason.${secret.reject_reason}`) })) : null,
        secret.moderation_note ? h('p', { class: 'hint' }, t('mine.note', { note: secret.moderation_note })) : null,
      );
    },
  );
}
