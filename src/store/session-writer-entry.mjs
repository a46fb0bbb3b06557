// Worker threads start without the parent's tsx loader: register it, then load the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./session-writer-worker.ts');
