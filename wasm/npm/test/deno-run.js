// Runs the shared scenarios in Deno: `deno run --allow-net=127.0.0.1 --allow-read test/deno-run.js BASE`.
// Prints {scenarios, checks} as JSON on the last line (the Node driver compares it with
// the native CLI). The package is imported by name, so the exports map's "deno"
// condition is what resolves it.
import * as api from 'model-signing-wasm';
import { runAll } from './scenarios.js';

const base = Deno.args[0];
const results = await runAll(api, base, { log: (m) => console.error(m) });
console.log(JSON.stringify(results));
Deno.exit(0);
