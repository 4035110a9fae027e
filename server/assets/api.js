// JSON over HTTP. Errors carry the server's ProtoError when it sent one.

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message_en || `HTTP ${status}`);
    this.status = status;
    this.error = error || null;
  }
}

export async function api(path, { method = 'GET', body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (cause) {
    throw new ApiError(0, null);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    // The server wraps errors as {"error": ProtoError} or sends the ProtoError itself.
    let error = null;
    if (data && data.error && data.error.code) error = data.error;
    else if (data && data.code) error = data;
    throw new ApiError(response.status, error);
  }
  return data;
}

export function qrUrl(text) {
  return `/api/qr.svg?text=${encodeURIComponent(text)}`;
}

let serverInfo = null;
export async function joinBaseUrl() {
  if (!serverInfo) {
    try {
      serverInfo = await api('/api/server-info');
    } catch {
      serverInfo = {};
    }
  }
  return (serverInfo.join_base_url || location.origin).replace(/\/+$/, '');
}
