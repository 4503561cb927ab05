/**
 * The CSP forbids eval, and zod probes `new Function` (a reported violation even when caught) as each
 * object schema is built, which happens when shared/api is imported. So this module is main.tsx's
 * first import: it runs before any schema exists.
 */
import { z } from 'zod';

z.config({ jitless: true });
