// Suggestions while typing in the search field: fills the field's <datalist> from the API's
// `suggest` (public entries; the search itself runs with the caller's rights). Without this
// script the search works the same, only without suggestions.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-vorschlaege");
  if (!input || !list || !window.fetch) return;
  var query = "query Vorschlaege($p: String!) { suggest(prefix: $p, first: 8) { label } }";
  var timer = null;
  var last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var prefix = input.value.trim();
      if (prefix.length < 2 || prefix === last) return;
      last = prefix;
      var url = "/graphql?query=" + encodeURIComponent(query) +
        "&variables=" + encodeURIComponent(JSON.stringify({ p: prefix }));
      fetch(url, { headers: { Accept: "application/graphql-response+json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body || !body.data || input.value.trim() !== prefix) return;
          list.textContent = "";
          body.data.suggest.forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.label;
            list.appendChild(option);
          });
        })
        .catch(function () { /* no suggestions, the search still works */ });
    }, 150);
  });
})();
