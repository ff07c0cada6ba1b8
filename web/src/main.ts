// Entry point of the dashboard: wires the hash routes to their views inside the page shell.
// Views fetch the same HTTP API as any client; nothing is rendered on the server.
import './styles.css';
import { errorPanel } from './layout.js';
import { Router } from './router.js';
import { accountView } from './views/account.js';
import { accountsView } from './views/accounts.js';
import { escalationsView } from './views/escalations.js';
import { incidentView, incidentsView } from './views/incidents.js';
import { outreachView } from './views/outreach.js';
import { overviewView } from './views/overview.js';

const root = document.getElementById('view')!;

/** Which nav entry a route belongs to (an account page lives under Accounts). */
const NAV_OF: Record<string, string> = {
  overview: 'overview',
  accounts: 'accounts',
  account: 'accounts',
  incidents: 'incidents',
  incident: 'incidents',
  outreach: 'outreach',
  escalations: 'escalations',
};

function highlightNav(route: string): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('.nav a')) {
    const active = a.dataset.route === NAV_OF[route];
    a.classList.toggle('active', active);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  window.scrollTo(0, 0);
}

new Router(root, highlightNav, errorPanel)
  .add('/', 'overview', overviewView)
  .add('/accounts', 'accounts', accountsView)
  .add('/account/:id', 'account', accountView)
  .add('/incidents', 'incidents', incidentsView)
  .add('/incident/:id', 'incident', incidentView)
  .add('/outreach', 'outreach', outreachView)
  .add('/escalations', 'escalations', escalationsView)
  .start();
