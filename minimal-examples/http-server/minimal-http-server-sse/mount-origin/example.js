// Runs under the page's strict CSP (script-src 'self', connect-src 'self').
// Shows the last few events of this page's own stream.
const MAX_SHOWN = 10;

document.addEventListener('DOMContentLoaded', () => {
  const status = document.getElementById('status');
  const list = document.getElementById('events');
  const es = new EventSource('sse');

  es.addEventListener('open', () => {
    status.textContent = 'Connected: receiving events.';
    status.className = 'ok';
  });
  es.addEventListener('error', () => {
    status.textContent = 'Connection lost: the browser retries.';
    status.className = '';
  });
  es.addEventListener('message', (ev) => {
    const li = document.createElement('li');
    li.textContent = `#${ev.lastEventId} ${ev.data}`;
    list.prepend(li);
    while (list.children.length > MAX_SHOWN) list.lastElementChild.remove();
    list.dataset.last = ev.data;
  });
});
