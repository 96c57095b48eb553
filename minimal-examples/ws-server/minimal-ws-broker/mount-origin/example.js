// Opens a publisher and a subscriber ws on the lws-minimal-broker protocol,
// next to this page: publishes what is typed, lists what is received.
document.addEventListener('DOMContentLoaded', () => {
  const send = document.getElementById('send');
  const text = document.getElementById('text');
  const received = document.getElementById('received');

  function open(path, statusId) {
    const url = new URL(path, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.hash = '';
    url.search = '';
    const ws = new WebSocket(url, 'lws-minimal-broker');
    const status = document.getElementById(statusId);
    ws.addEventListener('open', () => {
      status.textContent = 'connected';
      status.className = 'ok';
    });
    ws.addEventListener('close', () => {
      status.textContent = 'disconnected';
      status.className = 'pending';
    });
    return ws;
  }

  const sub = open('./', 'sub-status');
  const pub = open('publisher', 'pub-status');
  sub.addEventListener('message', (e) => {
    const li = document.createElement('li');
    li.textContent = String(e.data);
    received.appendChild(li);
  });
  pub.addEventListener('open', () => {
    send.disabled = false;
  });
  document.getElementById('form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (pub.readyState === WebSocket.OPEN && text.value !== '') pub.send(text.value);
  });
});
