// Message catalog lookup. French is the default; the choice is remembered per device.
import fr from './fr.js';
import en from './en.js';
import { storageGet, storageSet } from '../dom.js';

const catalogs = { fr, en };
const listeners = new Set();
let current = storageGet('atelier.lang') === 'en' ? 'en' : 'fr';

export function lang() {
  return current;
}

export function setLang(next) {
  if (!catalogs[next] || next === current) return;
  current = next;
  storageSet('atelier.lang', next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

export function onLangChange(listener) {
  listeners.add(listener);
}

// Looks a key up and replaces each {name} with params.name. A missing key shows the key
// itself so that the gap is visible on screen and in the catalog test.
export function t(key, params = {}) {
  const template = catalogs[current][key] ?? catalogs.fr[key];
  if (template === undefined) {
    console.warn(`missing message key: ${key}`);
    return key;
  }
  return template.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

// Picks the message of a server error or notice in the current language.
export function serverMessage(error) {
  if (!error) return '';
  return current === 'en' ? error.message_en || error.message_fr : error.message_fr || error.message_en;
}

export function formatTime(ms) {
  return new Date(ms).toLocaleTimeString(current === 'en' ? 'en-GB' : 'fr-FR', { hour: '2-digit', minute: '2-digit' });
}
