// The WebSocket session of one device: hello, snapshot or resume, commands with operation
// ids, and an outbox kept in localStorage so that nothing typed is lost on a reload.
//
// Every command is stored before it is sent and removed only when the server acknowledges or
// rejects it. On reconnect the outbox is sent again with the SAME operation ids: the server
// applies an id once and replies to a retry with the original acknowledgement.

import { randomId, storageGet, storageSet } from './dom.js';
import { createStore, applyWelcome, applyEvent, applyLive } from './store.js';

const PROTOCOL_VERSION = 1;
const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 15000;
const PING_EVERY_MS = 20000;
// Without any message for this long, the socket is assumed dead (phones on weak Wi-Fi often
// keep a half-open TCP connection that never reports an error).
const SILENCE_LIMIT_MS = 45000;
const FATAL_CODES = new Set(['invalid_token', 'unsupported_version', 'unknown_workshop']);

export class Connection {
  constructor({ token, storageKey }) {
    this.token = token;
    this.outboxKey = `atelier.outbox.${storageKey}`;
    this.outbox = storageGet(this.outboxKey, []);
    this.store = createStore();
    this.lastSeq = null;
    this.socket = null;
    this.status = 'connecting';
    this.fatal = null;
    this.attempt = 0;
    this.listeners = { change: new Set(), status: new Set(), error: new Set(), notice: new Set(), ack: new Set() };
    this.pingTimer = null;
    this.lastMessageAt = 0;
    this.retryTimer = null;
    window.addEventListener('online', () => this.reconnectNow());
    window.addEventListener('offline', () => this.dropSocket());
  }

  on(kind, listener) {
    this.listeners[kind].add(listener);
    return () => this.listeners[kind].delete(listener);
  }

  emit(kind, ...args) {
    for (const listener of this.listeners[kind]) {
      try {
        listener(...args);
      } catch (error) {
        console.error(error);
      }
    }
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.emit('status', status);
  }

  start() {
    this.open();
    this.pingTimer = setInterval(() => this.keepAlive(), PING_EVERY_MS / 2);
  }

  open() {
    if (this.fatal) return;
    clearTimeout(this.retryTimer);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    let socket;
    try {
      socket = new WebSocket(`${scheme}://${location.host}/ws`);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    this.setStatus(navigator.onLine === false ? 'offline' : 'connecting');
    socket.addEventListener('open', () => {
      this.lastMessageAt = Date.now();
      const hello = { type: 'hello', v: PROTOCOL_VERSION, token: this.token };
      if (this.store.ready && this.lastSeq !== null) hello.last_seq = this.lastSeq;
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener('message', (message) => {
      if (socket !== this.socket) return;
      this.lastMessageAt = Date.now();
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      this.handle(data);
    });
    socket.addEventListener('close', () => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.scheduleRetry();
    });
  }

  scheduleRetry() {
    if (this.fatal) return;
    this.setStatus(navigator.onLine === false ? 'offline' : 'connecting');
    // Full jitter spreads the reconnections of a whole room after the Wi-Fi comes back.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.attempt);
    this.attempt += 1;
    const delay = BACKOFF_START_MS / 2 + Math.random() * ceiling;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  // The browser reports that the network is gone. The socket is dead even if no error came
  // yet, so it is dropped and commands wait in the outbox until the network is back.
  dropSocket() {
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close();
    this.setStatus('offline');
    clearTimeout(this.retryTimer);
  }

  reconnectNow() {
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    this.attempt = 0;
    this.open();
  }

  keepAlive() {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastMessageAt > SILENCE_LIMIT_MS) {
      const stale = this.socket;
      this.socket = null;
      stale.close();
      this.scheduleRetry();
      return;
    }
    this.socket.send(JSON.stringify({ type: 'ping' }));
  }

  handle(message) {
    switch (message.type) {
      case 'welcome':
        this.attempt = 0;
        applyWelcome(this.store, message);
        this.lastSeq = message.seq;
        this.setStatus('online');
        this.flush();
        this.emit('change');
        break;
      case 'event':
        if (this.lastSeq !== null && message.seq <= this.lastSeq) return;
        this.lastSeq = message.seq;
        for (const change of message.changes || []) {
          const notice = applyEvent(this.store, change);
          if (notice) this.emit('notice', notice);
        }
        this.emit('change');
        break;
      case 'live':
        applyLive(this.store, message.live);
        this.emit('change');
        break;
      case 'ack':
        this.settle(message.op);
        this.emit('ack', message.op, message.result);
        break;
      case 'error': {
        const entry = message.op ? this.settle(message.op) : null;
        if (!message.op && FATAL_CODES.has(message.error?.code)) {
          this.fatal = message.error;
          this.setStatus('failed');
          if (this.socket) this.socket.close();
        }
        this.emit('error', message.error, entry);
        break;
      }
      default:
        break;
    }
  }

  settle(op) {
    const entry = this.outbox.find((item) => item.op === op) || null;
    if (entry) {
      this.outbox = this.outbox.filter((item) => item.op !== op);
      this.saveOutbox();
      this.emit('change');
    }
    return entry;
  }

  saveOutbox() {
    storageSet(this.outboxKey, this.outbox.length ? this.outbox : null);
  }

  flush() {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN || this.status !== 'online') return;
    for (const entry of this.outbox) {
      this.socket.send(JSON.stringify({ type: 'cmd', op: entry.op, command: entry.command }));
    }
  }

  // Queues a command and sends it when connected. `replaces` drops a queued command of the
  // same kind that was never acknowledged (a newer vote replaces an unsent older one).
  send(command, { replaces = false } = {}) {
    if (replaces) {
      this.outbox = this.outbox.filter((item) => item.command.type !== command.type);
    }
    const entry = { op: randomId(), command, queuedAt: Date.now() };
    this.outbox.push(entry);
    this.saveOutbox();
    if (this.socket && this.socket.readyState === WebSocket.OPEN && this.status === 'online') {
      this.socket.send(JSON.stringify({ type: 'cmd', op: entry.op, command }));
    }
    this.emit('change');
    return entry.op;
  }

  pending(type) {
    return type ? this.outbox.filter((item) => item.command.type === type) : this.outbox;
  }
}
