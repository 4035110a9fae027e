// Downloads of a workshop's results. The server wants the token in an Authorization header,
// so the file is fetched and handed to the browser as a blob rather than through a plain link.

import { h, announce } from './dom.js';
import { t, serverMessage } from './i18n/index.js';

export const STAFF_EXPORTS = ['staff.xlsx', 'public.xlsx', 'public.csv', 'tourinsoft.xlsx', 'tourinsoft.csv', 'datatourisme.jsonld', 'secrets.geojson'];

function fileNameOf(response, fallback) {
  const disposition = response.headers.get('Content-Disposition') || '';
  const match = disposition.match(/filename="([^"]+)"/);
  return match ? match[1] : fallback;
}

export async function downloadExport(workshopId, file, token) {
  let response;
  try {
    response = await fetch(`/api/workshops/${encodeURIComponent(workshopId)}/exports/${file}`, { headers: { Authorization: `Bearer ${token}` } });
  } catch {
    announce(t('export.failed'), 'error');
    return;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    announce(body?.error ? serverMessage(body.error) : t('export.failed'), 'error');
    return;
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: fileNameOf(response, file), class: 'visually-hidden' });
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has started the download by then; the object URL only needs to outlive it.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// A row of buttons, one per export file.
export function exportButtons(workshopId, token, files = STAFF_EXPORTS) {
  return h(
    'div',
    { class: 'button-row', role: 'group', 'aria-label': t('export.heading') },
    files.map((file) => h('button', { type: 'button', class: 'button', onclick: () => downloadExport(workshopId, file, token) }, t(`export.${file}`))),
  );
}
