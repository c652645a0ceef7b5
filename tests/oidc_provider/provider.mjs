// A real OpenID provider (npm oidc-provider) for the sign-in tests, on a loopback port.
//
// Started by tests/oidc_support.py as `node provider.mjs CONFIG.json`; prints "listening PORT".
// The configuration names the port, the clients and the accounts:
//   {"port": 0, "id_token_ttl": 60,
//    "clients": [{"client_id", "client_secret", "redirect_uris", "post_logout_redirect_uris"}],
//    "accounts": {"<sub>": {"claims": {"email": ..., "siret": ...}, "acr": "eidas2", "amr": ["mfa"]}}}
// Tests change it while it runs (loopback only, never part of a real provider):
//   POST /__test/accounts  {"<sub>": {...}}   adds or replaces accounts
//   POST /__test/faults    {"id_token": {"aud": "x", "nonce": "y"}}
//        the next token answer carries an ID token with those claims, signed again with the
//        provider's own key (what a wrong audience or a replayed nonce looks like on the wire).
import http from 'node:http';
import fs from 'node:fs';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts || {};
let faults = null;

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function loginForm(uid, error = '') {
  return page('Fournisseur d\'identité de test', `
    ${error ? `<p role="alert">${escape(error)}</p>` : ''}
    <form method="post" action="/interaction/${escape(uid)}/login">
      <label for="login">Identifiant</label>
      <input id="login" name="login" autocomplete="username" required>
      <button type="submit">Continuer</button>
    </form>`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

const port = config.port || 0;
const server = http.createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...c,
  })),
  jwks: { keys: [signingJwk] },
  pkce: { required: () => true },
  acrValues: ['eidas1', 'eidas2', 'eidas3'],
  scopes: ['openid', 'email', 'profile', 'given_name', 'usual_name', 'siret', 'uid'],
  claims: {
    acr: null,
    amr: null,
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    given_name: ['given_name'],
    usual_name: ['usual_name'],
    siret: ['siret'],
    uid: ['uid'],
  },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: { IdToken: config.id_token_ttl || 60 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['test-cookie-key'] },
  async findAccount(ctx, sub) {
    const account = accounts[sub];
    if (!account) return undefined;
    return { accountId: sub, async claims() { return { sub, ...account.claims }; } };
  },
  // Every client is first-party here: the scopes and claims asked are granted without a
  // consent page, as ProConnect does for a registered service.
  async loadExistingGrant(ctx) {
    const { client, params, session } = ctx.oidc;
    const existing = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope(params.scope);
    if (params.claims) {
      const asked = JSON.parse(params.claims);
      grant.addOIDCClaims([...Object.keys(asked.id_token || {}), ...Object.keys(asked.userinfo || {})]);
    }
    await grant.save();
    return grant;
  },
});

// A fault asked by a test rewrites the next ID token, signed again with the same key.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && faults && ctx.body?.id_token) {
    const claims = jose.decodeJwt(ctx.body.id_token);
    Object.assign(claims, faults.id_token || {});
    faults = null;
    ctx.body = {
      ...ctx.body,
      id_token: await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .sign(privateKey),
    };
  }
});

const callback = provider.callback();

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (action === 'login' && req.method === 'POST') {
    const login = new URLSearchParams(await readBody(req)).get('login') || '';
    const account = accounts[login];
    if (!account) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginForm(uid, 'Identifiant inconnu.'));
      return;
    }
    const result = { login: { accountId: login, acr: account.acr, amr: account.amr } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(loginForm(details.uid));
}

server.on('request', async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (req.method === 'POST' && url.pathname === '/__test/accounts') {
      Object.assign(accounts, JSON.parse(await readBody(req)));
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/__test/faults') {
      faults = JSON.parse(await readBody(req));
      res.writeHead(204).end();
      return;
    }
    const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
    if (match) {
      await interaction(req, res, match[1], match[2]);
      return;
    }
    callback(req, res);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err));
  }
});

console.log(`listening ${server.address().port}`);
