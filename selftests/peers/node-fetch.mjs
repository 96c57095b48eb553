// A scripted peer: fetch one URL with Node's own fetch and print what came
// back as one JSON line (status, headers, body as base64). Run it in a child
// process so NODE_EXTRA_CA_CERTS can trust a test certificate.
const [url, method = 'GET'] = process.argv.slice(2);
try {
  const res = await fetch(url, { method, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  console.log(JSON.stringify({ status: res.status, headers: Object.fromEntries(res.headers), body: body.toString('base64') }));
} catch (err) {
  console.log(JSON.stringify({ error: String(err && err.cause ? err.cause : err) }));
  process.exitCode = 1;
}
