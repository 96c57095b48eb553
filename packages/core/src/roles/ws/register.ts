/*
 * Registers the ws role with the core: the `websocket` Upgrade token for h1
 * servers and the `ws` client kind. Imported once from context/roles.ts.
 */
import { registerClientRole } from '../client-registry.js';
import { registerUpgrade } from '../upgrade.js';
import { startWsClient } from './client.js';
import { wsServerUpgrade } from './server.js';

registerUpgrade('websocket', wsServerUpgrade);
registerClientRole('ws', startWsClient);
