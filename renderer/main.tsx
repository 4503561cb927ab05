/**
 * Entry point: picks the transport (Electron IPC or the browser-mode bridge), builds the typed
 * AppApi and the app-wide stores once, installs the theme and the test hooks, and renders.
 */
import './lib/zod-jitless.js'; // first: before shared/api builds its schemas
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createAppApi } from '../shared/api/client.js';
import { AppProvider } from './api/app-context.js';
import { installTestHooks } from './api/test-hooks.js';
import { pickTransport } from './api/transport.js';
import { App } from './App.js';
import { installTheme } from './lib/theme.js';
import { createAppStores } from './stores/app-stores.js';
import './styles/base.css';
import './styles/controls.css';
import './styles/feedback.css';
import './styles/panels.css';

const { transport, mode } = pickTransport(window);
const api = createAppApi(transport);
const { stores } = createAppStores(api, window);
installTheme(window, stores.settings);
installTestHooks(window, api, stores);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <AppProvider value={{ api, stores, mode }}>
      <App />
    </AppProvider>
  </StrictMode>,
);
