// The two lws test server demos: a counter (dumb-increment-protocol) and a
// shared drawing board (lws-mirror-protocol), each on its own ws connection
// back to the server that served this page.
function wsUrl() {
  const url = new URL(location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.pathname = '/';
  return url;
}

function connect(protocol, statusId, onMessage, onOpen) {
  const status = document.getElementById(statusId);
  const ws = new WebSocket(wsUrl(), protocol);
  ws.addEventListener('open', () => {
    status.textContent = 'connected';
    status.className = 'ok';
    onOpen(ws);
  });
  ws.addEventListener('message', (e) => onMessage(String(e.data)));
  ws.addEventListener('close', () => {
    status.textContent = 'disconnected';
    status.className = 'pending';
  });
  return ws;
}

function dumbIncrement() {
  const counter = document.getElementById('counter');
  const reset = document.getElementById('reset');
  const ws = connect('dumb-increment-protocol', 'dumb-status', (m) => {
    counter.textContent = m;
  }, () => {
    reset.disabled = false;
  });
  reset.addEventListener('click', () => ws.send('reset\n'));
}

// Commands as the lws test pages and client send them:
// "d #rrggbb x1 y1 x2 y2;" draws a line, "c #rrggbb x y r;" a circle.
function draw(ctx, text) {
  let n = 0;
  for (const cmd of text.split(';')) {
    const f = cmd.trim().split(/\s+/);
    const colour = /^#[0-9a-fA-F]{6}$/.test(f[1] || '') ? f[1] : '#000000';
    const v = f.slice(2).map(Number);
    if (v.some((x) => !Number.isFinite(x))) continue;
    ctx.strokeStyle = colour;
    ctx.beginPath();
    if (f[0] === 'd' && v.length === 4) {
      ctx.moveTo(v[0], v[1]);
      ctx.lineTo(v[2], v[3]);
    } else if (f[0] === 'c' && v.length === 3) {
      ctx.arc(v[0], v[1], v[2], 0, Math.PI * 2);
    } else continue;
    ctx.stroke();
    n++;
  }
  return n;
}

function mirror() {
  const board = document.getElementById('board');
  const colour = document.getElementById('colour');
  const mirrored = document.getElementById('mirrored');
  const ctx = board.getContext('2d');
  let count = 0;
  let last = null;
  let open = false;
  const ws = connect('lws-mirror-protocol', 'mirror-status', (m) => {
    count += draw(ctx, m);
    mirrored.textContent = String(count);
  }, () => {
    open = true;
  });
  const at = (e) => {
    const r = board.getBoundingClientRect();
    return [Math.round(e.clientX - r.left), Math.round(e.clientY - r.top)];
  };
  board.addEventListener('pointerdown', (e) => {
    last = at(e);
  });
  board.addEventListener('pointermove', (e) => {
    if (!last || !open) return;
    const p = at(e);
    ws.send(`d ${colour.value} ${last[0]} ${last[1]} ${p[0]} ${p[1]};`);
    last = p;
  });
  for (const ev of ['pointerup', 'pointerleave']) board.addEventListener(ev, () => {
    last = null;
  });
}

document.addEventListener('DOMContentLoaded', () => {
  dumbIncrement();
  mirror();
});
