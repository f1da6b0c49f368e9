// The demo: the local hub with generated models, and a page of model cards (each one
// <model-signature-status> tag) served from another origin, as a hub's pages would be.
//   node web/demo/serve.mjs [--out DIR] [--hub-port N] [--page-port N] [--rebuild] [--cli PATH]
// Needs web/dist (web/build.sh) and a model_signing binary to sign the models with (--cli,
// default target/debug/model_signing). Prints the URLs; runs until stopped (Ctrl-C,
// SIGTERM). scripts/demo.sh runs it beside the signing daemon.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub } from '../hub/server.mjs';
import { contentSecurityPolicy, startStatic } from '../hub/static.mjs';
import { makeDemoModels } from './make-models.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const WEB = resolve(HERE, '..');
const REPO = resolve(WEB, '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const escapeAttr = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** Starts the hub and the page; resolves to {hubUrl, pageUrl, hub, page, close}. */
export async function startDemo({ out = join(REPO, 'target/web-demo'), hubPort = 0, pagePort = 0, rebuild = false, host = '127.0.0.1', cli } = {}) {
  if (!existsSync(join(WEB, 'dist/model-signature-status.js'))) throw new Error('web/dist is missing: run web/build.sh');
  if (rebuild || !existsSync(join(out, 'demo.json'))) makeDemoModels(out, cli ? { cli } : {});
  const config = JSON.parse(readFileSync(join(out, 'demo.json'), 'utf8'));
  const hub = await startHub({ root: join(out, 'hub'), port: hubPort, host, logFile: join(out, 'access.log') });
  const template = readFileSync(join(HERE, 'index.html'), 'utf8');
  const html = template
    .replaceAll('{{HUB}}', hub.url)
    .replaceAll('{{DEMO_KEY}}', escapeAttr(config.demoPublicKey))
    .replaceAll('{{P256_KEY}}', escapeAttr(config.p256PublicKey))
    .replaceAll('{{SIGSTORE_IDENTITY}}', escapeAttr(config.sigstore.identity))
    .replaceAll('{{SIGSTORE_ISSUER}}', escapeAttr(config.sigstore.issuer));
  const index = (req, res, headers) => {
    res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  };
  const page = await startStatic({
    mounts: { '/': join(WEB, 'dist'), '/demo/': HERE },
    csp: contentSecurityPolicy({ connect: [hub.url] }),
    routes: { '/demo/': index, '/demo/index.html': index },
    port: pagePort,
    host,
  });
  return {
    hubUrl: hub.url,
    pageUrl: `${page.url}/demo/`,
    appUrl: `${page.url}/`,
    hub,
    page,
    close: async () => {
      await page.close();
      await hub.close();
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(arg('--out', join(REPO, 'target/web-demo')));
  const cli = arg('--cli', undefined);
  const demo = await startDemo({
    out,
    hubPort: Number(arg('--hub-port', 8081)),
    pagePort: Number(arg('--page-port', 8080)),
    rebuild: process.argv.includes('--rebuild'),
    cli: cli && resolve(cli),
  });
  console.log(`hub:       ${demo.hubUrl}  (access log: ${join(out, 'access.log')})`);
  console.log(`demo page: ${demo.pageUrl}`);
  console.log(`web app:   ${demo.appUrl}  (verify view; the sign view needs the daemon)`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await demo.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
