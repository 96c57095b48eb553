// Connects back to the server that served this page with the lws-minimal
// subprotocol and lists the latest messages the server's threads produced.
document.addEventListener('DOMContentLoaded', () => {
  const KEEP = 20;
  const status = document.getElementById('status');
  const received = document.getElementById('received');
  const url = new URL(location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  const ws = new WebSocket(url, 'lws-minimal');

  ws.addEventListener('open', () => {
    status.textContent = 'connected';
    status.className = 'ok';
  });
  ws.addEventListener('message', (e) => {
    const li = document.createElement('li');
    li.textContent = String(e.data);
    received.prepend(li);
    while (received.children.length > KEEP) received.lastElementChild.remove();
  });
  ws.addEventListener('close', () => {
    status.textContent = 'disconnected';
    status.className = 'pending';
  });
});
