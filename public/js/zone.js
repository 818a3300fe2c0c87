// Sends the browser's time zone (as a cookie) so that the server writes times in it; the analyst's
// setting on the Preferences page wins over it. The first page after a change is still in the old zone.
(() => {
  let zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch { return; }
  if (!zone) return;
  const cookie = `tz=${encodeURIComponent(zone)}`;
  if (document.cookie.split('; ').includes(cookie)) return;
  document.cookie = `${cookie}; path=/; max-age=31536000; SameSite=Lax${location.protocol === 'https:' ? '; Secure' : ''}`;
})();
