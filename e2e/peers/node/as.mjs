// as.mjs: a real OAuth 2.1 authorization server (oidc-provider) for the
// interoperability tests in e2e/peers. It is started by the Go test:
//
//   node as.mjs <settings.json>
//
// settings.json (written by the test, re-read at every start, so a restart
// with a changed file is how keys are rotated):
//   port                 listen port on 127.0.0.1 (0: any free port)
//   keys                 private JWKs (RSA and EC). The published JWKS is their
//                        public parts; access tokens are signed with the key
//                        whose kid is signing_kid.
//   signing_kid, signing_alg
//   access_token_ttl_s   lifetime of client-credentials access tokens
//   resources            {"<resource indicator>": "<space-separated scopes>"}
//   clients              [{client_id, client_secret, scope, token_ttl_s?}]:
//                        scope is what the client may obtain for any
//                        resource; token_ttl_s overrides access_token_ttl_s.
//
// The issuer is http://127.0.0.1:<port> (loopback: no TLS). Access tokens
// are RFC 9068 JWTs whose aud is the requested resource (RFC 8707). One JSON
// line {"event":"listening","issuer":…} on stdout says it is ready; every
// request and every issued token or grant error is logged on stderr, so the
// test can print them when it fails.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const settingsPath = process.argv[2];
if (!settingsPath) {
  console.error('usage: node as.mjs <settings.json>');
  process.exit(2);
}
const settings = JSON.parse(readFileSync(settingsPath, 'utf8'));

function log(fields) {
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), ...fields })}\n`);
}

function intersect(a, b) {
  const allowed = new Set(b.split(' '));
  return a.split(' ').filter((s) => s && allowed.has(s)).join(' ');
}

function buildProvider(issuer) {
  const clients = settings.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }));
  const clientScopes = Object.fromEntries(settings.clients.map((c) => [c.client_id, c.scope]));
  const clientTTLs = Object.fromEntries(settings.clients.map((c) => [c.client_id, c.token_ttl_s]));

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: settings.keys },
    // The test's own secret for oidc-provider's (unused) cookies, so it does
    // not warn about generating one.
    cookies: { keys: ['e2e-peers-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // A token must name its resource: no default audience.
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: (ctx, resource, client) => {
          const scopes = settings.resources[resource];
          if (scopes === undefined) {
            throw new Provider.errors.InvalidTarget(`unknown resource ${resource}`);
          }
          return {
            // A client only gets the scopes it was registered for.
            scope: intersect(scopes, clientScopes[client.clientId] ?? ''),
            audience: resource,
            accessTokenTTL: clientTTLs[client.clientId] ?? settings.access_token_ttl_s,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: settings.signing_alg, kid: settings.signing_kid } },
          };
        },
      },
    },
  });

  provider.on('server_error', (ctx, err) => log({ event: 'server_error', error: String(err), stack: err.stack }));
  provider.on('grant.error', (ctx, err) => log({ event: 'grant.error', error: err.error, description: err.error_description }));
  provider.on('grant.success', (ctx) => {
    const token = ctx.oidc.entities.ClientCredentials;
    log({
      event: 'grant.success',
      client_id: ctx.oidc.client?.clientId,
      resource: token?.resourceServer?.identifier?.() ?? token?.aud,
      scope: token?.scope,
      kid: settings.signing_kid,
      alg: settings.signing_alg,
    });
  });
  return provider;
}

// Listen first: the issuer names the port, and the port may be chosen by the OS.
const server = createServer();
server.listen(settings.port ?? 0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = buildProvider(issuer);
  const handle = provider.callback();
  server.on('request', (req, res) => {
    res.on('finish', () => log({ event: 'request', method: req.method, url: req.url, status: res.statusCode }));
    handle(req, res);
  });
  process.stdout.write(`${JSON.stringify({ event: 'listening', issuer, port })}\n`);
});

function stop(signal) {
  log({ event: 'stopping', signal });
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
