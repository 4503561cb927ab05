/**
 * The application menu with the usual accelerators. App-specific items either call main directly
 * (Sync now) or ask the renderer to show a screen (`app:navigate`).
 */
import { app, Menu, shell, type MenuItemConstructorOptions } from 'electron';
import type { AppScreen } from '../../shared/api/contract.js';

export type MenuActions = { navigate(to: AppScreen): void; syncNow(): void; docsUrl: string };

export function buildMenu(actions: MenuActions): Menu {
  const isMac = process.platform === 'darwin';
  const go = (label: string, to: AppScreen, accelerator: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => actions.navigate(to),
  });
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Sync now', accelerator: 'CmdOrCtrl+R', click: () => actions.syncNow() },
        go('Settings…', 'settings', 'CmdOrCtrl+,'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&Go',
      submenu: [
        go('My work', 'my-work', 'CmdOrCtrl+1'),
        go('Properties', 'properties', 'CmdOrCtrl+2'),
        go('Devices', 'devices', 'CmdOrCtrl+3'),
        go('Sync centre', 'sync', 'CmdOrCtrl+4'),
      ],
    },
    {
      label: '&View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'Fieldline documentation', click: () => void shell.openExternal(actions.docsUrl) }],
    },
  ];
  return Menu.buildFromTemplate(template);
}
