// The web app: two views behind plain links (#verify, #sign), so that the address says
// which view is open and the browser's back button works. No framework: the views are
// custom elements that render their own light DOM (styled by app.css).

import './views/verify-view.js';
import './views/sign-view.js';
import { ready } from './lib/wasm.js';
import { VERSION } from './version.js';

const VIEWS = ['verify', 'sign'];

function show(name, { focus }) {
  const view = VIEWS.includes(name) ? name : 'verify';
  for (const v of VIEWS) {
    const el = document.getElementById(`view-${v}`);
    el.hidden = v !== view;
    const link = document.querySelector(`nav a[href="#${v}"]`);
    if (v === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${view === 'sign' ? 'Sign' : 'Verify'} a model · model signing`;
  if (focus) {
    const heading = document.querySelector(`#view-${view} h2`);
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }
}

window.addEventListener('hashchange', () => show(location.hash.slice(1), { focus: true }));
show(location.hash.slice(1), { focus: false });
document.getElementById('version').textContent = VERSION;
// Compile the module while the user picks files.
ready().catch((e) => {
  const banner = document.getElementById('load-error');
  banner.textContent = `The verifier could not be loaded: ${e.message}`;
  banner.hidden = false;
});
