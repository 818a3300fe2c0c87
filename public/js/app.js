// Progressive enhancement only: every page works without this file.
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-copy]');
  if (!button) return;
  const source = document.getElementById(button.getAttribute('data-copy'));
  if (!source) return;
  navigator.clipboard.writeText(source.value || source.textContent || '').then(
    () => { button.textContent = 'Copied'; },
    () => { source.select?.(); button.textContent = 'Press Ctrl+C to copy'; },
  );
});
