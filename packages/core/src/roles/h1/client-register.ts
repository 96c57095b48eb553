/*
 * Registers the h1 client as the 'http' client kind: the joiner that puts
 * pipelined requests on pooled connections, and the role started on connect.
 */
import { registerClientJoin, registerClientRole } from '../client-registry.js';
import { joinH1Client, startH1Client } from './client-connect.js';

registerClientJoin('http', joinH1Client);
registerClientRole('http', startH1Client);
