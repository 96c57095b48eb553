// A scripted Node http server for client selftests, on 127.0.0.1 and a free
// port. POST /formtest: parses multipart/form-data (RFC 7578) and answers
// JSON with each text field and, per file, its filename, size and sha256.
// GET /trailers: a chunked body with a trailer; GET /slow: a body in pieces
// over ~200 ms; GET /bad-length: conflicting Content-Length on the wire.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

function parseMultipart(body, boundary) {
  const out = { fields: {}, files: {} };
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  while (pos !== -1) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // skip CRLF after delimiter and before the next
    const sep = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, sep).toString();
    const data = part.subarray(sep + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (filename !== undefined) out.files[name] = { filename, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    else out.fields[name] = data.toString();
    pos = next;
  }
  return out;
}

const server = createServer((req, res) => {
  const parts = [];
  req.on('data', (b) => parts.push(b));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    if (req.method === 'POST' && req.url === '/formtest') {
      const boundary = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '')?.[1];
      if (!boundary) return res.writeHead(400).end('no boundary');
      const json = JSON.stringify({ length: body.length, ...parseMultipart(body, boundary) });
      return res.writeHead(200, { 'content-type': 'application/json' }).end(json);
    }
    if (req.url === '/trailers') {
      res.writeHead(200, { trailer: 'x-check' });
      res.write('with ');
      res.addTrailers({ 'x-check': 'sum' });
      return res.end('trailers');
    }
    if (req.url === '/slow') {
      res.writeHead(200, { 'content-length': '10' });
      let n = 0;
      const t = setInterval(() => {
        res.write(String(n));
        if (++n === 10) {
          clearInterval(t);
          res.end();
        }
      }, 20);
      return undefined;
    }
    if (req.url === '/bad-length') {
      req.socket.end('HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!');
      return undefined;
    }
    res.writeHead(404).end('not found');
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`USER: multipart server | http://127.0.0.1:${server.address().port}`);
});
process.once('SIGINT', () => server.close(() => process.exit(0)));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
