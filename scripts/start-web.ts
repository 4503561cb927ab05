import { notYet } from './not-yet.js';

notYet('npm run start:web', 'browser mode (the renderer and its localhost bridge)');
