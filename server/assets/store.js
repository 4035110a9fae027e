// The role's view of a workshop: a snapshot, then events that replace one entity each.

export function createStore() {
  return {
    ready: false,
    role: null,
    participantId: null,
    workshop: null,
    stage: null,
    clockOffset: 0,
    me: null,
    participants: new Map(),
    secrets: new Map(),
    tables: new Map(),
    reshuffle: null,
    showcase: null,
    feedback: new Map(),
    online: new Set(),
    // Staff only: table id → reasons why the facilitator should look at that table.
    stuck: new Map(),
    questions: [],
  };
}

function byId(list, keyName = 'id') {
  return new Map((list || []).map((item) => [item[keyName], item]));
}

export function applyWelcome(store, welcome) {
  store.role = welcome.role;
  store.participantId = welcome.participant_id || null;
  if (welcome.snapshot) applySnapshot(store, welcome.snapshot);
}

export function applyLive(store, live) {
  store.online = new Set(live?.online || []);
  store.stuck = new Map((live?.stuck || []).map((item) => [item.table, item.reasons || []]));
}

function applySnapshot(store, snap) {
  store.ready = true;
  store.workshop = snap.workshop;
  setStage(store, snap.stage);
  store.me = snap.me || null;
  store.participants = byId(snap.participants);
  store.secrets = byId(snap.secrets);
  store.tables = byId(snap.tables);
  store.reshuffle = snap.reshuffle || null;
  store.showcase = snap.showcase || null;
  store.feedback = byId(snap.feedback, 'participant');
  applyLive(store, snap.live);
}

function setStage(store, stage) {
  store.stage = stage;
  store.clockOffset = stage.server_now_ms - Date.now();
}

// Returns a notice to show, if the event is one.
export function applyEvent(store, event) {
  switch (event.kind) {
    case 'stage': {
      const { kind, ...stage } = event;
      setStage(store, stage);
      break;
    }
    case 'participant': {
      const { kind, ...participant } = event;
      store.participants.set(participant.id, participant);
      break;
    }
    case 'secret': {
      const { kind, ...secret } = event;
      store.secrets.set(secret.id, secret);
      break;
    }
    case 'secret_removed':
      store.secrets.delete(event.id);
      break;
    case 'table': {
      const { kind, ...table } = event;
      store.tables.set(table.id, table);
      break;
    }
    case 'me': {
      const { kind, ...me } = event;
      store.me = me;
      store.participants.set(me.participant.id, { ...store.participants.get(me.participant.id), ...me.participant });
      break;
    }
    case 'reshuffle':
      store.reshuffle = event.reshuffle || null;
      break;
    case 'showcase': {
      const { kind, ...showcase } = event;
      store.showcase = showcase;
      break;
    }
    case 'feedback': {
      const { kind, ...feedback } = event;
      store.feedback.set(feedback.participant, feedback);
      break;
    }
    case 'question':
      store.questions.push({ table: event.table, text: event.text, at: Date.now() });
      break;
    case 'reset': {
      // A participant whose table or round changed gets a whole new view. Who is online is
      // not part of that view, so the last known value is kept.
      const { kind, ...snapshot } = event;
      const live = { online: Array.from(store.online), stuck: Array.from(store.stuck, ([table, reasons]) => ({ table, reasons })) };
      applySnapshot(store, { ...snapshot, live: snapshot.live && snapshot.live.online?.length ? snapshot.live : live });
      break;
    }
    case 'notice':
      return event;
    default:
      console.warn('unknown event kind', event.kind);
  }
  return null;
}

export function serverNow(store) {
  return Date.now() + store.clockOffset;
}

export function currentTheme(store) {
  const round = store.stage?.round;
  if (round === null || round === undefined || !store.workshop) return null;
  return store.workshop.themes[round] || null;
}

// The countdown that applies to a table: its own when it differs from the room's.
export function timerFor(store, tableId) {
  const table = tableId ? store.tables.get(tableId) : null;
  if (table && (table.timer.ends_at_ms != null || table.timer.paused_remaining_ms != null)) return table.timer;
  return store.stage?.timer || {};
}

// Remaining milliseconds of a timer (never negative) and whether it is paused.
export function remaining(store, timer) {
  if (!timer) return null;
  if (timer.paused_remaining_ms != null) return { ms: Math.max(0, timer.paused_remaining_ms), paused: true };
  if (timer.ends_at_ms != null) return { ms: Math.max(0, timer.ends_at_ms - serverNow(store)), paused: false };
  return null;
}

export function formatCountdown(ms) {
  const total = Math.ceil(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

export function participantName(store, id) {
  return store.participants.get(id)?.name || id;
}

export function secretsOfTheme(store, themeKey) {
  return Array.from(store.secrets.values())
    .filter((secret) => secret.theme === themeKey)
    .sort((a, b) => a.created_at_ms - b.created_at_ms);
}
