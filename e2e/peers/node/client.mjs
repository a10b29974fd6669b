// client.mjs: the official MCP TypeScript SDK as a client of the plugin, for
// the interoperability tests in e2e/peers. Started by the Go test:
//
//   MCP_CLIENT_SECRET=… node client.mjs --client-id ID [--scope "s1 s2"] [--expected-issuer URL]
//
// It authenticates with the SDK's own ClientCredentialsProvider; the only
// thing it is told is the MCP URL of each connection: the authorization
// server, the resource indicator and the token endpoint come from the
// plugin's 401 (resource_metadata → metadata document → authorization
// server metadata). --expected-issuer is the SDK's guard that the client
// secret is only sent to that server; discovery still finds the server.
//
// It reads commands, one JSON object a line, on stdin, and writes what it
// observed, one JSON object a line, on stdout:
//   {"id":1,"op":"connect","session":"a","url":"http://127.0.0.1:P/mcp"}
//   {"id":2,"op":"list","session":"a"}
//   {"id":3,"op":"call","session":"a","tool":"whoami","arguments":{}}
//   {"id":4,"op":"seed_token","access_token":"…"}   (store a token as if obtained earlier)
//   {"id":5,"op":"close","session":"a"}
//   {"id":6,"op":"exit"}
// Each command is answered by {"id":…,"op":…,"ok":true|false,…}. Every HTTP
// exchange the SDK makes is reported as {"event":"http",…} (status,
// WWW-Authenticate, Retry-After, whether a bearer token was sent, the token
// request's grant_type/scope/resource and the issued token's header and
// claims, never the token itself or the secret).
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';

const { values: args } = parseArgs({
  options: {
    'client-id': { type: 'string' },
    scope: { type: 'string' },
    'expected-issuer': { type: 'string' },
    'request-timeout-ms': { type: 'string', default: '20000' },
  },
});
const clientSecret = process.env.MCP_CLIENT_SECRET;
if (!args['client-id'] || !clientSecret) {
  console.error('usage: MCP_CLIENT_SECRET=… node client.mjs --client-id ID [--scope S] [--expected-issuer URL]');
  process.exit(2);
}
const requestTimeout = Number(args['request-timeout-ms']);

function emit(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

// One OAuth client (one token store) shared by every connection, as one
// application talking to several endpoints of the same resource would.
const provider = new ClientCredentialsProvider({
  clientId: args['client-id'],
  clientSecret,
  scope: args.scope,
  ...(args['expected-issuer'] ? { expectedIssuer: args['expected-issuer'] } : {}),
});

function decodeJWTPart(part) {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

function describeToken(accessToken) {
  const parts = String(accessToken).split('.');
  if (parts.length !== 3) return { format: 'opaque' };
  const header = decodeJWTPart(parts[0]) ?? {};
  const claims = decodeJWTPart(parts[1]) ?? {};
  return {
    header: { alg: header.alg, kid: header.kid, typ: header.typ },
    claims: {
      iss: claims.iss, sub: claims.sub, aud: claims.aud, scope: claims.scope,
      client_id: claims.client_id, iat: claims.iat, exp: claims.exp,
    },
  };
}

function formParams(body) {
  let params;
  if (body instanceof URLSearchParams) params = body;
  else if (typeof body === 'string' && body.includes('grant_type=')) params = new URLSearchParams(body);
  else return undefined;
  const out = {};
  for (const name of ['grant_type', 'scope', 'resource']) {
    if (params.has(name)) out[name] = params.get(name);
  }
  return out;
}

// observingFetch reports each exchange; it is the transport's fetch, which
// the SDK also uses for discovery and the token request.
async function observingFetch(input, init = {}) {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const method = init.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET');
  const headers = new Headers(init.headers ?? (typeof input === 'object' && 'headers' in input ? input.headers : undefined));
  const auth = headers.get('authorization') ?? '';
  const event = {
    event: 'http',
    method,
    url,
    sent_bearer: auth.toLowerCase().startsWith('bearer '),
    sent_basic: auth.toLowerCase().startsWith('basic '),
  };
  const form = formParams(init.body);
  if (form) event.token_request = form;
  let response;
  try {
    response = await fetch(input, init);
  } catch (err) {
    emit({ ...event, fetch_error: String(err?.cause ?? err) });
    throw err;
  }
  event.status = response.status;
  const www = response.headers.get('www-authenticate');
  if (www) event.www_authenticate = www;
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter) event.retry_after = retryAfter;
  if (form) {
    try {
      const body = await response.clone().json();
      if (body.access_token) {
        event.token = { ...describeToken(body.access_token), scope: body.scope, expires_in: body.expires_in };
      } else {
        event.token_error = { error: body.error, error_description: body.error_description };
      }
    } catch {
      event.token_error = { error: 'unparseable token response' };
    }
  }
  emit(event);
  return response;
}

function describeError(err) {
  return {
    name: err?.constructor?.name ?? typeof err,
    message: String(err?.message ?? err),
    code: err?.code,
  };
}

const sessions = new Map();

async function connect(cmd) {
  const transport = new StreamableHTTPClientTransport(new URL(cmd.url), {
    authProvider: provider,
    fetch: observingFetch,
    // Keep the tests' timelines short: the standalone SSE stream is not
    // what is being tested, so do not retry it for long.
    reconnectionOptions: { maxReconnectionDelay: 2000, initialReconnectionDelay: 500, reconnectionDelayGrowFactor: 2, maxRetries: 2 },
  });
  const client = new Client({ name: 'e2e-peers-client', version: '1.0.0' });
  client.onerror = (err) => emit({ event: 'client_error', session: cmd.session, error: describeError(err) });
  try {
    await client.connect(transport, { timeout: requestTimeout });
  } catch (err) {
    await transport.close().catch(() => {});
    throw err;
  }
  sessions.set(cmd.session, { client, transport });
  return { session_id: transport.sessionId ?? null, server: client.getServerVersion() };
}

function session(cmd) {
  const s = sessions.get(cmd.session);
  if (!s) throw new Error(`no session ${cmd.session}`);
  return s;
}

async function run(cmd) {
  switch (cmd.op) {
    case 'connect':
      return connect(cmd);
    case 'list': {
      const { tools } = await session(cmd).client.listTools(undefined, { timeout: requestTimeout });
      return { tools: tools.map((t) => t.name).sort() };
    }
    case 'call': {
      const result = await session(cmd).client.callTool(
        { name: cmd.tool, arguments: cmd.arguments ?? {} }, undefined, { timeout: requestTimeout },
      );
      return {
        is_error: Boolean(result.isError),
        text: (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n'),
      };
    }
    case 'seed_token':
      provider.saveTokens({ access_token: cmd.access_token, token_type: 'Bearer' });
      return {};
    case 'close': {
      const s = session(cmd);
      sessions.delete(cmd.session);
      await s.transport.terminateSession().catch(() => {});
      await s.client.close();
      return {};
    }
    default:
      throw new Error(`unknown op ${cmd.op}`);
  }
}

async function exit(code) {
  for (const { client } of sessions.values()) {
    await client.close().catch(() => {});
  }
  process.exit(code);
}

const lines = createInterface({ input: process.stdin });
// Commands run one at a time, in order, so the test's script is the
// client's timeline.
let queue = Promise.resolve();
lines.on('line', (line) => {
  if (!line.trim()) return;
  queue = queue.then(async () => {
    let cmd;
    try {
      cmd = JSON.parse(line);
    } catch (err) {
      emit({ ok: false, error: describeError(err) });
      return;
    }
    if (cmd.op === 'exit') {
      emit({ id: cmd.id, op: 'exit', ok: true });
      await exit(0);
    }
    try {
      const result = await run(cmd);
      emit({ id: cmd.id, op: cmd.op, ok: true, ...result });
    } catch (err) {
      emit({ id: cmd.id, op: cmd.op, ok: false, error: describeError(err) });
    }
  });
});
lines.on('close', () => queue.then(() => exit(0)));
const sdkVersion = JSON.parse(readFileSync(new URL('./node_modules/@modelcontextprotocol/sdk/package.json', import.meta.url), 'utf8')).version;
emit({ event: 'ready', sdk: `@modelcontextprotocol/sdk@${sdkVersion}` });
