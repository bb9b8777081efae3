// A real OpenID provider for the tests (oidc-provider, the certified Node.js implementation).
//
// Listens on a free port of 127.0.0.1 and prints {"issuer": ...} as its first line. Two clients,
// "site" and "site-porten" (secret: the id and "-test-secret"), with PKCE required and the
// redirect URIs from OIDC_TEST_REDIRECT_URIS (comma-separated). Logging in needs no form: the user is the authorization request's
// login_hint, one of USERS below.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const USERS = {
  kari: { name: 'Kari Nordmann', email: 'kari@oslo.kommune.no', email_verified: true, tid: 'tenant-oslo' },
  ola: { name: 'Ola Nordmann', email: 'ola@bergen.kommune.no', email_verified: true, tid: 'tenant-bergen' },
  per: { name: 'Per Utenfor', email: 'per@example.org', email_verified: true },
  mallory: { name: 'Mallory', email: 'eksisterende@oslo.kommune.no', email_verified: true, tid: 'tenant-oslo' },
  linda: { name: 'Linda Lenke', email: 'linda.jobb@oslo.kommune.no', email_verified: true },
  anna: { name: 'Anna Ansatt', email_verified: false, orgno: '974760673' },
};

// The provider signs with one key; /other-jwks publishes another under the same key id, for
// the test that a token whose signature does not match the published keys is refused.
function rsaKey(part) {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...pair[part].export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
}
const signingKey = rsaKey('privateKey');
const otherPublicKey = rsaKey('publicKey');

const redirectUris = (process.env.OIDC_TEST_REDIRECT_URIS || '').split(',').filter(Boolean);
// After logging out here, back to the front page of the site the callbacks belong to.
const postLogoutRedirectUris = [...new Set(redirectUris.map((uri) => `${new URL(uri).origin}/`))];

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: ['site', 'site-porten'].map((clientId) => ({
      client_id: clientId,
      client_secret: `${clientId}-test-secret`,
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutRedirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    jwks: { keys: [signingKey] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // The logout confirmation, without the default page's web fonts (no network here).
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
            <title>Log out</title></head><body><main><h1>Log out of the test provider?</h1>
            ${form}<button autofocus type="submit" form="op.logoutForm" value="yes"
            name="logout">Yes, sign me out</button></main></body></html>`;
        },
      },
    },
    cookies: { keys: ['tests-only-cookie-key'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'tid', 'orgno'],
    },
    async findAccount(ctx, id) {
      if (!USERS[id]) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...USERS[id] }) };
    },
    // The site is the provider's own client: no consent screen.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    if (req.url === '/other-jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [otherPublicKey] }));
      return;
    }
    if (req.url.startsWith('/interaction/')) {
      try {
        const details = await provider.interactionDetails(req, res);
        const accountId = details.params.login_hint;
        if (!USERS[accountId]) {
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end(`unknown test user ${accountId}`);
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId } }, {
          mergeWithLastSubmission: false,
        });
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      }
      return;
    }
    callback(req, res);
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
