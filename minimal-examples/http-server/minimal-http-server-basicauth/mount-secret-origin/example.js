// Runs under the page's strict CSP (script-src 'self'): proves that our own
// script loads while inline script would not.
document.addEventListener('DOMContentLoaded', () => {
  const status = document.getElementById('status');
  status.textContent = `JavaScript ran under a strict CSP at ${new Date().toISOString()}.`;
  status.className = 'ok';
});
