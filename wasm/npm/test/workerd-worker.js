// A workerd (Cloudflare Workers runtime) worker that runs the shared scenarios:
// GET /run?base=<test server> answers {scenarios, checks} as JSON. Bundled by the test
// driver with esbuild and the conditions wrangler uses (workerd, worker, browser), so the
// package resolves through its exports map's "workerd" entry.
import * as api from 'model-signing-wasm';
import { runAll } from './scenarios.js';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== '/run') return new Response('not found', { status: 404 });
    const results = await runAll(api, url.searchParams.get('base'));
    return Response.json(results);
  },
};
