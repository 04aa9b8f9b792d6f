// Recomputes the what-if preview of a concept draft when a field changes. Without JavaScript
// the button „Vorschau berechnen“ does the same with a page load.
(function () {
  var form = document.getElementById('konzeption-form');
  var target = document.getElementById('vorschau');
  if (!form || !target || !window.fetch) return;
  var timer = null;
  var latest = 0;
  function refresh() {
    var ticket = ++latest;
    var body = new URLSearchParams(new FormData(form));
    target.setAttribute('aria-busy', 'true');
    fetch(form.getAttribute('data-preview'), {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
    }).then(function (r) { return r.text(); }).then(function (html) {
      // An older answer must not overwrite a newer one.
      if (ticket !== latest) return;
      target.innerHTML = html;
      target.removeAttribute('aria-busy');
    }).catch(function () { target.removeAttribute('aria-busy'); });
  }
  form.addEventListener('change', function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
