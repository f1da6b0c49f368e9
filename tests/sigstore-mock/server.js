// A local Sigstore for model-signing-rs tests: the Fulcio, Rekor v1 and TSA request
// handlers of the npm package @sigstore/mock (an independent implementation, installed by
// scripts/setup-sigstore-mock.sh) behind a small HTTP server on 127.0.0.1.
//
// Usage: node server.js OUTDIR [PORT]     (PORT 0 or absent: any free port)
// Writes OUTDIR/trust_config.json (a ClientTrustConfig: trusted root + signing config for
// this run's ephemeral keys) and then prints one line "ready http://127.0.0.1:PORT".
// Serves:
//   POST /api/v2/signingCert   Fulcio v2 (publicKeyRequest or CSR; token in the body or
//                              as "Authorization: Bearer")
//   POST /api/v1/log/entries   Rekor v1 (hashedrekord/0.0.1; dsse/0.0.1 stored in the
//                              canonical form real Rekor stores)
//   POST /api/v2/log/entries   Rekor v2 (hashedrekord/0.0.2): written here, see below
//   POST /api/v1/timestamp     RFC 3161 TSA (DER application/timestamp-query)
//   GET  /oauth2/.well-known/openid-configuration   discovery document
// SIGSTORE_MOCK_REKOR_VERSION=2 makes the signing config select the Rekor v2 log.
// The adaptations to what real clients send are listed in tests/sigstore-mock/README.md.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const mock = require('@sigstore/mock');
const pkijs = require('pkijs');
const canonicalize = require('canonicalize'); // RFC 8785 JSON (a dependency of the mock)

const outdir = process.argv[2];
const wantedPort = Number(process.argv[3] || 0);
if (!outdir) {
  console.error('usage: node server.js OUTDIR [PORT]');
  process.exit(2);
}

const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

// RFC 6962 Merkle tree hashing (leaf 0x00, node 0x01), for the Rekor v2 log below.
const leafHash = (d) => sha256(Buffer.concat([Buffer.from([0]), d]));
const nodeHash = (l, r) => sha256(Buffer.concat([Buffer.from([1]), l, r]));
const split = (n) => { let k = 1; while (k * 2 < n) k *= 2; return k; };
function treeHash(leaves) {
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}
function auditPath(m, leaves) {
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return m < k
    ? auditPath(m, leaves.slice(0, k)).concat([treeHash(leaves.slice(k))])
    : auditPath(m - k, leaves.slice(k)).concat([treeHash(leaves.slice(0, k))]);
}

// @sigstore/mock's own Rekor v2 handler is not usable (it logs the request instead of
// the entry, with a random index in a one-leaf tree and a v1-style origin, which
// verifiers reject), so this is a minimal tile-log stand-in: hashedrekord/0.0.2 entries
// in a growing RFC 6962 tree, C2SP signed-note checkpoints with an Ed25519 key whose
// origin is the log's host, and the log ID the C2SP key ID. Bundles it produces are
// checked by sigstore-python (an independent verifier) in the tests.
function rekorV2Log(origin) {
  const key = crypto.generateKeyPairSync('ed25519');
  const spki = key.publicKey.export({ type: 'spki', format: 'der' });
  const raw = spki.subarray(spki.length - 32);
  const keyId = sha256(Buffer.concat([Buffer.from(origin), Buffer.from([0x0a, 0x01]), raw]));
  const leaves = [];
  return {
    spki,
    keyId,
    add(request) {
      const r = request.hashedRekordRequestV002;
      if (!r || !r.digest || !r.signature || !r.signature.content || !r.signature.verifier) {
        throw new Error('expected a hashedRekordRequestV002 with digest and signature');
      }
      const verifier = r.signature.verifier;
      if (!verifier.x509Certificate && !verifier.publicKey) throw new Error('no verifier');
      const body = Buffer.from(canonicalize({
        apiVersion: '0.0.2',
        kind: 'hashedrekord',
        spec: { hashedRekordV002: {
          data: { algorithm: 'SHA2_256', digest: r.digest },
          signature: { content: r.signature.content, verifier },
        } },
      }));
      const index = leaves.length;
      leaves.push(leafHash(body));
      const root = treeHash(leaves);
      const note = `${origin}\n${leaves.length}\n${root.toString('base64')}\n`;
      const sig = crypto.sign(null, Buffer.from(note), key.privateKey);
      const line = Buffer.concat([keyId.subarray(0, 4), sig]).toString('base64');
      return {
        logIndex: String(index),
        logId: { keyId: keyId.toString('base64') },
        kindVersion: { kind: 'hashedrekord', version: '0.0.2' },
        inclusionProof: {
          logIndex: String(index),
          rootHash: root.toString('base64'),
          treeSize: String(leaves.length),
          hashes: auditPath(index, leaves).map((h) => h.toString('base64')),
          checkpoint: { envelope: `${note}\n\u2014 ${origin} ${line}\n` },
        },
        canonicalizedBody: body.toString('base64'),
      };
    },
  };
}

async function setup(url) {
  const keyPair = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ctlog = await mock.initializeCTLog(keyPair);
  const ca = await mock.initializeCA(keyPair, ctlog);
  const tlog = await mock.initializeTLog(url, keyPair);
  const tsa = await mock.initializeTSA(keyPair);
  const rekorV2 = rekorV2Log(new URL(url).hostname);

  const spki = keyPair.publicKey.export({ type: 'spki', format: 'der' });
  const start = new Date(Date.now() - 3600 * 1000).toISOString();
  const logInstance = {
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: spki.toString('base64'),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start },
    },
    logId: { keyId: sha256(spki).toString('base64') },
  };
  const v2Instance = {
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: rekorV2.spki.toString('base64'),
      keyDetails: 'PKIX_ED25519',
      validFor: { start },
    },
    logId: { keyId: rekorV2.keyId.toString('base64') },
  };
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [logInstance, v2Instance],
    certificateAuthorities: [{
      subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
      uri: url,
      certChain: { certificates: [{ rawBytes: ca.rootCertificate.toString('base64') }] },
      validFor: { start },
    }],
    ctlogs: [logInstance],
    timestampAuthorities: [{
      subject: { organization: 'sigstore.mock', commonName: 'sigstore-tsa' },
      uri: url,
      certChain: {
        certificates: [
          { rawBytes: tsa.intCertificate.toString('base64') },
          { rawBytes: tsa.rootCertificate.toString('base64') },
        ],
      },
      validFor: { start },
    }],
  };
  const service = (u, v = 1) => ({ url: u, majorApiVersion: v, validFor: { start }, operator: 'mock' });
  const rekorVersion = Number(process.env.SIGSTORE_MOCK_REKOR_VERSION || 1);
  const signingConfig = {
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [service(url)],
    // model_signing 1.1.x fetches the discovery document even with a given token.
    oidcUrls: [service(`${url}/oauth2`)],
    rekorTlogUrls: [service(url, rekorVersion)],
    tsaUrls: [service(`${url}/api/v1/timestamp`)],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  };
  const trustConfig = {
    mediaType: 'application/vnd.dev.sigstore.clienttrustconfig.v0.1+json',
    trustedRoot,
    signingConfig,
  };
  const tmp = path.join(outdir, 'trust_config.json.tmp');
  fs.writeFileSync(tmp, JSON.stringify(trustConfig, null, 2));
  fs.renameSync(tmp, path.join(outdir, 'trust_config.json'));

  const fulcio = mock.fulcioHandler(ca, { strict: true, subjectClaim: 'sub' });
  const rekor = mock.rekorHandler(tlog, { strict: true });

  return {
    // Fulcio's API carries base64(PEM CSR) and the token as a Bearer header; the mock
    // wants the PEM itself and the token in the body.
    async fulcio(body, req) {
      const j = JSON.parse(body.toString());
      const auth = req.headers.authorization || '';
      if (!j.credentials && auth.startsWith('Bearer ')) {
        j.credentials = { oidcIdentityToken: auth.slice(7) };
      }
      if (!j.credentials || !j.credentials.oidcIdentityToken) {
        return { statusCode: 401, response: JSON.stringify({ code: 16, message: 'no identity token' }) };
      }
      if (j.certificateSigningRequest) {
        const pem = Buffer.from(j.certificateSigningRequest, 'base64').toString();
        if (pem.startsWith('-----BEGIN')) j.certificateSigningRequest = pem;
      }
      return fulcio.fn(JSON.stringify(j));
    },
    // Real Rekor stores dsse/0.0.1 entries as {envelopeHash, payloadHash, signatures};
    // the mock stores the proposed entry verbatim.
    async rekor(body) {
      const j = JSON.parse(body.toString());
      if (j.kind === 'dsse' && j.spec && j.spec.proposedContent) {
        const envelope = j.spec.proposedContent.envelope;
        const env = JSON.parse(envelope);
        const verifier = (j.spec.proposedContent.verifiers || [])[0];
        return rekor.fn(JSON.stringify({
          apiVersion: '0.0.1',
          kind: 'dsse',
          spec: {
            envelopeHash: { algorithm: 'sha256', value: sha256(Buffer.from(envelope)).toString('hex') },
            payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(env.payload, 'base64')).toString('hex') },
            signatures: env.signatures.map((s) => ({ signature: s.sig, verifier })),
          },
        }));
      }
      return rekor.fn(body.toString());
    },
    async rekorV2(body) {
      const entry = rekorV2.add(JSON.parse(body.toString()));
      return { statusCode: 201, response: JSON.stringify(entry), contentType: 'application/json' };
    },
    // RFC 3161 clients send a DER TimeStampReq; the mock's handler wants its own JSON,
    // so the request is decoded here and the mock's TSA signs the response.
    async tsa(body) {
      const req = pkijs.TimeStampReq.fromBER(new Uint8Array(body).buffer);
      const response = await tsa.timestamp({
        artifactHash: Buffer.from(req.messageImprint.hashedMessage.valueBlock.valueHexView),
        hashAlgorithmOID: req.messageImprint.hashAlgorithm.algorithmId,
        nonce: req.nonce ? req.nonce.valueBlock.valueDec : 0,
        policyOID: req.reqPolicy || '1.3.6.1.4.1.57264.2',
        certReq: !!req.certReq,
      });
      return { statusCode: 200, response, contentType: 'application/timestamp-reply' };
    },
  };
}

const server = http.createServer();
server.listen(wantedPort, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  const svc = await setup(url);
  server.on('request', (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      let out;
      try {
        if (req.method === 'GET' && req.url === '/oauth2/.well-known/openid-configuration') {
          out = {
            statusCode: 200,
            contentType: 'application/json',
            response: JSON.stringify({
              issuer: `${url}/oauth2`,
              authorization_endpoint: `${url}/oauth2/auth`,
              token_endpoint: `${url}/oauth2/token`,
              jwks_uri: `${url}/oauth2/keys`,
            }),
          };
        } else if (req.method === 'POST' && req.url === '/api/v2/signingCert') {
          out = await svc.fulcio(body, req);
        } else if (req.method === 'POST' && req.url === '/api/v1/log/entries') {
          out = await svc.rekor(body);
        } else if (req.method === 'POST' && req.url === '/api/v2/log/entries') {
          out = await svc.rekorV2(body);
        } else if (req.method === 'POST' && req.url === '/api/v1/timestamp') {
          out = await svc.tsa(body);
        } else {
          out = { statusCode: 404, response: JSON.stringify({ message: 'not found' }) };
        }
      } catch (e) {
        out = { statusCode: 400, response: JSON.stringify({ message: String((e && e.message) || e) }) };
      }
      console.error(`${req.method} ${req.url} -> ${out.statusCode}`);
      res.writeHead(out.statusCode, { 'Content-Type': out.contentType || 'application/json' });
      res.end(out.response);
    });
  });
  console.log(`ready ${url}`);
});
