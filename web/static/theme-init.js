// Before the first paint: the theme chosen in the header, else the system's (theme.svelte.ts).
// A file rather than an inline script so the Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  var choice = localStorage.getItem('threatroom-theme');
  var dark =
    choice === 'dark' || (choice !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
})();
