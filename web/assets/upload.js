// Shows progress while a file is uploaded and checked. Without JavaScript the form posts as
// usual and the browser shows its own progress.
(function () {
  var form = document.getElementById('import-form');
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var status = document.getElementById('fortschritt');
    var label = document.createElement('span');
    label.textContent = 'Datei wird hochgeladen … ';
    var bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute('aria-label', 'Fortschritt');
    status.replaceChildren(label, bar);
    var button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable) {
        bar.value = Math.round(ev.loaded * 100 / ev.total);
        bar.textContent = bar.value + ' %';
      }
    };
    xhr.upload.onload = function () {
      label.textContent = 'Datei wird geprüft … ';
      bar.removeAttribute('value');
    };
    xhr.onload = function () {
      document.open();
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () {
      label.textContent = 'Die Verbindung ist abgebrochen. Bitte versuchen Sie es noch einmal.';
      if (button) button.disabled = false;
    };
    xhr.send(new FormData(form));
  });
})();
