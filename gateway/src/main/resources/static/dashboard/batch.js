// A Batch client for the browser: every call signed with the account's key (Azure Batch SharedKey,
// as the official SDKs sign), the event stream read with fetch so that it can be signed too.

export const API_VERSION = '2024-07-01.20.0';

/** A Batch error answer: its HTTP status, its code and message as the error body gives them. */
export class BatchError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

// Percent-encodes as the gateway decodes: a space is %20, never '+'. '$' and ',' stay readable.
function enc(s) {
  return encodeURIComponent(s).replace(/%24/g, '$').replace(/%2C/g, ',');
}

/** A query string from an object, in its order; undefined and null values are left out. */
export function query(params) {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`)
    .join('&');
}

/** Path segments, each percent-encoded: path('pools', id, 'nodes') is /pools/<id>/nodes. */
export function path(...segments) {
  return '/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

function base64ToBytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(bytes) {
  let bin = '';
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin);
}

function decodeParam(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class BatchClient {
  constructor(account, key, origin = location.origin) {
    if (!globalThis.crypto || !crypto.subtle) {
      throw new BatchError(0, 'InsecureContext',
        'This browser gives Web Crypto, which signs the requests, only to pages served over HTTPS or from localhost: '
        + 'open the dashboard at http://127.0.0.1 or http://localhost, or behind TLS.');
    }
    this.account = account;
    this.origin = origin;
    let raw;
    try {
      raw = base64ToBytes(key.trim());
    } catch {
      throw new BatchError(0, 'InvalidKey', 'The key is not base64: copy it as the account shows it.');
    }
    this.keyPromise = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  }

  /** The SharedKey Authorization of a request without a body, over its raw path and query. */
  async authorization(method, rawPath, rawQuery, ocpHeaders) {
    const lines = [method.toUpperCase(), '', '', '', '', '', '', '', '', '', '', '', ''];
    const names = Object.keys(ocpHeaders).map((n) => n.toLowerCase()).sort();
    const lower = Object.fromEntries(Object.entries(ocpHeaders).map(([k, v]) => [k.toLowerCase(), v]));
    let sts = lines.join('\n');
    for (const n of names) sts += `${n}:${lower[n]}\n`;
    sts += `/${this.account}${rawPath || '/'}`;
    const params = new Map();
    for (const pair of (rawQuery || '').split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const name = decodeParam(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
      const value = eq < 0 ? '' : decodeParam(pair.slice(eq + 1));
      params.set(name, [...(params.get(name) || []), value]);
    }
    for (const name of [...params.keys()].sort()) {
      sts += `\n${name}:${params.get(name).sort().join(',')}`;
    }
    const mac = await crypto.subtle.sign('HMAC', await this.keyPromise, new TextEncoder().encode(sts));
    return `SharedKey ${this.account}:${bytesToBase64(mac)}`;
  }

  /** A signed GET of a path with its query (raw, as it will be sent), or of an absolute URL the service gave. */
  async fetch(target, { headers = {}, signal } = {}) {
    const url = new URL(target, this.origin);
    const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : '';
    const ocp = { 'ocp-date': new Date().toUTCString() };
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase().startsWith('ocp-')) ocp[k.toLowerCase()] = v;
    const all = { ...headers, ...ocp, Authorization: await this.authorization('GET', url.pathname, rawQuery, ocp) };
    return fetch(url.pathname + url.search, { headers: all, signal, cache: 'no-store' });
  }

  static async errorOf(res) {
    let code;
    let message;
    try {
      const body = await res.json();
      code = body.code;
      message = body.message && (body.message.value ?? body.message);
    } catch {
      // no Batch error body
    }
    return new BatchError(res.status, code, message || `HTTP ${res.status}`);
  }

  /** GET of a Batch resource as JSON: {@code get(path('pools', id))}. */
  async get(p, params = {}) {
    const res = await this.fetch(`${p}?${query({ 'api-version': API_VERSION, ...params })}`);
    if (!res.ok) throw await BatchClient.errorOf(res);
    return res.json();
  }

  /** Every item of a list, following odata.nextLink, up to {@code limit} items. */
  async list(p, params = {}, limit = 5000) {
    const items = [];
    let next = `${p}?${query({ 'api-version': API_VERSION, ...params })}`;
    while (next && items.length < limit) {
      const res = await this.fetch(next);
      if (!res.ok) throw await BatchClient.errorOf(res);
      const body = await res.json();
      items.push(...(body.value || []));
      next = body['odata.nextLink'];
    }
    return items.slice(0, limit);
  }

  /**
   * The bytes of a file from {@code from} on: {bytes, read}. A file not there yet is null; nothing
   * new past {@code from} is no bytes.
   */
  async tail(p, from) {
    const headers = from > 0 ? { 'ocp-range': `bytes=${from}-` } : {};
    const res = await this.fetch(`${p}?${query({ 'api-version': API_VERSION })}`, { headers });
    if (res.status === 404) return null;
    if (res.status === 416) return { bytes: new Uint8Array(0), read: 0 };
    if (!res.ok) throw await BatchClient.errorOf(res);
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { bytes, read: bytes.length };
  }

  /**
   * Follows the event stream ({@code GET /events}) until {@code signal} aborts, calling
   * {@code onEvent({id, type, data})} for each event and resuming after a dropped connection from
   * the last id received. {@code onState('open'|'retrying', detail)} tells how the stream stands.
   */
  async follow(params, onEvent, signal, onState = () => {}) {
    let lastId = null;
    while (!signal.aborted) {
      try {
        const q = query(lastId ? { ...params, from: undefined, lastEventId: lastId } : params);
        const res = await this.fetch(`/events${q ? '?' + q : ''}`, { signal, headers: { Accept: 'text/event-stream' } });
        if (!res.ok) throw await BatchClient.errorOf(res);
        onState('open');
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = { id: null, type: 'message', data: '' };
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              if (colon === 0) continue;
              const field = colon < 0 ? line : line.slice(0, colon);
              const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'id') event.id = val;
              else if (field === 'event') event.type = val;
              else if (field === 'data') event.data += (event.data ? '\n' : '') + val;
            }
            if (event.id) lastId = event.id;
            if (event.type === 'error') {
              const problem = JSON.parse(event.data || '{}');
              if (problem.code === 'EventPositionExpired') lastId = null;
              throw new BatchError(0, problem.code, problem.message);
            }
            if (event.data) onEvent({ id: event.id, type: event.type, data: JSON.parse(event.data) });
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        onState('retrying', e.message);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
