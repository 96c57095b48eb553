/*
 * lws-minimal-http-client-certinfo
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Fetches one URL over https and, once the TLS handshake is done and the
 * response head has arrived, prints what the server's certificate says:
 * subject, issuer, validity, alternative names and fingerprint, and the
 * ALPN protocol agreed (lws_tls_peer_cert_info).
 */
import { cmdline, createContext, defineProtocol, log } from '@lws/core';

// offline default: the local minimal-http-server-tls; --real asks lws's own site
const real = cmdline.has('--real');
const target = new URL(cmdline.str('--url', real ? 'https://libwebsockets.org/' : 'https://localhost:7681/'));
const address = cmdline.str('--server', target.hostname);
const port = cmdline.int('--port', Number(target.port || 443));
const path = cmdline.str('--path', target.pathname);
const ca = cmdline.str('--ca', '');

let ok = false;

const client = defineProtocol({
  name: 'lws-minimal-http-client-certinfo',

  establishedClientHttp(wsi, _pss, res) {
    log.user(`Connected to ${address}:${port}, http response: ${res.status}`);
    const tls = wsi.transport.tls;
    const cert = tls?.peerCertificate;
    if (!tls || !cert) {
      log.err('no peer certificate');
      return;
    }
    log.user(`Peer Cert CN        : ${cert.subject?.CN ?? ''}`);
    log.user(`Peer Cert subject   : ${Object.entries(cert.subject ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
    log.user(`Peer Cert issuer    : ${Object.entries(cert.issuer ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
    log.user(`Peer Cert valid from: ${cert.valid_from}`);
    log.user(`Peer Cert valid to  : ${cert.valid_to}`);
    log.user(`Peer Cert SANs      : ${cert.subjectaltname ?? ''}`);
    log.user(`Peer Cert sha256    : ${cert.fingerprint256}`);
    log.user(`TLS ${tls.protocol ?? '?'}, ALPN ${tls.alpnProtocol || 'none'}, verified ${tls.authorized}`);
    ok = res.status === 200 && Boolean(cert.fingerprint256);
  },

  clientConnectionError(_wsi, _pss, err) {
    log.err(`CLIENT_CONNECTION_ERROR: ${err.message}`);
    ok = false;
    void finish();
  },

  closedClientHttp() {
    void finish();
  },
});

const context = await createContext({ logLevel: cmdline.int('-d', log.DEFAULT_LEVEL), protocols: [client] });

async function finish(): Promise<void> {
  await context.destroy();
  log.user(`Completed: ${ok ? 'OK' : 'failed'}`);
  process.exitCode = ok ? 0 : 1;
}

log.user(`LWS minimal http client certinfo | https://${address}:${port}${path}`);
context.clientConnect({
  address,
  port,
  path,
  // the self-signed test certificate is only accepted with --ca (verified) or -k
  ssl: { allowSelfSigned: cmdline.has('-k'), ...(ca ? { ca } : {}) },
  protocol: client.name,
  role: 'http',
});
