/*
 * The roles a context can run, registered by importing them: each role
 * module registers its Upgrade token and/or client kind. Add one line per role.
 */
import { registerClientRole } from '../roles/client-registry.js';
import { startRaw } from '../roles/raw/ops.js';

registerClientRole('raw', (wsi) => {
  wsi.roleData = { closing: false };
  startRaw(wsi);
});
import '../roles/ws/register.js';
import '../roles/h1/client-register.js';
