// Connects back to the server that served this page with the lws-minimal
// subprotocol, sends what is typed and lists what the server broadcasts.
document.addEventListener('DOMContentLoaded', () => {
  const status = document.getElementById('status');
  const send = document.getElementById('send');
  const text = document.getElementById('text');
  const received = document.getElementById('received');
  const url = new URL(location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  const ws = new WebSocket(url, 'lws-minimal');

  ws.addEventListener('open', () => {
    status.textContent = 'connected';
    status.className = 'ok';
    send.disabled = false;
  });
  ws.addEventListener('message', (e) => {
    const li = document.createElement('li');
    li.textContent = String(e.data);
    received.appendChild(li);
  });
  ws.addEventListener('close', () => {
    status.textContent = 'disconnected';
    status.className = 'pending';
    send.disabled = true;
  });
  document.getElementById('form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (ws.readyState === WebSocket.OPEN && text.value !== '') ws.send(text.value);
  });
});
