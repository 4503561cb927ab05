/** The signed-in frame: header, navigation and the current screen; Alt+← goes back. */
import { useEffect } from 'react';
import { useNav } from '../api/app-context.js';
import { AppHeader } from '../components/AppHeader.js';
import { MainNav } from '../components/MainNav.js';
import { Devices } from './Devices.js';
import { MyWork } from './MyWork.js';
import { Properties } from './Properties.js';
import { PropertyScreen } from './PropertyScreen.js';
import { Settings } from './Settings.js';
import { SyncCentre } from './SyncCentre.js';
import { TaskScreen } from './TaskScreen.js';
import '../styles/shell.css';

function CurrentScreen() {
  const route = useNav((s) => s.route);
  switch (route.screen) {
    case 'my-work':
      return <MyWork />;
    case 'task':
      return <TaskScreen key={route.id} id={route.id} />;
    case 'properties':
      return <Properties />;
    case 'property':
      return <PropertyScreen key={route.id} id={route.id} />;
    case 'devices':
      return <Devices />;
    case 'sync':
      return <SyncCentre />;
    case 'settings':
      return <Settings />;
  }
}

export function AppShell() {
  const back = useNav((s) => s.back);
  useEffect(() => {
    // Electron has no browser chrome, so the usual back shortcut is the app's to provide.
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && e.key === 'ArrowLeft' && !e.defaultPrevented) {
        e.preventDefault();
        back();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [back]);

  return (
    <div className="shell">
      <AppHeader />
      <div className="shell-body">
        <MainNav />
        <main className="shell-main">
          <CurrentScreen />
        </main>
      </div>
    </div>
  );
}
