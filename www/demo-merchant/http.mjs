// HTTP plumbing of the demo merchant, kept small enough to read in one go: a router (method +
// path → handler), the JSON answers, and the bounded body readers. The handlers themselves are in
// sessions.mjs, orders.mjs and notify.mjs; the route table is in server.mjs.

/** Bodies over this size are refused with 413 before they are read to the end. */
export const MAX_BODY = 64 * 1024;

/**
 * Routes a request by method and path. A path is matched segment by segment; `:name` matches
 * one segment (percent-decoded) and lands in `params.name`. A known path with another method
 * is 405, an unknown path 404, both as JSON.
 *
 *   const router = new Router().get('/api/orders/:orderId', getOrder);
 *   await router.handle(ctx, req, res); // getOrder(ctx, req, res, { path, params })
 */
export class Router {
  constructor() {
    /** @type {{ method: string, pattern: string, match: (path: string) => object | null, handler: Function }[]} */
    this.routes = [];
  }

  get(pattern, handler) {
    return this.add('GET', pattern, handler);
  }

  post(pattern, handler) {
    return this.add('POST', pattern, handler);
  }

  delete(pattern, handler) {
    return this.add('DELETE', pattern, handler);
  }

  add(method, pattern, handler) {
    this.routes.push({ method, pattern, match: compile(pattern), handler });
    return this;
  }

  /** `METHOD /pattern` of every route, in order (for the index page). */
  list() {
    return this.routes.map((r) => `${r.method} ${r.pattern}`);
  }

  /** Runs the handler of the route that matches, or answers 404 / 405. */
  async handle(ctx, req, res) {
    const path = new URL(req.url, 'http://merchant').pathname;
    let pathKnown = false;
    for (const route of this.routes) {
      const params = route.match(path);
      if (!params) continue;
      pathKnown = true;
      if (route.method === req.method) return route.handler(ctx, req, res, { path, params });
    }
    if (pathKnown) return sendJson(res, 405, { error: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed on ${path}` });
    return sendJson(res, 404, { error: 'NOT_FOUND', message: `no route ${req.method} ${path}` });
  }
}

/** `/api/orders/:orderId` → a function of a path giving `{ orderId }` or null. */
function compile(pattern) {
  const parts = pattern.split('/');
  return (path) => {
    const segments = path.split('/');
    if (segments.length !== parts.length) return null;
    const params = {};
    for (const [i, part] of parts.entries()) {
      if (part.startsWith(':')) {
        if (segments[i] === '') return null;
        params[part.slice(1)] = safeDecode(segments[i]);
      } else if (part !== segments[i]) {
        return null;
      }
    }
    return params;
  };
}

/** A path segment percent-decoded, or as it came when it is not valid percent-encoding. */
function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Answers JSON. Deliberately no CORS headers: the mini program reaches us through the super app's relay. */
export function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The answer while the identity is still loading: `503 WALLET_NOT_READY`. */
export function walletNotReady(ctx, res) {
  return sendJson(res, 503, {
    error: 'WALLET_NOT_READY',
    message: `the merchant has no identity yet: is the super app sandbox running at ${ctx.config.sandbox}?`,
  });
}

/** The raw body (a Buffer), or undefined after answering 413 (or dropping a broken connection). */
export async function readRaw(req, res) {
  const chunks = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_BODY) {
        sendJson(res, 413, { error: 'TOO_LARGE', message: `body over ${MAX_BODY} bytes` });
        return undefined;
      }
      chunks.push(chunk);
    }
  } catch {
    res.destroy();
    return undefined;
  }
  return Buffer.concat(chunks);
}

/** The parsed JSON body, or undefined after answering 400 / 413. */
export async function readJson(req, res) {
  const raw = await readRaw(req, res);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    sendJson(res, 400, { error: 'INVALID_JSON', field: 'body', message: 'body is not valid JSON' });
    return undefined;
  }
}
